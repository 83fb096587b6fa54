"""uvicorn's httptools protocol with the ledger's wire limits (see ``limits.py``)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from payments.ledger.limits import ServerLimits

__all__ = ["GuardedHttpToolsProtocol"]

log = logging.getLogger(__name__)


# Refusals are logged as counts at most this often, so a flood cannot flood the log too.
REFUSAL_LOG_EVERY_S = 10.0


class _RefusalLog:
    """Counts refusals by reason; one warning line per REFUSAL_LOG_EVERY_S at most."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._last = 0.0

    def note(self, reason: str) -> None:
        self._counts[reason] = self._counts.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._last >= REFUSAL_LOG_EVERY_S:
            summary = ", ".join(f"{n} {why}" for why, n in sorted(self._counts.items()))
            log.warning("connections refused on the wire since the last report: %s", summary)
            self._counts.clear()
            self._last = now


_refusals = _RefusalLog()


@cache
def _limits() -> ServerLimits:
    return ServerLimits.from_env()


_Refusal = tuple[str, bytes]


def _refusal(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


_TOO_MANY_CONNECTIONS = (
    "too many connections",
    _refusal(
        503, "Service Unavailable", "unavailable", "too many open connections to this ledger; retry shortly"
    ),
)
_HEAD_TOO_LARGE = (
    "header too large",
    _refusal(
        431, "Request Header Fields Too Large", "headers_too_large", "request headers too large or too many"
    ),
)
_HEAD_TIMEOUT = (
    "header timeout",
    _refusal(408, "Request Timeout", "request_timeout", "the request headers came too slowly"),
)
_BODY_TIMEOUT = (
    "body timeout",
    _refusal(408, "Request Timeout", "request_timeout", "the request body came too slowly"),
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of :class:`ServerLimits`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = _limits()
        self._head_bytes = 0
        self._head_fields = 0
        self._in_head = True
        self._requests = 0
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None

    # --- connection -----------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections:
            self._refuse(_TOO_MANY_CONNECTIONS)
            return
        self._arm(self._limits.header_timeout_s, _HEAD_TIMEOUT)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > self._limits.max_header_bytes and not self._refused:
            self._refuse(_HEAD_TOO_LARGE)

    # --- parser callbacks -----------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_fields = 0
        if self._timer is None:  # a keep-alive connection's next request
            self._arm(self._limits.header_timeout_s, _HEAD_TIMEOUT)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_fields += 1
        if self._head_fields <= self._limits.max_headers:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        if self._head_fields > self._limits.max_headers:
            self._refuse(_HEAD_TOO_LARGE)
            return
        self._in_head = False
        self._head_bytes = 0
        self._arm(self._limits.body_timeout_s, _BODY_TIMEOUT)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._requests += 1
        super().on_response_complete()
        if self._requests >= self._limits.max_requests_per_connection and not self.pipeline:
            self._unset_keepalive_if_required()
            self.transport.close()

    # --- limits ---------------------------------------------------------------
    def _arm(self, after_s: float, answer: _Refusal) -> None:
        self._disarm()
        self._timer = self.loop.call_later(after_s, self._refuse, answer)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _refuse(self, refusal: _Refusal) -> None:
        """Answer the refusal (unless a response has started) and close the connection."""
        self._disarm()
        self._refused = True
        if self.transport.is_closing():
            return
        reason, answer = refusal
        _refusals.note(reason)
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self.transport.write(answer)
        else:
            if not cycle.response_started:
                self.transport.write(answer)
            cycle.disconnected = True  # the app's late reply goes nowhere
            cycle.message_event.set()
        self.transport.close()
