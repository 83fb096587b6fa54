"""Customer-number pad, for a shopper the camera could not identify (then the PIN pad)."""

from __future__ import annotations

from checkout import CustomerNumberEntered, CustomerView, View, say
from terminal_ui.screens._pad import PadScreen

__all__ = ["CustomerScreen"]


class CustomerScreen(PadScreen):
    """Shows a ``CustomerView``; OK sends ``CustomerNumberEntered``."""

    min_len = 1
    max_len = 16

    def __init__(self) -> None:
        super().__init__(say("ui.next"))

    def show_view(self, view: View) -> None:
        assert isinstance(view, CustomerView)
        self.set_text(self.title, say("customer.title"))
        self.set_text(self.subtitle, say("ui.paying", amount=view.amount) if view.amount else "")
        self.set_text(self.message, view.message)
        self.set_text(self.error, "")
        self.reset_entry()

    def submit_event(self) -> CustomerNumberEntered:
        return CustomerNumberEntered(self.entry)
