"""Every time-out and cancel path, and the cashier's menu behind the cashier PIN."""

from __future__ import annotations

import pytest

from checkout import (
    AmountView,
    Cancel,
    CancelSale,
    CashierChosen,
    CashierKey,
    CashierRejected,
    CashierVerified,
    CashierView,
    Confirm,
    DaySummary,
    IdleView,
    LedgerUnreachable,
    LockedView,
    LockTerminal,
    NewSale,
    OpenSale,
    PinEntered,
    PinView,
    RefundFailed,
    RequestSummary,
    SaleView,
    SendRefund,
    StaffView,
    State,
    StopScan,
    SummaryReady,
    UserActivity,
    VerifyCashier,
)

from .conftest import MATCH, TIMEOUTS, Driver, face, no_face
from .test_refunds import to_refund_confirm

# --- time-outs ---------------------------------------------------------------------


def test_shopper_who_walks_away_from_the_camera_leaves_the_sale_open(drive: Driver) -> None:
    drive.scan()
    drive.send(face(), 3)
    drive.tick(7.9)  # face last seen 7.9 s ago: keep looking
    assert drive.state is State.SCANNING
    drive.send(no_face(), 0.05)
    effects = drive.tick(0.1)
    assert StopScan() in effects
    assert drive.state is State.SALE_OPEN
    assert drive.machine.sale is not None
    assert drive.view == SaleView(
        "EUR 12.50", "Corner Shop", "We didn't see a face for a while. Tap Pay to try again."
    )


def test_a_scan_that_never_decides_ends_even_with_a_face_in_view(drive: Driver) -> None:
    drive.scan()
    for _ in range(59):
        drive.send(face(), 0.5)
        drive.tick(0)
    assert drive.state is State.SCANNING
    drive.send(face(), 0.5)
    drive.tick(0)
    assert drive.state is State.SALE_OPEN
    assert isinstance(drive.view, SaleView) and drive.view.notice == "That took too long. Please try again"


def test_open_sale_nobody_pays_is_cancelled_to_idle(drive: Driver) -> None:
    drive.open_sale()
    drive.tick(299)
    assert drive.state is State.SALE_OPEN
    drive.tick(1)
    assert drive.state is State.IDLE and drive.machine.sale is None


@pytest.mark.parametrize("path", ["to_confirm", "to_pin"])
def test_prompt_left_unanswered_returns_to_the_sale(drive: Driver, path: str) -> None:
    getattr(drive, path)()
    limit = 20 if path == "to_confirm" else 30
    drive.tick(limit - 0.1)
    assert drive.state is not State.SALE_OPEN
    drive.tick(0.1)
    assert drive.state is State.SALE_OPEN
    assert isinstance(drive.view, SaleView) and drive.view.notice.startswith("Payment not finished")


def test_keys_on_the_pin_pad_keep_it_open(drive: Driver) -> None:
    drive.to_pin()
    for _ in range(5):
        drive.send(UserActivity(), 20)
        drive.tick(0)
    assert drive.state is State.PIN_ENTRY
    drive.tick(30)
    assert drive.state is State.SALE_OPEN


def test_ledger_that_never_answers_ends_unknown_not_approved(drive: Driver) -> None:
    drive.to_processing()
    drive.tick(29.9)
    assert drive.state is State.PROCESSING
    drive.tick(0.1)
    assert drive.state is State.UNKNOWN
    drive.tick(3600)
    assert drive.state is State.UNKNOWN  # waits for the cashier
    assert drive.machine.sale is not None


@pytest.mark.parametrize("outcome", ["approved", "declined", "rejected"])
def test_result_screens_return_by_themselves(drive: Driver, outcome: str) -> None:
    from checkout import DebitDeclined

    from .conftest import SPOOF

    if outcome == "rejected":
        drive.scan()
        drive.send(face(SPOOF))
    else:
        drive.to_processing()
        if outcome == "approved":
            drive.approve()
        else:
            drive.send(DebitDeclined(drive.debit().request_id, "insufficient_funds"))
    stays = TIMEOUTS.receipt_s if outcome == "approved" else TIMEOUTS.result_s  # the receipt QR waits
    drive.tick(stays - 0.1)
    assert drive.state.value == outcome
    drive.tick(0.1)
    assert drive.state is (State.IDLE if outcome == "approved" else State.SALE_OPEN)


