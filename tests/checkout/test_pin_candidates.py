"""The PIN chooses among the face's candidates: the flow sends them all, asks for the customer
number when the PIN fits several, and lets a shopper the face took for someone else say so."""

from __future__ import annotations

from checkout import (
    CustomerNumberEntered,
    CustomerView,
    DebitDeclined,
    PinEntered,
    PinView,
    ResultView,
    State,
    UsePin,
)

from .conftest import Driver


def test_a_pin_after_a_masked_face_is_checked_against_every_candidate(drive: Driver) -> None:
    drive.to_pin()
    view = drive.view
    assert isinstance(view, PinView) and view.other_option == "Not you? Use your customer number"
    drive.send(PinEntered("2468"))
    debit = drive.debit()
    assert debit.candidates == ("c-ben", "c-anna") and debit.customer_id == "c-ben"
    assert debit.pin == "2468" and not debit.allow_offline
    drive.approve()
    result = drive.view
    assert isinstance(result, ResultView) and result.message == "Thank you."  # no guessed name


def test_a_pin_that_fits_several_candidates_asks_for_the_customer_number(drive: Driver) -> None:
    drive.to_pin()
    drive.send(PinEntered("1111"))
    first = drive.debit()
    drive.send(DebitDeclined(first.request_id, "customer_id_required"))
    assert drive.state is State.CUSTOMER_ENTRY
    view = drive.view
    assert isinstance(view, CustomerView) and "more than one account" in view.message
    drive.send(CustomerNumberEntered("c-anna"))
    assert drive.state is State.PIN_ENTRY
    pin_view = drive.view
    assert isinstance(pin_view, PinView) and pin_view.other_option == ""  # the shopper typed it
    drive.send(PinEntered("1111"))
    second = drive.debit()
    assert second.request_id != first.request_id
    assert (second.customer_id, second.candidates) == ("c-anna", ())


def test_not_you_on_the_pin_pad_goes_to_the_customer_number(drive: Driver) -> None:
    drive.to_pin()
    drive.send(UsePin())
    assert drive.state is State.CUSTOMER_ENTRY
    drive.send(CustomerNumberEntered("c-carl"))
    drive.send(PinEntered("5555"))
    debit = drive.debit()
    assert (debit.customer_id, debit.candidates) == ("c-carl", ())


def test_above_the_face_only_limit_the_matched_shopper_confirms_with_the_pin(drive: Driver) -> None:
    drive.to_processing()
    first = drive.debit()
    assert first.pin is None
    drive.send(DebitDeclined(first.request_id, "pin_required"))
    assert drive.state is State.PIN_ENTRY
    view = drive.view
    assert isinstance(view, PinView) and "confirm with your PIN" in view.message
    drive.send(PinEntered("2468"))
    second = drive.debit()
    assert (second.customer_id, second.pin, second.candidates) == (first.customer_id, "2468", ())
    assert second.evidence.method == "face+pin" and not second.allow_offline
