"""The kiosk's adapters translate the ledger's answers: a cashier's lockout with the time left, the
shopper's refusal apart from the cashier's, and an erasure that the ledger refuses erases nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.adapters import KioskEnroller, LedgerPayments
from checkout import Declined, Erased, PaymentsUnavailable, SignedIn
from enrolment import Registry, store_templates
from payments.client import Declined as LedgerDeclined
from payments.client import LedgerErasure, LedgerTimeout
from payments.terminal import InvalidPayment
from vision import Gallery, generate_key


@dataclass
class StubService:
    """Answers as the ledger would, from a queue of exceptions (None: accepted)."""

    answers: list[Exception | None] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _next(self, name: str, **kwargs: Any) -> None:
        self.calls.append((name, kwargs))
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer

    def verify_cashier(self, cashier_id: str, pin: str) -> None:
        if not pin.isdigit():
            raise InvalidPayment("a cashier PIN is 4 to 12 digits")
        self._next("verify", cashier_id=cashier_id)

    def erase_customer_link(self, customer_id: str, **kwargs: Any) -> LedgerErasure:
        self._next("erase", customer_id=customer_id, **kwargs)
        return LedgerErasure(customer_id, True, "2026-12-02T20:00:00Z", 7, "c3" * 32)


def test_cashier_sign_in_answers() -> None:
    service = StubService(
        [
            LedgerDeclined("pin_locked", "locked", {"error": {"code": "pin_locked"}, "retry_after_s": 700}),
            LedgerDeclined("pin_locked", "locked", {"error": {"code": "pin_locked", "retry_after_s": 65.5}}),
            LedgerDeclined("unknown_cashier", "no cashier"),
            LedgerTimeout("no answer"),
            None,
        ]
    )
    payments = LedgerPayments(service, models={})  # type: ignore[arg-type]
    assert payments.verify_cashier("1001", "9999") == Declined("pin_locked", "locked", retry_after_s=700.0)
    assert payments.verify_cashier("1001", "9999").retry_after_s == 65.5  # type: ignore[union-attr]
    assert payments.verify_cashier("1009", "9999") == Declined("unknown_cashier", "no cashier")
    with pytest.raises(PaymentsUnavailable):
        payments.verify_cashier("1001", "9999")
    assert payments.cashier() is None
    assert payments.verify_cashier("1001", "9999") == SignedIn("1001")
    assert payments.cashier() == ("1001", "9999")
    refused = payments.verify_cashier("1001", "99x9")  # not a PIN: the ledger is not asked
    assert isinstance(refused, Declined) and refused.code == "wrong_pin" and payments.cashier() is None
    assert len(service.calls) == 5


def test_the_shoppers_refusal_is_told_apart_from_the_cashiers() -> None:
    from app.adapters import _enrol_refused

    shopper = _enrol_refused(
        LedgerDeclined("wrong_pin", "the PIN is wrong", {"error": {"code": "wrong_pin"}, "attempts_left": 3})
    )
    assert (shopper.code, shopper.attempts_left) == ("wrong_pin", 3)
    cashier = _enrol_refused(
        LedgerDeclined(
            "wrong_pin", "the PIN is wrong", {"error": {"code": "wrong_pin"}, "cashier_id": "1001"}
        )
    )
    assert cashier.code == "cashier_pin"
    locked = _enrol_refused(LedgerDeclined("pin_locked", "locked", {"retry_after_s": 300}))
    assert (locked.code, locked.retry_after_s) == ("pin_locked", 300.0)
    code = _enrol_refused(LedgerDeclined("bad_enrolment_code", "bad"))
    assert code.message == "the enrolment code is wrong, used or expired"


@pytest.fixture
def enroller(tmp_path: Path) -> tuple[KioskEnroller, StubService, Gallery, Registry]:
    gallery = Gallery(tmp_path / "g.db", generate_key(), model_id="m")
    registry = Registry(tmp_path / "r.db")
    registry.record_consent("42", "T1")
    store_templates(gallery, registry, "42", "Anna K", [np.eye(1, 192, 0, dtype=np.float32)[0]])
    service = StubService()
    payments = LedgerPayments(service, models={})  # type: ignore[arg-type]
    kiosk = KioskEnroller(
        None,  # type: ignore[arg-type]  # erasure never looks at a frame, so no pipeline
        gallery,
        registry,
        payments,
        terminal_id="T1",
        reject_below=0.5,
        already_at=0.3,
    )
    return kiosk, service, gallery, registry


def test_an_erasure_the_ledger_refuses_erases_nothing(enroller: Any) -> None:
    kiosk, service, gallery, registry = enroller
    assert isinstance(kiosk.erase("42"), Declined)  # nobody signed in, no PIN: not even asked
    assert service.calls == []
    service.answers = [LedgerDeclined("wrong_pin", "the PIN is wrong")]
    refused = kiosk.erase("42", pin="1111")
    assert isinstance(refused, Declined) and refused.code == "wrong_pin"
    assert gallery.customers() == ["42"] and registry.consent("42") is not None
    service.answers = [LedgerTimeout("down")]  # a shopper's PIN can only be checked by the ledger
    with pytest.raises(PaymentsUnavailable):
        kiosk.erase("42", pin="1357")
    assert gallery.customers() == ["42"]
    erased = kiosk.erase("42", pin="1357")
    assert isinstance(erased, Erased) and erased.templates_removed == 1 and erased.ledger_audit_hash
    assert service.calls[-1] == (
        "erase",
        {
            "customer_id": "42",
            "pin": "1357",
            "cashier_id": None,
            "cashier_pin": None,
            "reason": "erased at the kiosk",
        },
    )
    assert gallery.customers() == [] and registry.consent("42") is None


def test_a_signed_in_cashier_erases_here_even_when_the_ledger_is_down(enroller: Any) -> None:
    kiosk, service, gallery, _ = enroller
    service.answers = [None]
    assert kiosk._payments.verify_cashier("1001", "9999") == SignedIn("1001")
    service.answers = [LedgerDeclined("proof_required", "not the enrolling merchant")]
    refused = kiosk.erase("42")
    assert isinstance(refused, Declined) and refused.code == "proof_required"
    assert gallery.customers() == ["42"]
    service.answers = [LedgerTimeout("down")]
    erased = kiosk.erase("42")
    assert isinstance(erased, Erased) and erased.ledger_audit_hash == "" and "erase again" in erased.note
    assert gallery.customers() == []
