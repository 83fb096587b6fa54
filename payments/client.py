"""The terminal's client of the ledger service (see payments/PROTOCOL.md).

Every request is signed with the terminal key (:mod:`payments.signing`); every
response must carry a valid ``FacePay-Ledger-Signature`` over its status, the
request's nonce and its body. An unsigned or mis-signed response is treated as no
answer at all: it can be retried, and it never counts as an approval or a decline.

What the client raises says exactly one thing about the transfer::

    LedgerClientError(Exception)
    ├── LedgerUnreachable           no trustworthy answer: retry with the same key and body
    │   ├── LedgerTimeout           connect or read timed out (the ledger may have committed)
    │   ├── LedgerServerError       a signed 5xx (store unavailable, internal error)
    │   └── BadLedgerSignature      unsigned, mis-signed or unreadable response
    ├── LedgerRefused               the ledger would not look at the request (authentication,
    │                               clock skew, replayed nonce, key reused with another body):
    │                               says nothing about the transfer itself
    ├── LedgerConfigError           the terminal's key, the ledger key or the URL cannot be used
    └── Declined(code, message, details)
                                    the ledger's final answer for this idempotency key

``Declined`` is only raised for answers the ledger stores under the idempotency key
(a retry gets the same answer), so it is safe to record as final. httpx errors are
translated here, with the original chained (``raise ... from exc``).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from cryptography.exceptions import InvalidSignature

from payments._crash import crash_point
from payments.pinblock import X25519PublicKey, pin_public_key_from_text
from payments.signing import (
    HEADER_LEDGER_SIGNATURE,
    BadSignature,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    KeyFileError,
    load_private_key,
    load_public_key,
    new_nonce,
    public_key_from_text,
    public_key_text,
    sign_request,
    verify_response,
)
from payments.wire import (
    AUDIT_ANCHOR_HEADER,
    LedgerTransfer,
    anchor_message,
    from_iso_time,
    iso_time,
    loads_strict,
)

__all__ = [
    "NOT_ABOUT_THE_TRANSFER",
    "AuditAnchor",
    "BadLedgerSignature",
    "Declined",
    "LedgerClient",
    "LedgerClientError",
    "LedgerConfigError",
    "LedgerEnrolment",
    "LedgerErasure",
    "LedgerListing",
    "LedgerRefused",
    "LedgerServerError",
    "LedgerTimeout",
    "LedgerTransfer",
    "LedgerUnreachable",
]

log = logging.getLogger(__name__)

# Error codes the ledger answers before it looks at the idempotency key, or without
# storing the answer under it: a retry may get a different answer, so these are never
# taken as a decline of the transfer.
NOT_ABOUT_THE_TRANSFER = frozenset(
    {
        "bad_signature",
        "unknown_terminal",
        "terminal_disabled",
        "stale",
        "replay",
        "idempotency_mismatch",
        "missing_idempotency_key",
        "body_too_large",
        "not_found",
        "method_not_allowed",
    }
)
# httpx failures that happen before a connection carries the request: nothing was sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A day's listing is split in halves until no part is truncated; this bounds the splitting.
_MAX_LISTING_SPLITS = 12


class LedgerClientError(Exception):
    """Base class of ledger client errors."""


class LedgerUnreachable(LedgerClientError):
    """No trustworthy answer from the ledger; retrying with the same key and body is safe.

    Attributes:
        maybe_delivered: False only when the request's bytes cannot have reached the ledger
            (no connection was ever made), so it cannot have been committed.
    """

    def __init__(self, message: str, *, maybe_delivered: bool = True) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class LedgerTimeout(LedgerUnreachable):
    """The ledger did not answer in time (it may have committed the request)."""


class LedgerServerError(LedgerUnreachable):
    """The ledger answered with a signed 5xx."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"ledger error {status} {code}: {message}")
        self.status = status
        self.code = code


