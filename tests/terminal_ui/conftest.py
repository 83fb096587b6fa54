"""Fake ports and a kiosk window driven like a shopper and a cashier would (keys and touches)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from checkout import (
    Approved,
    DaySummary,
    Declined,
    Evidence,
    PaymentLine,
    Refunded,
    Screen,
    SignedIn,
    Timeouts,
    say,
)
from terminal_ui import KioskOptions, KioskWindow
from vision import Guidance, Match, NeedPin, Reason, Reject, ScanUpdate

CASHIER_ID = "1001"
CASHIER_PIN = "9999"
FACE_BOX = (250, 130, 150, 190)


def synthetic_frame(index: int, *, masked: bool = False, with_face: bool = True) -> np.ndarray:
    """A 640x480 BGR picture: a backdrop and a drawn face (no real person)."""
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:] = (92, 84, 70)
    cv2.rectangle(frame, (0, 330), (640, 480), (60, 56, 50), -1)
    if with_face:
        cx, cy = 325 + (index % 6) - 3, 225
        cv2.ellipse(frame, (cx, cy + 200), (150, 90), 0, 180, 360, (120, 70, 40), -1)
        cv2.ellipse(frame, (cx, cy), (70, 92), 0, 0, 360, (140, 170, 215), -1)
        cv2.ellipse(frame, (cx, cy - 60), (74, 44), 0, 180, 360, (40, 45, 60), -1)
        for dx in (-26, 26):
            cv2.circle(frame, (cx + dx, cy - 10), 7, (50, 40, 35), -1)
        if masked:
            cv2.ellipse(frame, (cx, cy + 40), (64, 44), 0, 0, 180, (235, 225, 215), -1)
            cv2.rectangle(frame, (cx - 64, cy + 10), (cx + 64, cy + 40), (235, 225, 215), -1)
        else:
            cv2.ellipse(frame, (cx, cy + 42), (22, 8), 0, 0, 180, (60, 60, 150), 3)
    return frame


def looking(
    guidance: Guidance = Guidance.HOLD_STILL,
    *,
    masked: bool = False,
    decision: object = None,
    face: bool = True,
) -> ScanUpdate:
    return ScanUpdate(0, FACE_BOX if face else None, guidance, masked, decision)  # type: ignore[arg-type]


def scripts() -> dict[str, list[ScanUpdate]]:
    """What the fake analyser reports, frame by frame, for each kind of shopper."""
    settle = [looking(Guidance.MOVE_CLOSER), looking(Guidance.HOLD_STILL), looking(Guidance.OK)]
    return {
        "anna": [*settle, looking(decision=Match("c-anna", 0.72, 0.31, 0.97))],
        "masked": [
            *[looking(g, masked=True) for g in (Guidance.MOVE_CLOSER, Guidance.HOLD_STILL)],
            looking(masked=True, decision=NeedPin(("c-ben",), Reason.MASKED)),
        ],
        "photo": [*settle, looking(decision=Reject(Reason.SPOOF))],
        "stranger": [*settle, looking(decision=NeedPin((), Reason.STRANGER))],
        "challenge": [
            *settle,
            *[looking(Guidance.TURN_LEFT)] * 3,
            looking(decision=Match("c-anna", 0.7, 0.3, 0.9)),
        ],
        "nobody": [looking(Guidance.LOOK_AT_CAMERA, face=False)],
    }


class FakeAnalyser:
    """Plays one script per scan; ``slow_s`` makes every frame cost that long."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.script: list[ScanUpdate] = []
        self.step = 0
        self.slow_s = 0.0
        self.calls = 0
        self.lock = threading.Lock()
        self.amounts: list[int] = []
        self.more_time_asked = 0

    def reset(self, *, amount_minor: int = 0) -> None:
        with self.lock:
            self.amounts.append(amount_minor)
            name = self.queue.pop(0) if self.queue else "nobody"
            self.script, self.step = scripts()[name], 0

    def more_time(self) -> None:
        with self.lock:
            self.more_time_asked += 1

    def analyse(self, frame: np.ndarray) -> ScanUpdate:
        assert frame.shape == (480, 640, 3)
        if self.slow_s:
            time.sleep(self.slow_s)
        with self.lock:
            self.calls += 1
            update = self.script[min(self.step, len(self.script) - 1)]
            self.step += 1
        return ScanUpdate(self.calls, update.box, update.guidance, update.masked, update.decision)


