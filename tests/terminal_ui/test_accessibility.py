"""Assistive technology can name everything a shopper or cashier can operate: every screen,
every button, every focusable control and every custom-drawn widget, in every language; large
text and the sound-guided PIN pad work as a shopper would use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QWidget

from checkout import Screen, use_localiser
from terminal_ui.audio import Cue
from terminal_ui.i18n import LANGUAGES
from terminal_ui.screens import PinScreen
from terminal_ui.style import style_sheet
from tests.terminal_ui.conftest import Kiosk


@pytest.fixture(autouse=True)
def plain_english_after() -> Iterator[None]:
    yield
    use_localiser(None)


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces for ``widget`` (its text when no name was set)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def operable(screen: QWidget) -> list[QWidget]:
    """The screen, its buttons, focusable widgets and the project's own widgets, as far as
    they can show (a widget hidden until a view needs it is left out)."""
    found: list[QWidget] = [screen]
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(screen):
            continue
        own = type(widget).__module__.startswith("terminal_ui")
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        if isinstance(widget, QAbstractButton) or focusable or own:
            found.append(widget)
    return found


@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
def test_every_control_on_every_screen_has_an_accessible_name(kiosk: Kiosk, code: str) -> None:
    kiosk.window.choose_language(code)
    unnamed = []
    for screen, widget in kiosk.window.screens.items():
        kiosk.window.stack.setCurrentWidget(widget)
        for control in operable(widget):
            if not accessible_name(control):
                unnamed.append(f"{screen.name}: {type(control).__name__} {control.objectName()}")
    assert unnamed == []
    assert len(kiosk.window.screens) == len(Screen)
    walked = [w for s in kiosk.window.screens.values() for w in operable(s)]
    assert len(walked) > 100  # every key of three pads, every button, every drawn widget


def test_the_walk_finds_an_unnamed_custom_widget(kiosk: Kiosk) -> None:
    """The check above can fail: a drawn widget with no name is reported."""
    idle = kiosk.window.screens[Screen.IDLE]
    kiosk.window.stack.setCurrentWidget(idle)
    from terminal_ui.screens._camera import FaceIcon

    icon = idle.findChildren(FaceIcon)[0]
    icon.setAccessibleName("")
    assert icon in [w for w in operable(idle) if not accessible_name(w)]


def test_language_buttons_name_their_language_in_the_current_one(kiosk: Kiosk) -> None:
    buttons = kiosk.window.current_widget.language_buttons
    assert buttons["de"].accessibleName() == "Language: Deutsch"
    kiosk.window.choose_language("de")
    assert kiosk.window.current_widget.language_buttons["zh_CN"].accessibleName() == "Sprache: 中文"


def test_staff_switch_large_text_with_f3_and_back(kiosk: Kiosk) -> None:
    assert kiosk.window.styleSheet() == style_sheet(False)
    kiosk.key(Qt.Key.Key_F3)
    assert kiosk.window.large_text
    assert kiosk.window.styleSheet() == style_sheet(True)
    assert "font-size: 38px" in style_sheet(True).splitlines()[1]  # body text 30 px -> 38 px
    assert "background: #000000" in style_sheet(True)
    kiosk.key(Qt.Key.Key_F3)
    assert kiosk.window.styleSheet() == style_sheet(False)


def test_large_text_from_the_cashier_menu(kiosk: Kiosk) -> None:
    kiosk.cashier_login()
    kiosk.touch("Large text (F3)")
    assert kiosk.window.large_text


def _to_shopper_pin(kiosk: Kiosk) -> PinScreen:
    kiosk.open_sale("800")
    kiosk.touch("Use PIN")
    kiosk.wait_for(Screen.CUSTOMER)
    kiosk.keys("200001")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    pin = kiosk.window.current_widget
    assert isinstance(pin, PinScreen)
    return pin


def test_sound_guided_pin_beeps_the_count_never_the_digit(kiosk: Kiosk) -> None:
    heard: list[tuple[Cue, int]] = []
    kiosk.window.cues.player = None  # no device here: the cue is still announced
    kiosk.window.cues.played.connect(lambda cue, n: heard.append((cue, n)))
    pin = _to_shopper_pin(kiosk)
    kiosk.keys("12")
    assert (Cue.YOUR_TURN, 1) in heard  # the pad appeared: the shopper's turn
    assert all(cue is not Cue.COUNT for cue, _ in heard)  # guide off: no beeps
    kiosk.touch("Sound guide: off")
    assert pin.sound_on and pin.sound.text() == "Sound guide: on"
    heard.clear()
    kiosk.keys("9")
    kiosk.keys("0")
    kiosk.key(Qt.Key.Key_Backspace)
    assert heard == [(Cue.COUNT, 3), (Cue.COUNT, 4), (Cue.ERASE, 1)]
    assert pin.display.accessibleDescription() == "3 digits typed"
    assert "9" not in pin.display.text() and "0" not in pin.display.text()


def test_the_same_beeps_whatever_digit_is_typed(kiosk: Kiosk) -> None:
    heard: list[tuple[Cue, int]] = []
    kiosk.window.cues.player = None
    pin = _to_shopper_pin(kiosk)
    pin.set_sound(True)
    kiosk.window.cues.played.connect(lambda cue, n: heard.append((cue, n)))
    kiosk.keys("7")
    kiosk.key(Qt.Key.Key_Backspace)
    kiosk.keys("3")
    assert heard[0] == heard[2] == (Cue.COUNT, 1)


def test_the_sound_guide_ends_with_the_sale(kiosk: Kiosk) -> None:
    _to_shopper_pin(kiosk)
    kiosk.touch("Sound guide: off")
    kiosk.key(Qt.Key.Key_Escape)  # back to the sale
    kiosk.wait_for(Screen.SALE)
    kiosk.key(Qt.Key.Key_Escape)  # cancel the sale
    kiosk.wait_for(Screen.IDLE)
    pin = kiosk.window.screens[Screen.PIN]
    assert isinstance(pin, PinScreen)
    assert not pin.sound_on


def test_the_pin_pad_counts_down_and_more_time_restarts_it(kiosk: Kiosk) -> None:
    now = [1000.0]
    kiosk.window._clock = lambda: now[0]  # the machine's time, moved by hand
    pin = _to_shopper_pin(kiosk)
    now[0] += 0.0
    kiosk.key(Qt.Key.Key_Backspace)  # any key restarts the pad's time (pin_s = 30 s)
    now[0] += 21.2
    pin._tick()
    assert pin.countdown.isVisible() and pin.countdown.text() == "9 s left"
    kiosk.touch("More time")
    assert pin.countdown.text() == "30 s left"
    assert kiosk.screen is Screen.PIN