def test_the_approved_screen_stays_long_enough_to_scan_the_receipt(drive: Driver) -> None:
    drive.to_processing()
    drive.approve()
    drive.tick(TIMEOUTS.result_s + 10)
    assert drive.state is State.APPROVED  # a phone is out, the QR is being scanned
    drive.send(Confirm())  # "Done"
    assert drive.state is State.IDLE


@pytest.mark.parametrize("path", ["scan", "to_confirm", "to_pin"])
def test_cancel_from_a_shopper_screen_returns_to_the_sale(drive: Driver, path: str) -> None:
    getattr(drive, path)()
    drive.send(Cancel())
    assert drive.state is State.SALE_OPEN and drive.machine.sale is not None


def test_cancel_on_the_sale_screen_cancels_the_sale(drive: Driver) -> None:
    drive.open_sale()
    drive.send(Cancel())
    assert drive.state is State.IDLE and drive.machine.sale is None
    assert drive.view == IdleView("Corner Shop", "Sale cancelled.")


# --- cashier -----------------------------------------------------------------------


def login(drive: Driver, pin: str = "9999") -> VerifyCashier:
    drive.send(CashierKey())
    assert drive.state is State.CASHIER_ID
    drive.send(CashierChosen("k-1"))
    assert drive.state is State.CASHIER_LOGIN
    drive.send(PinEntered(pin))
    verify = drive.last(VerifyCashier)
    assert isinstance(verify, VerifyCashier) and (verify.cashier_id, verify.pin) == ("k-1", pin)
    drive.send(CashierVerified(verify.request_id))
    assert drive.state is State.CASHIER
    return verify


def test_cashier_opens_a_sale_with_an_amount(drive: Driver) -> None:
    login(drive)
    drive.send(NewSale())
    assert drive.view == AmountView("EUR")
    drive.send(OpenSale(0, "EUR"))  # zero: ignored
    assert drive.state is State.AMOUNT_ENTRY
    drive.send(OpenSale(995, "EUR"))
    assert drive.state is State.SALE_OPEN
    assert isinstance(drive.view, SaleView) and drive.view.amount == "EUR 9.95"


