"""PIN pad for the shopper (masked face, low score, stranger) and the cashier.

Digits show as dots; the keys can be shuffled on every entry against
shoulder-surfing; the ledger's remaining-attempts count is shown with the error.
"""

from __future__ import annotations

from app.flow import PinEntered, PinView, View
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
        super().__init__("OK", shuffled=shuffled, seed=seed)
        self.display.setStyleSheet(self.display.styleSheet() + " letter-spacing: 6px;")

    def show_view(self, view: View) -> None:
        assert isinstance(view, PinView)
        self.set_text(self.title, view.title)
        self.set_text(self.subtitle, f"Paying {view.amount}" if view.amount else "")
        self.set_text(self.message, view.message)
        self.set_text(self.error, "\n".join(t for t in (view.error, attempts_text(view.attempts_left)) if t))
        self.reset_entry()

    def shown_entry(self) -> str:
        return " ".join("●" * len(self.entry))

    def submit_event(self) -> PinEntered:
        return PinEntered(self.entry)
