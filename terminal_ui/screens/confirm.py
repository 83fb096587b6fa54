"""Confirm: "Pay EUR 12.50 as Anna K.?" with large Pay and Cancel buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from checkout import Cancel, Confirm, ConfirmView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["ConfirmScreen"]


class ConfirmScreen(BaseScreen):
    """Shows a ``ConfirmView``. Enter = Pay, Escape = Cancel."""

    def __init__(self) -> None:
        super().__init__()
        self.merchant = label("", "muted")
        self.prompt = label("", "heading")
        self.prompt.setStyleSheet("font-size: 64px;")
        self.hint = label(say("confirm.hint"), "muted")
        self.pay = self.action(say("confirm.pay"), Confirm(), "primary")
        self.cancel = self.action(say("ui.cancel"), Cancel())
        for button in (self.pay, self.cancel):
            button.setMinimumHeight(120)
            button.setStyleSheet("font-size: 44px;")
        self.page.addWidget(self.merchant)
        self.page.addStretch(1)
        self.page.addWidget(self.prompt)
        self.page.addWidget(self.hint)
        self.page.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(32)
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.pay, 1)
        self.page.addLayout(buttons)

    def show_view(self, view: View) -> None:
        assert isinstance(view, ConfirmView)
        self.merchant.setText(say("confirm.merchant", merchant=view.merchant) if view.merchant else "")
        self.prompt.setText(view.prompt)
