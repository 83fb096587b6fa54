"""Numeric pad screens (PIN, customer number, amount): big keys, optional shuffled layout.

A shopper's pad can show the seconds left before it gives up, with a "More time" button
(``show_countdown``); the typed entry's accessible description says how many digits it has.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from checkout import Cancel, Event, UserActivity, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._countdown import Countdown
from terminal_ui.style import button, label

__all__ = ["Keypad", "PadScreen"]

KEY_PX = 88  # keys are >= 64 px in both directions even on a 1024x600 panel


class Keypad(QWidget):
    """Digits 0-9 in a 4x3 grid with Erase and OK. ``shuffle()`` moves the digits."""

    digit = Signal(str)
    erase = Signal()
    submit = Signal()

    def __init__(self, ok_text: str = "OK") -> None:
        super().__init__()
        self.setAccessibleName(say("access.keypad"))
        grid = QGridLayout(self)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: list[QPushButton] = []
        for i in range(10):
            key = button("", "key")
            key.setMinimumSize(KEY_PX + 36, KEY_PX)
            key.clicked.connect(lambda _=False, k=key: self.digit.emit(k.text()))
            self.keys.append(key)
            row, col = (3, 1) if i == 9 else divmod(i, 3)
            grid.addWidget(key, row, col)
        self.erase_key = button(say("ui.erase_key"), "key")
        self.erase_key.setStyleSheet("font-size: 28px;")
        self.erase_key.clicked.connect(self.erase.emit)
        self.ok_key = button(ok_text, "primary")
        self.ok_key.setMinimumHeight(KEY_PX)
        self.ok_key.clicked.connect(self.submit.emit)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        for key in (self.erase_key, self.ok_key):  # the words must not widen their column
            key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            key.setMinimumWidth(KEY_PX + 36)
            key.setStyleSheet(key.styleSheet() + " padding: 0;")
        grid.addWidget(self.erase_key, 3, 0)
        grid.addWidget(self.ok_key, 3, 2)
        self.set_order("1234567890")

    def set_order(self, digits: str) -> None:
        """Label the keys in this order (the last is the bottom-middle key)."""
        for key, digit in zip(self.keys, digits, strict=True):
            key.setText(digit)

    def shuffle(self, rng: random.Random) -> None:
        """A new random layout, so watchers cannot learn a PIN from finger positions."""
        digits = list("0123456789")
        rng.shuffle(digits)
        self.set_order("".join(digits))


class PadScreen(BaseScreen):
    """Left: heading, messages and what was typed; right: the keypad. Subclasses decide the rest."""

    max_len = 12
    min_len = 1

    def __init__(self, ok_text: str = "OK", *, shuffled: bool = False, seed: int | None = None) -> None:
        super().__init__()
        self.entry = ""
        self.shuffled = shuffled
        self._rng = random.Random(seed)
        columns = QHBoxLayout()
        columns.setSpacing(56)
        self.page.addLayout(columns, 1)
        self.left = QVBoxLayout()
        self.left.setSpacing(20)
        columns.addLayout(self.left, 3)
        self.title = label("", "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.subtitle = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.message = label("", "notice", align=Qt.AlignmentFlag.AlignLeft)
        self.display = label("", align=Qt.AlignmentFlag.AlignCenter)
        self.display.setObjectName("entry")
        self.display.setAccessibleName(say("access.entry"))
        self.display.setProperty("role", "entry")  # styled by the kiosk's sheet (large text too)
        self.error = label("", "error", align=Qt.AlignmentFlag.AlignLeft)
        for widget in (self.title, self.subtitle, self.message, self.display, self.error):
            policy = widget.sizePolicy()  # keeps the wrapped labels' height-for-width
            policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)  # the 3:2 split holds against
            widget.setSizePolicy(policy)  # the keys' own expanding policy: long sentences fit
            self.left.addWidget(widget)
        self.left.addStretch(1)
        self.keypad = Keypad(ok_text)
        self.keypad.digit.connect(self.on_digit)
        self.keypad.erase.connect(self.on_backspace)
        self.keypad.submit.connect(self.on_enter)
        self.cancel = self.action(say("ui.cancel"), Cancel())
        self.countdown = label("", "muted", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.more_time = self.action(say("ui.more_time"), UserActivity())
        self._clock = Countdown(self, self.countdown, self.more_time)
        self.more_time.clicked.connect(self._tick)
        timer_row = QHBoxLayout()
        timer_row.addWidget(self.countdown, 1)
        timer_row.addWidget(self.more_time, 1)
        self.left.addLayout(timer_row)
        self.countdown.hide()
        self.more_time.hide()
        self.right = QVBoxLayout()
        self.right.setSpacing(12)
        self.right.addStretch(1)
        self.right.addWidget(self.keypad)
        self.right.addWidget(self.cancel)
        columns.addLayout(self.right, 2)

    # --- the countdown -----------------------------------------------------------

    def show_countdown(self, seconds_left: Callable[[], float | None]) -> None:
        """Show the seconds ``seconds_left()`` gives while the screen is up, and "More time"."""
        self._clock.follow(seconds_left)

    def _tick(self) -> None:
        self._clock.tick()

    # --- what subclasses provide ------------------------------------------------

    def shown_entry(self) -> str:
        """How the typed entry is displayed."""
        return self.entry

    def submit_event(self) -> Event | None:
        """The event for OK, or None when the entry is not complete."""
        raise NotImplementedError

    # --- entry handling --------------------------------------------------------

    def reset_entry(self) -> None:
        """Clear the entry (and move the keys when shuffled)."""
        self.entry = ""
        if self.shuffled:
            self.keypad.shuffle(self._rng)
        self._refresh()

    def set_text(self, widget: QLabel, text: str) -> None:
        """Set a label's text and hide it when empty."""
        widget.setText(text)
        widget.setVisible(bool(text))

    def on_digit(self, digit: str) -> None:
        if len(self.entry) < self.max_len:
            self.entry += digit
            self._refresh()
        self.send(UserActivity())

    def on_backspace(self) -> None:
        self.entry = self.entry[:-1]
        self._refresh()
        self.send(UserActivity())

    def on_enter(self) -> None:
        event = self.submit_event() if len(self.entry) >= self.min_len else None
        if event is not None:
            self.send(event)

    def _refresh(self) -> None:
        self.display.setText(self.shown_entry() or " ")
        self.display.setAccessibleDescription(say("ui.digits_typed", count=len(self.entry)))
        self.keypad.ok_key.setEnabled(len(self.entry) >= self.min_len)
