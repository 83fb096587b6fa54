"""A countdown label that follows the flow's own clock: the screen hands it a callable giving
the seconds left (None: no time limit), and it refreshes whole seconds while the screen is up
(it watches the screen's show and hide events itself).
Used by the PIN pads and the receipt scan; the head-turn challenge keeps its own clock."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from checkout import say

__all__ = ["TICK_MS", "Countdown"]

TICK_MS = 250  # the countdown shows whole seconds


class Countdown(QObject):
    """Shows ``seconds_left()`` in ``label`` (and ``companions``, e.g. "More time", beside it)
    while ``screen`` is shown; hides them when there is no time limit."""

    def __init__(self, screen: QWidget, label: QLabel, *companions: QWidget) -> None:
        super().__init__(screen)
        screen.installEventFilter(self)
        self._label = label
        self._widgets = (label, *companions)
        self._seconds_left: Callable[[], float | None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def follow(self, seconds_left: Callable[[], float | None]) -> None:
        """Read the seconds left from ``seconds_left`` from now on."""
        self._seconds_left = seconds_left

    def start(self) -> None:
        """The screen is up: refresh now and every tick (when there is a clock to follow)."""
        if self._seconds_left is not None:
            self._timer.start()
        self.tick()

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.start()
        elif event.type() == QEvent.Type.Hide:
            self.stop()
        return False

    def tick(self) -> None:
        left = self._seconds_left() if self._seconds_left is not None else None
        if left is not None:
            self._label.setText(say("ui.seconds_left", seconds=max(0, math.ceil(left))))
        for widget in self._widgets:
            widget.setVisible(left is not None)
