"""End to end: a shopper enrols at the kiosk from real photos (the kiosk's enroller, real models,
a real ledger), pays by face, is erased, and is then a stranger to the same camera."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from app.adapters import KioskEnroller, LedgerPayments
from app.enrolment import Registry
from app.flow import Approved, Declined, Enrolled, Erased, Evidence
from app.wiring import build_scan_session
from vision import Gallery, Match, NeedPin, Reason, generate_key, read_image

from .conftest import TerminalKit
from .test_enrolment_link import new_customer

ENROL = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2, 4)]
PAY_WITH = "deepface__tests_unit_dataset_img5.jpg"  # the same person, a photo not used to enrol
TWO_FACES = "deepface__tests_unit_dataset_couple.jpg"


def decide(settings: Any, gallery: Gallery, image: np.ndarray, amount_minor: int = 150) -> object:
    """Show the same picture to a fresh scan session until it decides."""
    clock = [0.0]
    session = build_scan_session(settings, gallery, clock=lambda: clock[0])
    session.reset(amount_minor=amount_minor)
    for _ in range(60):
        clock[0] += 0.1
        update = session.analyse(image)
        if update.decision is not None:
            return update.decision
    raise AssertionError("no decision in 60 frames")


def test_enrol_pay_erase_then_stranger(kit: TerminalKit, dev_faces: Path, settings: Any,
                                       pipeline: Any, tmp_path: Path) -> None:
    customer = new_customer(kit.world, pin="2468")  # the enrolment proves it with this PIN
    cashier_id, cashier_pin = kit.world.cashier
    service = kit.service()
    payments = LedgerPayments(service, cashier_id=cashier_id, models={})
    assert payments.verify_cashier(cashier_pin)
    gallery = Gallery(tmp_path / "gallery.db", generate_key(), model_id=settings.models.recogniser)
    registry = Registry(tmp_path / "enrolment.db")
    enroller = KioskEnroller(pipeline, gallery, registry, payments, terminal_id=kit.terminal_id,
                             reject_below=settings.liveness.pass_threshold, needed=len(ENROL))
    enroller.reset()

    # bad frames are refused with a reason and keep nothing
    assert enroller.analyse(np.zeros((480, 640, 3), np.uint8)).problem == "Look at the camera"
    two = enroller.analyse(read_image(dev_faces / TWO_FACES))
    assert two.accepted == 0 and "one person" in two.problem
    spoofs = [r.split(",")[0] for r in (dev_faces / "labels.csv").read_text().splitlines()[1:]
              if r.split(",")[3] == "1"]
    assert len(spoofs) >= 10
    for name in spoofs:  # phone, print and ID-card pictures never give a template
        assert enroller.analyse(read_image(dev_faces / name)).accepted == 0, name
    assert isinstance(enroller.enrol(customer, "2468"), Declined)  # not enough frames yet
    updates = [enroller.analyse(read_image(dev_faces / name)) for name in ENROL]
    assert [u.accepted for u in updates] == [1, 2, 3] and updates[-1].done
    assert registry.consent(customer) is None

    enrolled = enroller.enrol(customer, "2468")
    assert isinstance(enrolled, Enrolled) and enrolled.templates == 3
    assert registry.consent(customer) is not None and gallery.customers() == [customer]

    decision = decide(settings, gallery, read_image(dev_faces / PAY_WITH))
    if isinstance(decision, Match):
        assert decision.customer_id == customer
        paid = payments.pay(customer, 150, "EUR", None, Evidence("face", decision.score), False)
    else:  # a cautious policy may still ask for the PIN the shopper just chose
        assert isinstance(decision, NeedPin) and customer in decision.candidates
        paid = payments.pay(customer, 150, "EUR", "2468", Evidence("face+pin"), False)
    assert isinstance(paid, Approved)

    erased = enroller.erase(customer)
    assert isinstance(erased, Erased) and erased.templates_removed == 3
    assert len(erased.ledger_audit_hash) == 64 and erased.note == ""
    assert gallery.customers() == [] and registry.consent(customer) is None and registry.audit_ok()

    after = decide(settings, gallery, read_image(dev_faces / PAY_WITH))
    assert isinstance(after, NeedPin) and customer not in after.candidates
    assert after.reason is Reason.STRANGER
    kept = kit.client(through_proxy=False).transfer(paid.transfer_id)
    assert kept is not None and kept.status == "posted"  # the money record stays

    unknown = enroller.erase("c-nobody-anywhere")
    assert isinstance(unknown, Declined)
