"""An open sale waits for the shopper: the amount, pay with face, or PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout

from checkout import Cancel, Confirm, SaleView, UsePin, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["SaleScreen"]


class SaleScreen(BaseScreen):
    """Shows a ``SaleView``. Enter = pay with face, P = use PIN, Escape = cancel the sale."""

    def __init__(self) -> None:
        super().__init__()
        self.merchant = label("", "muted")
        self.caption = label(say("sale.caption"), "muted")
        self.amount = label("", "amount")
        self.amount.setStyleSheet("font-size: 96px;")
        self.reference = label("", "muted")
        self.notice = label("", "notice")
        self.pay = self.action(say("sale.pay"), Confirm(), "primary")
        self.pin = self.action(say("ui.use_pin"), UsePin())
        self.cancel = self.action(say("ui.cancel"), Cancel())
        self.page.addWidget(self.merchant)
        self.page.addStretch(1)
        for widget in (self.caption, self.amount, self.reference):
            self.page.addWidget(widget)
        self.page.addWidget(self.notice, 0, Qt.AlignmentFlag.AlignHCenter)
        self.page.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.pin, 1)
        buttons.addWidget(self.pay, 2)
        self.page.addLayout(buttons)
        self.page.addLayout(self.staff_row(languages=True))

    def show_view(self, view: View) -> None:
        assert isinstance(view, SaleView)
        self.merchant.setText(view.merchant)
        self.amount.setText(view.amount)
        self.reference.setText(view.reference)
        self.reference.setVisible(bool(view.reference))
        self.notice.setText(view.notice)
        self.notice.setVisible(bool(view.notice))

    def on_other_key(self, text: str) -> bool:
        if text == "p":
            self.send(UsePin())
            return True
        return False
