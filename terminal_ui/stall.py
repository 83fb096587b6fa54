"""GUI-thread stall meter: a 10 ms timer that remembers the longest late tick."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

__all__ = ["StallMeter"]


class StallMeter(QObject):
    """While running, ``longest_stall_ms`` is the longest time the GUI thread was late for a tick.

    A responsive GUI keeps it near zero; a blocking call on the GUI thread shows up as
    its duration. ``reset()`` starts a new measurement (the kiosk resets it per checkout).
    """

    def __init__(self, interval_ms: int = 10, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__()
        self._interval_s = interval_ms / 1000
        self._clock = clock
        self._last: float | None = None
        self._longest = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    @property
    def longest_stall_ms(self) -> float:
        """Longest gap between ticks beyond the interval, in ms, since the last reset."""
        return self._longest * 1000

    def start(self) -> None:
        self._last = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last, self._longest = None, 0.0

    def _tick(self) -> None:
        now = self._clock()
        if self._last is not None:
            self._longest = max(self._longest, now - self._last - self._interval_s)
        self._last = now
