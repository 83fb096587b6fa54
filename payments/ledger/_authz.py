"""Who may do what: the one place where the ledger decides whether a party may act.

The rules are the table in ``payments/PROTOCOL.md`` ("Authorization"). PIN blocks are opened
and hashed before the transaction (slow); verdicts that change counters (lockout) are taken
inside it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from payments.ledger._messages import BadInput, Body, Outcome, error
from payments.ledger.audit import canonical_json
from payments.ledger.errors import ErrorCode
from payments.ledger.keys import LedgerKeys
from payments.ledger.pins import LockoutPolicy, verify_pin
from payments.ledger.records import Cashier, Customer, PinBudget, Terminal
from payments.ledger.store import LedgerStore, LedgerTx
from payments.pinblock import PinBlockError, decrypt_pin, pin_context
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN

__all__ = ["CashierProof", "Guard", "PinRefusal"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PinRefusal:
    """Why a PIN was not accepted.

    Attributes:
        code: WRONG_PIN, PIN_LOCKED or TOO_MANY_PIN_ATTEMPTS.
        extra: what the answer tells the terminal (``attempts_left`` or ``retry_after_s``).
    """

    code: ErrorCode
    extra: Mapping[str, int]


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
            return decrypt_pin(
                self.keys.pin, block, context=pin_context(auth.terminal_id, auth.idempotency_key, subject_id)
            )
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
        return CashierProof(
            cashier_id,
            self.pin_ok(body.data["cashier_pin"], auth, cashier_id, cashier.pin_hash if cashier else None),
        )

    # --- inside the transaction ---------------------------------------------------
    def authorise_cashier(
        self, tx: LedgerTx, terminal: Terminal, proof: CashierProof, now: float
    ) -> Outcome | None:
        """None when the cashier belongs to the terminal's merchant, is enabled and gave their PIN."""
        cashier = tx.cashier(proof.cashier_id, lock=True)
        if cashier is None or cashier.merchant_id != terminal.merchant_id or not cashier.enabled:
            return error(ErrorCode.UNKNOWN_CASHIER, cashier_id=proof.cashier_id)
        refusal = self.pin_verdict(tx, "cashiers", cashier, proof.pin_ok, now)
        return (
            None if refusal is None else error(refusal.code, extra=refusal.extra, cashier_id=proof.cashier_id)
        )

    def pin_verdict(
        self, tx: LedgerTx, table: str, row: Customer | Cashier, pin_ok: bool, now: float
    ) -> PinRefusal | None:
        """None for a right PIN (clearing the failure count); else why not, with the tries or
        seconds left. A wrong shopper PIN also counts towards the terminal's budget (see
        :meth:`count_wrong_pin`), which the caller does."""
        row_id = row.customer_id if isinstance(row, Customer) else row.cashier_id
        if row.locked_until > now:
            return PinRefusal(ErrorCode.PIN_LOCKED, {"retry_after_s": math.ceil(row.locked_until - now)})
        if pin_ok:
            if row.pin_failures or row.locked_until:
                tx.set_pin_state(table, row_id, 0, 0.0)
            return None
        failures = row.pin_failures + 1
        if failures >= self.lockout.max_failures:
            tx.set_pin_state(table, row_id, 0, now + self.lockout.lock_seconds)
            log.warning("PIN entry locked for %s %s", table[:-1], row_id)
            return PinRefusal(ErrorCode.PIN_LOCKED, {"retry_after_s": math.ceil(self.lockout.lock_seconds)})
        tx.set_pin_state(table, row_id, failures, 0.0)
        return PinRefusal(ErrorCode.WRONG_PIN, {"attempts_left": self.lockout.max_failures - failures})

    # --- wrong PINs across accounts ---------------------------------------------------
    def _scopes(self, terminal: Terminal) -> list[tuple[str, int]]:
        return [
            (f"terminal:{terminal.terminal_id}", self.lockout.terminal_budget),
            (f"merchant:{terminal.merchant_id}", self.lockout.merchant_budget),
        ]

    def budget_refusal(self, tx: LedgerTx, terminal: Terminal, now: float) -> PinRefusal | None:
        """A refusal when the terminal's or its merchant's wrong-PIN budget is used up."""
        for scope, limit in self._scopes(terminal):
            budget = tx.pin_budget(scope)
            if budget is None or now - budget.window_start >= self.lockout.budget_window_s:
                continue
            if budget.failures >= limit:
                left = budget.window_start + self.lockout.budget_window_s - now
                return PinRefusal(ErrorCode.TOO_MANY_PIN_ATTEMPTS, {"retry_after_s": math.ceil(left)})
        return None

    def budget_left(self, tx: LedgerTx, terminal: Terminal, now: float) -> int:
        """Wrong PINs the terminal may still send in the current window."""
        left = []
        for scope, limit in self._scopes(terminal):
            budget = tx.pin_budget(scope)
            fresh = budget is None or now - budget.window_start >= self.lockout.budget_window_s
            left.append(limit if fresh or budget is None else max(limit - budget.failures, 0))
        return min(left)

    def count_wrong_pin(self, tx: LedgerTx, terminal: Terminal, now: float, at: str) -> None:
        """Count one wrong shopper PIN (or code) against the terminal and its merchant; the
        merchant is alerted (log and audit) when a budget runs out."""
        for scope, limit in self._scopes(terminal):
            budget = tx.pin_budget(scope)
            if budget is None or now - budget.window_start >= self.lockout.budget_window_s:
                budget = PinBudget(scope, 0, now)
            budget = PinBudget(scope, budget.failures + 1, budget.window_start)
            tx.set_pin_budget(budget)
            if budget.failures == limit:
                log.warning(
                    "ALERT %s sent %d wrong PINs within %.0f s: further PINs refused until the "
                    "window ends (merchant %s)",
                    scope,
                    limit,
                    self.lockout.budget_window_s,
                    terminal.merchant_id,
                )
                tx.append_audit(
                    at,
                    f"terminal:{terminal.terminal_id}",
                    "pin-budget-exhausted",
                    "alert",
                    canonical_json(
                        {"scope": scope, "failures": budget.failures, "merchant_id": terminal.merchant_id}
                    ),
                )
