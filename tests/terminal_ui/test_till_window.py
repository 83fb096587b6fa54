"""The kiosk window serves the till's sale desk: a sale the till opens appears on the shopper's
screen with nobody typing it, only while the kiosk is free; the till's cancel stops the
shopper; every end reaches the desk (polled off the GUI thread by the till worker)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkout import Approved, Screen, Timeouts, format_amount, say
from payments.till import SaleDesk, SaleStatus
from terminal_ui import KioskWindow, save_screenshot

from .conftest import FakeAnalyser, FakeCamera, FakeDirectory, FakePayments, Kiosk, shop_options, shot_name


@pytest.fixture
def till_kiosk(qtbot: object, request: pytest.FixtureRequest) -> Iterator[tuple[Kiosk, SaleDesk]]:
    """A kiosk with a till, in English or the shop language given by indirect parametrisation."""
    analyser, camera, payments, desk = FakeAnalyser(), FakeCamera(), FakePayments(), SaleDesk()
    options = shop_options(language=getattr(request, "param", "en"), timeouts=Timeouts(), cashiers=("1001",))
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options, till=desk)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    yield Kiosk(qtbot, window, analyser, camera, payments), desk
    window.close()


def _status(kiosk: Kiosk, desk: SaleDesk, ref: str, status: SaleStatus) -> None:
    kiosk.qtbot.waitUntil(lambda: desk.get(ref).status is status, timeout=5000)  # type: ignore[attr-defined]


def test_the_tills_sale_is_paid_and_the_desk_hears_the_result(till_kiosk: tuple[Kiosk, SaleDesk]) -> None:
    kiosk, desk = till_kiosk
    desk.open("R-1", 1250, "EUR", "till-1")
    kiosk.wait_for(Screen.SALE)
    assert kiosk.shows("EUR 12.50") and kiosk.shows("Sale R-1")
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.touch("Pay")
    kiosk.wait_for(Screen.RESULT)
    _status(kiosk, desk, "R-1", SaleStatus.APPROVED)
    result = desk.get("R-1").result
    assert result is not None and result.transfer_id == "tr-0001" and result.method == "face"
    assert kiosk.payments.paid[0][1] == 1250


def test_the_tills_cancel_stops_the_shopper_on_screen(till_kiosk: tuple[Kiosk, SaleDesk]) -> None:
    kiosk, desk = till_kiosk
    desk.open("R-2", 700, "EUR", "till-1")
    kiosk.wait_for(Screen.SALE)
    kiosk.shopper("nobody")
    kiosk.wait_for(Screen.SCAN)
    desk.cancel("R-2")
    kiosk.wait_for(Screen.IDLE)
    assert kiosk.shows("cancelled at the till")
    _status(kiosk, desk, "R-2", SaleStatus.CANCELLED)
    assert desk.get("R-2").result.reason == "cancelled_by_till"  # type: ignore[union-attr]
    assert kiosk.payments.paid == []


def test_a_sale_waits_while_the_cashier_uses_the_kiosk(till_kiosk: tuple[Kiosk, SaleDesk]) -> None:
    kiosk, desk = till_kiosk
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    desk.open("R-3", 300, "EUR", "till-1")
    kiosk.qtbot.wait(600)  # type: ignore[attr-defined]  # several polls
    assert kiosk.screen is Screen.STAFF and desk.get("R-3").status is SaleStatus.PENDING
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.SALE)
    _status(kiosk, desk, "R-3", SaleStatus.IN_PROGRESS)


@pytest.mark.parametrize("till_kiosk", ["zh_CN", "de"], indirect=True)
def test_the_tills_sale_in_the_shops_language(till_kiosk: tuple[Kiosk, SaleDesk], tmp_path: Path) -> None:
    """The till's sale and its approved receipt in a Chinese and a German shop (the English
    pictures come from ``facepay demo``); FACEPAY_SCREENS_DIR=docs/screens keeps them."""
    kiosk, desk = till_kiosk
    shots = Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))
    code = kiosk.window.options.language
    kiosk.window.resize(1280, 800)
    link = "http://127.0.0.1:8470/r/tr-0001?s=" + "A" * 86
    kiosk.payments.answers = [Approved("tr-0001", at=1_800_000_000.0, receipt_url=link)]
    desk.open("DEMO-TILL-1", 420, "EUR", "till-1")
    kiosk.wait_for(Screen.SALE)
    assert kiosk.shows(format_amount(420, "EUR")) and kiosk.shows(
        say("sale.reference", reference="DEMO-TILL-1")
    )
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]
    save_screenshot(kiosk.window, shots / f"{shot_name(code, '29-till-sale')}.png")
    kiosk.shopper("anna")
    kiosk.wait_for(Screen.CONFIRM)
    kiosk.touch(say("confirm.pay"))
    kiosk.wait_for(Screen.RESULT)
    _status(kiosk, desk, "DEMO-TILL-1", SaleStatus.APPROVED)
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]
    save_screenshot(kiosk.window, shots / f"{shot_name(code, '30-till-sale-approved')}.png")
