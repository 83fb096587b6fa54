"""Two kiosks built by the composition root with ``lane=True`` (``facepay kiosk --lane``): the
shopper enrols at kiosk A through its enroller (camera frames, the shopper's PIN, the signed-in
cashier) and kiosk B's scan session recognises them from its replica; erased at B, the face is a
stranger at A after A's next sync."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.main import TerminalIdentity, kiosk_parts
from app.replica import LaneGallery
from checkout import Declined, Enrolled, Erased
from payments.ledger import add_terminal, open_store
from payments.signing import generate_key, public_key_text, save_private_key
from vision import Match, NeedPin, read_image

from .conftest import LedgerWorld
from .test_enrol_e2e import ENROL, PAY_WITH, capture, decide
from .test_enrolment_link import new_customer

pytestmark = pytest.mark.slow

# The kiosk keeps five good frames: three photos of the enrol set and two more of the same person.
FRAMES = [*ENROL, "deepface__tests_unit_dataset_img6.jpg", "deepface__tests_unit_dataset_img7.jpg"]


def _lane_settings(settings: Any, world: LedgerWorld, tmp: Path, name: str) -> tuple[Any, TerminalIdentity]:
    folder = tmp / name
    folder.mkdir()
    key = generate_key()
    save_private_key(key, folder / "terminal.key")
    terminal_id = f"t-{name}-{folder.stat().st_ino}"
    store = open_store(world.db)
    try:
        add_terminal(store, terminal_id, str(world.demo["merchant"]["id"]), public_key_text(key.public_key()))
    finally:
        store.close()
    lane = dataclasses.replace(
        settings,
        payments=dataclasses.replace(settings.payments, data_dir=folder / "data"),
    )
    return lane, TerminalIdentity(world.url, terminal_id, folder / "terminal.key", world.out / "ledger.pub")


def test_kiosks_on_the_merchant_gallery_enrol_once_and_recognise_everywhere(
    ledger_world: LedgerWorld, settings: Any, dev_faces: Path, tmp_path: Path
) -> None:
    customer = new_customer(ledger_world, pin="2468")
    cashier = ledger_world.cashier
    sa, ida = _lane_settings(settings, ledger_world, tmp_path, "a")
    sb, idb = _lane_settings(settings, ledger_world, tmp_path, "b")
    with kiosk_parts(sa, ida, "0", lane=True) as a, kiosk_parts(sb, idb, "0", lane=True) as b:
        assert a.enroller is not None and b.enroller is not None
        assert not isinstance(a.payments.verify_cashier(*cashier), Declined)
        capture(a.enroller, dev_faces, FRAMES)
        enrolled = a.enroller.enrol(customer, "2468")
        assert isinstance(enrolled, Enrolled) and enrolled.templates == len(FRAMES)
        lane_b = b.analyser.pipeline.gallery  # the replica behind kiosk B's scan session
        assert isinstance(lane_b, LaneGallery)
        lane_b.sync_now()  # what B's timer does every REPLICA_POLL_S
        decision = decide(sb, lane_b, read_image(dev_faces / PAY_WITH))
        assert isinstance(decision, Match | NeedPin)
        if isinstance(decision, Match):
            assert decision.customer_id == customer
        else:
            assert customer in decision.candidates
        assert not isinstance(b.payments.verify_cashier(*cashier), Declined)
        erased = b.enroller.erase(customer)
        assert isinstance(erased, Erased) and erased.templates_removed == len(FRAMES)
        lane_a = a.analyser.pipeline.gallery
        assert isinstance(lane_a, LaneGallery)
        lane_a.sync_now()
        after = decide(sa, lane_a, read_image(dev_faces / PAY_WITH))
        assert isinstance(after, NeedPin) and customer not in after.candidates
        assert np.all([c not in lane_a.customers() for c in (customer,)])
