"""Welcome screen between sales."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkout import IdleView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._camera import FaceIcon
from terminal_ui.style import label

__all__ = ["IdleScreen"]


class IdleScreen(BaseScreen):
    """Shows an ``IdleView``. Enter does nothing here: the cashier opens sales."""

    def __init__(self) -> None:
        super().__init__()
        self.merchant = label("", "muted")
        self.heading = label(say("idle.heading"), "heading")
        self.heading.setStyleSheet("font-size: 72px;")
        self.body = label(say("idle.body"))
        self.notice = label("", "notice")
        self.page.addWidget(self.merchant)
        self.page.addStretch(2)
        self.page.addWidget(FaceIcon(), 0, Qt.AlignmentFlag.AlignHCenter)
        self.page.addSpacing(12)
        self.page.addWidget(self.heading)
        self.page.addWidget(self.body)
        self.page.addStretch(1)
        self.page.addWidget(self.notice, 0, Qt.AlignmentFlag.AlignHCenter)
        self.page.addStretch(2)
        self.page.addLayout(self.staff_row(languages=True))

    def show_view(self, view: View) -> None:
        assert isinstance(view, IdleView)
        self.merchant.setText(view.merchant)
        self.notice.setText(view.notice)
        self.notice.setVisible(bool(view.notice))

    def on_enter(self) -> None:
        """Nothing to confirm between sales."""
