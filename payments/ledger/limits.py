"""Limits the ledger's HTTP server puts on every connection (enforced by ``_wire.py``).

uvicorn (with httptools) provides the keep-alive timeout and a 503 when too many
requests run at once, but no limit on header size or count, no header or body
read timeout and no cap on open connections. :class:`GuardedHttpToolsProtocol`
(``_wire.py``) adds those on top of uvicorn's own protocol:

- a request head (request line and headers) larger than ``max_header_bytes`` or
  with more than ``max_headers`` fields: 431 and the connection is closed;
- a head not complete ``header_timeout_s`` after the connection opened (or the
  request's first byte arrived): 408, closed (a slow or endless header);
- a body not complete ``body_timeout_s`` after its head: 408, closed (a slow body);
- more than ``max_connections`` open connections in this worker: the new one gets
  a 503 at once and is closed, so file descriptors never run out;
- a connection closes after ``max_requests_per_connection`` requests or
  ``keep_alive_s`` seconds idle.

These refusals happen before any request reaches the ledger, so they are not
signed: a terminal treats them as no answer and retries with the same key.
The limits travel to uvicorn's worker processes in the ``FACEPAY_LEDGER_LIMITS``
environment variable (JSON), set by ``facepay ledger serve``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import resource
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BODY_TIMEOUT_S",
    "ENV_LIMITS",
    "FD_RESERVE",
    "HEADER_TIMEOUT_S",
    "KEEP_ALIVE_S",
    "MAX_CONNECTIONS",
    "ServerLimits",
    "raise_fd_limit",
]

log = logging.getLogger(__name__)

ENV_LIMITS = "FACEPAY_LEDGER_LIMITS"

# A signed ledger request's head is under 1 KiB; 16 KiB leaves room for a proxy's headers.
MAX_HEADER_BYTES = 16 * 1024
# Signed requests carry about 10 headers; 64 is generous and keeps parsing cheap.
MAX_HEADERS = 64
# A terminal sends its whole head in one packet; 10 s covers a congested shop uplink.
HEADER_TIMEOUT_S = 10.0
# A body is at most 16 KiB (MAX_BODY_BYTES); 10 s to send it is a very slow link already.
BODY_TIMEOUT_S = 10.0
# uvicorn's default: an idle terminal reconnects cheaply, an idle socket costs a descriptor.
KEEP_ALIVE_S = 5
# Bounds a connection's life without costing the bench's long keep-alive runs anything.
MAX_REQUESTS_PER_CONNECTION = 10_000
# Per worker: well under the raised descriptor limit (65,536 where allowed), far over what
# a few hundred terminals with one connection each need.
MAX_CONNECTIONS = 2_000
# Descriptors a worker needs besides client sockets (database, WAL, logs, listening socket).
FD_RESERVE = 64
# The soft limit asked for at start (up to the hard limit).
WANTED_FDS = 65_536


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """What one ledger worker accepts on the wire.

    Attributes:
        max_header_bytes: largest request head (request line + headers), bytes.
        max_headers: most header fields in one request.
        header_timeout_s: time from connection (or a request's first byte) to its complete head.
        body_timeout_s: time from a complete head to the complete body.
        keep_alive_s: an idle keep-alive connection is closed after this.
        max_requests_per_connection: a connection is closed after this many requests.
        max_connections: open connections per worker; the next one gets a 503.
        server_timing: add a ``Server-Timing`` header (auth and db milliseconds) to replies.
    """

    max_header_bytes: int = MAX_HEADER_BYTES
    max_headers: int = MAX_HEADERS
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    keep_alive_s: int = KEEP_ALIVE_S
    max_requests_per_connection: int = MAX_REQUESTS_PER_CONNECTION
    max_connections: int = MAX_CONNECTIONS
    server_timing: bool = False

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "server_timing" and not (value > 0 and math.isfinite(value)):
                raise ValueError(f"server limit {f.name} must be a positive number, not {value!r}")

    def to_env(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerLimits:
        text = (os.environ if environ is None else environ).get(ENV_LIMITS)
        if not text:
            return cls()
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def raise_fd_limit(wanted: int = WANTED_FDS) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (never above the hard
    limit); returns the soft limit in force. Child processes inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-file limit from %d to %d: %s", soft, target, exc)
    return soft
