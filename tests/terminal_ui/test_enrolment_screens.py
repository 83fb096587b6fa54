"""Enrolment and erasure at the kiosk with fake ports: driven by keys and touches, pictured as PNG."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from checkout import CaptureUpdate, Consent, Declined, Enrolled, Erased, Screen, Timeouts, say
from terminal_ui import KioskWindow, save_screenshot
from terminal_ui.screens import CashierScreen

from .conftest import (
    FACE_BOX,
    FakeAnalyser,
    FakeCamera,
    FakeDirectory,
    FakePayments,
    Kiosk,
    shop_options,
    shot_name,
)

CONSENT = Consent(
    "2026-11-v1",
    "What is stored: face templates (encrypted), your customer number.\n"
    "Why: only to identify you at checkout.\nFor how long: until you delete it, or 3 years "
    "after your last visit.",
)


CODE = "4817305529"  # the one-time enrolment code the shop gave the shopper of account 42


@dataclass
class FakeEnroller:
    """Keeps every third frame after two refused ones; answers as the ledger's proof rule does
    (the account's PIN, or its one-time code for a new account) and as the gallery check does
    (``face_of``: the customer the captured face is already enrolled as); records what it stored."""

    consent: Consent = CONSENT
    needed: int = 3
    kept: int = 0
    frames: int = 0
    refuse: list[str] = field(default_factory=lambda: ["Move closer", "judged a photo or screen"])
    pins: dict[str, str | None] = field(default_factory=lambda: {"200001": "4321", "42": None})
    codes: dict[str, str] = field(default_factory=lambda: {"42": CODE})
    face_of: str | None = None
    enrolled: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
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

    def enrol(
        self, customer_id: str, pin: str, code: str | None = None, name: str = ""
    ) -> Enrolled | Declined:
        self.names.append(name)
        if self.answer is not None:
            return self.answer
        if self.face_of is not None and self.face_of != customer_id:
            return Declined("face_enrolled", f"This face is already enrolled as customer {self.face_of}.")
        if customer_id not in self.pins:
            return Declined("unknown_customer", f"no customer {customer_id} at the payment service")
        if code is not None:
            if self.codes.pop(customer_id, None) != code:
                return Declined("bad_enrolment_code", "bad code")
            self.pins[customer_id] = pin
        elif self.pins[customer_id] is None:
            return Declined("proof_required", "no PIN yet")
        elif self.pins[customer_id] != pin:
            return Declined("wrong_pin", "wrong PIN for this account", attempts_left=4)
        self.enrolled.append((customer_id, pin))
        return Enrolled(customer_id, self.kept, pin_set=code is not None)

    def erase(self, customer_id: str, pin: str | None = None) -> Erased | Declined:
        if pin is not None and self.pins.get(customer_id) != pin:
            return Declined("wrong_pin", "wrong PIN")
        self.erased.append(customer_id)
        return Erased("5e1f" * 6, 4, "a1" * 32, "b2" * 32)


@pytest.fixture
def desk(qtbot: object, request: pytest.FixtureRequest) -> Iterator[tuple[Kiosk, FakeEnroller]]:
    """An enrolling kiosk, in English or the shop language given by indirect parametrisation."""
    enroller = FakeEnroller()
    analyser, camera, payments = FakeAnalyser(), FakeCamera(), FakePayments()
    options = shop_options(pin_seed=7, timeouts=Timeouts(), language=getattr(request, "param", "en"))
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
    kiosk.wait_for(Screen.PIN)
    assert kiosk.shows("Account 42") and kiosk.shows("enrolment code")
    snap(kiosk, shots, "22-enrol-proof")
    kiosk.touch("Enrolment code")
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("10-digit code"))  # type: ignore[attr-defined]
    kiosk.keys("12345")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("An enrolment code has 10 digits."))  # type: ignore[attr-defined]
    kiosk.keys(CODE[:6])
    snap(kiosk, shots, "23-enrol-code")
    kiosk.keys(CODE[6:])
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CONSENT)
    assert kiosk.shows("For how long") and kiosk.shows("2026-11-v1")
    snap(kiosk, shots, "31-consent")
    enroller.slow_s = 0.4
    kiosk.touch("Agree")
    kiosk.wait_for(Screen.NAME)
    assert not kiosk.window.screens[Screen.NAME].next.isEnabled()  # type: ignore[attr-defined]
    kiosk.keys("anna k")  # each word starts with a capital, as a name does
    snap(kiosk, shots, "60-enrol-name")
    kiosk.key(Qt.Key.Key_Return)
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
    assert kiosk.shows("new PIN set")
    assert enroller.enrolled == [("42", "2468")]
    assert enroller.names == ["Anna K"]
    assert kiosk.camera.opened == 1


def to_consent(kiosk: Kiosk, customer: str = "42", pin: str = "", *, login: bool = True) -> None:
    """The cashier starts an enrolment for ``customer``; the shopper proves it with ``pin`` (the
    account's) or, without one, with the enrolment code; the consent screen shows."""
    if login:
        kiosk.cashier_login()
    kiosk.keys("5")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys(customer)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    if not pin:
        kiosk.touch(say("enrol.code_option"))
        kiosk.qtbot.waitUntil(lambda: kiosk.shows(say("enrol.code_title")))  # type: ignore[attr-defined]
    kiosk.keys(pin or CODE)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CONSENT)


def capture(kiosk: Kiosk) -> None:
    """The shopper agrees and looks at the camera until enough frames are kept."""
    kiosk.touch("Agree")
    kiosk.wait_for(Screen.NAME)
    for letter in "BEN":
        kiosk.touch(letter)  # the on-screen keyboard
    kiosk.touch("Space")
    kiosk.touch("O")
    kiosk.touch("Next")
    kiosk.wait_for(Screen.CAPTURE)
    kiosk.qtbot.waitUntil(lambda: kiosk.screen is not Screen.CAPTURE, timeout=5000)  # type: ignore[attr-defined]


def choose_pin(kiosk: Kiosk, pin: str = "2468") -> None:
    kiosk.wait_for(Screen.PIN)
    for _ in range(2):
        kiosk.keys(pin)
        kiosk.key(Qt.Key.Key_Return)
        kiosk.qtbot.wait(50)  # type: ignore[attr-defined]


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
    capture(kiosk)
    choose_pin(kiosk)
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("no customer 42"))  # type: ignore[attr-defined]
    assert kiosk.shows("Nothing was stored")


