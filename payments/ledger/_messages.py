"""One request and its answer as the ledger sees them, and strict reading of request bodies.

A request that cannot be read is refused with :class:`BadInput` before any store work; an
action's answer is an :class:`Outcome` (status, payload, what the audit line records).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from payments.ledger.errors import ErrorCode
from payments.ledger.records import Terminal, Transfer
from payments.money import InvalidAmount, Money, MoneyError
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN, WireError, loads_strict, normalise_time

if TYPE_CHECKING:
    from payments.ledger.store import LedgerTx

__all__ = [
    "MAX_AMOUNT_MINOR",
    "BadInput",
    "Body",
    "Outcome",
    "Pending",
    "Reply",
    "Request",
    "Work",
    "audit_of",
    "decline",
    "error",
    "parse_body",
    "time_param",
    "transfer_id_of",
]

# Largest single transfer, minor units (1,000,000.00 in a two-decimal currency): above is absurd at a POS.
MAX_AMOUNT_MINOR = 100_000_000


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the ledger sees it.

    Attributes:
        method: upper-case HTTP method.
        path: path and query string exactly as sent (the signed form).
        headers: header names in lower case.
        body: raw body bytes.
        query: decoded query parameters.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP response before signing.

    Attributes:
        status: HTTP status code.
        body: exact body bytes.
        nonce: the request nonce the response signature covers ("" when none).
        replayed: True when this is a stored idempotent response.
        timings: milliseconds spent per phase (auth, db), for an optional Server-Timing header.
        anchor: the signed audit head after a request that posted money ("" otherwise), for
            the ``FacePay-Audit-Anchor`` header.
    """

    status: int
    body: bytes
    nonce: str = ""
    replayed: bool = False
    timings: Mapping[str, float] = field(default_factory=dict)
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action answers, before it is stored and signed.

    Attributes:
        status: HTTP status.
        payload: the JSON body.
        audit: what the audit line records about it.
    """

    status: int
    payload: Mapping[str, Any]
    audit: Mapping[str, Any]

    @property
    def code(self) -> str:
        err = self.payload.get("error")
        return str(err["code"]) if isinstance(err, dict) else str(self.payload.get("status", "ok"))


Work = Callable[["LedgerTx", float, str], Outcome]


@dataclass(frozen=True, slots=True)
class Pending:
    """An authenticated request whose store work is ready to run (see ``Ledger.admit``).

    Attributes:
        action: the action's name (debit, refund, enrol, ...).
        auth: the verified authentication headers.
        terminal: the terminal that signed the request.
        request_hash: SHA-256 of method, path and body (the idempotency fingerprint).
        work: what to do inside the transaction.
        idempotent: True for POST (an Idempotency-Key is required and the response stored).
        auth_ms: milliseconds spent authenticating.
    """

    action: str
    auth: RequestAuth
    terminal: Terminal
    request_hash: str
    work: Work
    idempotent: bool
    auth_ms: float


def error(
    code: ErrorCode, message: str | None = None, *, extra: Mapping[str, Any] | None = None, **audit: Any
) -> Outcome:
    """A refusal: the code's status, ``{"error": {"code", "message"}, **extra}``; ``audit`` is logged."""
    payload = {"error": {"code": code.value, "message": message or code.message}, **(extra or {})}
    return Outcome(code.status, payload, {**audit, **(extra or {})})


def decline(code: ErrorCode, transfer: Transfer, **extra: Any) -> Outcome:
    """A recorded decline: the error plus the declined transfer's id (and ``extra`` fields)."""
    payload = {
        "error": {"code": code.value, "message": code.message},
        "transfer_id": transfer.transfer_id,
        **extra,
    }
    return Outcome(code.status, payload, audit_of(transfer))


def audit_of(t: Transfer) -> dict[str, Any]:
    """What the audit line records of a transfer."""
    return {
        "transfer_id": t.transfer_id,
        "kind": t.kind,
        "status": t.status,
        "amount": t.amount.to_json(),
        "customer_id": t.customer_id,
        "cashier_id": t.cashier_id,
        "original_transfer_id": t.original_transfer_id,
    }


class BadInput(Exception):
    """A request body or query the ledger refuses before any store work."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Body:
    """A parsed request body with typed, validated field access.

    Attributes:
        data: the JSON object.
    """

    data: dict[str, Any]

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        max_len: int = 128,
        pattern: re.Pattern[str] | None = None,
        default: str = "",
    ) -> str:
        if name not in self.data:
            if required:
                raise BadInput(ErrorCode.MALFORMED, f"{name} is required")
            return default
        value = self.data[name]
        if not isinstance(value, str) or len(value) > max_len:
            raise BadInput(ErrorCode.MALFORMED, f"{name} must be a string of at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise BadInput(ErrorCode.MALFORMED, f"{name} must match {pattern.pattern}")
        return value

    def amount(self) -> Money:
        try:
            money = Money.from_json(self.data.get("amount"))
        except InvalidAmount as exc:
            raise BadInput(ErrorCode.INVALID_AMOUNT, str(exc)) from None
        except MoneyError as exc:
            raise BadInput(ErrorCode.UNKNOWN_CURRENCY, str(exc)) from None
        if not 1 <= money.minor <= MAX_AMOUNT_MINOR:
            raise BadInput(ErrorCode.INVALID_AMOUNT, f"amount.minor must be from 1 to {MAX_AMOUNT_MINOR}")
        return money

    def has(self, name: str) -> bool:
        """True when the field is present and not null."""
        return self.data.get(name) is not None


def parse_body(raw: bytes, allowed: set[str]) -> Body:
    """A JSON object with only ``allowed`` fields; duplicate keys and non-JSON constants refused."""
    try:
        data = loads_strict(raw)
    except WireError as exc:
        raise BadInput(ErrorCode.MALFORMED, f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadInput(ErrorCode.MALFORMED, "the body must be a JSON object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadInput(ErrorCode.MALFORMED, f"unknown field(s): {', '.join(unknown)}")
    return Body(data)


def transfer_id_of(body: Body, terminal_id: str) -> str:
    """The client's transfer id, or a fresh one.

    A client-chosen id must start with the terminal's own id and a colon (``t-1:tx_...``): a
    terminal names only its own transfers, so it can never collide with, and so learn of, a
    transfer of another terminal or merchant (no existence oracle).
    """
    chosen = body.text("transfer_id", required=False, pattern=ID_PATTERN)
    if not chosen:
        return f"tr_{secrets.token_hex(12)}"
    if not chosen.startswith(f"{terminal_id}:") or len(chosen) <= len(terminal_id) + 1:
        raise BadInput(
            ErrorCode.MALFORMED, f"transfer_id must start with {terminal_id}: (the terminal's own id)"
        )
    return chosen


def time_param(query: Mapping[str, str], name: str) -> str | None:
    """A query time as a wire time; None when absent; :class:`BadInput` when not a time in range."""
    text = query.get(name)
    if text is None:
        return None
    try:
        return normalise_time(text)
    except WireError:
        raise BadInput(
            ErrorCode.MALFORMED, f"{name} must be an ISO 8601 time such as 2024-05-01T00:00:00Z"
        ) from None
