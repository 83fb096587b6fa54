"""Consent before enrolment: what is stored, why, for how long; the shopper agrees or declines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from checkout import Cancel, Confirm, ConsentView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["ConsentScreen"]


class ConsentScreen(BaseScreen):
    """Shows a ``ConsentView``. Agree (Enter) goes on to the camera; Decline (Escape) stores nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("consent.heading"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.customer = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        box = QFrame()
        box.setStyleSheet(
            "QFrame { border: 2px solid #C9CED6; border-radius: 14px; }QLabel { border: none; }"
        )
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 16, 24, 16)
        self.text = label("", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setStyleSheet("font-size: 26px;")
        self.version = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(self.text)
        inner.addWidget(self.version)
        for widget in (self.heading, self.customer):
            self.page.addWidget(widget)
        self.page.addWidget(box)
        self.page.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.action(say("consent.decline"), Cancel()))
        row.addWidget(self.action(say("consent.agree"), Confirm(), "primary"))
        self.page.addLayout(row)

    def show_view(self, view: View) -> None:
        assert isinstance(view, ConsentView)
        self.customer.setText(say("consent.customer", customer=view.customer))
        self.text.setText(view.text.strip())
        self.version.setText(say("consent.version", version=view.version))
