"""Test-only crash points: how the fault tests kill a terminal at an exact step.

``crash_point(name)`` does nothing unless the environment variable
``FACEPAY_TEST_CRASH_AT`` equals ``name``; then the process kills itself with
SIGKILL (exactly what ``kill -9`` does: no clean-up, no flush, no atexit).
Nothing else reads that variable. The named points are:

``after_journal_write``
    the intent is durable in the journal; nothing has been sent.
``after_send``
    the ledger has answered a POST (it has committed); the answer is not yet checked.
``before_journal_update``
    the answer is checked; the journal does not know it yet.
"""

from __future__ import annotations

import os
import signal

__all__ = ["CRASH_ENV", "crash_point"]

CRASH_ENV = "FACEPAY_TEST_CRASH_AT"


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL when ``$FACEPAY_TEST_CRASH_AT`` names this point."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
