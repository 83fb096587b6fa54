"""Refund by scanning the receipt: the cashier holds the shopper's receipt QR to the kiosk camera.

The camera is an image folder showing the receipt's QR code drawn as the result screen draws it
(``terminal_ui.qr.qr_fitting``) on a plain background; the payments port is the kiosk's own
adapter on a real ledger process, with a terminal of its own. A good receipt leads to the same
amount and confirmation screens as the list and the refund lands on the ledger; a tampered
token, another terminal's receipt, a QR code that is no receipt, a receipt of no payment of
today, no QR code before the time-out and a camera that cannot open each return to the list
with one line. The scanning screen is saved in every language as ``61-refund-scan.png``
(FACEPAY_SCREENS_DIR=docs/screens keeps them).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.adapters import LedgerPayments
from checkout import Declined, Evidence, PaymentsPort, Screen, Timeouts, format_amount, say
from payments.receipts import receipt_token, receipt_url
from payments.signing import generate_key, load_private_key, save_private_key
from terminal_ui import KioskWindow, save_screenshot
from terminal_ui.qr import qr_fitting
from terminal_ui.screens.result import QR_SIDE_PX
from tests.payments.terminal.conftest import LedgerWorld, Proxy, TerminalKit, new_terminal, served_world
from vision import ImageFolderSource

from .conftest import FakeAnalyser, FakeCamera, FakeDirectory, FakePayments, Kiosk, shop_options, shot_name
from .test_receipt_qr import _grey

SCAN_S = 4.0  # the scan's time-out in these tests (the kiosk's is Timeouts.scan_s)


def receipt_picture(text: str | None, folder: Path) -> Path:
    """A 640x480 camera picture of a plain desk with ``text``'s QR code held up (none: no code)."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = np.full((480, 640, 3), (176, 168, 160), np.uint8)
    if text is not None:
        code = _grey(qr_fitting(text, QR_SIDE_PX))
        h, w = code.shape
        y, x = (480 - h) // 2, (640 - w) // 2
        frame[y : y + h, x : x + w] = code[:, :, None]
    path = folder / "receipt.png"
    assert cv2.imwrite(str(path), frame)
    return folder


def camera_of(folder: Path | None, fps: float = 25.0) -> Callable[[], Iterator[np.ndarray]]:
    """The kiosk camera: the folder's pictures over and over at ``fps``; None: no camera."""

    def camera() -> Iterator[np.ndarray]:
        if folder is None:
            raise OSError("no camera at /dev/video0")
        return _paced(ImageFolderSource(folder, loop=True), fps)

    return camera


def _paced(source: ImageFolderSource, fps: float) -> Iterator[np.ndarray]:
    for frame in source:
        time.sleep(1 / fps)
        yield frame.image


class ReceiptKiosk(Kiosk):
    """A kiosk whose refund list offers "Scan receipt"."""

    def sign_in(self, cashier_id: str, pin: str) -> None:
        self.key(Qt.Key.Key_F2)
        self.wait_for(Screen.STAFF)
        self.keys(cashier_id)
        self.key(Qt.Key.Key_Return)
        self.wait_for(Screen.PIN)
        self.keys(pin)
        self.key(Qt.Key.Key_Return)
        self.wait_for(Screen.CASHIER, 15_000)

    def refund_list(self) -> None:
        self.keys("3")
        self.wait_for(Screen.REFUNDS)
        scan = self.window.current_widget.scan  # type: ignore[attr-defined]
        self.qtbot.waitUntil(scan.isVisible, timeout=15_000)  # type: ignore[attr-defined]

    def scan_receipt(self) -> None:
        self.touch(say("refund.scan"))
        self.wait_for(Screen.RECEIPT_SCAN)

    def back_on_the_list_saying(self, text: str) -> None:
        self.wait_for(Screen.REFUNDS, int(SCAN_S * 1000) + 10_000)
        self.qtbot.waitUntil(lambda: self.shows(text), timeout=5000)  # type: ignore[attr-defined]


def open_kiosk(
    qtbot: object,
    payments: PaymentsPort,
    camera: Callable[[], Iterator[np.ndarray]],
    terminal_key_file: Path,
    language: str = "en",
) -> ReceiptKiosk:
    options = shop_options(
        language=language,
        timeouts=Timeouts(scan_s=SCAN_S),
        receipt_key=load_private_key(terminal_key_file).public_key(),
    )
    analyser = FakeAnalyser()
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options)
    window.cues.player = None
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    window.resize(1280, 800)
    fake = payments if isinstance(payments, FakePayments) else FakePayments()  # the cashier's moves
    return ReceiptKiosk(qtbot, window, analyser, FakeCamera(), fake)


