"""The head-turn challenge screen: an arrow and words, the seconds left, and "Use PIN"
and "Cancel" reachable by touch at any moment."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from checkout import Cancel, ChallengeView, UsePin
from terminal_ui import save_screenshot
from terminal_ui.screens.challenge import ChallengeScreen
from terminal_ui.style import STYLE_SHEET
from vision import Guidance


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _screen(qtbot, clock: Clock) -> ChallengeScreen:
    screen = ChallengeScreen(clock=clock)
    qtbot.addWidget(screen)
    screen.setStyleSheet(STYLE_SHEET)
    screen.resize(1024, 600)
    screen.show_view(ChallengeView("EUR 12.50", Guidance.TURN_LEFT, 4.0))
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def _button(screen: ChallengeScreen, text: str) -> QPushButton:
    return next(b for b in screen.findChildren(QPushButton) if b.text() == text)


def test_the_countdown_shows_the_seconds_left_and_restarts_on_a_new_prompt(qtbot) -> None:
    clock = Clock()
    screen = _screen(qtbot, clock)
    assert screen.countdown.text() == "4 s left"
    assert screen.prompt.text() == "Turn your head left"
    clock.now += 2.5
    screen.tick()
    assert screen.countdown.text() == "2 s left"
    clock.now += 2.0
    screen.tick()
    assert screen.countdown.text() == "Time is up"
    screen.show_view(ChallengeView("EUR 12.50", Guidance.TURN_RIGHT, 4.0))
    assert screen.countdown.text() == "4 s left" and screen.prompt.text() == "Turn your head right"


def test_use_pin_and_cancel_are_big_enough_to_touch_and_send_their_events(qtbot) -> None:
    screen = _screen(qtbot, Clock())
    for text, event in (("Use PIN", UsePin()), ("Cancel", Cancel())):
        button = _button(screen, text)
        assert button.isVisible() and button.height() >= 44
        with qtbot.waitSignal(screen.event_out) as sent:
            button.click()
        assert sent.args == [event]


def test_the_challenge_screen_renders(qtbot, tmp_path: Path) -> None:
    screen = _screen(qtbot, Clock())
    texts = [w.text() for w in screen.findChildren(QLabel)]
    assert "4 s left" in texts and "One more check" in texts
    assert save_screenshot(screen, tmp_path / "challenge.png").stat().st_size > 5_000


def test_more_time_restarts_the_countdown_and_asks_the_analyser(qtbot) -> None:
    from terminal_ui.screens import MoreTime

    clock = Clock()
    screen = _screen(qtbot, clock)
    clock.now += 3.2
    screen.tick()
    assert screen.countdown.text() == "1 s left"
    with qtbot.waitSignal(screen.event_out) as sent:
        qtbot.mouseClick(_button(screen, "More time"), Qt.MouseButton.LeftButton)
    assert sent.args == [MoreTime()]
    assert screen.countdown.text() == "4 s left"
