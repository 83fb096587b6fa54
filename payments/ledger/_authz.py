"""Who may do what: the one place where the ledger decides whether a party may act.

The rules are the table in ``payments/PROTOCOL.md`` ("Authorization"). PIN blocks are opened
and hashed before the transaction (slow); verdicts that change counters (lockout) are taken
inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from payments.ledger._messages import BadInput, Body, Outcome, error
from payments.ledger.errors import ErrorCode
from payments.ledger.keys import LedgerKeys
from payments.ledger.pins import LockoutPolicy, verify_pin
from payments.ledger.records import Cashier, Customer, Terminal
from payments.ledger.store import LedgerStore, LedgerTx
from payments.pinblock import PinBlockError, decrypt_pin, pin_context
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN

__all__ = ["CashierProof", "Guard"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CashierProof:
    """A cashier named in a request, and whether the PIN they gave is theirs.

    Attributes:
        cashier_id: the cashier's id as sent.
        pin_ok: True when the PIN block opened to the cashier's PIN.
    """

    cashier_id: str
    pin_ok: bool


class Guard:
    """PIN checks, lockouts and the party checks every action shares."""

    def __init__(self, store: LedgerStore, keys: LedgerKeys, lockout: LockoutPolicy) -> None:
        self.store = store
        self.keys = keys
        self.lockout = lockout

    # --- before the transaction -------------------------------------------------
    def open_pin(self, block: object, auth: RequestAuth, subject_id: str) -> str:
        """The PIN digits in ``block``, bound to this request and subject; 400 otherwise."""
        try:
            return decrypt_pin(self.keys.pin, block, context=pin_context(auth.terminal_id,
                                                                         auth.idempotency_key, subject_id))
        except PinBlockError as exc:
            raise BadInput(ErrorCode.BAD_PIN_BLOCK, str(exc)) from None

    def pin_ok(self, block: object, auth: RequestAuth, subject_id: str, stored_hash: str | None) -> bool:
        return verify_pin(self.open_pin(block, auth, subject_id), stored_hash)

    def cashier_proof(self, body: Body, auth: RequestAuth) -> CashierProof:
        """The cashier the body names (``cashier_id`` and a ``cashier_pin`` block), PIN checked."""
        cashier_id = body.text("cashier_id", pattern=ID_PATTERN)
        if not body.has("cashier_pin"):
            raise BadInput(ErrorCode.MALFORMED, "cashier_pin (a PIN object) is required")
        cashier = self.store.cashier(cashier_id)
        return CashierProof(cashier_id, self.pin_ok(body.data["cashier_pin"], auth, cashier_id,
                                                    cashier.pin_hash if cashier else None))

    # --- inside the transaction ---------------------------------------------------
    def authorise_cashier(self, tx: LedgerTx, terminal: Terminal, proof: CashierProof,
                          now: float) -> Outcome | None:
        """None when the cashier belongs to the terminal's merchant, is enabled and gave their PIN."""
        cashier = tx.cashier(proof.cashier_id, lock=True)
        if cashier is None or cashier.merchant_id != terminal.merchant_id or not cashier.enabled:
            return error(ErrorCode.UNKNOWN_CASHIER, cashier_id=proof.cashier_id)
        code = self.pin_verdict(tx, "cashiers", cashier, proof.pin_ok, now)
        return None if code is None else error(code, cashier_id=proof.cashier_id)

    def pin_verdict(self, tx: LedgerTx, table: str, row: Customer | Cashier, pin_ok: bool,
                    now: float) -> ErrorCode | None:
        """None for a right PIN (clearing the failure count); WRONG_PIN or PIN_LOCKED otherwise."""
        row_id = row.customer_id if isinstance(row, Customer) else row.cashier_id
        if row.locked_until > now:
            return ErrorCode.PIN_LOCKED
        if pin_ok:
            if row.pin_failures or row.locked_until:
                tx.set_pin_state(table, row_id, 0, 0.0)
            return None
        failures = row.pin_failures + 1
        if failures >= self.lockout.max_failures:
            tx.set_pin_state(table, row_id, 0, now + self.lockout.lock_seconds)
            log.warning("PIN entry locked for %s %s", table[:-1], row_id)
            return ErrorCode.PIN_LOCKED
        tx.set_pin_state(table, row_id, failures, 0.0)
        return ErrorCode.WRONG_PIN
