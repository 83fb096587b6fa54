"""Waiting for the ledger (payment, cashier PIN check, refund)."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar

from checkout import BusyView, View
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["BusyScreen"]


class BusyScreen(BaseScreen):
    """Shows a ``BusyView``. Nothing can be cancelled here; the flow times out by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label("", "heading")
        self.message = label("", "muted")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate: shows it is alive
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(18)
        self.bar.setStyleSheet(
            "QProgressBar { border: 2px solid #111418; border-radius: 9px; }"
            "QProgressBar::chunk { background: #0B3D91; }"
        )
        self.page.addStretch(1)
        self.page.addWidget(self.heading)
        self.page.addWidget(self.message)
        self.page.addSpacing(24)
        self.page.addWidget(self.bar)
        self.page.addStretch(1)

    def show_view(self, view: View) -> None:
        assert isinstance(view, BusyView)
        self.heading.setText(view.title)
        self.message.setText(view.message)

    def on_enter(self) -> None:
        """Nothing to confirm while waiting."""

    def on_escape(self) -> None:
        """A payment in flight cannot be cancelled."""
