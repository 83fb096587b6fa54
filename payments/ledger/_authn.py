"""Who sent a request: the terminal's signature, timestamp window and enabled flag.

Replays (nonces) are checked inside the transaction by the commit engine, because a nonce is
claimed durably together with the request's effects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from payments.ledger._messages import Reply, Request, error
from payments.ledger.errors import ErrorCode
from payments.ledger.records import Terminal
from payments.ledger.store import LedgerStore
from payments.signing import (
    BadSignature,
    Ed25519PublicKey,
    RequestAuth,
    public_key_from_text,
    read_auth_headers,
    verify_request,
)
from payments.wire import json_bytes

__all__ = ["REFUSAL_LOG_EVERY_S", "TERMINAL_CACHE_S", "TIMESTAMP_WINDOW_S", "Authenticator", "RefusalCounter"]

log = logging.getLogger(__name__)

# Requests whose timestamp is further than this from the ledger clock are stale (protocol: 300 s).
TIMESTAMP_WINDOW_S = 300
# How long a terminal row is cached per process: disabling a terminal takes effect within this.
TERMINAL_CACHE_S = 1.0


class Authenticator:
    """Checks a request's signature headers against the terminal table (cached briefly)."""

    def __init__(self, store: LedgerStore, clock: Callable[[], float], cache_s: float) -> None:
        self._store = store
        self._clock = clock
        self._cache_s = cache_s
        self._terminals: dict[str, tuple[float, Terminal | None, Ed25519PublicKey | None]] = {}
        self._refusals = RefusalCounter()

    def _terminal(self, terminal_id: str) -> tuple[Terminal | None, Ed25519PublicKey | None]:
        now = time.monotonic()
        cached = self._terminals.get(terminal_id)
        if cached is not None and now - cached[0] < self._cache_s:
            return cached[1], cached[2]
        terminal = self._store.terminal(terminal_id)
        key = public_key_from_text(terminal.public_key) if terminal is not None else None
        if len(self._terminals) > 10_000:
            self._terminals.clear()
        self._terminals[terminal_id] = (now, terminal, key)
        return terminal, key

    def authenticate(self, req: Request) -> tuple[RequestAuth, Terminal] | Reply:
        """The verified headers and the terminal, or the signed refusal."""
        try:
            auth = read_auth_headers(req.headers)
        except BadSignature as exc:
            return self.refuse(req, ErrorCode.BAD_SIGNATURE, str(exc), "")
        terminal, key = self._terminal(auth.terminal_id)
        if terminal is None or key is None:
            return self.refuse(req, ErrorCode.UNKNOWN_TERMINAL, None, auth.nonce, auth.terminal_id)
        if not terminal.enabled:
            return self.refuse(req, ErrorCode.TERMINAL_DISABLED, None, auth.nonce, auth.terminal_id)
        try:
            verify_request(key, method=req.method, path=req.path, headers=req.headers, body=req.body)
        except BadSignature as exc:
            return self.refuse(req, ErrorCode.BAD_SIGNATURE, str(exc), auth.nonce, auth.terminal_id)
        if abs(self._clock() - auth.timestamp) > TIMESTAMP_WINDOW_S:
            return self.refuse(req, ErrorCode.STALE, None, auth.nonce, auth.terminal_id)
        return auth, terminal

    def refuse(
        self, req: Request, code: ErrorCode, message: str | None, nonce: str, terminal_id: str = ""
    ) -> Reply:
        """The signed refusal of an unauthenticated request: counted, logged at a bounded rate,
        never written to the database (a flood of them must not cost what a payment costs)."""
        self._refusals.note(f"{code.value} terminal={terminal_id[:64] or '-'}")
        outcome = error(code, message)
        return Reply(outcome.status, json_bytes(outcome.payload), nonce)

    def refusal_counts(self) -> dict[str, int]:
        """Refused requests per reason and claimed terminal since start (for health and tests)."""
        return self._refusals.totals()


# A summary line per refusal reason at most this often: a flood costs a counter, not a log line each.
REFUSAL_LOG_EVERY_S = 10.0


class RefusalCounter:
    """Counts refusals by key and logs each key at most once per :data:`REFUSAL_LOG_EVERY_S`."""

    def __init__(self, every_s: float = REFUSAL_LOG_EVERY_S) -> None:
        self._every_s = every_s
        self._total: dict[str, int] = {}
        self._unlogged: dict[str, int] = {}
        self._logged_at: dict[str, float] = {}

    def note(self, key: str) -> None:
        if len(self._total) > 10_000:  # random terminal ids must not grow memory without bound
            key = "other"
        self._total[key] = self._total.get(key, 0) + 1
        self._unlogged[key] = self._unlogged.get(key, 0) + 1
        now = time.monotonic()
        if now - self._logged_at.get(key, -self._every_s) >= self._every_s:
            log.warning("refused %d unauthenticated request(s): %s", self._unlogged.pop(key), key)
            self._logged_at[key] = now

    def totals(self) -> dict[str, int]:
        return dict(self._total)