def link(base: str, key_file: Path, transfer_id: str) -> str:
    """The receipt link the terminal whose key is ``key_file`` puts on its result screen."""
    return receipt_url(base, transfer_id, receipt_token(load_private_key(key_file), transfer_id))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerWorld]:
    """A real ledger process (the demo world), shared by this module's tests."""
    base = tmp_path_factory.mktemp("receipt-ledger")
    with served_world(f"sqlite:///{base}/ledger.db", base) as world:
        yield world


@pytest.fixture
def till(shop: LedgerWorld, tmp_path: Path) -> Iterator[TerminalKit]:
    """This test's own terminal of the shop (its key signs its receipts)."""
    proxy = Proxy(shop.port, shop.signing_key)
    yield new_terminal(shop, proxy, tmp_path / "terminal")
    proxy.close()


@pytest.fixture
def paid(till: TerminalKit, shop: LedgerWorld) -> Iterator[tuple[LedgerPayments, str, str]]:
    """The kiosk's payments adapter on the real ledger after one payment of EUR 12.50 today:
    (adapter, transfer id, customer id)."""
    payments = LedgerPayments(till.service(), models={})
    customer = str(shop.demo["customers"][0]["id"])
    approved = payments.pay(
        customer, 1250, "EUR", shop.customer_pin(customer), Evidence("pin"), allow_offline=False
    )
    assert not isinstance(approved, Declined), approved
    yield payments, approved.transfer_id, customer
    payments.service.client.close()
    payments.service.journal.close()


def test_a_good_receipt_opens_the_confirmation_and_the_refund_lands_on_the_ledger(
    qtbot: object,
    till: TerminalKit,
    shop: LedgerWorld,
    paid: tuple[LedgerPayments, str, str],
    tmp_path: Path,
) -> None:
    payments, transfer_id, customer = paid
    folder = receipt_picture(link(till.world.url, till.key_file, transfer_id), tmp_path / "camera")
    kiosk = open_kiosk(qtbot, payments, camera_of(folder), till.key_file)
    kiosk.sign_in(*shop.cashier)
    kiosk.refund_list()
    before = shop.balance(customer)
    kiosk.scan_receipt()
    kiosk.wait_for(Screen.AMOUNT, int(SCAN_S * 1000))
    assert kiosk.shows(say("refund.amount_subtitle", left=format_amount(1250, "EUR")))
    kiosk.keys("300")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.REFUND_CONFIRM)
    assert any(transfer_id in t for t in kiosk.texts())  # the payment the receipt names
    assert any(format_amount(300, "EUR") in t for t in kiosk.texts())
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER, 15_000)
    assert shop.balance(customer) == before + 300
    line = {p.transfer_id: p for p in payments.todays_payments()}[transfer_id]
    assert line.left_minor == 950
    kiosk.window.close()


def _another_terminals(terminal: TerminalKit, transfer_id: str) -> str:
    other = new_terminal(terminal.world, terminal.proxy, terminal.tmp / "other")
    return link(terminal.world.url, other.key_file, transfer_id)


def _tampered(terminal: TerminalKit, transfer_id: str) -> str:
    """One character of the signature changed (the first: all its bits count)."""
    head, token = link(terminal.world.url, terminal.key_file, transfer_id).split("?s=")
    return f"{head}?s={'Z' if token[0] != 'Z' else 'Y'}{token[1:]}"


BAD_RECEIPTS: dict[str, tuple[Callable[[TerminalKit, str], str], str]] = {
    "tampered token": (_tampered, "refund.scan_not_ours"),
    "another terminal's receipt": (_another_terminals, "refund.scan_not_ours"),
    "a QR code that says hello": (lambda terminal, tid: "hello", "refund.scan_not_receipt"),
    "a receipt of no payment today": (
        lambda terminal, tid: link(terminal.world.url, terminal.key_file, "tr-not-today"),
        "refund.scan_not_today",
    ),
}


@pytest.mark.parametrize("case", list(BAD_RECEIPTS))
def test_a_receipt_that_picks_nothing_returns_to_the_list_with_one_line(
    qtbot: object,
    till: TerminalKit,
    shop: LedgerWorld,
    paid: tuple[LedgerPayments, str, str],
    tmp_path: Path,
    case: str,
) -> None:
    payments, transfer_id, customer = paid
    make, key = BAD_RECEIPTS[case]
    folder = receipt_picture(make(till, transfer_id), tmp_path / "camera")
    kiosk = open_kiosk(qtbot, payments, camera_of(folder), till.key_file)
    kiosk.sign_in(*shop.cashier)
    kiosk.refund_list()
    before = shop.balance(customer)
    kiosk.scan_receipt()
    kiosk.back_on_the_list_saying(say(key))
    assert shop.balance(customer) == before  # nothing refunded
    assert kiosk.window.controller.scan_worker is None  # the camera is off again
    kiosk.window.close()


