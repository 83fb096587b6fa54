"""The cashier's menu (behind the cashier PIN): open or cancel a sale, refund, lock, totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QVBoxLayout

from app.flow import Cancel, CancelSale, CashierView, Event, LockTerminal, NewSale, RefundLast, View
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["CashierScreen"]

# (key, text, event): digit keys reach every action without touch.
ACTIONS: tuple[tuple[str, str, Event], ...] = (
    ("1", "Open sale", NewSale()),
    ("2", "Cancel sale", CancelSale()),
    ("3", "Refund last payment", RefundLast()),
    ("4", "Lock terminal", LockTerminal()),
)


class CashierScreen(BaseScreen):
    """Shows a ``CashierView``. Keys 1-4 pick an action; Escape leaves the menu."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label("Cashier", "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.sale = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.notice = label("", "notice", align=Qt.AlignmentFlag.AlignLeft)
        self.page.addWidget(self.heading)
        self.page.addWidget(self.sale)
        self.page.addWidget(self.notice)
        grid = QGridLayout()
        grid.setSpacing(20)
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, text, event) in enumerate(ACTIONS):
            widget = self.action(f"{key}   {text}", event, "primary" if key == "1" else "")
            self.buttons[key] = widget
            grid.addWidget(widget, i // 2, i % 2)
        self.page.addLayout(grid)
        self.totals_box = QFrame()
        self.totals_box.setStyleSheet("QFrame { border: 2px solid #C9CED6; border-radius: 14px; }"
                                      "QLabel { border: none; }")
        totals = QVBoxLayout(self.totals_box)
        totals.setContentsMargins(28, 16, 28, 16)
        self.totals_title = label("Today", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.totals = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.verdict = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.verdict.setStyleSheet("font-weight: bold;")
        for line in (self.totals_title, self.totals, self.verdict):
            totals.addWidget(line)
        self.page.addWidget(self.totals_box)
        self.page.addStretch(1)
        self.page.addWidget(self.action("Exit cashier menu (Esc)", Cancel()))

    def show_view(self, view: View) -> None:
        assert isinstance(view, CashierView)
        self.sale.setText(f"Open sale: {view.sale}" if view.sale else "No open sale")
        self.buttons["2"].setEnabled(bool(view.sale))
        self.notice.setText(view.notice)
        self.notice.setVisible(bool(view.notice))
        self.totals.setText("\n".join(view.totals) if view.totals else "Loading today's totals…")
        self.verdict.setText(f"Reconciliation: {view.verdict}" if view.verdict else "")
        self.verdict.setVisible(bool(view.verdict))

    def on_enter(self) -> None:
        self.send(NewSale())

    def on_digit(self, digit: str) -> None:
        for key, _, event in ACTIONS:
            if key == digit and self.buttons[key].isEnabled():
                self.send(event)