def test_a_wrong_customer_number_cannot_take_over_an_account(
    desk: tuple[Kiosk, FakeEnroller], shots: Path
) -> None:
    """The cashier types 200001 (someone else's account) for a shopper: without that account's
    PIN or its code the ledger refuses; nothing is stored and its PIN is unchanged."""
    kiosk, enroller = desk
    to_consent(kiosk, "200001", pin="1111")  # the shopper's own PIN, not 200001's
    capture(kiosk)
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("wrong PIN for account 200001"))  # type: ignore[attr-defined]
    assert kiosk.shows("Nothing was stored")
    to_consent(kiosk, "200001", login=False)  # someone else's code does not open it either
    capture(kiosk)
    choose_pin(kiosk, "1111")
    kiosk.wait_for(Screen.CASHIER)
    kiosk.qtbot.waitUntil(lambda: kiosk.shows("enrolment code is wrong"))  # type: ignore[attr-defined]
    assert enroller.enrolled == [] and enroller.pins["200001"] == "4321"


def test_a_face_already_enrolled_is_refused_with_the_customer_number(
    desk: tuple[Kiosk, FakeEnroller], shots: Path
) -> None:
    kiosk, enroller = desk
    enroller.face_of = "200001"
    to_consent(kiosk, "42")
    capture(kiosk)
    choose_pin(kiosk)
    kiosk.wait_for(Screen.CASHIER)
    sentence = "This face is already enrolled as customer 200001. Nothing was stored."
    kiosk.qtbot.waitUntil(lambda: kiosk.shows(sentence))  # type: ignore[attr-defined]
    snap(kiosk, shots, "24-face-already-enrolled")
    assert enroller.enrolled == []


