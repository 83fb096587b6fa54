"""The cashier confirms erasing a shopper's face data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout

from checkout import Cancel, Confirm, EraseConfirmView, UsePin, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["EraseScreen"]


class EraseScreen(BaseScreen):
    """Shows an ``EraseConfirmView``. Erase (Enter, the cashier's authority), Shopper's PIN, or
    Cancel (Escape)."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("erase.heading"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.who = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.who.setStyleSheet("font-size: 40px; font-weight: bold;")
        self.what = label(say("erase.what"), "notice", align=Qt.AlignmentFlag.AlignLeft)
        self.authority = label(say("erase.who"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        for widget in (self.heading, self.who, self.what, self.authority):
            self.page.addWidget(widget)
        self.page.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.action(say("ui.cancel"), Cancel()))
        row.addWidget(self.action(say("erase.shopper_pin"), UsePin()))
        row.addWidget(self.action(say("erase.erase"), Confirm(), "primary"))
        self.page.addLayout(row)

    def show_view(self, view: View) -> None:
        assert isinstance(view, EraseConfirmView)
        name = say("erase.name", name=view.name) if view.name else say("erase.not_here")
        self.who.setText(say("ui.customer", customer=view.customer) + name)
