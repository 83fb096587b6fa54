"""The wire format shared by the terminal's client and the ledger: one definition each.

- JSON bodies are canonical: sorted keys, no spaces, UTF-8 (:func:`json_bytes`), and are read
  strictly: a duplicate key, ``NaN`` or ``Infinity`` is not JSON here (:func:`loads_strict`).
- Times are ISO 8601 UTC with microseconds and a ``Z`` (:func:`iso_time`); they sort as text.
- Ids (transfers, customers, cashiers, terminals) match :data:`ID_PATTERN`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "AUDIT_ANCHOR_HEADER",
    "ID_PATTERN",
    "TIME_FORMAT",
    "WireError",
    "anchor_message",
    "from_iso_time",
    "iso_time",
    "json_bytes",
    "loads_strict",
    "normalise_time",
]

# One id grammar for every id that crosses the wire: short, printable, no spaces or slashes.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
# The one time format on the wire (microseconds so that the ledger's records sort by time).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class WireError(ValueError):
    """Bytes or text that are not in the wire format."""


def json_bytes(obj: object) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8 (request and response bodies)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise WireError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> None:
    raise WireError(f"{name} is not JSON")


def loads_strict(raw: bytes) -> Any:
    """Parse UTF-8 JSON, refusing duplicate keys and non-finite numbers (:class:`WireError`)."""
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except WireError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError("not valid UTF-8 JSON") from exc


def iso_time(ts: float) -> str:
    """ISO 8601 UTC with microseconds, e.g. ``2024-05-01T12:00:00.123456Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime(TIME_FORMAT)


def from_iso_time(text: str) -> datetime:
    """An aware datetime from a wire time (or any ISO 8601 time; naive means UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def normalise_time(text: str) -> str:
    """Any ISO 8601 time as a wire time; :class:`WireError` when it is not one or out of range."""
    try:
        return from_iso_time(text).astimezone(UTC).strftime(TIME_FORMAT)
    except (ValueError, OverflowError) as exc:
        raise WireError(f"{text[:64]!r} is not an ISO 8601 time in range") from exc


# A response that posts money carries the ledger's signed audit head in this header:
# ``seq;hash;at;signature`` (signature: base64 Ed25519 by the ledger key over anchor_message).
AUDIT_ANCHOR_HEADER = "FacePay-Audit-Anchor"


def anchor_message(seq: int, hash_: str, at: str) -> bytes:
    """The bytes an audit anchor's signature covers ("line ``seq`` of the audit log has ``hash_``")."""
    return f"facepay-audit-anchor-v1\n{seq}\n{hash_}\n{at}".encode("ascii")
