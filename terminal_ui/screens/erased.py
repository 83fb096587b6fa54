"""The erasure receipt: what was removed and the audit entries proving it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkout import Confirm, ErasedView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["ErasedScreen"]


class ErasedScreen(BaseScreen):
    """Shows an ``ErasedView``. Done (Enter or Escape) returns to the cashier's menu."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("erased.heading"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.who = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.lines = label("", align=Qt.AlignmentFlag.AlignLeft)
        for widget in (self.heading, self.who, self.lines):
            self.page.addWidget(widget)
        self.page.addStretch(1)
        self.page.addWidget(self.action(say("ui.done"), Confirm(), "primary"))

    def show_view(self, view: View) -> None:
        assert isinstance(view, ErasedView)
        self.who.setText(say("ui.customer", customer=view.customer))
        self.lines.setText("\n".join(view.lines))