def test_no_qr_code_before_the_time_out_and_no_camera_each_say_so(
    qtbot: object,
    till: TerminalKit,
    shop: LedgerWorld,
    paid: tuple[LedgerPayments, str, str],
    tmp_path: Path,
) -> None:
    payments, _, _ = paid
    folder = receipt_picture(None, tmp_path / "camera")
    kiosk = open_kiosk(qtbot, payments, camera_of(folder), till.key_file)
    kiosk.sign_in(*shop.cashier)
    kiosk.refund_list()
    kiosk.scan_receipt()
    countdown = kiosk.window.current_widget.countdown  # type: ignore[attr-defined]
    assert countdown.isVisible()
    assert countdown.text() in {say("ui.seconds_left", seconds=s) for s in range(int(SCAN_S) + 1)}
    kiosk.back_on_the_list_saying(say("refund.scan_nothing_seen"))
    kiosk.window.close()

    kiosk = open_kiosk(qtbot, payments, camera_of(None), till.key_file)
    kiosk.sign_in(*shop.cashier)
    kiosk.refund_list()
    kiosk.scan_receipt()
    kiosk.back_on_the_list_saying(say("refund.scan_no_camera"))
    kiosk.window.close()


def test_cancel_leaves_the_scan_for_the_list(qtbot: object, tmp_path: Path) -> None:
    payments = FakePayments()
    payments.pay("c-anna", 1250, "EUR", None, Evidence("face"), allow_offline=True)
    key_file = _key_file(tmp_path)
    kiosk = open_kiosk(qtbot, payments, camera_of(receipt_picture(None, tmp_path / "camera")), key_file)
    kiosk.cashier_login()
    kiosk.refund_list()
    kiosk.scan_receipt()
    kiosk.touch(say("ui.cancel"))
    kiosk.wait_for(Screen.REFUNDS)
    assert not any(kiosk.shows(say(k)) for k in ("refund.scan_nothing_seen", "refund.scan_no_camera"))
    kiosk.window.close()


def _key_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "terminal.key"
    save_private_key(generate_key(), path)
    return path


@pytest.mark.parametrize("language", ["en", "de", "zh_CN"])
def test_the_scanning_screen_in_every_language(qtbot: object, tmp_path: Path, language: str) -> None:
    payments = FakePayments()
    payments.pay("c-anna", 1250, "EUR", None, Evidence("face"), allow_offline=True)
    key_file = _key_file(tmp_path)
    folder = receipt_picture(None, tmp_path / "camera")  # the counter, before the receipt comes up
    kiosk = open_kiosk(qtbot, payments, camera_of(folder), key_file, language)
    kiosk.cashier_login()
    kiosk.refund_list()
    buttons = [b.text() for b in kiosk.window.current_widget.findChildren(QPushButton) if b.isVisible()]
    assert say("refund.scan") in buttons
    kiosk.scan_receipt()
    screen = kiosk.window.current_widget
    for widget in (screen.heading, screen.prompt, screen.countdown):  # type: ignore[attr-defined]
        assert widget.isVisible() and widget.text()
        assert widget.visibleRegion().boundingRect().height() >= widget.heightForWidth(widget.width())
    kiosk.qtbot.wait(300)  # type: ignore[attr-defined]  # the camera picture is up
    shots = Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))
    path = shots / f"{shot_name(language, '61-refund-scan')}.png"
    assert save_screenshot(kiosk.window, path).stat().st_size > 5_000

    # another terminal's receipt comes up: the list says so, in a line that fits
    other = link("https://ledger.corner-shop.example", _key_file(tmp_path / "other"), "tr-0001")
    receipt_picture(other, tmp_path / "next")
    os.replace(tmp_path / "next" / "receipt.png", folder / "receipt.png")  # whole, never half-written
    kiosk.back_on_the_list_saying(say("refund.scan_not_ours"))
    notice = kiosk.window.current_widget.notice  # type: ignore[attr-defined]
    assert notice.visibleRegion().boundingRect().height() >= notice.heightForWidth(notice.width())
    kiosk.qtbot.wait(150)  # type: ignore[attr-defined]
    path = shots / f"{shot_name(language, '62-refund-scan-refused')}.png"
    assert save_screenshot(kiosk.window, path).stat().st_size > 5_000
    kiosk.window.close()
