"""The ledger watches its own database for damage and stops serving when it finds any.

At start-up and then every ``every_s`` seconds the store runs its engine's own
check (SQLite ``PRAGMA quick_check`` on a read-only connection of its own, in a
thread: the event loop and the committer go on meanwhile). While damage is
known, every request that would touch the store, ``/v1/health`` included, gets a
signed 503 ``unavailable`` whose ``reason`` says what the check found; a later
clean check (the file restored from a backup) lifts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import replace

from payments.ledger.errors import ErrorCode
from payments.ledger.service import Ledger, Reply, Request
from payments.wire import json_bytes

__all__ = ["ENV_INTEGRITY_EVERY", "INTEGRITY_EVERY_S", "IntegrityWatch"]

log = logging.getLogger(__name__)

ENV_INTEGRITY_EVERY = "FACEPAY_LEDGER_INTEGRITY_EVERY_S"
# quick_check reads every page: hourly bounds how long damage goes unnoticed at the cost of
# one full read of the file (seconds for a ledger of a few GB).
INTEGRITY_EVERY_S = 3600.0


def _every_from_env() -> float:
    text = os.environ.get(ENV_INTEGRITY_EVERY, "")
    try:
        every = float(text) if text else INTEGRITY_EVERY_S
    except ValueError:
        every = 0.0
    if not every > 0:
        log.warning(
            "%s=%r is not a positive number of seconds; checking every %.0f s",
            ENV_INTEGRITY_EVERY,
            text,
            INTEGRITY_EVERY_S,
        )
        return INTEGRITY_EVERY_S
    return every


class IntegrityWatch:
    """What the last integrity check found (empty: sound)."""

    def __init__(self, ledger: Ledger, every_s: float | None = None) -> None:
        self._ledger = ledger
        self.every_s = every_s if every_s is not None else _every_from_env()
        self.problems: list[str] = []
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[str]:
        problems = await asyncio.to_thread(self._ledger.store.integrity_problems)
        if problems and problems != self.problems:
            log.error(
                "the ledger database is damaged; refusing to serve until it is restored: %s",
                "; ".join(problems),
            )
        elif not problems and self.problems:
            log.warning("the ledger database passes its integrity check again; serving")
        self.problems = problems
        return problems

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.check()
            except Exception:  # a check that breaks must not stop the next one
                log.exception("integrity check failed to run")

    def refusal(self, req: Request) -> Reply | None:
        """The signed 503 for ``req`` while damage is known, else None."""
        if not self.problems:
            return None
        base = self._ledger.error_reply(req, ErrorCode.UNAVAILABLE)
        body = {
            "error": {
                "code": ErrorCode.UNAVAILABLE.value,
                "message": "the ledger database failed its integrity check; the ledger refuses to "
                "serve until it is restored",
                "reason": "; ".join(self.problems)[:500],
            }
        }
        return replace(base, body=json_bytes(body))
