"""The cashier types a sale's amount, cash-register style (digits fill from the cents)."""

from __future__ import annotations

from checkout import AmountView, OpenSale, View, format_amount, say
from terminal_ui.screens._pad import PadScreen

__all__ = ["AmountScreen"]


class AmountScreen(PadScreen):
    """Shows an ``AmountView``; OK sends ``OpenSale``."""

    min_len = 1
    max_len = 9

    def __init__(self) -> None:
        super().__init__(say("ui.ok"))
        self.currency = "EUR"

    def show_view(self, view: View) -> None:
        assert isinstance(view, AmountView)
        self.currency = view.currency
        self.set_text(self.title, view.title or say("amount.title"))
        self.set_text(self.subtitle, view.subtitle or say("amount.subtitle"))
        self.set_text(self.message, view.notice)
        self.set_text(self.error, "")
        self.reset_entry()

    def shown_entry(self) -> str:
        return format_amount(int(self.entry or "0"), self.currency)

    def submit_event(self) -> OpenSale | None:
        amount = int(self.entry or "0")
        return OpenSale(amount, self.currency) if amount > 0 else None