def test_erasure_at_the_kiosk(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    kiosk, enroller = desk
    kiosk.cashier_login()
    kiosk.touch("Erase shopper")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("42")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.ERASE)
    assert kiosk.shows("Customer 42") and kiosk.shows("its PIN stay")
    snap(kiosk, shots, "25-erase-confirm")
    kiosk.touch("Erase")
    kiosk.wait_for(Screen.ERASED)
    assert kiosk.shows("Face templates removed: 4") and kiosk.shows("a1a1a1a1")
    assert kiosk.shows("The account, its money and its PIN stay.")
    snap(kiosk, shots, "27-erased-receipt")
    kiosk.touch("Done")
    kiosk.wait_for(Screen.CASHIER)
    assert enroller.erased == ["42"]


def test_erasure_on_the_shoppers_pin(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    kiosk, enroller = desk
    kiosk.cashier_login()
    for pin, erased in (("1111", []), ("4321", ["200001"])):
        kiosk.touch("Erase shopper")
        kiosk.wait_for(Screen.CUSTOMER)
        kiosk.keys("200001")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.wait_for(Screen.ERASE)
        kiosk.touch("Shopper's PIN")
        kiosk.wait_for(Screen.PIN)
        assert kiosk.shows("Account 200001")
        kiosk.keys(pin)
        if pin == "4321":
            snap(kiosk, shots, "26-erase-pin")
        kiosk.key(Qt.Key.Key_Return)
        kiosk.wait_for(Screen.ERASED if erased else Screen.CASHIER)
        assert enroller.erased == erased
        if not erased:
            kiosk.qtbot.waitUntil(lambda: kiosk.shows("wrong PIN for account 200001"))  # type: ignore[attr-defined]
            assert kiosk.shows("Nothing was erased")


def test_menu_without_an_enroller_hides_enrolment(kiosk: Kiosk) -> None:
    kiosk.cashier_login()
    menu = kiosk.window.screens[Screen.CASHIER]
    assert isinstance(menu, CashierScreen)
    assert not any(
        b.isVisible() and "Enrol" in b.text()
        for b in kiosk.window.current_widget.findChildren(type(menu.buttons["5"]))
    )


def test_the_proof_pad_fits_the_smallest_panel(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    kiosk, _ = desk
    kiosk.window.resize(1024, 600)
    kiosk.cashier_login()
    kiosk.keys("5")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("42")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    kiosk.qtbot.wait(50)  # type: ignore[attr-defined]
    snap(kiosk, shots, "22-enrol-proof-small")
    widget = kiosk.window.current_widget
    buttons = [b for b in widget.findChildren(QPushButton) if b.isVisible()]
    assert any(b.text().endswith("Enrolment code") for b in buttons)
    for b in buttons:
        assert b.height() >= 64 and b.width() >= 64, (b.text(), b.size())
        assert widget.rect().contains(b.mapTo(widget, b.rect().bottomRight()))


@pytest.mark.parametrize("desk", ["zh_CN", "de"], indirect=True)
def test_the_name_screen_in_the_shops_language(desk: tuple[Kiosk, FakeEnroller], shots: Path) -> None:
    """The shopper's name at enrolment in a Chinese and a German shop (docs/screens)."""
    kiosk, _ = desk
    to_consent(kiosk)
    kiosk.touch(say("consent.agree"))
    kiosk.wait_for(Screen.NAME)
    kiosk.keys("anna k")
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]
    name = shot_name(kiosk.window.options.language, "60-enrol-name")
    assert save_screenshot(kiosk.window, shots / f"{name}.png").stat().st_size > 5_000