@dataclass
class FakeCamera:
    """A camera at ~50 fps; ``fail`` makes opening it raise, ``frames`` limits its life."""

    masked: bool = False
    fail: bool = False
    frames: int = 100_000
    fps: float = 50.0
    opened: int = 0
    delivered: int = 0

    def __call__(self) -> Iterator[np.ndarray]:
        if self.fail:
            raise OSError("no camera at /dev/video0")
        self.opened += 1
        return self._frames()

    def _frames(self) -> Iterator[np.ndarray]:
        for i in range(self.frames):
            time.sleep(1 / self.fps)
            self.delivered += 1
            yield synthetic_frame(i, masked=self.masked)


# The payment service's sentence for a debit that could not be sent (payments/outcomes.py).
NOT_SENT = "The payment service cannot be reached, so this payment was not sent."


@dataclass
class FakePayments:
    """A ledger: scripted answers to ``pay``; records what it was asked."""

    answers: list[Approved | Declined] = field(default_factory=list)
    paid: list[tuple[str, int, str, str | None, Evidence, bool]] = field(default_factory=list)
    refunds: int = 0
    refunded: dict[str, int] = field(default_factory=dict)
    unreachable: bool = False
    sign_ins: list[str] = field(default_factory=list)
    locked: dict[str, float] = field(default_factory=dict)

    def pay(
        self,
        customer_id: str,
        amount_minor: int,
        currency: str,
        pin: str | None,
        evidence: Evidence,
        allow_offline: bool,
        candidates: tuple[str, ...] = (),
        reference: str = "",
        opened_by: str = "",
    ) -> Approved | Declined:
        from checkout import PaymentsUnavailable

        if self.unreachable:  # what the real adapter raises: the payment service's sentence
            raise PaymentsUnavailable(NOT_SENT)
        self.paid.append((customer_id, amount_minor, currency, pin, evidence, allow_offline))
        if self.answers:
            return self.answers.pop(0)
        return Approved(f"tr-{len(self.paid):04d}", at=1_800_000_000.0)

    def todays_payments(self) -> tuple[PaymentLine, ...]:
        lines = []
        for n, (who, amount, currency, *_) in enumerate(self.paid, start=1):
            done = self.refunded.get(f"tr-{n:04d}", 0)
            at = 1_800_000_000.0 + 300 * n  # five minutes apart
            lines.append(PaymentLine(f"tr-{n:04d}", amount, amount - done, currency, who, at, done == 0))
        return tuple(reversed(lines))

    def refund(self, transfer_id: str, amount_minor: int, *, void: bool = False) -> Refunded | Declined:
        self.refunds += 1
        self.refunded[transfer_id] = self.refunded.get(transfer_id, 0) + amount_minor
        return Refunded(f"rf-{self.refunds:04d}", amount_minor, "EUR", voided=void)

    def verify_cashier(self, cashier_id: str, pin: str) -> SignedIn | Declined:
        self.sign_ins.append(cashier_id)
        if cashier_id in self.locked:
            return Declined("pin_locked", "locked", retry_after_s=self.locked[cashier_id])
        if cashier_id != CASHIER_ID:
            return Declined("unknown_cashier", "no such cashier")
        return SignedIn(cashier_id) if pin == CASHIER_PIN else Declined("wrong_pin", "wrong PIN")

    def today_summary(self) -> DaySummary:
        return DaySummary(
            payments=len(self.paid),
            paid_minor=1250 * len(self.paid),
            refunds=self.refunds,
            refunded_minor=1250 * self.refunds,
            currency="EUR",
            verdict="totals agree: net EUR 25.00",  # as the ledger adapter words it
        )


class FakeDirectory:
    def display_name(self, customer_id: str) -> str | None:
        return {"c-anna": "Anna Kowalska", "c-ben": "Ben Okafor"}.get(customer_id)


