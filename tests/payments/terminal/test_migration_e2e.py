"""End to end: a gallery enrolled with the float MobileFaceNet moves to the int8 one (made by
``facepay models quantize``) while every shopper keeps paying at a real ledger, from real dev
photos. Each payment confirmed by the shopper's PIN (or a strong old-model match) adds the
shopper's int8 template from that very scan; ``facepay gallery migrate-status`` goes from 0 to
full coverage; nobody is ever charged for someone else, and in the end every shopper is matched
by the new model."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.migration import HarvestingPayments, TemplateHarvest, build_migration_scan_session
from checkout import Approved, Evidence
from vision import Gallery, Match, MigratingGallery, NeedPin, generate_key, read_image

from .conftest import TerminalKit
from .test_enrolment_link import new_customer

SOURCE = "mobilefacenet-expo-192d"
TARGET = "mobilefacenet-expo-192d-int8"
ROUNDS = 4


def shoppers(dev_faces: Path) -> dict[str, list[str]]:
    """Dev identities with at least two live unmasked photos: photo 0 enrols, the rest pay."""
    photos: dict[str, list[str]] = {}
    with (dev_faces / "labels.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["masked"] == "0" and row["spoof"] == "0" and not row["identity"].startswith("unknown"):
                photos.setdefault(row["identity"], []).append(row["file"])
    return {who: names for who, names in sorted(photos.items()) if len(names) >= 2}


def migrate_status(settings: Any, data_dir: Path, key: bytes) -> dict[str, Any]:
    import base64

    env = {
        **os.environ,
        "FACEPAY_PAYMENTS_DATA_DIR": str(data_dir),
        "FACEPAY_GALLERY_KEY": base64.b64encode(key).decode(),
        "FACEPAY_MIGRATION_SOURCE": SOURCE,
        "FACEPAY_MODELS_RECOGNISER": TARGET,
        "FACEPAY_MODELS_DERIVED_DIR": str(settings.models.derived_dir),
    }
    cmd = [sys.executable, "-m", "app.cli", "gallery", "migrate-status", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    status: dict[str, Any] = json.loads(done.stdout)
    return status


def scan(session: Any, image: Any) -> object:
    session.reset(amount_minor=150)
    for _ in range(60):
        session._clock_now[0] += 0.1
        update = session.analyse(image)
        if update.decision is not None:
            return update.decision
    raise AssertionError("no decision in 60 frames")


@pytest.mark.slow
def test_every_shopper_keeps_paying_while_the_gallery_moves_to_the_int8_recogniser(
    kit: TerminalKit, int8_settings: Any, pipeline: Any, dev_faces: Path, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        int8_settings,
        models=dataclasses.replace(int8_settings.models, recogniser=TARGET),
        migration=dataclasses.replace(int8_settings.migration, source=SOURCE),
    )
    people = shoppers(dev_faces)
    assert len(people) >= 10
    key = generate_key()
    data_dir = tmp_path / "kiosk"
    data_dir.mkdir()
    # Before the migration: every shopper enrolled with the float recogniser (as a kiosk is today).
    before = Gallery(data_dir / "gallery.db", key, model_id=SOURCE)
    customer_of: dict[str, str] = {}
    pin_of: dict[str, str] = {}
    for n, (who, names) in enumerate(people.items()):
        face = pipeline.process(read_image(dev_faces / names[0])).face
        assert face is not None, names[0]
        pin_of[who] = f"{2000 + 37 * n:04d}"  # every shopper's own PIN
        customer_of[who] = new_customer(kit.world, pin=pin_of[who])
        before.add(customer_of[who], face.embedding)
    before.close()
    assert migrate_status(settings, data_dir, key)["covered"] == 0

    gallery = Gallery(data_dir / "gallery.db", key, model_id=TARGET)
    clock = [0.0]
    session = build_migration_scan_session(settings, gallery, clock=lambda: clock[0])
    session._clock_now = clock  # type: ignore[attr-defined]
    assert isinstance(session.pipeline.gallery, MigratingGallery)
    migrating = session.pipeline.gallery
    payments = HarvestingPayments(
        kit.service(), models={}, harvest=TemplateHarvest.from_settings(settings, migrating)
    )
    client = kit.client(through_proxy=False)
    coverage = [migrating.coverage().covered]
    matched_by_target: set[str] = set()
    for round_no in range(ROUNDS):
        for who, names in people.items():
            customer, pin = customer_of[who], pin_of[who]
            covered = gallery.template_count(customer, TARGET) > 0
            decision = scan(session, read_image(dev_faces / names[1 + round_no % (len(names) - 1)]))
            if isinstance(decision, Match):
                assert decision.customer_id == customer, f"{who} taken for {decision.customer_id}"
                paid = payments.pay(customer, 150, "EUR", None, Evidence("face", decision.score), False)
                if covered:
                    matched_by_target.add(who)
            elif isinstance(decision, NeedPin) and customer in decision.candidates:
                first = decision.candidates[0]
                many = tuple(decision.candidates) if len(decision.candidates) > 1 else ()
                paid = payments.pay(first, 150, "EUR", pin, Evidence("face+pin"), False, many)
            else:  # neither matched nor offered: the shopper types their customer number
                assert not isinstance(decision, Match)
                paid = payments.pay(customer, 150, "EUR", pin, Evidence("pin"), False)
            assert isinstance(paid, Approved), (who, decision, paid)
            posted = client.transfer(paid.transfer_id)
            assert posted is not None and posted.customer_id == customer, (who, decision)
        coverage.append(migrating.coverage().covered)
    client.close()

    logging.getLogger(__name__).info(
        "coverage by round %s; matched by the new model: %d", coverage, len(matched_by_target)
    )
    assert coverage[0] == 0 and coverage == sorted(coverage)
    assert coverage[-1] == len(people), coverage
    status = migrate_status(settings, data_dir, key)
    assert status["covered"] == status["customers"] == len(people) and status["coverage"] == 1.0
    assert status["customers_per_model"] == {SOURCE: len(people), TARGET: len(people)}
    # Once moved, the new model recognises: most shoppers are matched by face alone again.
    assert len(matched_by_target) >= len(people) // 2, sorted(matched_by_target)


def test_the_kiosk_runs_the_migration_only_when_a_source_is_set(
    kit: TerminalKit, int8_settings: Any, tmp_path: Path
) -> None:
    from app.main import TerminalIdentity, kiosk_parts
    from app.migration import HarvestingPayments
    from vision import MigratingScanSession

    identity = TerminalIdentity(kit.world.url, kit.terminal_id, kit.key_file, kit.world.out / "ledger.pub")
    plain = dataclasses.replace(
        int8_settings,
        payments=dataclasses.replace(
            int8_settings.payments, data_dir=tmp_path / "data", gallery_key_file=tmp_path / "gallery.key"
        ),
    )
    with kiosk_parts(plain, identity, str(tmp_path)) as parts:
        assert not isinstance(parts.analyser, MigratingScanSession)
        assert not isinstance(parts.payments, HarvestingPayments)
    moving = dataclasses.replace(
        plain,
        models=dataclasses.replace(plain.models, recogniser=TARGET),
        migration=dataclasses.replace(plain.migration, source=SOURCE),
    )
    with kiosk_parts(moving, identity, str(tmp_path)) as parts:
        assert isinstance(parts.analyser, MigratingScanSession)
        assert isinstance(parts.payments, HarvestingPayments)
        assert parts.analyser.migrating.source == SOURCE and parts.analyser.migrating.target == TARGET
        assert parts.analyser.pin_below == moving.migration.strong_match
    same = dataclasses.replace(moving, migration=dataclasses.replace(moving.migration, source=TARGET))
    with kiosk_parts(same, identity, str(tmp_path)) as parts:  # moving to itself: no migration
        assert not isinstance(parts.analyser, MigratingScanSession)
    from app.settings import SettingsError
    from models import ManifestError

    for source, error in (("antispoof-minifasv2se-128", SettingsError), ("no-such-model", ManifestError)):
        wrong = dataclasses.replace(moving, migration=dataclasses.replace(moving.migration, source=source))
        with pytest.raises(error, match=source), kiosk_parts(wrong, identity, str(tmp_path)):
            pass
