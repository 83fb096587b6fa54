"""The wire format shared by the terminal's client and the ledger: one definition each.

- JSON bodies are canonical: sorted keys, no spaces, UTF-8 (:func:`json_bytes`), and are read
  strictly: a duplicate key, ``NaN`` or ``Infinity`` is not JSON here (:func:`loads_strict`).
- Times are ISO 8601 UTC with microseconds and a ``Z`` (:func:`iso_time`); they sort as text.
- A transfer is :class:`LedgerTransfer` on both sides: the ledger answers its
  :meth:`~LedgerTransfer.to_json`, the client reads it with :meth:`~LedgerTransfer.from_json`.
- Ids (transfers, customers, cashiers, terminals) match :data:`ID_PATTERN`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from payments.money import Money, MoneyError

__all__ = [
    "AUDIT_ANCHOR_HEADER",
    "ID_PATTERN",
    "TIME_FORMAT",
    "LedgerTransfer",
    "WireError",
    "anchor_message",
    "anchor_text",
    "from_iso_time",
    "iso_time",
    "json_bytes",
    "loads_strict",
    "normalise_time",
    "utc_now",
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


def utc_now() -> str:
    """The current time as a wire time."""
    return datetime.now(UTC).strftime(TIME_FORMAT)


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


@dataclass(frozen=True, slots=True)
class LedgerTransfer:
    """One transfer as the ledger reports it on the wire (the ledger's stored record says more).

    Attributes:
        transfer_id: the transfer's id (the terminal's own id when it chose one).
        kind: debit, refund, void or topup.
        status: pending, posted, voided or declined.
        amount: the amount.
        customer_id: the customer, if any.
        terminal_id: the terminal that asked, if any.
        cashier_id: the cashier who authorised a refund or void.
        merchant_ref: the merchant's reference.
        idempotency_key: the key of the request that created it.
        original_transfer_id: the debit a refund or void undoes.
        decline_code: the code of a declined record.
        evidence_json: canonical JSON of the evidence sent with it.
        created_at: ISO 8601 UTC time at the ledger.
        merchant_id: the merchant the money went to, if any.
    """

    transfer_id: str
    kind: str
    status: str
    amount: Money
    customer_id: str | None
    terminal_id: str | None
    cashier_id: str | None
    merchant_ref: str
    idempotency_key: str | None
    original_transfer_id: str | None
    decline_code: str | None
    evidence_json: str
    created_at: str
    merchant_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The wire form: what the ledger answers and :meth:`from_json` reads."""
        return {
            "transfer_id": self.transfer_id,
            "kind": self.kind,
            "status": self.status,
            "amount": self.amount.to_json(),
            "customer_id": self.customer_id,
            "merchant_id": self.merchant_id,
            "terminal_id": self.terminal_id,
            "cashier_id": self.cashier_id,
            "merchant_ref": self.merchant_ref,
            "idempotency_key": self.idempotency_key,
            "original_transfer_id": self.original_transfer_id,
            "decline_code": self.decline_code,
            "evidence": json.loads(self.evidence_json),
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, obj: object) -> LedgerTransfer:
        """Read the ledger's transfer JSON; ValueError when it is not one."""
        if not isinstance(obj, dict):
            raise ValueError("a transfer is a JSON object")
        try:

            def text(name: str) -> str:
                value = obj[name]
                if not isinstance(value, str):
                    raise ValueError(f"transfer field {name} must be text")
                return value

            def maybe(name: str) -> str | None:
                value = obj.get(name)
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"transfer field {name} must be text or null")
                return value

            return cls(
                transfer_id=text("transfer_id"),
                kind=text("kind"),
                status=text("status"),
                amount=Money.from_json(obj["amount"]),
                customer_id=maybe("customer_id"),
                terminal_id=maybe("terminal_id"),
                cashier_id=maybe("cashier_id"),
                merchant_ref=maybe("merchant_ref") or "",
                idempotency_key=maybe("idempotency_key"),
                original_transfer_id=maybe("original_transfer_id"),
                decline_code=maybe("decline_code"),
                evidence_json=json_bytes(obj.get("evidence") or {}).decode("utf-8"),
                created_at=text("created_at"),
                merchant_id=maybe("merchant_id"),
            )
        except (KeyError, MoneyError) as exc:
            raise ValueError(f"not a transfer: {exc}") from exc


# A response that posts money carries the ledger's signed audit head in this header:
# ``seq;hash;at;signature`` (signature: base64 Ed25519 by the ledger key over anchor_message).
AUDIT_ANCHOR_HEADER = "FacePay-Audit-Anchor"


def anchor_text(anchor: Mapping[str, object]) -> str:
    """An audit anchor's JSON as the terminal's journal and the anchor files store it: sorted
    keys with the default separators (not :func:`json_bytes`: stored anchors keep this form)."""
    return json.dumps(anchor, sort_keys=True)


def anchor_message(seq: int, hash_: str, at: str) -> bytes:
    """The bytes an audit anchor's signature covers ("line ``seq`` of the audit log has ``hash_``")."""
    return f"facepay-audit-anchor-v1\n{seq}\n{hash_}\n{at}".encode("ascii")
