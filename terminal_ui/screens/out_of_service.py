"""The page a kiosk shows when it cannot take payments as usual: what still works, and for
staff what is down. The Staff button stays, so staff can still sign in and lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from checkout import OutOfServiceView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["OutOfServiceScreen"]


class OutOfServiceScreen(BaseScreen):
    """Shows an ``OutOfServiceView``. F2 or the Staff button opens the staff sign-in."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label("", "heading")
        self.message = label("")
        self.staff_title = label(say("oos.staff_title"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.reasons = label("", "notice", align=Qt.AlignmentFlag.AlignLeft)
        self.page.addStretch(2)
        self.page.addWidget(self.heading)
        self.page.addWidget(self.message)
        self.page.addStretch(1)
        self.page.addWidget(self.staff_title)
        self.page.addWidget(self.reasons)
        self.page.addStretch(1)
        self.page.addLayout(self.staff_row())

    def show_view(self, view: View) -> None:
        assert isinstance(view, OutOfServiceView)
        self.heading.setText(view.headline)
        self.message.setText(view.message)
        self.reasons.setText("\n".join(view.reasons))
        self.reasons.setVisible(bool(view.reasons))
        self.staff_title.setVisible(bool(view.reasons))
        for staff in self.findChildren(QPushButton):  # the Staff button: nothing else is pressed here
            staff.setVisible(view.staff)

    def on_enter(self) -> None:
        """Nothing to confirm here."""

    def on_escape(self) -> None:
        """Nothing to cancel."""