class BadLedgerSignature(LedgerUnreachable):
    """The response was unsigned, mis-signed or unreadable: treated as no answer."""


class LedgerRefused(LedgerClientError):
    """The ledger refused to consider the request; nothing is known about the transfer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"ledger refused the request ({status} {code}): {message}")
        self.status = status
        self.code = code


class LedgerConfigError(LedgerClientError):
    """The terminal key, the ledger's public key or the ledger URL cannot be used."""


class Declined(LedgerClientError):
    """The ledger's final answer to this request: it moved no money.

    Attributes:
        code: the protocol error code (``insufficient_funds``, ``wrong_pin``, ...).
        message: the ledger's message.
        details: the whole error payload (may name the declined ``transfer_id``).
    """

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = dict(details or {})


@dataclass(frozen=True, slots=True)
class LedgerEnrolment:
    """The ledger's record of a face enrolment (``POST /v1/enrolments``).

    Attributes:
        customer_id: the enrolled customer.
        linked_at: ISO 8601 UTC time at the ledger.
        relinked: True when the customer was enrolled before.
        cashier_id: the cashier who authorised it.
        consent_version: the consent text version recorded with it.
        pin_set: True when an enrolment code set a new PIN; False when the account's PIN stayed.
    """

    customer_id: str
    linked_at: str
    relinked: bool
    cashier_id: str
    consent_version: str
    pin_set: bool = False


@dataclass(frozen=True, slots=True)
class LedgerErasure:
    """The ledger's receipt for an erased face link (``POST /v1/enrolments/{id}/erase``).

    Attributes:
        customer_id: whose link was erased.
        was_linked: False when there was no link to erase (the PIN and name went anyway).
        erased_at: ISO 8601 UTC time at the ledger.
        audit_seq: the ledger audit line recording the erasure.
        audit_hash: that line's chain hash (the proof).
    """

    customer_id: str
    was_linked: bool
    erased_at: str
    audit_seq: int
    audit_hash: str


@dataclass(frozen=True, slots=True)
class LedgerListing:
    """A terminal's transfers over a time range.

    Attributes:
        terminal_id: whose transfers.
        start: first instant (inclusive), ISO UTC.
        end: last instant (exclusive), ISO UTC.
        transfers: oldest first.
    """

    terminal_id: str
    start: str
    end: str
    transfers: tuple[LedgerTransfer, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    payload: Any


@dataclass(frozen=True, slots=True)
class AuditAnchor:
    """The ledger's signed audit head, as an answer that posted money carried it. Kept outside
    the ledger's database (in the terminal's journal), it lets ``facepay ledger audit-verify
    --anchors`` catch a cut or rewritten audit log.

    Attributes:
        seq: the audit line number.
        hash: that line's chain hash.
        at: when the ledger signed it.
        signature: base64 Ed25519 by the ledger key over ``payments.wire.anchor_message``.
    """

    seq: int
    hash: str
    at: str
    signature: str

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at, "signature": self.signature}