@dataclass
class Kiosk:
    """The window plus its fakes, and the moves of a cashier and a shopper."""

    qtbot: object
    window: KioskWindow
    analyser: FakeAnalyser
    camera: FakeCamera
    payments: FakePayments

    @property
    def screen(self) -> Screen:
        return self.window.current_screen

    def wait_for(self, screen: Screen, timeout_ms: int = 5000) -> None:
        self.qtbot.waitUntil(lambda: self.screen is screen, timeout=timeout_ms)  # type: ignore[attr-defined]

    def keys(self, text: str) -> None:
        for ch in text:
            self.qtbot.keyClick(self.window.current_widget, ch)  # type: ignore[attr-defined]

    def key(self, key: Qt.Key) -> None:
        self.qtbot.keyClick(self.window.current_widget, key)  # type: ignore[attr-defined]

    def touch(self, text: str) -> None:
        """Touch the visible button whose text is ``text`` (or ends with it)."""
        matches = [
            b
            for b in self.window.current_widget.findChildren(QPushButton)
            if b.isVisible() and (b.text() == text or b.text().endswith(text))
        ]
        assert len(matches) == 1, f"button {text!r} on {self.screen}: {[b.text() for b in matches]}"
        self.qtbot.mouseClick(matches[0], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    def texts(self, widget: QWidget | None = None) -> list[str]:
        """Every visible label text on the current screen."""
        root = widget or self.window.current_widget
        return [w.text() for w in root.findChildren(QLabel) if w.isVisible() and w.text().strip()]

    def shows(self, text: str) -> bool:
        """Whether some visible label contains ``text``."""
        return any(text in t for t in self.texts())

    def cashier_login(self) -> None:
        self.key(Qt.Key.Key_F2)
        self.wait_for(Screen.STAFF)
        self.keys(CASHIER_ID)
        self.key(Qt.Key.Key_Return)
        self.wait_for(Screen.PIN)
        self.keys(CASHIER_PIN)
        self.key(Qt.Key.Key_Return)
        self.wait_for(Screen.CASHIER)

    def open_sale(self, amount_keys: str = "1250") -> None:
        self.cashier_login()
        self.keys("1")
        self.wait_for(Screen.AMOUNT)
        self.keys(amount_keys)
        self.key(Qt.Key.Key_Return)
        self.wait_for(Screen.SALE)

    def shopper(self, script: str, *, masked: bool = False) -> None:
        """A shopper steps up and taps "Pay with face" (in the language on show)."""
        self.analyser.queue.append(script)
        self.camera.masked = masked
        self.touch(say("sale.pay"))


# A kiosk test run in a shop of each shipped language (``kiosk`` parametrised indirectly).
IN_EVERY_LANGUAGE = pytest.mark.parametrize("kiosk", ["en", "zh_CN", "de"], indirect=True)


def shop_options(**more: object) -> KioskOptions:
    """The test shop's kiosk options (Corner Shop, windowed, UTC, a 50 ms tick) plus ``more``."""
    base: dict[str, object] = {"merchant": "Corner Shop", "fullscreen": False, "tz": dt.UTC, "tick_ms": 50}
    return KioskOptions(**{**base, **more})  # type: ignore[arg-type]


def shot_name(code: str, name: str) -> str:
    """A screenshot's file name: ``50-refund-list`` in English, ``de-50-refund-list`` in German."""
    return name if code == "en" else f"{code}-{name}"


@pytest.fixture
def kiosk(qtbot: object, request: pytest.FixtureRequest) -> Iterator[Kiosk]:
    """The kiosk of a shop speaking English, or the language given by indirect parametrisation
    (``@pytest.mark.parametrize("kiosk", ["de"], indirect=True)``)."""
    analyser, camera, payments = FakeAnalyser(), FakeCamera(), FakePayments()
    options = shop_options(
        language=getattr(request, "param", "en"),
        pin_seed=7,
        timeouts=Timeouts(),
        cashiers=("1001", "1002", "1003"),
        max_sale_minor=1_000_000,
    )
    window = KioskWindow(analyser, camera, payments, FakeDirectory(), options)
    window.cues.player = None  # tests never sound a speaker (cues are still announced)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_kiosk()
    yield Kiosk(qtbot, window, analyser, camera, payments)
    window.close()
