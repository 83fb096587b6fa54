"""End to end: a shopper enrols at the kiosk from real photos (the kiosk's enroller, real models,
a real ledger) with the one-time enrolment code the operator issued, pays by face; the same face
under another customer number is refused; a wrong customer number cannot take over an account;
the shopper is erased (the account, its money and its PIN stay) and is then a stranger to the
same camera."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from app.adapters import KioskEnroller, LedgerPayments
from app.wiring import build_scan_session
from checkout import Approved, ConfirmView, Declined, Enrolled, Erased, Evidence, short_name
from enrolment import Registry
from payments.terminal import Approved as Posted
from vision import Gallery, Match, NeedPin, Reason, Searchable, generate_key, read_image

from .conftest import LedgerWorld, TerminalKit
from .test_enrolment_link import new_customer, pay

ENROL = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2, 4)]
PAY_WITH = "deepface__tests_unit_dataset_img5.jpg"  # the same person, a photo not used to enrol
TWO_FACES = "deepface__tests_unit_dataset_couple.jpg"


def decide(settings: Any, gallery: Searchable, image: np.ndarray, amount_minor: int = 150) -> object:
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


def issue_code(world: LedgerWorld, customer_id: str) -> str:
    """The operator issues a one-time enrolment code on the ledger host (shown once)."""
    cmd = [
        sys.executable,
        "-m",
        "app.cli",
        "ledger",
        "issue-enrolment-code",
        "--db",
        world.db,
        "--customer",
        customer_id,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    codes = re.findall(r"\b\d{10}\b", done.stdout)
    assert len(codes) == 1, done.stdout
    return str(codes[0])


def capture(enroller: KioskEnroller, dev_faces: Path, names: list[str]) -> None:
    enroller.reset()
    updates = [enroller.analyse(read_image(dev_faces / name)) for name in names]
    assert updates[-1].done


def test_enrol_pay_erase_then_stranger(
    kit: TerminalKit, dev_faces: Path, settings: Any, pipeline: Any, tmp_path: Path
) -> None:
    customer = new_customer(kit.world, pin=None)
    cashier_id, cashier_pin = kit.world.cashier
    service = kit.service()
    payments = LedgerPayments(service, models={})
    refused = payments.verify_cashier(cashier_id, "0000" if cashier_pin != "0000" else "0001")
    assert isinstance(refused, Declined) and refused.code == "wrong_pin"
    assert not isinstance(payments.verify_cashier(cashier_id, cashier_pin), Declined)
    gallery = Gallery(tmp_path / "gallery.db", generate_key(), model_id=settings.models.recogniser)
    registry = Registry(tmp_path / "enrolment.db")
    enroller = KioskEnroller(
        pipeline,
        gallery,
        registry,
        payments,
        terminal_id=kit.terminal_id,
        reject_below=settings.liveness.passive.pass_threshold,
        already_at=settings.recognition.enrolled_threshold,
        needed=len(ENROL),
    )
    enroller.reset()

    # bad frames are refused with a reason and keep nothing
    assert enroller.analyse(np.zeros((480, 640, 3), np.uint8)).problem == "Look at the camera"
    two = enroller.analyse(read_image(dev_faces / TWO_FACES))
    assert two.accepted == 0 and "one person" in two.problem
    spoofs = [
        r.split(",")[0]
        for r in (dev_faces / "labels.csv").read_text().splitlines()[1:]
        if r.split(",")[3] == "1"
    ]
    assert len(spoofs) >= 10
    for name in spoofs:  # phone, print and ID-card pictures never give a template
        assert enroller.analyse(read_image(dev_faces / name)).accepted == 0, name
    assert isinstance(enroller.enrol(customer, "2468"), Declined)  # not enough frames yet
    updates = [enroller.analyse(read_image(dev_faces / name)) for name in ENROL]
    assert [u.accepted for u in updates] == [1, 2, 3] and updates[-1].done
    assert registry.consent(customer) is None

    no_proof = enroller.enrol(customer, "2468")  # a new account: its PIN cannot be the proof
    assert isinstance(no_proof, Declined) and no_proof.code == "proof_required"
    assert gallery.customers() == [] and registry.consent(customer) is None
    code = issue_code(kit.world, customer)
    capture(enroller, dev_faces, ENROL)  # a refusal forgets the captured templates: capture again
    enrolled = enroller.enrol(customer, "2468", code, "Anna K")
    assert isinstance(enrolled, Enrolled) and enrolled.templates == 3 and enrolled.pin_set
    # the name typed at the kiosk is what the confirm prompt greets the shopper by, not the number
    assert ConfirmView("EUR 3.00", "", short_name(registry.display_name(customer))).prompt == (
        "Pay EUR 3.00 as Anna K.?"
    )
    assert registry.consent(customer) is not None and gallery.customers() == [customer]
    capture(enroller, dev_faces, ENROL)
    reused = enroller.enrol(customer, "1357", code)  # the code was single-use
    assert isinstance(reused, Declined) and reused.code == "bad_enrolment_code"

    # The same face under another customer number is refused before the ledger is asked,
    # naming the customer it is enrolled as; the other account keeps its own PIN.
    other = new_customer(kit.world, pin="1111")
    capture(enroller, dev_faces, [PAY_WITH, *ENROL[:2]])
    again = enroller.enrol(other, "2468", issue_code(kit.world, other))
    assert isinstance(again, Declined) and again.code == "face_enrolled"
    assert again.message == f"This face is already enrolled as customer {customer}."
    assert gallery.customers() == [customer] and registry.consent(other) is None

    # A wrong customer number cannot take over an account: without that account's PIN (or its
    # code) the ledger refuses, and the account's PIN still works.
    victim = new_customer(kit.world, pin="4321")
    capture(enroller, dev_faces, [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (13, 14, 15)])
    takeover = enroller.enrol(victim, "2468")
    assert isinstance(takeover, Declined) and takeover.code == "wrong_pin"
    capture(enroller, dev_faces, [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (13, 14, 15)])
    guessed = enroller.enrol(victim, "2468", "0123456789")  # nor a guessed code
    assert isinstance(guessed, Declined) and guessed.code == "bad_enrolment_code"
    assert gallery.customers() == [customer]
    assert isinstance(pay(kit, victim, "4321"), Posted)  # the account's PIN is unchanged
    assert isinstance(pay(kit, customer, "2468"), Posted)  # and the first account's PIN works

    decision = decide(settings, gallery, read_image(dev_faces / PAY_WITH))
    if isinstance(decision, Match):
        assert decision.customer_id == customer
        paid = payments.pay(customer, 150, "EUR", None, Evidence("face", decision.score), False)
    else:  # a cautious policy may still ask for the PIN the shopper just chose
        assert isinstance(decision, NeedPin) and customer in decision.candidates
        paid = payments.pay(customer, 150, "EUR", "2468", Evidence("face+pin"), False)
    assert isinstance(paid, Approved)

    wrong = enroller.erase(customer, pin="0000")  # the shopper's PIN, wrong: nothing is erased
    assert isinstance(wrong, Declined) and gallery.customers() == [customer]
    erased = enroller.erase(customer)  # on the signed-in cashier's authority
    assert isinstance(erased, Erased) and erased.templates_removed == 3
    assert len(erased.ledger_audit_hash) == 64 and erased.note == ""
    assert gallery.customers() == [] and registry.consent(customer) is None and registry.audit_ok()

    after = decide(settings, gallery, read_image(dev_faces / PAY_WITH))
    assert isinstance(after, NeedPin) and customer not in after.candidates
    assert after.reason is Reason.STRANGER
    kept = kit.client(through_proxy=False).transfer(paid.transfer_id)
    assert kept is not None and kept.status == "posted"  # the money record stays
    assert isinstance(pay(kit, customer, "2468"), Posted)  # the account and its PIN stay

    unknown = enroller.erase("c-nobody-anywhere")
    assert isinstance(unknown, Declined)
