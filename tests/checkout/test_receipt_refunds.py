"""Refund by receipt, in the flow: a QR code read off a receipt picks the payment it names when
this terminal signed it and it is one of today's payments with something left; it leads to the
list's own amount and confirmation screens and the same ``SendRefund``; every other code, the
time-out and a lost camera return to the list with one line."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkout import (
    AmountView,
    CameraLost,
    Cancel,
    CheckoutMachine,
    ChooseRefund,
    Confirm,
    OpenSale,
    ReceiptRead,
    ReceiptScanView,
    RefundConfirmView,
    RefundListView,
    RequestPayments,
    ScanReceipt,
    SendRefund,
    ShowScreen,
    StartScan,
    State,
    StopScan,
    say,
)
from checkout._receipt_scan import ReceiptVerdict, check_receipt
from payments.receipts import receipt_token, receipt_url

from .conftest import TIMEOUTS, Driver, FakeDirectory
from .test_refunds import ANNA, BEN_REFUNDED, STRANGER_PART, sign_in, to_refund_list

KEY = Ed25519PrivateKey.generate()  # this terminal's
OTHER = Ed25519PrivateKey.generate()  # another terminal's
BASE = "https://ledger.corner-shop.example:8443"
TODAY = (ANNA, BEN_REFUNDED, STRANGER_PART)


def link(transfer_id: str, key: Ed25519PrivateKey = KEY, base: str = BASE) -> str:
    return receipt_url(base, transfer_id, receipt_token(key, transfer_id))


@pytest.fixture
def drive() -> Driver:
    machine = CheckoutMachine(
        FakeDirectory(), merchant="Corner Shop", timeouts=TIMEOUTS, tz=dt.UTC, receipt_key=KEY.public_key()
    )
    d = Driver(machine)
    d.effects.extend(machine.start(d.now))
    d.shown = next(e for e in d.effects if isinstance(e, ShowScreen))
    return d


def to_scan(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    view = drive.view
    assert isinstance(view, RefundListView) and view.can_scan
    drive.send(ScanReceipt())
    assert drive.state is State.REFUND_SCAN
    assert drive.last(StartScan) == StartScan(0, receipt=True)
    assert isinstance(drive.view, ReceiptScanView)


def test_verdicts() -> None:
    public = KEY.public_key()
    assert check_receipt(link("tr-anna"), public, TODAY).verdict is ReceiptVerdict.PICKED
    assert check_receipt(link("tr-anna"), public, TODAY).line == ANNA
    assert check_receipt(f"  {link('tr-anna')}\n", public, TODAY).verdict is ReceiptVerdict.PICKED
    assert check_receipt(link("tr-anna", base="http://10.0.0.5/shop"), public, TODAY).line == ANNA
    assert check_receipt(link("tr-ben"), public, TODAY).verdict is ReceiptVerdict.NOTHING_LEFT
    assert check_receipt(link("tr-gone"), public, TODAY).verdict is ReceiptVerdict.NOT_TODAY
    assert check_receipt(link("tr-anna", OTHER), public, TODAY).verdict is ReceiptVerdict.NOT_OURS
    assert check_receipt(link("tr-anna"), None, TODAY).verdict is ReceiptVerdict.NOT_OURS
    moved = link("tr-anna").replace("/r/tr-anna", "/r/tr-x")  # another payment, the same token
    assert check_receipt(moved, public, TODAY).verdict is ReceiptVerdict.NOT_OURS
    for text in (
        "hello",
        "",
        "tr-anna",
        link("tr-anna") + "&x=1",
        "prefix " + link("tr-anna"),
        link("tr-anna").replace("?s=", "?t="),
        link("tr-anna").replace("https://", "ftp://"),
        link("tr-anna").replace("/r/", "/receipt/"),
        BASE + "/r/tr anna?s=" + "A" * 86,
        BASE + "/r/" + "t" * 65 + "?s=" + "A" * 86,
    ):
        assert check_receipt(text, public, TODAY).verdict is ReceiptVerdict.NOT_A_RECEIPT, text
    huge = BASE + "/r/tr-anna?s=" + "A" * 5000
    assert check_receipt(huge, public, TODAY).verdict is ReceiptVerdict.NOT_OURS


def test_a_good_receipt_leads_to_the_lists_amount_and_confirmation(drive: Driver) -> None:
    to_scan(drive)
    out = drive.send(ReceiptRead(link("tr-x")))
    assert drive.state is State.REFUND_AMOUNT and StopScan() in out
    view = drive.view
    assert isinstance(view, AmountView) and view.subtitle == say("refund.amount_subtitle", left="EUR 8.00")
    drive.send(OpenSale(300, "EUR"))
    assert drive.state is State.REFUND_CONFIRM and isinstance(drive.view, RefundConfirmView)
    drive.send(Confirm())
    refund = drive.last(SendRefund)
    assert isinstance(refund, SendRefund) and (refund.transfer_id, refund.amount_minor) == ("tr-x", 300)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hello", "refund.scan_not_receipt"),
        (link("tr-anna", OTHER), "refund.scan_not_ours"),
        (link("tr-gone"), "refund.scan_not_today"),
        (link("tr-ben"), "refund.nothing_left"),
    ],
)
def test_a_receipt_that_picks_nothing_returns_to_the_list_saying_why(
    drive: Driver, text: str, key: str
) -> None:
    to_scan(drive)
    out = drive.send(ReceiptRead(text))
    assert drive.state is State.REFUND_LIST and StopScan() in out
    assert any(isinstance(e, RequestPayments) for e in out)  # the list is read again
    view = drive.view
    assert isinstance(view, RefundListView) and view.notice == say(key)


def test_time_out_camera_loss_and_cancel(drive: Driver) -> None:
    to_scan(drive)
    drive.tick(TIMEOUTS.no_face_s + 1)  # no face to walk away: the receipt gets the whole scan time
    assert drive.state is State.REFUND_SCAN
    drive.tick(TIMEOUTS.scan_s - TIMEOUTS.no_face_s)
    assert drive.state is State.REFUND_LIST
    assert drive.view == RefundListView((), loading=True, notice=say("refund.scan_nothing_seen"))
    to_refund_list(drive)
    drive.send(ScanReceipt())
    drive.send(CameraLost("gone"))
    assert drive.state is State.REFUND_LIST
    view = drive.view
    assert isinstance(view, RefundListView) and view.notice == say("refund.scan_no_camera")
    to_refund_list(drive)
    drive.send(ScanReceipt())
    drive.send(Cancel())
    assert drive.state is State.REFUND_LIST
    view = drive.view
    assert isinstance(view, RefundListView) and view.notice == ""


def test_no_scan_while_the_list_loads_or_without_the_terminals_key(drive: Driver) -> None:
    sign_in(drive)
    drive.send(ChooseRefund())
    drive.send(ScanReceipt())  # the list has not arrived: nothing to check a receipt against
    assert drive.state is State.REFUND_LIST
    keyless = CheckoutMachine(FakeDirectory(), timeouts=TIMEOUTS, tz=dt.UTC)
    plain = Driver(keyless)
    plain.effects.extend(keyless.start(plain.now))
    sign_in(plain)
    to_refund_list(plain)
    view = plain.view
    assert isinstance(view, RefundListView) and not view.can_scan
    plain.send(ScanReceipt())
    assert plain.state is State.REFUND_LIST


def test_a_stray_read_outside_the_scan_is_ignored(drive: Driver) -> None:
    sign_in(drive)
    to_refund_list(drive)
    assert drive.send(ReceiptRead(link("tr-anna"))) == []
    assert drive.state is State.REFUND_LIST
