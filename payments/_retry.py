"""The one retry rule of the terminal: the same request (one key, one body) sent again while the
ledger gives no trustworthy answer, with short pauses, a bounded number of times."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from payments.client import LedgerUnreachable

__all__ = ["ATTEMPTS", "BACKOFF_S", "Retry"]

log = logging.getLogger(__name__)

# Attempts per call while a shopper waits, and the pauses between them: about a second
# in all, long enough to ride out a dropped connection, short enough for a queue.
ATTEMPTS = 3
BACKOFF_S = (0.2, 0.6)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Retry:
    """How often one request is sent, and the pauses between sends.

    Attributes:
        attempts: sends per call (at least one).
        backoff_s: pause before the 2nd, 3rd... send; the last one repeats; empty means none.
        sleep: how to pause (tests pass a recorder).
    """

    attempts: int = ATTEMPTS
    backoff_s: tuple[float, ...] = BACKOFF_S
    sleep: Callable[[float], None] = time.sleep

    def pause_before(self, attempt: int) -> float:
        """The pause before send number ``attempt`` (0-based; none before the first)."""
        if attempt == 0 or not self.backoff_s:
            return 0.0
        return self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)]

    def run(self, call: Callable[[], _T], *, attempts: int | None = None, what: str = "") -> _T:
        """``call`` until it returns, up to ``attempts`` (default :attr:`attempts`) times.

        Only :class:`LedgerUnreachable` is retried; the last one is raised. Anything else
        (a decline, a refusal) is an answer and goes straight to the caller.
        """
        count = max(1, self.attempts if attempts is None else attempts)
        for attempt in range(count):
            if attempt:
                self.sleep(self.pause_before(attempt))
            try:
                return call()
            except LedgerUnreachable as exc:
                if attempt + 1 == count:
                    raise
                log.info("attempt %d%s: %s", attempt + 1, f" of {what}" if what else "", exc)
        raise AssertionError("unreachable")
