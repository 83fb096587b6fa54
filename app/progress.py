"""A small progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``progress(done, total)`` redraws one line at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._label = label
        self._last = 0.0
        self._start = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * 30)
        rate = done / max(now - self._start, 1e-9)
        self._stream.write(f"\r{self._label} [{bar:<30}] {done}/{total} {frac:6.1%} {rate:7.1f}/s")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()
