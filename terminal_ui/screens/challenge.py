"""Active liveness challenge: turn the head, shown with an arrow AND words, over the live
camera, with the seconds left, "More time" (the clock starts again) and a way out to the PIN
at any moment."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QImage, QShowEvent
from PySide6.QtWidgets import QHBoxLayout

from checkout import Cancel, ChallengeView, UsePin, View, said, say
from terminal_ui.screens._base import BaseScreen, MoreTime
from terminal_ui.screens._camera import ArrowWidget, camera_with_side
from terminal_ui.style import label
from vision import GUIDANCE_TEXT, Guidance, ScanUpdate

__all__ = ["ChallengeScreen"]

# How often the countdown is redrawn (it shows whole seconds).
TICK_MS = 200


class ChallengeScreen(BaseScreen):
    """Shows a ``ChallengeView``; frames arrive through ``show_frame``.

    The countdown starts when the screen is shown or the prompt changes direction; the
    clock is injected so tests can move time.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._seconds = 4.0
        self._started = clock()
        self._direction: Guidance | None = None
        self.camera, side = camera_with_side(self.page)
        self.heading = label(say("challenge.heading"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.arrow = ArrowWidget()
        self.prompt = label("", "prompt", align=Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        self.hint = label(say("challenge.hint"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.arrow.setMinimumSize(220, 120)  # room for the seconds row below the prompt
        self.more_time = self.action(say("ui.more_time"), MoreTime(), "small")
        self.more_time.clicked.connect(self.restart)  # the analyser restarts its clock too
        timer_row = QHBoxLayout()  # the seconds and the way to more of them, side by side
        timer_row.addWidget(self.countdown, 2)
        timer_row.addWidget(self.more_time, 3)
        for widget in (self.heading, self.arrow, self.prompt):
            side.addWidget(widget)
        side.addLayout(timer_row)
        side.addWidget(self.hint)
        side.addStretch(1)
        side.addWidget(self.action(say("ui.use_pin"), UsePin()))
        side.addWidget(self.action(say("ui.cancel"), Cancel()))
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def show_view(self, view: View) -> None:
        assert isinstance(view, ChallengeView)
        self._seconds = view.seconds
        self._point(view.direction)

    def showEvent(self, event: QShowEvent) -> None:
        self.restart()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def restart(self) -> None:
        """Start the countdown from the full time (a new prompt)."""
        self._started = self._clock()
        self._timer.start()
        self.tick()

    @property
    def seconds_left(self) -> int:
        """Whole seconds left, as shown (never below 0)."""
        return max(0, math.ceil(self._seconds - (self._clock() - self._started)))

    def tick(self) -> None:
        left = self.seconds_left
        self.countdown.setText(say("challenge.left", seconds=left) if left > 0 else say("challenge.up"))
        if left == 0:
            self._timer.stop()

    def _point(self, direction: Guidance) -> None:
        if direction in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT):
            words = said(GUIDANCE_TEXT[direction], "Vision")
            self.arrow.point(direction is Guidance.TURN_LEFT, words)
            self.prompt.setText(words)
            if self._direction is not None and direction is not self._direction:
                self.restart()
            self._direction = direction

    def show_frame(self, image: QImage, update: ScanUpdate) -> None:
        """A new analysed frame."""
        self.camera.set_frame(image, update.box)
        self._point(update.guidance)
