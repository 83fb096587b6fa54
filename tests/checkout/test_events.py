"""Each event class carries its own kind: the table's key comes from the event, not from a
separate classification of event classes."""

from __future__ import annotations

import typing

from checkout import (
    CaptureUpdate,
    CaptureUpdated,
    CashierChosen,
    CashierRejected,
    CustomerNumberEntered,
    DebitDeclined,
    Event,
    EventType,
    OpenSale,
    ScanUpdated,
)
from vision import Guidance, NeedPin, Reason, ScanUpdate

E = EventType


def test_every_event_class_says_its_kind() -> None:
    classes = typing.get_args(Event)
    assert len(classes) == 41
    assert all("kind" in vars(cls) for cls in classes)


def test_answers_take_their_kind_from_the_ledger_code() -> None:
    assert DebitDeclined(1, "wrong_pin", attempts_left=2).kind is E.WRONG_PIN
    assert DebitDeclined(1, "wrong_pin", attempts_left=0).kind is E.PIN_LOCKED
    assert DebitDeclined(1, "pin_locked").kind is E.PIN_LOCKED
    assert DebitDeclined(1, "pin_required").kind is E.PIN_REQUIRED
    assert DebitDeclined(1, "customer_id_required").kind is E.NEED_CUSTOMER_ID
    assert DebitDeclined(1, "insufficient_funds").kind is E.DEBIT_DECLINED
    assert CashierRejected(1, "wrong_pin").kind is E.CASHIER_BAD
    assert CashierRejected(1, "pin_locked").kind is E.CASHIER_REFUSED


def test_invalid_content_has_no_kind() -> None:
    assert CustomerNumberEntered("  ").kind is None
    assert CustomerNumberEntered("1" * 33).kind is None
    assert CustomerNumberEntered(" 200001 ").kind is E.CUSTOMER_ENTERED
    assert CashierChosen("no spaces allowed").kind is None
    assert CashierChosen("1001").kind is E.CASHIER_CHOSEN
    assert OpenSale(0, "EUR").kind is None
    assert OpenSale(100, "eur").kind is None
    assert OpenSale(100, "EUR").kind is E.SALE_OPENED


def test_scans_and_captures_by_content() -> None:
    assert ScanUpdated(ScanUpdate(0, None, Guidance.HOLD_STILL)).kind is E.SCAN_PROGRESS
    assert ScanUpdated(ScanUpdate(0, None, Guidance.TURN_LEFT)).kind is E.SCAN_CHALLENGE
    need_id = ScanUpdate(0, None, Guidance.HOLD_STILL, decision=NeedPin((), Reason.STRANGER))
    assert ScanUpdated(need_id).kind is E.SCAN_NEED_ID
    assert CaptureUpdated(CaptureUpdate(None, 1, 5)).kind is E.CAPTURE_PROGRESS
    assert CaptureUpdated(CaptureUpdate(None, 5, 5)).kind is E.CAPTURE_DONE


def test_a_name_typed_at_enrolment_must_be_letters_of_a_sensible_length() -> None:
    from checkout import NameEntered

    assert NameEntered("Anna K").kind is E.NAME_ENTERED
    assert NameEntered("Jean-Luc O'N.").kind is E.NAME_ENTERED
    assert NameEntered(" Zoë  B ").kind is E.NAME_ENTERED
    for bad in ("", " ", "A", "200001", "Anna K3", "x" * 41, "<b>"):
        assert NameEntered(bad).kind is None, bad
