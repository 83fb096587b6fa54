"""The cashier's day and the degraded modes on the real window (offscreen): refund of any
payment with its confirmation, the shop's maximum sale, the out-of-service page, the
lock-only staff menu. Each runs in a shop of every shipped language (its sentences read from
the wording table in that language); every screen is saved as ``NN-name.png`` (English) or
``<language>-NN-name.png`` (FACEPAY_SCREENS_DIR=docs/screens keeps them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QPushButton

from checkout import HealthChanged, OutOfServiceView, PaymentsUnavailable, Screen, format_amount, say
from terminal_ui import save_screenshot
from terminal_ui.i18n import LANGUAGES, Languages
from terminal_ui.screens import OutOfServiceScreen
from terminal_ui.style import STYLE_SHEET

from .conftest import IN_EVERY_LANGUAGE, Kiosk, shot_name


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))


def snap(kiosk: Kiosk, shots: Path, name: str) -> None:
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]
    path = shots / f"{shot_name(kiosk.window.options.language, name)}.png"
    assert save_screenshot(kiosk.window, path).stat().st_size > 5_000


def eur(minor: int) -> str:
    """An amount as the shop's language writes it."""
    return format_amount(minor, "EUR")


def visible_buttons(kiosk: Kiosk) -> list[str]:
    return [b.text() for b in kiosk.window.current_widget.findChildren(QPushButton) if b.isVisible()]


def pay_once(kiosk: Kiosk, amount_keys: str = "1250") -> None:
    kiosk.open_sale(amount_keys)
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)


@IN_EVERY_LANGUAGE
def test_refund_screens(kiosk: Kiosk, shots: Path) -> None:
    kiosk.window.resize(1280, 800)
    pay_once(kiosk, "1250")
    pay_once(kiosk, "480")
    kiosk.cashier_login()
    kiosk.keys("3")
    kiosk.wait_for(Screen.REFUNDS)
    listed = kiosk.window.current_widget
    kiosk.qtbot.waitUntil(lambda: listed.list.count() == 2)  # type: ignore[attr-defined]
    snap(kiosk, shots, "50-refund-list")
    kiosk.keys("2")  # the earlier payment, EUR 12.50
    kiosk.wait_for(Screen.AMOUNT)
    kiosk.keys("1300")
    kiosk.key(Qt.Key.Key_Return)
    assert kiosk.shows(say("refund.too_much", left=eur(1250)))
    kiosk.keys("450")
    snap(kiosk, shots, "51-refund-amount")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.REFUND_CONFIRM)
    assert say("refund.void", amount=eur(1250)) in visible_buttons(kiosk)
    snap(kiosk, shots, "52-refund-confirm")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows(eur(450)))  # type: ignore[attr-defined]  # refunded
    kiosk.keys("3")
    kiosk.wait_for(Screen.REFUNDS)
    kiosk.qtbot.waitUntil(lambda: listed.list.count() == 2)  # type: ignore[attr-defined]
    assert say("refund.line_left", left=eur(800)).strip() in listed.list.item(1).text()  # type: ignore[attr-defined]
    kiosk.keys("2")
    kiosk.keys("800")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.REFUND_CONFIRM)
    assert say("refund.void", amount=eur(1250)) not in visible_buttons(kiosk)  # refunded in part: no void
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows(eur(800)))  # type: ignore[attr-defined]
    kiosk.keys("3")
    kiosk.qtbot.waitUntil(lambda: listed.list.count() == 2)  # type: ignore[attr-defined]
    assert say("refund.line_done").strip() in listed.list.item(1).text()  # type: ignore[attr-defined]
    kiosk.keys("2")
    assert kiosk.screen is Screen.REFUNDS and kiosk.shows(say("refund.nothing_left"))
    snap(kiosk, shots, "53-refund-nothing-left")
    assert kiosk.payments.refunds == 2


@IN_EVERY_LANGUAGE
def test_amount_above_the_maximum(kiosk: Kiosk, shots: Path) -> None:
    kiosk.window.resize(1280, 800)
    kiosk.cashier_login()
    kiosk.keys("1")
    kiosk.wait_for(Screen.AMOUNT)
    kiosk.keys("999999999")
    kiosk.key(Qt.Key.Key_Return)
    assert kiosk.screen is Screen.AMOUNT and kiosk.shows(say("amount.too_large", limit=eur(1_000_000)))
    snap(kiosk, shots, "54-amount-too-large")