def test_wrong_cashier_pin_stays_on_the_pad_with_a_message(drive: Driver) -> None:
    drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("1111"))
    drive.send(CashierRejected(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    assert drive.state is State.CASHIER_LOGIN
    view = drive.view
    assert isinstance(view, PinView) and view.cashier and view.error == "Wrong PIN for cashier k-1."


def test_cashier_check_with_ledger_down_or_silent(drive: Driver) -> None:
    drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("1111"))
    drive.send(LedgerUnreachable(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    # the PIN cannot be checked: a menu that can only lock, so staff can still close the kiosk
    assert drive.state is State.STAFF_OFFLINE
    view = drive.view
    assert isinstance(view, CashierView) and view.offline and "Only Lock works" in view.notice
    assert "can't be reached" in view.warning
    drive.send(NewSale())
    assert drive.state is State.STAFF_OFFLINE  # nothing that moves money
    drive.send(LockTerminal())
    assert drive.state is State.LOCKED
    drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("1111"))
    drive.tick(30)
    assert drive.state is State.CASHIER_LOGIN and "No answer" in drive.view.error


def test_cashier_menu_shows_totals_and_verdict(drive: Driver) -> None:
    login(drive)
    request = drive.last(RequestSummary)
    assert isinstance(request, RequestSummary)
    summary = DaySummary(
        payments=3,
        paid_minor=4200,
        refunds=1,
        refunded_minor=1250,
        currency="EUR",
        verdict="Journal and ledger agree (4 transfers).",
    )
    drive.send(SummaryReady(request.request_id, summary))
    view = drive.view
    assert isinstance(view, CashierView)
    assert view.totals == ("Payments: 3, EUR 42.00", "Refunds: 1, EUR 12.50")
    assert view.verdict == "Journal and ledger agree (4 transfers)."


@pytest.mark.parametrize(
    ("verdict", "shown"),
    [
        ("totals agree: net EUR 29.50", "Journal and ledger agree."),
        (
            "totals do not agree: ledger net EUR 1.00, terminal net EUR 0.00",
            "Journal and ledger do not agree",
        ),
        ("totals unconfirmed: 1 entry is not settled yet", "Not settled yet"),
    ],
)
def test_the_ledgers_verdict_is_worded_for_the_cashier(drive: Driver, verdict: str, shown: str) -> None:
    """The payment service's verdict (its English words for `facepay report`) reaches the cashier
    from the wording table, so it is in the shop's language."""
    login(drive)
    request = drive.last(RequestSummary)
    assert isinstance(request, RequestSummary)
    drive.send(SummaryReady(request.request_id, DaySummary(1, 2950, 0, 0, "EUR", verdict)))
    view = drive.view
    assert isinstance(view, CashierView) and view.verdict.startswith(shown) and "net EUR" not in view.verdict


def test_refund_refused_unreachable_or_silent_says_so(drive: Driver) -> None:
    login(drive)
    to_refund_confirm(drive)
    drive.send(Confirm())
    drive.send(RefundFailed(drive.last(SendRefund).request_id, "nothing left to refund"))  # type: ignore[attr-defined]
    assert drive.view.notice == "Refund refused: nothing left to refund"  # type: ignore[union-attr]
    to_refund_confirm(drive)
    drive.send(Confirm())
    drive.send(LedgerUnreachable(drive.last(SendRefund).request_id))  # type: ignore[attr-defined]
    assert drive.view.notice == "The payment service can't be reached."  # type: ignore[union-attr]
    to_refund_confirm(drive)
    drive.send(Confirm())
    drive.tick(30)
    assert drive.state is State.CASHIER and "No answer" in drive.view.notice  # type: ignore[union-attr]


def test_cashier_cancels_the_open_sale(drive: Driver) -> None:
    drive.scan()
    assert StopScan() in drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("9999"))
    drive.send(CashierVerified(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    assert drive.view.sale == "EUR 12.50"  # type: ignore[union-attr]
    drive.send(CancelSale())
    assert drive.machine.sale is None and drive.view.notice == "Sale cancelled."  # type: ignore[union-attr]
    drive.send(Cancel())
    assert drive.state is State.IDLE


def test_leaving_the_cashier_menu_returns_to_the_open_sale(drive: Driver) -> None:
    drive.open_sale()
    login(drive)
    drive.send(Cancel())
    assert drive.state is State.SALE_OPEN


def test_cashier_menu_logs_out_when_left_alone(drive: Driver) -> None:
    login(drive)
    drive.tick(59)
    drive.send(UserActivity())
    drive.tick(59)
    assert drive.state is State.CASHIER
    drive.tick(1)
    assert drive.state is State.IDLE


def test_lock_and_unlock(drive: Driver) -> None:
    login(drive)
    drive.send(LockTerminal())
    assert drive.state is State.LOCKED and isinstance(drive.view, LockedView)
    drive.tick(10_000)
    drive.send(OpenSale(100, "EUR"))
    assert drive.state is State.LOCKED
    drive.send(CashierKey())
    assert isinstance(drive.view, StaffView) and "locked" in drive.view.message
    drive.send(Cancel())
    assert drive.state is State.LOCKED  # backing out of the sign-in keeps it locked
    drive.send(Confirm())
    drive.send(CashierChosen("k-1"))
    assert isinstance(drive.view, PinView) and "locked" in drive.view.message
    drive.send(PinEntered("1111"))
    drive.send(CashierRejected(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    drive.tick(30)
    assert drive.state is State.LOCKED
    login(drive)
    drive.send(Cancel())
    assert drive.state is State.IDLE


def test_unknown_outcome_sends_the_cashier_a_notice(drive: Driver) -> None:
    drive.to_processing()
    drive.tick(30)
    drive.send(Confirm())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("9999"))
    drive.send(CashierVerified(drive.last(VerifyCashier).request_id))  # type: ignore[attr-defined]
    assert "outcome unknown" in drive.view.notice  # type: ignore[union-attr]


def test_cashier_amount_pad_times_out(drive: Driver) -> None:
    login(drive)
    drive.send(NewSale())
    drive.send(Cancel())
    assert drive.state is State.CASHIER
    drive.send(NewSale())
    drive.tick(60)
    assert drive.state is State.IDLE


def test_match_after_cashier_left_is_ignored(drive: Driver) -> None:
    drive.scan()
    drive.send(CashierKey())
    assert drive.send(face(MATCH)) == []
