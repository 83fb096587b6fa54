"""Refund or void any payment of the day, and the maximum sale on the amount pad."""

from __future__ import annotations

import datetime as dt

from checkout import (
    AmountView,
    Cancel,
    CashierChosen,
    CashierKey,
    CashierVerified,
    CashierView,
    CheckoutMachine,
    ChooseRefund,
    Confirm,
    NewSale,
    OpenSale,
    PaymentLine,
    PaymentPicked,
    PaymentsListed,
    PinEntered,
    RefundConfirmView,
    RefundDone,
    RefundListView,
    RequestPayments,
    RequestSummary,
    SendRefund,
    ShowScreen,
    State,
    VerifyCashier,
    VoidPayment,
)

from .conftest import TIMEOUTS, Driver, FakeDirectory

AT = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC).timestamp()
ANNA = PaymentLine("tr-anna", 1250, 1250, "EUR", "c-anna", AT, voidable=True)
BEN_REFUNDED = PaymentLine("tr-ben", 500, 0, "EUR", "c-ben", AT - 60)
STRANGER_PART = PaymentLine("tr-x", 2000, 800, "EUR", "c-unknown", AT - 120)


def sign_in(drive: Driver) -> None:
    drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("9999"))
    drive.send(CashierVerified(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    assert drive.state is State.CASHIER


def to_refund_list(
    drive: Driver, lines: tuple[PaymentLine, ...] = (ANNA, BEN_REFUNDED, STRANGER_PART)
) -> None:
    drive.send(ChooseRefund())
    assert drive.state is State.REFUND_LIST
    view = drive.view
    assert isinstance(view, RefundListView) and view.loading
    drive.send(PaymentsListed(drive.last(RequestPayments).request_id, lines))  # type: ignore[attr-defined]


def to_refund_confirm(drive: Driver, amount_minor: int = 300) -> None:
    to_refund_list(drive)
    drive.send(PaymentPicked("tr-anna"))
    assert drive.state is State.REFUND_AMOUNT
    drive.send(OpenSale(amount_minor, "EUR"))
    assert drive.state is State.REFUND_CONFIRM


def test_the_list_names_time_amount_shopper_and_what_is_left(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    view = drive.view
    assert isinstance(view, RefundListView) and not view.loading
    texts = [line.text for line in view.lines]
    assert texts[0] == "14:05   EUR 12.50   Anna K."
    assert texts[1] == "14:04   EUR 5.00   Ben O.   (refunded)"
    assert texts[2] == "14:03   EUR 20.00   customer c-unknown   (EUR 8.00 left)"
    assert [line.open for line in view.lines] == [True, False, True]


def test_partial_refund_of_any_payment_is_confirmed_with_amount_and_shopper_first(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    drive.send(PaymentPicked("tr-anna"))
    pad = drive.view
    assert isinstance(pad, AmountView)
    assert pad.title == "Refund to Anna K. (14:05)" and "up to EUR 12.50" in pad.subtitle
    effects = drive.send(OpenSale(300, "EUR"))
    assert not [e for e in effects if isinstance(e, SendRefund)]  # nothing sent before the confirmation
    view = drive.view
    assert isinstance(view, RefundConfirmView)
    assert view.prompt == "Refund EUR 3.00 to Anna K.?"
    assert "tr-anna" in view.detail and view.void_option == "Void all EUR 12.50"
    drive.send(Confirm())
    assert drive.state is State.REFUND_PROCESSING
    refund = drive.last(SendRefund)
    assert refund == SendRefund(drive.machine.request_id, "tr-anna", 300, void=False)
    drive.send(RefundDone(drive.machine.request_id, "rf-1", 300, "EUR"))
    view = drive.view
    assert isinstance(view, CashierView) and view.notice == "Refunded EUR 3.00 (transaction rf-1)."
    assert isinstance(drive.effects[-2], RequestSummary)  # totals refreshed after the refund


def test_void_sends_the_whole_payment(drive: Driver) -> None:
    sign_in(drive)
    to_refund_confirm(drive)
    drive.send(VoidPayment())
    assert drive.last(SendRefund) == SendRefund(drive.machine.request_id, "tr-anna", 1250, void=True)
    drive.send(RefundDone(drive.machine.request_id, "vd-1", 1250, "EUR", voided=True))
    assert drive.view.notice == "Voided EUR 12.50 (transaction vd-1)."  # type: ignore[union-attr]


def test_a_partly_refunded_payment_cannot_be_voided(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    drive.send(PaymentPicked("tr-x"))
    drive.send(OpenSale(800, "EUR"))
    view = drive.view
    assert isinstance(view, RefundConfirmView) and view.void_option == ""
    assert drive.send(VoidPayment()) == [] and drive.state is State.REFUND_CONFIRM


def test_a_refunded_payment_says_nothing_left_at_once(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    effects = drive.send(PaymentPicked("tr-ben"))
    assert drive.state is State.REFUND_LIST
    assert not [e for e in effects if isinstance(e, SendRefund)]
    view = drive.view
    assert isinstance(view, RefundListView) and view.notice.startswith("Nothing left to refund")


def test_more_than_is_left_stays_on_the_pad_with_the_reason(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    drive.send(PaymentPicked("tr-x"))
    drive.send(OpenSale(801, "EUR"))
    assert drive.state is State.REFUND_AMOUNT
    assert drive.view.notice == "Only EUR 8.00 is left to refund on this payment."  # type: ignore[union-attr]


def test_back_goes_one_step_and_time_out_to_the_menu(drive: Driver) -> None:
    sign_in(drive)
    to_refund_confirm(drive)
    drive.send(Cancel())
    assert drive.state is State.REFUND_LIST  # the list is read again
    drive.send(Cancel())
    assert drive.state is State.CASHIER
    to_refund_list(drive)
    drive.tick(61)
    assert drive.state is State.CASHIER


def test_an_unknown_pick_is_ignored(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    assert drive.send(PaymentPicked("tr-nobody")) == []


def test_the_pad_refuses_a_sale_above_the_shops_maximum_in_words() -> None:
    machine = CheckoutMachine(FakeDirectory(), merchant="Shop", timeouts=TIMEOUTS, max_sale_minor=1_000_000)
    drive = Driver(machine)
    drive.effects.extend(machine.start(drive.now))
    sign_in(drive)
    drive.send(NewSale())
    drive.send(OpenSale(999_999_999, "EUR"))  # EUR 9,999,999.99: nine digits on the pad
    assert drive.state is State.AMOUNT_ENTRY and machine.sale is None
    view = drive.view
    assert isinstance(view, AmountView)
    assert view.notice == (
        "That is more than this shop's maximum sale of EUR 10,000.00. Check the amount and type it again."
    )
    assert "amount.minor" not in view.notice
    drive.send(OpenSale(1_000_000, "EUR"))
    assert drive.state is State.SALE_OPEN and machine.sale is not None
    shown = [e for e in drive.effects if isinstance(e, ShowScreen)]
    assert shown[-1].view.notice == ""
