"""Sales the shop's till opens: the same path as the cashier's pad, and every way a sale ends
is told to the till once (approved, declined, rejected, unknown, cancelled, timed out)."""

from __future__ import annotations

import pytest

from checkout import (
    Cancel,
    CancelSale,
    CashierChosen,
    CashierKey,
    CashierVerified,
    Confirm,
    DebitDeclined,
    FinishTillSale,
    IdleView,
    LedgerUnreachable,
    LockTerminal,
    NewSale,
    OpenSale,
    PinEntered,
    SaleView,
    State,
    TillCancel,
    TillSaleOpened,
)
from payments.till import SaleStatus

from .conftest import MATCH, NEED_PIN_MASKED, SPOOF, Driver, face


def _ends(drive: Driver) -> list[FinishTillSale]:
    return [e for e in drive.effects if isinstance(e, FinishTillSale)]


def _till_sale(drive: Driver, amount: int = 1250, ref: str = "R-1") -> None:
    drive.send(TillSaleOpened(amount, "EUR", ref))
    assert drive.state is State.SALE_OPEN
    assert isinstance(drive.view, SaleView) and drive.machine.sale is not None
    assert drive.view.reference == f"Sale {ref}"  # the shopper and cashier match it to the till
    assert drive.machine.sale.reference == ref and drive.machine.sale.till


def _to_confirm(drive: Driver) -> None:
    _till_sale(drive)
    drive.send(Confirm())
    drive.send(face(MATCH), 0.5)
    assert drive.state is State.CONFIRM


def test_approved_till_sale_carries_its_reference_into_the_debit_and_tells_the_till(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    assert drive.debit().reference == "R-1"
    drive.approve()
    assert drive.state is State.APPROVED
    assert _ends(drive) == [
        FinishTillSale("R-1", SaleStatus.APPROVED, "tr-1", "face", at=1_800_000_000.0),
    ]
    drive.send(Confirm())
    assert drive.state is State.IDLE
    assert len(_ends(drive)) == 1


def test_a_pad_sale_carries_no_reference_and_tells_no_till(drive: Driver) -> None:
    drive.to_processing()
    assert drive.debit().reference == ""
    drive.approve()
    assert _ends(drive) == []


def test_declined_till_sale_ends_at_once_and_the_result_leads_to_idle(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    drive.send(DebitDeclined(drive.debit().request_id, "insufficient_funds", "no money"))
    assert drive.state is State.DECLINED
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.DECLINED, reason="insufficient_funds")]
    drive.send(Confirm())
    assert drive.state is State.IDLE  # the till opens the next attempt, not the kiosk
    assert drive.machine.sale is None


def test_declined_pad_sale_still_goes_back_to_the_open_sale(drive: Driver) -> None:
    drive.to_processing()
    drive.send(DebitDeclined(drive.debit().request_id, "insufficient_funds", "no money"))
    drive.send(Confirm())
    assert drive.state is State.SALE_OPEN


def test_rejected_till_sale_says_why(drive: Driver) -> None:
    _till_sale(drive)
    drive.send(Confirm())
    drive.send(face(SPOOF), 0.5)
    assert drive.state is State.REJECTED
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.DECLINED, reason=SPOOF.reason.value)]


def test_unknown_outcome_fails_the_till_sale(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    drive.tick(31)
    assert drive.state is State.UNKNOWN
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.FAILED, reason="outcome_unknown")]


def test_ledger_unreachable_fails_the_till_sale(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    drive.send(LedgerUnreachable(drive.debit().request_id, "not sent"))
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.FAILED, reason="not_completed")]


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("shopper", "cancelled_by_shopper"),
        ("timeout", "timed_out"),
        ("till", "cancelled_by_till"),
        ("cashier", "cancelled_by_cashier"),
        ("pad", "replaced"),
    ],
)
def test_every_cancel_of_a_till_sale_is_told(drive: Driver, how: str, reason: str) -> None:
    _till_sale(drive)
    if how == "shopper":
        drive.send(Cancel())
    elif how == "timeout":
        drive.tick(301)
    elif how == "till":
        drive.send(TillCancel("R-1"))
    else:  # the cashier signs in over the open till sale
        drive.send(CashierKey())
        _sign_in(drive)
        if how == "cashier":
            drive.send(CancelSale())
        else:
            drive.send(NewSale())
            drive.send(OpenSale(500, "EUR"))
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.CANCELLED, reason=reason)]
    assert drive.machine.sale is None or not drive.machine.sale.till


def _sign_in(drive: Driver) -> None:
    drive.send(CashierChosen("cashier-1"))
    drive.send(PinEntered("123456"))
    drive.send(CashierVerified(drive.machine.request_id))
    assert drive.state is State.CASHIER


