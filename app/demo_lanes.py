"""The demo's two lanes on one merchant gallery (headless, beside the kiosk window).

The demo people enrol once at lane 2 (the signed face link with their PIN and the cashier's,
then their templates sealed into the merchant's gallery at the ledger host); lane 3 follows
the gallery feed and each shopper pays there by face from a photo lane 2 never saw. Then one
shopper is erased at lane 3 and is a stranger at lane 2 after its next sync.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from app.demo_world import DemoPerson, DemoWorld, letterbox
from app.replica import ReplicaSearch, decide_match, enrol_at_lane, erase_at_lane, open_replica, try_sync
from app.wiring import build_pipeline, policy_limits
from enrolment import CONSENT_VERSION, gate_photos, spoof_check
from payments import Evidence
from payments.gallery_replica import GalleryClient, Replica
from payments.journal import Journal
from payments.money import Money
from payments.signing import load_private_key, load_public_key
from payments.terminal import Approved, PaymentService
from vision import read_image

__all__ = ["LaneOutcome", "two_lanes"]

log = logging.getLogger(__name__)

# The demo's second and third terminals (``facepay ledger init --demo --terminals 3``).
LANES = (("t-demo-2", "terminal-2.key"), ("t-demo-3", "terminal-3.key"))


@dataclass(frozen=True, slots=True)
class LaneOutcome:
    """What the two lanes did.

    Attributes:
        ok: every shopper enrolled at lane 2 paid by face at lane 3, as themselves, and the
            erased one was a stranger at lane 2 afterwards.
        detail: one line for the demo's report.
    """

    ok: bool
    detail: str


@dataclass
class _Lane:
    client: GalleryClient
    replica: Replica
    service: PaymentService
    journal: Journal

    def close(self) -> None:
        self.journal.close()
        self.replica.close()
        self.client.close()


def _open_lane(world: DemoWorld, url: str, terminal_id: str, key_file: str) -> _Lane:
    ledger_pub = load_public_key(world.workdir / "ledger.pub")
    client = GalleryClient(url, terminal_id, load_private_key(world.workdir / key_file), ledger_pub)
    folder = world.workdir / f"lane-{terminal_id}"
    replica = open_replica(folder, terminal_id, ledger_pub)
    journal = Journal.open(folder / "journal.db", terminal_id)
    return _Lane(client, replica, PaymentService(client, journal, currency="EUR"), journal)


def _split(person: DemoPerson) -> tuple[list[Path], Path] | None:
    """(photos to enrol with, the photo to pay with): the probe, else the last enrol photo."""
    if person.probe is not None:
        return list(person.enrol), person.probe
    if len(person.enrol) >= 2:
        return list(person.enrol[:-1]), person.enrol[-1]
    return None


def _who(world: DemoWorld, lane: _Lane, photo: Path) -> str | None:
    search = ReplicaSearch(lane.replica, world.settings.models.recogniser)
    face = build_pipeline(world.settings, gallery=search).process(letterbox(read_image(photo))).face
    if face is None:
        return None
    masked = face.mask is not None and face.mask.masked
    limits = policy_limits(world.settings).match_limits(search.customer_count(), masked)
    return decide_match(face.candidates, limits, stale=search.stale).customer_id


def two_lanes(world: DemoWorld, url: str, people: Sequence[DemoPerson] | None = None) -> LaneOutcome:
    """Enrol at lane 2, pay by face at lane 3, erase at lane 3, stranger at lane 2."""
    lane2, lane3 = (_open_lane(world, url, t, k) for t, k in LANES)
    settings = world.settings
    pipeline = build_pipeline(settings)
    paid: list[str] = []
    wrong: list[str] = []
    try:
        try_sync(lane2.client, lane2.replica)
        try_sync(lane3.client, lane3.replica)
        enrolled: list[tuple[DemoPerson, Path]] = []
        for person in people if people is not None else world.people:
            split = _split(person)
            if split is None:
                continue
            templates, _, _ = gate_photos(
                pipeline, split[0], liveness=spoof_check(settings.liveness.passive.pass_threshold)
            )
            if not templates:
                continue
            link = partial(
                lane2.service.enrol_customer,
                person.customer_id,
                person.pin,
                world.cashier_id,
                world.cashier_pin,
                consent_version=CONSENT_VERSION,
            )
            enrol_at_lane(
                lane2.client, lane2.replica, link, person.customer_id, templates, settings.models.recogniser
            )
            enrolled.append((person, split[1]))
        try_sync(lane3.client, lane3.replica)
        for person, photo in enrolled:
            seen = _who(world, lane3, photo)
            if seen is None:
                continue
            if seen != person.customer_id:
                wrong.append(f"{person.name} seen as {seen}")
                continue
            outcome = lane3.service.pay(
                seen, Money(450, "EUR"), evidence=Evidence(method="face", source="demo lane 3 (replica)")
            )
            if isinstance(outcome, Approved):
                paid.append(person.name)
        stranger = False
        if enrolled:
            first, photo = enrolled[0]
            erase = partial(
                lane3.service.erase_customer_link,
                first.customer_id,
                cashier_id=world.cashier_id,
                cashier_pin=world.cashier_pin,
            )
            erase_at_lane(lane3.client, lane3.replica, erase)
            try_sync(lane2.client, lane2.replica)
            stranger = _who(world, lane2, photo) is None
    finally:
        lane2.close()
        lane3.close()
    face_paid = world.face_shopper.name in paid
    ok = bool(enrolled) and face_paid and not wrong and stranger
    detail = (
        f"{len(enrolled)} enrolled once at lane 2; paid by face at lane 3: {', '.join(paid) or 'nobody'}"
        + (f"; WRONG: {'; '.join(wrong)}" if wrong else "")
        + (
            f"; {enrolled[0][0].name} erased at lane 3, a stranger at lane 2"
            if stranger
            else "; erasure not seen"
        )
    )
    return LaneOutcome(ok, detail)
