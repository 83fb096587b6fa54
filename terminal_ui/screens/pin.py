"""PIN pad for the shopper (masked face, low score, stranger) and the cashier.

Digits show as dots; the keys can be shuffled on every entry against
shoulder-surfing; the ledger's remaining-attempts count is shown with the error. While the
kiosk makes a staff member wait after repeated wrong PINs, the pad is disabled and the wait
counts down. At enrolment the pad can offer the one-time enrolment code instead of a PIN.

Audio guidance (the "Sound guide" button, or the kiosk's setting): every digit typed is
answered with as many beeps as the PIN now has digits, an erase with a low tick; no sound
ever depends on which digit was pressed. The seconds left and "More time" show below.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal

from checkout import PinEntered, PinView, UseCode, UsePin, UserActivity, View, say
from terminal_ui.audio import Cue, Cues
from terminal_ui.screens._pad import PadScreen
from terminal_ui.style import button

__all__ = ["PinScreen"]


def attempts_text(left: int | None) -> str:
    """ "2 attempts left." / "1 attempt left before the PIN is locked." / ""."""
    if left is None:
        return ""
    if left == 1:
        return say("pin.last_attempt")
    return say("pin.attempts_left", left=left)


class PinScreen(PadScreen):
    """Shows a ``PinView``; OK sends ``PinEntered``."""

    min_len = 4
    max_len = 12
    sound_toggled = Signal(bool)  # the shopper switched the sound guide

    def __init__(self, *, shuffled: bool = False, seed: int | None = None) -> None:
        super().__init__(say("ui.ok"), shuffled=shuffled, seed=seed)
        self.display.setStyleSheet(self.display.styleSheet() + " letter-spacing: 6px;")
        self.code_option = self.action("", UseCode())
        self.code_option.setStyleSheet("padding: 0 12px; font-size: 28px;")  # fits a 1024x600 panel
        self.left.insertWidget(self.left.indexOf(self.error) + 1, self.code_option)
        self.code_option.hide()
        self.other_option = self.action("", UsePin())
        self.other_option.setStyleSheet("padding: 0 12px; font-size: 28px;")
        self.left.insertWidget(self.left.indexOf(self.code_option) + 1, self.other_option)
        self.other_option.hide()
        self._waiting = False
        self.cues: Cues | None = None
        self.sound_on = False
        self.sound = button(say("ui.sound_off"), "small")
        self.sound.setCheckable(True)
        self.sound.clicked.connect(self._toggle_sound)
        self.right.addWidget(self.sound)

    def guide(self, cues: Cues, seconds_left: Callable[[], float | None], *, on: bool) -> None:
        """Sound the guide through ``cues`` (when on) and count down with ``seconds_left``."""
        self.cues = cues
        self.show_countdown(seconds_left)
        self.set_sound(on)

    def set_sound(self, on: bool) -> None:
        """The sound guide on or off (the button shows which)."""
        self.sound_on = on
        self.sound.setChecked(on)
        self.sound.setText(say("ui.sound_on") if on else say("ui.sound_off"))

    def _toggle_sound(self) -> None:
        self.set_sound(not self.sound_on)
        self.sound_toggled.emit(self.sound_on)
        self.send(UserActivity())

    def show_view(self, view: View) -> None:
        assert isinstance(view, PinView)
        self.set_text(self.title, view.title)
        self.set_text(self.subtitle, say("ui.paying", amount=view.amount) if view.amount else "")
        self.set_text(self.message, view.message)
        wait = say("pin.wait", seconds=view.wait_s) if view.wait_s else ""
        lines = (view.error, attempts_text(view.attempts_left), wait)
        self.set_text(self.error, "\n".join(t for t in lines if t))
        self.code_option.setText(view.code_option)
        self.code_option.setVisible(bool(view.code_option))
        self.other_option.setText(view.other_option)
        self.other_option.setVisible(bool(view.other_option))
        self.sound.setVisible(not view.cashier)  # the guide is the shopper's
        self._waiting = view.wait_s > 0
        self.keypad.setEnabled(not self._waiting)
        self.reset_entry()

    def on_digit(self, digit: str) -> None:
        if not self._waiting:
            typed = len(self.entry)
            super().on_digit(digit)
            if len(self.entry) > typed:
                self._beep(Cue.COUNT, len(self.entry))

    def on_backspace(self) -> None:
        typed = len(self.entry)
        super().on_backspace()
        if len(self.entry) < typed:
            self._beep(Cue.ERASE, 1)

    def _beep(self, cue: Cue, repeat: int) -> None:
        if self.sound_on and self.cues is not None:
            self.cues.play(cue, repeat)

    def shown_entry(self) -> str:
        return " ".join("●" * len(self.entry))

    def submit_event(self) -> PinEntered:
        return PinEntered(self.entry)
