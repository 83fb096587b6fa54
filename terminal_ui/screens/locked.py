"""Terminal locked by the cashier."""

from __future__ import annotations

from checkout import LockedView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["LockedScreen"]


class LockedScreen(BaseScreen):
    """Shows a ``LockedView``; the Staff button or F2 (or Enter) asks for the cashier PIN."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("locked.heading"), "heading")
        self.message = label("", "muted")
        self.page.addStretch(1)
        self.page.addWidget(self.heading)
        self.page.addWidget(self.message)
        self.page.addStretch(1)
        self.page.addLayout(self.staff_row())

    def show_view(self, view: View) -> None:
        assert isinstance(view, LockedView)
        self.message.setText(view.message)

    def on_escape(self) -> None:
        """Nothing to cancel."""
