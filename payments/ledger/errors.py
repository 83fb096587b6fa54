"""Errors of the ledger service and the one table of protocol error codes.

Exceptions::

    LedgerError(Exception)
    ├── StoreError                  a database failure (sqlite3 / psycopg errors are translated here)
    │   ├── StoreConflict           a transaction lost a race (serialisation, lock, duplicate); retry it
    │   ├── BatchBroken             a statement of a group-committed batch failed where its request
    │   │                           cannot be told: undo the batch, run its requests one by one
    │   └── StoreConfigError        a database URL or schema that cannot be used
    ├── AdminError                  an admin command that cannot be carried out (unknown id, duplicate)
    └── LedgerKeyError              the ledger key file is missing or unreadable

Protocol errors are not exceptions: the service answers with an :class:`ErrorCode`,
whose HTTP status and default message live in :data:`ERRORS`.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ERRORS",
    "AdminError",
    "BatchBroken",
    "ErrorCode",
    "LedgerError",
    "LedgerKeyError",
    "StoreConfigError",
    "StoreConflict",
    "StoreError",
]


class LedgerError(Exception):
    """Base class of ledger errors."""


class StoreError(LedgerError):
    """A database failure."""


class StoreConflict(StoreError):
    """A transaction lost a race with another one; running it again is safe."""


class BatchBroken(StoreError):
    """A pipelined statement of a batch failed and its request cannot be told apart."""


class StoreConfigError(StoreError):
    """A database URL or schema that cannot be used."""


class AdminError(LedgerError):
    """An admin command that cannot be carried out."""


class LedgerKeyError(LedgerError):
    """The ledger's key file is missing or unreadable."""


class ErrorCode(Enum):
    """Every error code of the protocol (``{"error": {"code": ..., "message": ...}}``)."""

    MALFORMED = "malformed"
    INVALID_AMOUNT = "invalid_amount"
    UNKNOWN_CURRENCY = "unknown_currency"
    BAD_PIN_BLOCK = "bad_pin_block"
    MISSING_IDEMPOTENCY_KEY = "missing_idempotency_key"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_TERMINAL = "unknown_terminal"
    TERMINAL_DISABLED = "terminal_disabled"
    STALE = "stale"
    REPLAY = "replay"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    NOT_FOUND = "not_found"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_CASHIER = "unknown_cashier"
    UNKNOWN_TRANSFER = "unknown_transfer"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    DUPLICATE_TRANSFER_ID = "duplicate_transfer_id"
    NOT_REFUNDABLE = "not_refundable"
    NOT_VOIDABLE = "not_voidable"
    NOT_CAPTURABLE = "not_capturable"
    BODY_TOO_LARGE = "body_too_large"
    WRONG_PIN = "wrong_pin"
    PIN_REQUIRED = "pin_required"
    CURRENCY_MISMATCH = "currency_mismatch"
    OVER_REFUND = "over_refund"
    CUSTOMER_DISABLED = "customer_disabled"
    PIN_LOCKED = "pin_locked"
    TOO_MANY_PIN_ATTEMPTS = "too_many_pin_attempts"
    PROOF_REQUIRED = "proof_required"
    BAD_ENROLMENT_CODE = "bad_enrolment_code"
    CUSTOMER_ID_REQUIRED = "customer_id_required"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal_error"

    @property
    def status(self) -> int:
        return ERRORS[self][0]

    @property
    def message(self) -> str:
        return ERRORS[self][1]


ERRORS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.MALFORMED: (400, "the request body is not what this endpoint accepts"),
    ErrorCode.INVALID_AMOUNT: (400, "amount.minor must be a whole number from 1 to the per-transfer maximum"),
    ErrorCode.UNKNOWN_CURRENCY: (400, "amount.currency is not a known ISO 4217 code"),
    ErrorCode.BAD_PIN_BLOCK: (400, "the PIN object is malformed or does not decrypt for this request"),
    ErrorCode.MISSING_IDEMPOTENCY_KEY: (400, "POST requests need an Idempotency-Key header"),
    ErrorCode.BAD_SIGNATURE: (401, "the request signature or its headers are missing or wrong"),
    ErrorCode.UNKNOWN_TERMINAL: (401, "no terminal with this id"),
    ErrorCode.TERMINAL_DISABLED: (401, "this terminal has been disabled"),
    ErrorCode.STALE: (401, "FacePay-Timestamp is more than 300 s away from the ledger's clock"),
    ErrorCode.REPLAY: (401, "this nonce has been used before"),
    ErrorCode.INSUFFICIENT_FUNDS: (402, "the customer's balance does not cover the amount"),
    ErrorCode.NOT_FOUND: (404, "no such endpoint"),
    ErrorCode.UNKNOWN_CUSTOMER: (404, "no customer with this id"),
    ErrorCode.UNKNOWN_CASHIER: (404, "no cashier with this id at this merchant"),
    ErrorCode.UNKNOWN_TRANSFER: (404, "no transfer with this id at this merchant"),
    ErrorCode.METHOD_NOT_ALLOWED: (405, "method not allowed on this path"),
    ErrorCode.IDEMPOTENCY_MISMATCH: (409, "this Idempotency-Key was used with a different request"),
    ErrorCode.DUPLICATE_TRANSFER_ID: (409, "a transfer with this transfer_id exists already"),
    ErrorCode.NOT_REFUNDABLE: (409, "only posted debits can be refunded"),
    ErrorCode.NOT_VOIDABLE: (409, "only pending debits and posted unrefunded debits can be voided, once"),
    ErrorCode.NOT_CAPTURABLE: (409, "only pending debits can be posted"),
    ErrorCode.BODY_TOO_LARGE: (413, "the request body is too large"),
    ErrorCode.WRONG_PIN: (422, "the PIN is wrong"),
    ErrorCode.PIN_REQUIRED: (422, "this action needs a PIN"),
    ErrorCode.CURRENCY_MISMATCH: (422, "the amount's currency differs from the account's"),
    ErrorCode.OVER_REFUND: (422, "refunds would exceed what was paid"),
    ErrorCode.CUSTOMER_DISABLED: (422, "this customer account is disabled"),
    ErrorCode.PIN_LOCKED: (423, "too many wrong PINs: PIN entry is locked for a while (see retry_after_s)"),
    ErrorCode.TOO_MANY_PIN_ATTEMPTS: (
        429,
        "this terminal or merchant sent too many wrong PINs lately (see retry_after_s)",
    ),
    ErrorCode.PROOF_REQUIRED: (403, "the account holder's PIN or a one-time enrolment code is required"),
    ErrorCode.BAD_ENROLMENT_CODE: (422, "the enrolment code is wrong, used or expired"),
    ErrorCode.CUSTOMER_ID_REQUIRED: (409, "the PIN fits several candidates: the customer number is needed"),
    ErrorCode.INTERNAL: (500, "the ledger failed unexpectedly; retry with the same Idempotency-Key"),
    ErrorCode.UNAVAILABLE: (503, "the ledger store is unavailable; retry with the same Idempotency-Key"),
}
