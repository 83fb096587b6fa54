"""Staff sign-in: the cashier picks their id from the shop's short list or types it (then their PIN)."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy

from checkout import CashierChosen, StaffView, View, say
from terminal_ui.screens._pad import PadScreen
from terminal_ui.style import button

__all__ = ["StaffScreen"]

# Cashier buttons per row; a short list of a shop's cashiers fits two rows.
_PER_ROW = 3
# Characters of an id typed on a keyboard (the ledger's id rule); the pad types digits.
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.:-")


class StaffScreen(PadScreen):
    """Shows a ``StaffView``; a name button or Next sends ``CashierChosen``."""

    min_len = 1
    max_len = 32

    def __init__(self) -> None:
        super().__init__(say("ui.next"))
        self._names = QGridLayout()
        self._names.setSpacing(12)
        self.left.insertLayout(self.left.indexOf(self.error) + 1, self._names)
        self.name_buttons: list[QPushButton] = []

    def show_view(self, view: View) -> None:
        assert isinstance(view, StaffView)
        self.set_text(self.title, say("staff.title"))
        self.set_text(self.subtitle, "")
        self.set_text(self.message, view.message)
        self.set_text(self.error, view.error)
        if tuple(b.text() for b in self.name_buttons) != view.cashiers:
            self._set_names(view.cashiers)
        self.reset_entry()

    def _set_names(self, cashiers: tuple[str, ...]) -> None:
        for old in self.name_buttons:
            self._names.removeWidget(old)
            old.deleteLater()
        self.name_buttons = []
        for i, cashier_id in enumerate(cashiers):
            widget = button(cashier_id, "small")
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            widget.clicked.connect(lambda _=False, c=cashier_id: self.send(CashierChosen(c)))
            self._names.addWidget(widget, *divmod(i, _PER_ROW))
            self.name_buttons.append(widget)

    def on_other_key(self, text: str) -> bool:
        """Letters of an id typed on a keyboard (digits come through the pad)."""
        if len(text) == 1 and text in _ID_CHARS and len(self.entry) < self.max_len:
            self.entry += text
            self._refresh()
            return True
        return False

    def submit_event(self) -> CashierChosen:
        return CashierChosen(self.entry)