class LedgerClient:
    """Signed HTTP calls to one ledger, on behalf of one terminal. Blocking; thread-safe."""

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        key: Ed25519PrivateKey,
        ledger_key: Ed25519PublicKey,
        *,
        timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not terminal_id:
            raise LedgerConfigError("the terminal id is empty (ledger.terminal_id)")
        if not base_url.startswith(("http://", "https://")):
            raise LedgerConfigError(f"ledger URL {base_url!r} must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self._key = key
        self._ledger_key = ledger_key
        self._clock = clock
        # The newest audit anchor (signed audit head) seen on an answer that posted money.
        self.latest_anchor: AuditAnchor | None = None
        self._pin_key: X25519PublicKey | None = None
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    @classmethod
    def from_files(
        cls,
        base_url: str,
        terminal_id: str,
        key_file: Path,
        ledger_pub: Path,
        *,
        timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> LedgerClient:
        """A client with the terminal key and the ledger's public key read from PEM files."""
        try:
            key, ledger_key = load_private_key(Path(key_file)), load_public_key(Path(ledger_pub))
        except KeyFileError as exc:
            raise LedgerConfigError(str(exc)) from exc
        return cls(base_url, terminal_id, key, ledger_key, timeout_s=timeout_s, transport=transport)

    def _keep_anchor(self, header: str | None) -> None:
        """Keep a ledger-signed audit head (``seq;hash;at;signature``); ignore a bad one."""
        if not header:
            return
        try:
            seq_text, hash_, at, signature = header.split(";")
            seq = int(seq_text)
            self._ledger_key.verify(base64.b64decode(signature), anchor_message(seq, hash_, at))
        except (ValueError, InvalidSignature, UnicodeEncodeError):
            log.warning("an audit anchor that does not verify was ignored")
            return
        if self.latest_anchor is None or seq > self.latest_anchor.seq:
            self.latest_anchor = AuditAnchor(seq, hash_, at, signature)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LedgerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol's calls -----------------------------------------------------

    def health(self) -> bool:
        """True when the ledger answers its health check with a signed 200."""
        answer = self._call("GET", "/v1/health", signed=False)
        return answer.status == 200

    def ledger_time(self) -> str:
        """The ledger's clock (ISO UTC) from its signed health answer, for clock-skew checks."""
        answer = self._call("GET", "/v1/health", signed=False)
        payload = answer.payload
        if answer.status != 200 or not isinstance(payload, dict) or not isinstance(payload.get("time"), str):
            raise BadLedgerSignature(f"unexpected health answer ({answer.status})")
        return str(payload["time"])

    def pin_key(self) -> X25519PublicKey:
        """The ledger's PIN-block key, from its signed ``GET /v1/keys`` (cached)."""
        if self._pin_key is None:
            answer = self._call("GET", "/v1/keys", signed=False)
            payload = answer.payload
            if answer.status != 200 or not isinstance(payload, dict):
                raise BadLedgerSignature(f"unexpected answer to GET /v1/keys ({answer.status})")
            signing = payload.get("signing_key")
            if not isinstance(signing, str) or public_key_text(
                public_key_from_text(signing)
            ) != public_key_text(self._ledger_key):
                raise LedgerConfigError("the ledger's signing key differs from ledger.pub")
            try:
                self._pin_key = pin_public_key_from_text(str(payload.get("pin_key", "")))
            except ValueError as exc:
                raise BadLedgerSignature("the ledger's PIN key is unreadable") from exc
        return self._pin_key

    def post_transfer(self, path: str, body: bytes, idempotency_key: str) -> LedgerTransfer:
        """POST a debit, refund or void body; the transfer the ledger made, or Declined."""
        answer = self._call("POST", path, body=body, idempotency_key=idempotency_key)
        return self._transfer_of(answer)

    def debit(self, body: bytes, idempotency_key: str) -> LedgerTransfer:
        return self.post_transfer("/v1/debits", body, idempotency_key)

    def refund(self, body: bytes, idempotency_key: str) -> LedgerTransfer:
        return self.post_transfer("/v1/refunds", body, idempotency_key)

    def void(self, body: bytes, idempotency_key: str) -> LedgerTransfer:
        return self.post_transfer("/v1/voids", body, idempotency_key)

    def reverse(self, body: bytes, idempotency_key: str) -> LedgerTransfer:
        """``POST /v1/reversals``: the terminal takes back its own debit (no cashier), as card
        terminals reverse after a timeout. The void transfer, or ``Declined``
        (``unknown_transfer``: nothing was posted; ``not_voidable``: refunded or voided already).
        """
        return self.post_transfer("/v1/reversals", body, idempotency_key)

    def verify_cashier(self, body: bytes, idempotency_key: str) -> str:
        """``POST /v1/cashiers/verify``: a cashier signing in; returns the cashier id.

        Raises ``Declined`` (``wrong_pin``, ``pin_locked`` with ``retry_after_s`` in its
        details, ``unknown_cashier``) when the ledger refuses; the attempt counts towards the
        cashier's lockout either way.
        """
        answer = self._call("POST", "/v1/cashiers/verify", body=body, idempotency_key=idempotency_key)
        payload = answer.payload
        if answer.status != 200 or not isinstance(payload, dict) or payload.get("verified") is not True:
            raise BadLedgerSignature(f"unexpected cashier answer ({answer.status})")
        return str(payload.get("cashier_id", ""))

    def enrol(self, body: bytes, idempotency_key: str) -> LedgerEnrolment:
        """``POST /v1/enrolments``: link a face enrolment with the account holder's proof (the
        account's PIN, or a one-time enrolment code that sets a new PIN).

        Raises ``Declined`` (``wrong_pin``/``pin_locked`` of the shopper or the cashier,
        ``bad_enrolment_code``, ``proof_required``, ``unknown_cashier``, ``unknown_customer``,
        ``customer_disabled``, ``bad_pin_block``, ``malformed``).
        """
        answer = self._call("POST", "/v1/enrolments", body=body, idempotency_key=idempotency_key)
        payload = answer.payload
        if answer.status != 201 or not isinstance(payload, dict) or payload.get("linked") is not True:
            raise BadLedgerSignature(f"unexpected enrolment answer ({answer.status})")
        return LedgerEnrolment(
            str(payload.get("customer_id", "")),
            str(payload.get("linked_at", "")),
            bool(payload.get("relinked")),
            str(payload.get("cashier_id", "")),
            str(payload.get("consent_version", "")),
            payload.get("pin_set") is True,
        )

    def erase_enrolment(self, customer_id: str, body: bytes, idempotency_key: str) -> LedgerErasure:
        """``POST /v1/enrolments/{customer_id}/erase``: remove the face link; the ledger's receipt.

        Raises ``Declined`` (``unknown_customer``, ``proof_required``, the shopper's or the
        cashier's ``wrong_pin`` ...).
        """
        answer = self._call(
            "POST", f"/v1/enrolments/{customer_id}/erase", body=body, idempotency_key=idempotency_key
        )
        payload = answer.payload
        if answer.status != 200 or not isinstance(payload, dict) or payload.get("erased") is not True:
            raise BadLedgerSignature(f"unexpected erasure answer ({answer.status})")
        seq = payload.get("audit_seq")
        return LedgerErasure(
            str(payload.get("customer_id", "")),
            bool(payload.get("was_linked")),
            str(payload.get("erased_at", "")),
            seq if isinstance(seq, int) else 0,
            str(payload.get("audit_hash", "")),
        )

    def transfer(self, transfer_id: str) -> LedgerTransfer | None:
        """Read one transfer back; None when the ledger has no such transfer."""
        try:
            answer = self._call("GET", f"/v1/transfers/{transfer_id}")
        except Declined as exc:
            if exc.code in {"unknown_transfer", "not_found"}:
                return None
            raise
        return self._transfer_of(answer)

    def cashier_known(self, cashier_id: str) -> bool:
        """Whether ``cashier_id`` is a cashier of this terminal's merchant (a signed read; says
        nothing about the cashier's PIN)."""
        try:
            answer = self._call("GET", f"/v1/cashiers/{quote(cashier_id, safe='')}")
        except Declined as exc:
            if exc.code == "unknown_cashier":
                return False
            raise
        return answer.status == 200

    def list_transfers(
        self, start: str, end: str, terminal_id: str | None = None, *, _depth: int = 0
    ) -> LedgerListing:
        """Transfers of a terminal (default: this one) created in ``[start, end)``."""
        wanted = terminal_id or self.terminal_id
        query = urlencode({"terminal": wanted, "from": start, "to": end})
        answer = self._call("GET", f"/v1/transfers?{query}")
        payload = answer.payload
        if (
            answer.status != 200
            or not isinstance(payload, dict)
            or not isinstance(payload.get("transfers"), list)
        ):
            raise BadLedgerSignature(f"unexpected listing answer ({answer.status})")
        if payload.get("truncated") and _depth < _MAX_LISTING_SPLITS:
            middle = _midpoint(str(payload.get("from", start)), str(payload.get("to", end)))
            first = self.list_transfers(start, middle, wanted, _depth=_depth + 1)
            second = self.list_transfers(middle, end, wanted, _depth=_depth + 1)
            return LedgerListing(wanted, start, end, first.transfers + second.transfers)
        try:
            transfers = tuple(LedgerTransfer.from_json(t) for t in payload["transfers"])
        except ValueError as exc:
            raise BadLedgerSignature(f"unreadable listing: {exc}") from exc
        return LedgerListing(wanted, start, end, transfers)

    # --- plumbing -------------------------------------------------------------------

    def _transfer_of(self, answer: _Answer) -> LedgerTransfer:
        if answer.status not in (200, 201):
            raise BadLedgerSignature(f"unexpected status {answer.status} for a transfer")
        try:
            return LedgerTransfer.from_json(answer.payload)
        except ValueError as exc:
            raise BadLedgerSignature(f"signed but unreadable transfer: {exc}") from exc

    def _call(
        self, method: str, path: str, *, body: bytes = b"", idempotency_key: str = "", signed: bool = True
    ) -> _Answer:
        request = self._http.build_request(
            method, path, content=body or None, headers={"Content-Type": "application/json"} if body else None
        )
        raw_path = request.url.raw_path.decode("ascii")
        if signed:
            auth = sign_request(
                self._key,
                terminal_id=self.terminal_id,
                method=method,
                path=raw_path,
                body=body,
                idempotency_key=idempotency_key,
                timestamp=int(self._clock()),
            )
        else:
            auth = {"FacePay-Nonce": new_nonce()}
        request.headers.update(auth)
        nonce = auth["FacePay-Nonce"]
        try:
            response = self._http.send(request)
        except httpx.TimeoutException as exc:
            raise LedgerTimeout(
                f"{method} {path}: no answer within the timeout ({exc})",
                maybe_delivered=not isinstance(exc, _NOT_SENT),
            ) from exc
        except httpx.TransportError as exc:
            raise LedgerUnreachable(
                f"{method} {path}: {type(exc).__name__}: {exc}",
                maybe_delivered=not isinstance(exc, _NOT_SENT),
            ) from exc
        if method == "POST":
            crash_point("after_send")
        try:
            verify_response(
                self._ledger_key,
                response.status_code,
                nonce,
                response.content,
                response.headers.get(HEADER_LEDGER_SIGNATURE),
            )
        except BadSignature as exc:
            raise BadLedgerSignature(
                f"{method} {path}: {exc} (status {response.status_code}); treated as no answer"
            ) from exc
        self._keep_anchor(response.headers.get(AUDIT_ANCHOR_HEADER))
        try:
            payload = loads_strict(response.content) if response.content else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadLedgerSignature(f"{method} {path}: signed answer is not JSON") from exc
        status = response.status_code
        if status < 400:
            return _Answer(status, payload)
        code, message = _error_of(payload)
        if status >= 500:
            raise LedgerServerError(status, code, message)
        if code in NOT_ABOUT_THE_TRANSFER or status == 401:
            raise LedgerRefused(status, code, message)
        raise Declined(code, message, payload if isinstance(payload, dict) else None)


def _error_of(payload: Any) -> tuple[str, str]:
    err = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(err, dict):
        return str(err.get("code", "unknown")), str(err.get("message", ""))
    return "unknown", "the ledger gave no error object"


def _midpoint(start: str, end: str) -> str:
    return iso_time((from_iso_time(start).timestamp() + from_iso_time(end).timestamp()) / 2)
