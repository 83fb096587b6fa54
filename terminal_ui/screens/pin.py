"""PIN pad for the shopper (masked face, low score, stranger) and the cashier.

Digits show as dots; the keys can be shuffled on every entry against
shoulder-surfing; the ledger's remaining-attempts count is shown with the error. While the
kiosk makes a staff member wait after repeated wrong PINs, the pad is disabled and the wait
counts down. At enrolment the pad can offer the one-time enrolment code instead of a PIN.
"""

from __future__ import annotations

from checkout import PinEntered, PinView, UseCode, UsePin, View, say
from terminal_ui.screens._pad import PadScreen

__all__ = ["PinScreen"]


def attempts_text(left: int | None) -> str:
    """ "2 attempts left." / "1 attempt left before the PIN is locked." / ""."""
    if left is None:
        return ""
    if left == 1:
        return "1 attempt left before the PIN is locked."
    return f"{left} attempts left."


class PinScreen(PadScreen):
    """Shows a ``PinView``; OK sends ``PinEntered``."""

    min_len = 4
    max_len = 12

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
        self._waiting = view.wait_s > 0
        self.keypad.setEnabled(not self._waiting)
        self.reset_entry()

    def on_digit(self, digit: str) -> None:
        if not self._waiting:
            super().on_digit(digit)

    def shown_entry(self) -> str:
        return " ".join("●" * len(self.entry))

    def submit_event(self) -> PinEntered:
        return PinEntered(self.entry)