@pytest.mark.parametrize("state", ["scanning", "confirm", "pin"])
def test_till_cancel_stops_the_shopper_before_they_confirm(drive: Driver, state: str) -> None:
    _till_sale(drive)
    drive.send(Confirm())
    if state == "confirm":
        drive.send(face(MATCH), 0.5)
    elif state == "pin":
        drive.send(face(NEED_PIN_MASKED, masked=True), 0.5)
    drive.send(TillCancel("R-1"))
    assert drive.state is State.IDLE
    assert drive.view == IdleView("Corner Shop", "The sale was cancelled at the till.")
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.CANCELLED, reason="cancelled_by_till")]


def test_till_cancel_after_the_shopper_confirmed_is_not_honoured(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    drive.send(TillCancel("R-1"))
    assert drive.state is State.PROCESSING
    drive.approve()
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.APPROVED, "tr-1", "face", at=1_800_000_000.0)]


def test_a_cancel_for_another_reference_changes_nothing(drive: Driver) -> None:
    _till_sale(drive)
    drive.send(TillCancel("R-2"))
    assert drive.state is State.SALE_OPEN and _ends(drive) == []


def test_a_till_sale_while_the_kiosk_is_busy_is_refused_to_the_till(drive: Driver) -> None:
    drive.open_sale(700)  # the cashier's pad sale is on screen
    drive.send(TillSaleOpened(1250, "EUR", "R-9"))
    assert drive.machine.sale is not None and drive.machine.sale.amount_minor == 700
    assert _ends(drive) == [FinishTillSale("R-9", SaleStatus.FAILED, reason="kiosk_busy")]


def test_a_till_sale_without_reference_or_amount_is_ignored(drive: Driver) -> None:
    drive.send(TillSaleOpened(1250, "EUR", ""))
    drive.send(TillSaleOpened(0, "EUR", "R-1"))
    assert drive.state is State.IDLE and _ends(drive) == []


def test_the_tills_next_sale_opens_over_the_last_shoppers_receipt(drive: Driver) -> None:
    _to_confirm(drive)
    drive.send(Confirm())
    drive.approve()
    assert drive.state is State.APPROVED and drive.machine.takes_till_sale
    drive.send(TillSaleOpened(990, "EUR", "R-2"))
    assert drive.state is State.SALE_OPEN
    assert drive.machine.sale is not None and drive.machine.sale.reference == "R-2"
    assert [e.reference for e in _ends(drive)] == ["R-1"]  # R-2 is not refused


def test_a_declined_pad_sale_still_open_is_not_replaced_by_the_till(drive: Driver) -> None:
    drive.to_processing()
    drive.send(DebitDeclined(drive.debit().request_id, "insufficient_funds"))
    assert drive.state is State.DECLINED and not drive.machine.takes_till_sale
    drive.send(TillSaleOpened(990, "EUR", "R-3"))
    assert drive.state is State.DECLINED and drive.machine.sale is not None
    assert _ends(drive) == [FinishTillSale("R-3", SaleStatus.FAILED, reason="kiosk_busy")]


def test_the_debit_says_who_opened_the_sale(drive: Driver) -> None:
    drive.send(TillSaleOpened(1250, "EUR", "R-5", "till-1"))
    drive.send(Confirm())
    drive.send(face(MATCH), 0.5)
    drive.send(Confirm())
    assert drive.debit().opened_by == "till:till-1"
    drive.approve()
    drive.send(Confirm())
    drive.send(CashierKey())
    _sign_in(drive)
    drive.send(NewSale())
    drive.send(OpenSale(500, "EUR"))
    drive.send(Confirm())
    drive.send(face(MATCH), 0.5)
    drive.send(Confirm())
    assert drive.debit().opened_by == "cashier-1"


@pytest.mark.parametrize("where", ["verifying", "locked"])
def test_a_till_cancel_while_staff_use_the_kiosk_ends_the_sale(drive: Driver, where: str) -> None:
    _till_sale(drive)
    drive.send(CashierKey())
    drive.send(CashierChosen("cashier-1"))
    drive.send(PinEntered("123456"))
    assert drive.state is State.CASHIER_VERIFYING
    if where == "locked":
        drive.send(CashierVerified(drive.machine.request_id))
        drive.send(LockTerminal())
        assert drive.state is State.LOCKED
    state = drive.state
    drive.send(TillCancel("R-1"))
    assert _ends(drive) == [FinishTillSale("R-1", SaleStatus.CANCELLED, reason="cancelled_by_till")]
    assert drive.machine.sale is None and drive.state is state  # the staff's screen stays
