"""Every screen rendered and saved as PNG; touch targets, keyboard reach and the shuffled pad.

Set FACEPAY_SCREENS_DIR to keep the pictures (docs/screens is made that way).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from checkout import Declined, Screen
from terminal_ui import save_screenshot
from terminal_ui.screens import PinScreen

from .conftest import Kiosk


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))


def snap(kiosk: Kiosk, shots: Path, name: str) -> Path:
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]  # let a camera frame or two arrive
    path = save_screenshot(kiosk.window, shots / f"{name}.png")
    assert path.stat().st_size > 5_000
    return path


def test_every_screen_renders(kiosk: Kiosk, shots: Path) -> None:
    kiosk.window.resize(1280, 800)
    snap(kiosk, shots, "01-idle")
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.keys("10")
    snap(kiosk, shots, "19-staff-sign-in")
    kiosk.keys("01")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    kiosk.keys("99")
    snap(kiosk, shots, "02-cashier-pin")
    kiosk.keys("99")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Reconciliation"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "03-cashier-menu")
    kiosk.keys("1")
    kiosk.wait_for(Screen.AMOUNT)
    kiosk.keys("1250")
    snap(kiosk, shots, "04-amount")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.SALE)
    snap(kiosk, shots, "05-sale")
    kiosk.analyser.slow_s = 0.4
    kiosk.shopper("challenge")
    kiosk.wait_for(Screen.SCAN)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Hold still"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "06-scanning")
    kiosk.wait_for(Screen.CHALLENGE)
    snap(kiosk, shots, "07-challenge")
    kiosk.wait_for(Screen.CONFIRM)
    snap(kiosk, shots, "08-confirm")
    kiosk.payments.answers = [Declined("insufficient_funds", "nsf")]
    kiosk.touch("Pay")
    kiosk.wait_for(Screen.RESULT)
    snap(kiosk, shots, "10-declined")
    kiosk.touch("OK")
    kiosk.wait_for(Screen.SALE)
    kiosk.analyser.slow_s = 0.3
    kiosk.shopper("masked", masked=True)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Mask on?"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "11-scanning-masked")
    kiosk.wait_for(Screen.PIN)
    kiosk.keys("12")
    snap(kiosk, shots, "12-pin")
    kiosk.payments.answers = [Declined("wrong_pin", "wrong", attempts_left=2)]
    kiosk.keys("34")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("2 attempts left"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "13-pin-wrong")
    kiosk.keys("4321")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    snap(kiosk, shots, "14-approved")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.IDLE)
    kiosk.analyser.slow_s = 0.0
    kiosk.open_sale("4999")
    kiosk.shopper("photo")
    kiosk.wait_for(Screen.RESULT)
    snap(kiosk, shots, "15-rejected")
    kiosk.touch("OK")
    kiosk.touch("Use PIN")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("1000")
    snap(kiosk, shots, "16-customer-number")
    kiosk.cashier_login()
    kiosk.touch("Lock terminal")
    kiosk.wait_for(Screen.LOCKED)
    snap(kiosk, shots, "17-locked")


def test_busy_and_unknown_screens_render(kiosk: Kiosk, shots: Path) -> None:
    import threading

    gate = threading.Event()
    original = kiosk.payments.pay

    def slow_pay(*args: object) -> object:
        gate.wait(5)
        return original(*args)  # type: ignore[arg-type]

    kiosk.payments.pay = slow_pay  # type: ignore[method-assign, assignment]
    kiosk.open_sale()
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.touch("Pay")
    kiosk.wait_for(Screen.BUSY)
    snap(kiosk, shots, "09-processing")
    gate.set()
    kiosk.wait_for(Screen.RESULT)


def test_touch_targets_are_large_and_buttons_never_steal_keys(kiosk: Kiosk) -> None:
    kiosk.window.resize(1024, 600)  # the smallest panel supported
    kiosk.open_sale()
    kiosk.shopper("masked", masked=True)
    kiosk.wait_for(Screen.PIN)
    kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    buttons = [b for b in kiosk.window.current_widget.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 13
    for b in buttons:
        assert b.height() >= 64 and b.width() >= 64, (b.text(), b.size())
        assert b.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_shuffled_pin_pad_moves_the_digits_each_time(qtbot: object) -> None:
    pad = PinScreen(shuffled=True, seed=3)
    qtbot.addWidget(pad)  # type: ignore[attr-defined]
    from checkout import PinView

    orders = set()
    for _ in range(3):
        pad.show_view(PinView(False, "Enter your PIN"))
        order = "".join(k.text() for k in pad.keypad.keys)
        assert sorted(order) == list("0123456789")
        orders.add(order)
    assert len(orders) == 3
    plain = PinScreen()
    qtbot.addWidget(plain)  # type: ignore[attr-defined]
    plain.show_view(PinView(False, "Enter your PIN"))
    assert "".join(k.text() for k in plain.keypad.keys) == "1234567890"


def test_pin_pad_keys_type_digits_and_erase(qtbot: object) -> None:
    from checkout import PinEntered, PinView

    pad = PinScreen(shuffled=True, seed=1)
    qtbot.addWidget(pad)  # type: ignore[attr-defined]
    pad.show_view(PinView(False, "Enter your PIN"))
    sent: list[object] = []
    pad.event_out.connect(sent.append)
    by_digit = {k.text(): k for k in pad.keypad.keys}
    for d in "5829":
        qtbot.mouseClick(by_digit[d], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.mouseClick(pad.keypad.erase_key, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert pad.display.text() == "● ● ●"
    assert not pad.keypad.ok_key.isEnabled()
    qtbot.mouseClick(by_digit["1"], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.mouseClick(pad.keypad.ok_key, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert sent[-1] == PinEntered("5821")


def test_a_ledger_that_never_answers_shows_unknown_then_the_cashier(qtbot: object, shots: Path) -> None:
    import datetime as dt
    import threading

    from checkout import Timeouts
    from terminal_ui import KioskOptions, KioskWindow

    from .conftest import FakeAnalyser, FakeCamera, FakeDirectory, FakePayments, Kiosk

    gate = threading.Event()

    class SilentLedger(FakePayments):
        def pay(self, *args: Any, **kwargs: Any) -> NoReturn:
            gate.wait(10)
            raise RuntimeError("gave up")

    analyser, camera, payments = FakeAnalyser(), FakeCamera(), SilentLedger()
    options = KioskOptions(
        merchant="Corner Shop", fullscreen=False, tz=dt.UTC, tick_ms=20, timeouts=Timeouts(processing_s=0.5)
    )
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    kiosk = Kiosk(qtbot, window, analyser, camera, payments)
    try:
        kiosk.open_sale()
        kiosk.shopper("anna")
        kiosk.wait_for(Screen.CONFIRM)
        kiosk.touch("Pay")
        kiosk.wait_for(Screen.RESULT)
        assert "Payment status unknown" in kiosk.texts()
        assert "Payment approved" not in kiosk.texts()
        snap(kiosk, shots, "18-unknown")
        kiosk.touch("Call the cashier")
        kiosk.wait_for(Screen.STAFF)
    finally:
        gate.set()
        window.close()


def test_staff_sign_in_screens_render(qtbot: object, shots: Path) -> None:
    """The staff wait after repeated wrong PINs, and a locked cashier, as the kiosk shows them."""

    from checkout import StaffThrottle, Timeouts
    from terminal_ui import KioskWindow

    from .conftest import (
        CASHIER_ID,
        FakeAnalyser,
        FakeCamera,
        FakeDirectory,
        FakePayments,
        Kiosk,
        shop_options,
    )

    analyser, camera, payments = FakeAnalyser(), FakeCamera(), FakePayments()
    payments.locked["1002"] = 11 * 60 + 30
    options = shop_options(
        timeouts=Timeouts(),
        cashiers=("1001", "1002", "1003"),
        throttle=StaffThrottle(free_tries=1, wait_s=30.0),
    )
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    window.resize(1280, 800)
    kiosk = Kiosk(qtbot, window, analyser, camera, payments)
    try:
        kiosk.key(Qt.Key.Key_F2)
        kiosk.wait_for(Screen.STAFF)
        kiosk.touch("1002")
        kiosk.wait_for(Screen.PIN)
        kiosk.keys("2580")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.wait_for(Screen.STAFF)
        kiosk.qtbot.waitUntil(lambda: kiosk.shows("12 more minutes"))  # type: ignore[attr-defined]
        snap(kiosk, shots, "21-cashier-locked")
        window.resize(1024, 600)  # the smallest panel: every cashier button still whole
        snap(kiosk, shots, "21-cashier-locked-small")
        for b in window.current_widget.findChildren(QPushButton):
            if b.isVisible():
                assert b.height() >= 64 and window.rect().contains(b.mapTo(window, b.rect().bottomRight()))
        window.resize(1280, 800)
        kiosk.keys(CASHIER_ID)
        kiosk.key(Qt.Key.Key_Return)
        kiosk.wait_for(Screen.PIN)
        kiosk.keys("0000")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.waitUntil(lambda: kiosk.shows("before the next try"))  # type: ignore[attr-defined]
        snap(kiosk, shots, "20-staff-wait")
    finally:
        window.close()
