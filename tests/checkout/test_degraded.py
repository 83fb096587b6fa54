"""Honest degraded modes: with the camera or the ledger down, idle is an out-of-service page
saying what still works, staff still reach their menu (to sell by PIN, or to lock), and the
page leaves by itself when the part is back."""

from __future__ import annotations

from checkout import (
    Cancel,
    CashierChosen,
    CashierKey,
    CashierVerified,
    CashierView,
    HealthChanged,
    LedgerUnreachable,
    LockTerminal,
    NewSale,
    OpenSale,
    OutOfServiceView,
    PinEntered,
    Screen,
    State,
    VerifyCashier,
)

from .conftest import Driver, face


def sign_in(drive: Driver) -> None:
    drive.send(CashierKey())
    assert drive.state is State.CASHIER_ID
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("9999"))


def test_no_camera_at_start_shows_pin_only_and_staff_are_warned(drive: Driver) -> None:
    drive.send(HealthChanged(camera=False, ledger=True))
    assert drive.state is State.OUT_OF_SERVICE and drive.shown is not None
    assert drive.shown.screen is Screen.OUT_OF_SERVICE
    view = drive.view
    assert isinstance(view, OutOfServiceView) and view.staff
    assert view.headline == "Face payment out of order"
    assert "customer number and PIN" in view.message and "camera" in view.reasons[0]
    sign_in(drive)
    drive.send(CashierVerified(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    menu = drive.view
    assert isinstance(menu, CashierView) and menu.warning.startswith("No camera")
    drive.send(NewSale())
    drive.send(OpenSale(500, "EUR"))
    assert drive.state is State.SALE_OPEN  # a PIN sale still works
    drive.send(Cancel())
    assert drive.state is State.OUT_OF_SERVICE  # back to the page, not to a welcome that lies


def test_the_page_leaves_when_the_part_is_back(drive: Driver) -> None:
    drive.send(HealthChanged(ledger=False))
    view = drive.view
    assert isinstance(view, OutOfServiceView) and view.headline == "Checkout out of service"
    assert "another checkout" in view.message
    drive.send(HealthChanged(ledger=True))
    assert drive.state is State.IDLE


def test_a_camera_seen_working_again_clears_the_page(drive: Driver) -> None:
    drive.send(HealthChanged(camera=False))
    drive.send(OpenSale(500, "EUR"))
    drive.send(face(), 0.1)  # not scanning: ignored by the table, but the camera works
    drive.send(Cancel())
    assert drive.state is State.IDLE


def test_with_the_ledger_down_staff_still_reach_a_menu_that_locks(drive: Driver) -> None:
    drive.send(HealthChanged(ledger=False))
    sign_in(drive)
    drive.send(LedgerUnreachable(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    assert drive.state is State.STAFF_OFFLINE
    view = drive.view
    assert isinstance(view, CashierView) and view.offline
    drive.send(LockTerminal())
    assert drive.state is State.LOCKED


def test_only_ledger_answers_say_the_ledger_is_back(drive: Driver) -> None:
    from checkout import ChooseRefund, PaymentsListed, RequestPayments

    sign_in(drive)
    drive.send(CashierVerified(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    drive.send(HealthChanged(ledger=False))
    drive.send(ChooseRefund())
    drive.send(PaymentsListed(drive.last(RequestPayments).request_id, ()))  # type: ignore[attr-defined]
    drive.send(Cancel())
    view = drive.view
    assert (
        isinstance(view, CashierView) and "can't be reached" in view.warning
    )  # the journal's list is not the ledger
