"""Enrolment and erasure at the kiosk with fake ports: driven by keys and touches, pictured as PNG."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.flow import CaptureUpdate, Consent, Declined, Enrolled, Erased, Screen, Timeouts
from terminal_ui import KioskOptions, KioskWindow, save_screenshot

from .conftest import FACE_BOX, FakeAnalyser, FakeCamera, FakeDirectory, FakePayments, Kiosk

CONSENT = Consent("2026-11-v1", "What is stored: face templates (encrypted), your customer number.\n"
                  "Why: only to identify you at checkout.\nFor how long: until you delete it, or 3 years "
                  "after your last visit.")


@dataclass
class FakeEnroller:
    """Keeps every third frame after two refused ones; records enrolments and erasures."""

    consent: Consent = CONSENT
    needed: int = 3
    kept: int = 0
    frames: int = 0
    refuse: list[str] = field(default_factory=lambda: ["Move closer", "judged a photo or screen"])
    enrolled: list[tuple[str, str]] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    answer: Declined | None = None
    slow_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, *, amount_minor: int = 0) -> None:
        with self.lock:
            self.kept, self.frames = 0, 0

    def analyse(self, frame: np.ndarray) -> CaptureUpdate:
        time.sleep(self.slow_s)
        with self.lock:
            self.frames += 1
            problem = self.refuse[self.frames - 1] if self.frames <= len(self.refuse) else ""
            if not problem:
                self.kept += 1
            return CaptureUpdate(FACE_BOX, self.kept, self.needed, problem)

    def enrol(self, customer_id: str, pin: str) -> Enrolled | Declined:
        self.enrolled.append((customer_id, pin))
        return self.answer or Enrolled(customer_id, self.kept)

    def erase(self, customer_id: str) -> Erased | Declined:
        self.erased.append(customer_id)
        return Erased("5e1f" * 6, 4, "a1" * 32, "b2" * 32)


@pytest.fixture
def desk(qtbot: object) -> Iterator[tuple[Kiosk, FakeEnroller]]:
    enroller = FakeEnroller()
    analyser, camera, payments = FakeAnalyser(), FakeCamera(), FakePayments()
    options = KioskOptions(merchant="Corner Shop", fullscreen=False, tz=dt.UTC, pin_seed=7,
                           timeouts=Timeouts(), tick_ms=50)
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options, enroller=enroller)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    window.resize(1280, 800)
    yield Kiosk(qtbot, window, analyser, camera, payments), enroller
    window.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))


def snap(kiosk: Kiosk, shots: Path, name: str) -> None:
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]
    assert save_screenshot(kiosk.window, shots / f"{name}.png").stat().st_size > 5_000


def test_enrolment_at_the_kiosk(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    kiosk, enroller = desk
    kiosk.cashier_login()
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Reconciliation"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "30-cashier-menu-enrolment")
    kiosk.touch("Enrol shopper")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("42")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CONSENT)
    assert kiosk.shows("For how long") and kiosk.shows("2026-11-v1")
    snap(kiosk, shots, "31-consent")
    enroller.slow_s = 0.4
    kiosk.touch("Agree")
    kiosk.wait_for(Screen.CAPTURE)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Pictures kept: 1 of 3"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "32-capture")
    kiosk.wait_for(Screen.PIN)
    assert kiosk.shows("Choose your PIN")
    kiosk.keys("2468")
    snap(kiosk, shots, "33-choose-pin")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Repeat your PIN"))  # type: ignore[attr-defined]
    kiosk.keys("1357")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("were different"))  # type: ignore[attr-defined]
    snap(kiosk, shots, "34-pins-differ")
    for _ in range(2):
        kiosk.keys("2468")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("Customer 42 enrolled"))  # type: ignore[attr-defined]
    assert enroller.enrolled == [("42", "2468")]
    assert kiosk.camera.opened == 1


def to_consent(kiosk: Kiosk) -> None:
    """The cashier starts an enrolment for customer 42; the consent screen shows."""
    kiosk.cashier_login()
    kiosk.keys("5")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("42")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CONSENT)


def test_declining_consent_opens_no_camera(desk: tuple[Kiosk, FakeEnroller]) -> None:
    kiosk, enroller = desk
    to_consent(kiosk)
    kiosk.touch("Decline")
    kiosk.wait_for(Screen.CASHIER)
    assert kiosk.shows("declined") and kiosk.camera.opened == 0 and enroller.enrolled == []


def test_refused_enrolment_shows_why(desk: tuple[Kiosk, FakeEnroller]) -> None:
    kiosk, enroller = desk
    enroller.answer = Declined("unknown_customer", "no customer 42 at the payment service")
    to_consent(kiosk)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    for _ in range(2):
        kiosk.keys("2468")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("no customer 42"))  # type: ignore[attr-defined]
    assert kiosk.shows("Nothing was stored")


def test_erasure_at_the_kiosk(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    kiosk, enroller = desk
    kiosk.cashier_login()
    kiosk.touch("Erase shopper")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("42")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.ERASE)
    assert kiosk.shows("Customer 42")
    snap(kiosk, shots, "35-erase-confirm")
    kiosk.touch("Erase")
    kiosk.wait_for(Screen.ERASED)
    assert kiosk.shows("Face templates removed: 4") and kiosk.shows("a1a1a1a1")
    snap(kiosk, shots, "36-erased-receipt")
    kiosk.touch("Done")
    kiosk.wait_for(Screen.CASHIER)
    assert enroller.erased == ["42"]


def test_menu_without_an_enroller_hides_enrolment(kiosk: Kiosk) -> None:
    kiosk.cashier_login()
    assert not any(b.isVisible() and "Enrol" in b.text()
                   for b in kiosk.window.current_widget.findChildren(type(kiosk.window.screens[Screen.CASHIER]
                                                                          .buttons["5"])))
