"""What every screen shares: the event signal, keyboard handling and the page layout.

Three events are the window's, not the flow's: a shopper choosing a language
(``ChooseLanguage``), asking for more time on the head-turn (``MoreTime``), and staff
switching large text (``ToggleLargeText``, F3).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from checkout import Cancel, CashierKey, Confirm, Event, View, say
from terminal_ui.i18n import LANGUAGES
from terminal_ui.style import button

__all__ = ["BaseScreen", "ChooseLanguage", "MoreTime", "ToggleLargeText", "WindowEvent"]

MARGIN = 56


@dataclass(frozen=True)
class ChooseLanguage:
    """The shopper picked a language for this sale. Attributes: code ("en", "zh_CN", "de")."""

    code: str


@dataclass(frozen=True)
class ToggleLargeText:
    """Staff switched large high-contrast text on or off (F3)."""


@dataclass(frozen=True)
class MoreTime:
    """The shopper asked for more time on the head-turn (the analyser restarts its clock)."""


WindowEvent = ChooseLanguage | ToggleLargeText | MoreTime


class BaseScreen(QWidget):
    """A page of the kiosk. It renders a view and emits flow events, nothing else.

    Keys: Enter = the main action, Escape = cancel/back, F2 = cashier, digits and
    Backspace go to the screen's pad if it has one.
    """

    event_out = Signal(object)  # a flow Event, ChooseLanguage or ToggleLargeText

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.page = QVBoxLayout(self)
        self.page.setContentsMargins(MARGIN, MARGIN - 16, MARGIN, MARGIN - 16)
        self.page.setSpacing(24)
        self.language_buttons: dict[str, QPushButton] = {}

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Tighter margins on a small (1024x600) panel, so nothing is cut off."""
        small = event.size().height() < 700
        margin = 32 if small else MARGIN
        self.page.setContentsMargins(margin, margin - 12, margin, margin - 12)
        self.page.setSpacing(14 if small else 24)
        super().resizeEvent(event)

    def show_view(self, view: View) -> None:
        """Render ``view`` (each screen accepts its own view type)."""
        raise NotImplementedError

    def send(self, event: Event | WindowEvent) -> None:
        """Hand an event to the flow."""
        self.event_out.emit(event)

    def staff_row(self, *, languages: bool = False) -> QHBoxLayout:
        """A bottom row with the small "Staff" button on the right (touch way to the cashier menu),
        and with ``languages`` a button per language on the left, each named in its own language."""
        row = QHBoxLayout()
        if languages:
            for lang in LANGUAGES:
                code, name = lang.code, lang.name
                choice = button(name, "language")
                choice.setCheckable(True)
                choice.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
                choice.setAccessibleName(say("ui.language", language=name))
                choice.clicked.connect(lambda _=False, code=code: self.send(ChooseLanguage(code)))
                self.language_buttons[code] = choice
                row.addWidget(choice)
        row.addStretch(1)
        staff = button(say("ui.staff_key"), "small")
        staff.setAccessibleName(say("ui.staff_name"))
        staff.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        staff.clicked.connect(lambda: self.send(CashierKey()))
        row.addWidget(staff)
        return row

    def mark_language(self, code: str) -> None:
        """Show ``code`` as the language in use on this screen's language buttons."""
        for key, choice in self.language_buttons.items():
            choice.setChecked(key == code)

    def action(self, text: str, event: Event | WindowEvent, role: str = "") -> QPushButton:
        """A button that sends ``event`` when touched."""
        widget = button(text, role)
        widget.clicked.connect(lambda: self.send(event))
        return widget

    # --- keyboard -------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.on_enter()
        elif key == Qt.Key.Key_Escape:
            self.on_escape()
        elif key == Qt.Key.Key_F2:
            self.send(CashierKey())
        elif key == Qt.Key.Key_F3:
            self.send(ToggleLargeText())
        elif key == Qt.Key.Key_Backspace:
            self.on_backspace()
        elif event.text().isdigit() and len(event.text()) == 1:
            self.on_digit(event.text())
        elif not self.on_other_key(event.text().lower()):
            super().keyPressEvent(event)

    def on_enter(self) -> None:
        self.send(Confirm())

    def on_escape(self) -> None:
        self.send(Cancel())

    def on_digit(self, digit: str) -> None:
        """A digit key; screens with a pad override this."""

    def on_backspace(self) -> None:
        """Backspace; screens with a pad override this."""

    def on_other_key(self, text: str) -> bool:
        """Any other key with text; return True when handled."""
        return False
