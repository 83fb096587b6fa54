"""At enrolment the shopper types the name the checkout greets them by ("Anna K"), on an
on-screen keyboard (a kiosk has no other); a physical keyboard works too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton

from checkout import Cancel, NameEntered, NameView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import button, label

__all__ = ["NameScreen"]

ROWS = ("QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM'.")
MAX_LEN = 40
# 64 px: as tall as a touch key may be (>= 64 px) while a three-line explanation above still fits
KEY_STYLE = "min-width: 0; min-height: 64px; font-size: 34px; padding: 0;"


class NameScreen(BaseScreen):
    """Shows a ``NameView``; Next (Enter) sends ``NameEntered``, Cancel (Escape) stops."""

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.message = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.entry = label("", "prompt", align=Qt.AlignmentFlag.AlignLeft)
        self.entry.setMinimumHeight(72)
        for widget in (self.title, self.message, self.entry):
            self.page.addWidget(widget)
        keys = QGridLayout()
        keys.setSpacing(8)
        for line, letters in enumerate(ROWS):
            for col, letter in enumerate(letters):
                keys.addWidget(self._key(letter, lambda _=False, t=letter: self._type(t)), line, col)
        keys.addWidget(self._key(say("name.space"), lambda: self._type(" ")), 3, 0, 1, 6)
        keys.addWidget(self._key(say("name.delete"), self.on_backspace), 3, 6, 1, 4)
        self.page.addLayout(keys, 1)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.action(say("ui.cancel"), Cancel()))
        self.next = button(say("name.next"), "primary")
        self.next.clicked.connect(self.on_enter)
        row.addWidget(self.next)
        self.page.addLayout(row)
        self.text = ""

    def _key(self, text: str, pressed: object) -> QPushButton:
        key = button(text, "key")
        key.setStyleSheet(KEY_STYLE)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.clicked.connect(pressed)
        return key

    def show_view(self, view: View) -> None:
        assert isinstance(view, NameView)
        self.title.setText(view.title)
        self.message.setText(view.message)
        self.text = ""
        self._show()

    def _show(self) -> None:
        self.entry.setText(self.text + "▏")
        self.next.setEnabled(NameEntered(self.text).kind is not None)

    def _type(self, text: str) -> None:
        if len(self.text) >= MAX_LEN or (text == " " and (not self.text or self.text.endswith(" "))):
            return
        self.text += text if self.text and not self.text.endswith(" ") else text.upper()
        self._show()

    def on_backspace(self) -> None:
        self.text = self.text[:-1]
        self._show()

    def on_other_key(self, text: str) -> bool:
        if len(text) == 1 and (text.isalpha() or text in " -'."):
            self._type(text)
            return True
        return False

    def on_enter(self) -> None:
        event = NameEntered(self.text)
        if event.kind is not None:
            self.send(event)