@IN_EVERY_LANGUAGE
def test_out_of_service_pages_and_the_staff_menu(kiosk: Kiosk, shots: Path) -> None:
    kiosk.window.resize(1280, 800)
    kiosk.window.dispatch(HealthChanged(camera=False))
    kiosk.wait_for(Screen.OUT_OF_SERVICE)
    assert kiosk.shows(say("oos.pin_only")) and kiosk.shows(say("oos.pin_only.body"))
    assert kiosk.shows(say("oos.reason.camera"))
    snap(kiosk, shots, "55-out-of-service-pin-only")
    kiosk.cashier_login()  # F2 works on the page
    kiosk.qtbot.waitUntil(lambda: kiosk.shows(say("cashier.warn.camera")))  # type: ignore[attr-defined]
    snap(kiosk, shots, "58-cashier-warning")
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.OUT_OF_SERVICE)
    kiosk.window.dispatch(HealthChanged(ledger=False))
    assert kiosk.shows(say("oos.closed")) and kiosk.shows(say("oos.closed.body"))
    snap(kiosk, shots, "56-out-of-service-closed")

    def down(cashier_id: str, pin: str) -> NoReturn:
        raise PaymentsUnavailable("connection refused")

    kiosk.payments.verify_cashier = down  # type: ignore[method-assign]
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.keys("1001")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    kiosk.keys("1234")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    assert [t for t in visible_buttons(kiosk) if t[:1].isdigit()] == ["4  " + say("cashier.lock")]
    assert kiosk.shows(say("cashier.offline"))
    snap(kiosk, shots, "57-staff-offline-menu")
    kiosk.keys("1")  # no sale can be opened
    assert kiosk.screen is Screen.CASHIER
    kiosk.keys("4")
    kiosk.wait_for(Screen.LOCKED)
    kiosk.window.dispatch(HealthChanged(camera=True, ledger=True))
    assert kiosk.screen is Screen.LOCKED  # locked stays locked


@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
def test_the_page_a_kiosk_shows_when_it_cannot_start(qtbot: object, shots: Path, code: str) -> None:
    languages = Languages(code)  # the shop's language (kiosk.language), as `facepay kiosk` installs it
    page = OutOfServiceScreen()
    reasons = (
        "terminal at the ledger: the ledger does not know terminal 't-demo-l' -> fix: check "
        "ledger.terminal_id for a typo, or register it on the ledger host (`facepay ledger add-terminal`)",
    )
    page.show_view(OutOfServiceView(say("oos.closed"), say("oos.closed.body"), reasons, staff=False))
    window = QMainWindow()
    window.setCentralWidget(page)
    window.setStyleSheet(STYLE_SHEET)
    window.resize(1280, 800)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    assert not [b for b in page.findChildren(QPushButton) if b.isVisible()]  # nothing to press
    qtbot.wait(50)  # type: ignore[attr-defined]
    assert save_screenshot(window, shots / f"{shot_name(code, '59-cannot-start')}.png").stat().st_size > 5_000
    languages.close()


def test_the_window_asks_the_ledger_and_shows_the_page_while_it_is_gone(qtbot: object) -> None:
    import datetime as dt

    from checkout import Timeouts
    from terminal_ui import KioskOptions, KioskWindow

    from .conftest import FakeAnalyser, FakeCamera, FakeDirectory, FakePayments

    answers = [False, False, True]
    asked: list[bool] = []

    def ledger_up() -> bool:
        up = answers[min(len(asked), len(answers) - 1)]
        asked.append(up)
        return up

    options = KioskOptions(fullscreen=False, tz=dt.UTC, timeouts=Timeouts(), tick_ms=50, ledger_probe_s=0.05)
    window = KioskWindow(
        FakeAnalyser(), FakeCamera(), FakePayments(), FakeDirectory(), options, ledger_probe=ledger_up
    )
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    qtbot.waitUntil(lambda: window.current_screen is Screen.OUT_OF_SERVICE)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.current_screen is Screen.IDLE)  # type: ignore[attr-defined]  # back
    assert asked[:3] == [False, False, True]
    window.close()
