"""Records of the ledger: frozen rows as the store returns them, and the wire form of a transfer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from payments.money import Money
from payments.wire import LedgerTransfer

__all__ = [
    "Account",
    "AuditEntry",
    "Cashier",
    "Customer",
    "EnrolmentCode",
    "FaceLink",
    "Merchant",
    "PinBudget",
    "StoredResponse",
    "Terminal",
    "Transfer",
    "TransferKind",
    "TransferStatus",
]


class TransferKind:
    """Names of transfer kinds (plain strings on the wire and in the store)."""

    DEBIT = "debit"
    REFUND = "refund"
    VOID = "void"
    TOPUP = "topup"


class TransferStatus:
    """Names of transfer states. pending -> posted | voided, once; declined moves no money."""

    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Account:
    """One double-entry account.

    Attributes:
        account_id: e.g. ``cust:c-alice``, ``merch:m-demo``, ``holds:m-demo``, ``issuer:EUR``.
        kind: customer, merchant, holds or issuer.
        balance: current balance in minor units.
        currency: ISO 4217 code of every amount on this account.
        min_balance: lowest balance a debit may leave; None means unbounded (issuer).
    """

    account_id: str
    kind: str
    balance: int
    currency: str
    min_balance: int | None


@dataclass(frozen=True, slots=True)
class Merchant:
    """A merchant and its two accounts (settled funds and held funds)."""

    merchant_id: str
    name: str
    account_id: str
    holds_account_id: str


@dataclass(frozen=True, slots=True)
class Customer:
    """A shopper with an account and a PIN.

    Attributes:
        customer_id: stable id (the terminal's gallery maps faces to it).
        name: display name.
        account_id: the customer's account.
        pin_hash: scrypt hash (see payments.ledger.pins) or None when no PIN is set.
        pin_failures: wrong PINs since the last correct one or lock.
        locked_until: unix time until which PIN entry is refused (0: not locked).
        enabled: False once the customer is disabled.
    """

    customer_id: str
    name: str
    account_id: str
    pin_hash: str | None
    pin_failures: int
    locked_until: float
    enabled: bool


@dataclass(frozen=True, slots=True)
class FaceLink:
    """A customer's face enrolment at a terminal, as the ledger knows it (never a template).

    Attributes:
        customer_id: the enrolled customer.
        merchant_id: the merchant of the enrolling terminal.
        terminal_id: where the shopper enrolled.
        cashier_id: the cashier who authorised it.
        consent_version: the consent text version the shopper accepted.
        linked_at: ISO 8601 UTC time.
    """

    customer_id: str
    merchant_id: str
    terminal_id: str
    cashier_id: str
    consent_version: str
    linked_at: str


@dataclass(frozen=True, slots=True)
class EnrolmentCode:
    """A one-time code that lets a shopper set (or replace) the PIN of their account once.

    Attributes:
        customer_id: the account it is for.
        code_hash: scrypt hash of the code (the code itself is shown once, never stored).
        merchant_id: the merchant whose terminals may use it; None when the operator issued it for any.
        expires_at: unix seconds after which it is refused.
        failures: wrong codes typed against it (it is revoked at the lockout limit).
        used: True once it has set a PIN.
    """

    customer_id: str
    code_hash: str
    merchant_id: str | None
    expires_at: float
    failures: int
    used: bool


@dataclass(frozen=True, slots=True)
class PinBudget:
    """Wrong PINs counted for one scope (a terminal or a merchant) in a sliding window.

    Attributes:
        scope: ``terminal:<id>`` or ``merchant:<id>``.
        failures: wrong PINs since ``window_start``.
        window_start: unix seconds when the current window began.
    """

    scope: str
    failures: int
    window_start: float


@dataclass(frozen=True, slots=True)
class Cashier:
    """A cashier of one merchant; refunds and voids need the cashier's PIN."""

    cashier_id: str
    name: str
    merchant_id: str
    pin_hash: str
    pin_failures: int
    locked_until: float
    enabled: bool


@dataclass(frozen=True, slots=True)
class Terminal:
    """A terminal and its Ed25519 public key (raw 32 bytes, base64)."""

    terminal_id: str
    merchant_id: str
    public_key: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first response given to one idempotency key, replayed byte for byte."""

    request_hash: str
    status: int
    body: bytes


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the hash-chained audit log.

    Attributes:
        seq: 1, 2, 3, ... without gaps.
        at: ISO 8601 UTC time.
        actor: who acted (``terminal:T``, ``cashier:C@terminal:T``, ``admin``, ``unauthenticated``).
        action: what was asked (``debit``, ``refund``, ``void``, ``add-customer``, ...).
        outcome: HTTP status and code, e.g. ``201 posted`` or ``402 insufficient_funds``.
        detail: canonical JSON text of the particulars (ids, amounts, never a PIN).
        prev_hash: hash of line seq-1 (64 zeros for the first line).
        hash: SHA-256 over the canonical form of all fields above.
    """

    seq: int
    at: str
    actor: str
    action: str
    outcome: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Transfer:
    """One immutable money movement (or a recorded decline, which moves nothing).

    Attributes:
        transfer_id: unique id.
        kind: see :class:`TransferKind`.
        status: see :class:`TransferStatus`; the only field that ever changes,
            pending -> posted or voided, and posted debit -> voided, each once.
        amount: positive amount.
        debit_account: account the money leaves.
        credit_account: account the money reaches.
        customer_id: the customer involved, if any.
        merchant_id: the merchant involved, if any.
        terminal_id: the terminal that asked, if any (None for admin top-ups).
        cashier_id: the cashier who authorised a refund or void.
        merchant_ref: the merchant's reference (sale number).
        idempotency_key: the request's Idempotency-Key.
        original_transfer_id: for refunds and voids, the debit they undo.
        decline_code: for declined records, the error code given.
        evidence: canonical JSON text of the biometric evidence sent with a debit.
        created_at: ISO 8601 UTC time with microseconds.
    """

    transfer_id: str
    kind: str
    status: str
    amount: Money
    debit_account: str
    credit_account: str
    customer_id: str | None
    merchant_id: str | None
    terminal_id: str | None
    cashier_id: str | None
    merchant_ref: str
    idempotency_key: str | None
    original_transfer_id: str | None
    decline_code: str | None
    evidence: str
    created_at: str

    def wire(self) -> LedgerTransfer:
        """The transfer as the ledger answers it (the accounts stay inside the ledger)."""
        return LedgerTransfer(
            transfer_id=self.transfer_id,
            kind=self.kind,
            status=self.status,
            amount=self.amount,
            customer_id=self.customer_id,
            terminal_id=self.terminal_id,
            cashier_id=self.cashier_id,
            merchant_ref=self.merchant_ref,
            idempotency_key=self.idempotency_key,
            original_transfer_id=self.original_transfer_id,
            decline_code=self.decline_code,
            evidence_json=self.evidence,
            created_at=self.created_at,
            merchant_id=self.merchant_id,
        )

    def to_json(self) -> dict[str, Any]:
        """The wire form returned by the ledger."""
        return self.wire().to_json()
