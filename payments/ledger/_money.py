"""Actions that move money: debit, refund, void, capture."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from payments.ledger._authz import CashierProof
from payments.ledger._context import Context
from payments.ledger._messages import (
    BadInput,
    Outcome,
    Request,
    Work,
    audit_of,
    decline,
    error,
    parse_body,
    transfer_id_of,
)
from payments.ledger.audit import canonical_json
from payments.ledger.errors import ErrorCode
from payments.ledger.records import Terminal, Transfer, TransferKind, TransferStatus
from payments.ledger.store import LedgerTx
from payments.money import Money
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN

__all__ = ["prepare_capture", "prepare_debit", "prepare_refund", "prepare_void"]


def prepare_debit(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                  params: Mapping[str, str]) -> Work:
    body = parse_body(req.body, {"customer_id", "amount", "merchant_ref", "evidence", "pin", "hold",
                                 "transfer_id"})
    customer_id = body.text("customer_id", pattern=ID_PATTERN)
    amount = body.amount()
    merchant_ref = body.text("merchant_ref")
    evidence = body.data.get("evidence", {})
    if not isinstance(evidence, dict):
        raise BadInput(ErrorCode.MALFORMED, "evidence must be an object")
    hold = body.data.get("hold", False)
    if not isinstance(hold, bool):
        raise BadInput(ErrorCode.MALFORMED, "hold must be true or false")
    draft = Transfer(transfer_id=transfer_id_of(body), kind=TransferKind.DEBIT, status=TransferStatus.POSTED,
                     amount=amount, debit_account="", credit_account="", customer_id=customer_id,
                     merchant_id=terminal.merchant_id, terminal_id=terminal.terminal_id, cashier_id=None,
                     merchant_ref=merchant_ref, idempotency_key=auth.idempotency_key,
                     original_transfer_id=None, decline_code=None, evidence=canonical_json(evidence),
                     created_at="")
    pin_ok: bool | None = None
    if body.has("pin"):
        customer = ctx.store.customer(customer_id)
        pin_ok = ctx.guard.pin_ok(body.data["pin"], auth, customer_id,
                                  customer.pin_hash if customer else None)
    guard = ctx.guard

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        customer = tx.customer(customer_id, lock=True)
        merchant = tx.merchant(terminal.merchant_id)
        if customer is None or merchant is None:
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
        if tx.transfer(draft.transfer_id, lock=False) is not None:
            return error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=draft.transfer_id)
        credit = merchant.holds_account_id if hold else merchant.account_id
        accounts = tx.lock_accounts([customer.account_id, credit])
        account = accounts[customer.account_id]
        t = replace(draft, debit_account=customer.account_id, credit_account=credit, created_at=at)
        code: ErrorCode | None = None
        if not customer.enabled:
            code = ErrorCode.CUSTOMER_DISABLED
        elif account.currency != amount.currency:
            code = ErrorCode.CURRENCY_MISMATCH
        elif pin_ok is not None:
            code = guard.pin_verdict(tx, "customers", customer, pin_ok, now)
        if code is None and account.min_balance is not None and \
                account.balance - amount.minor < account.min_balance:
            code = ErrorCode.INSUFFICIENT_FUNDS
        if code is not None:
            declined = replace(t, status=TransferStatus.DECLINED, decline_code=code.value)
            tx.insert_transfer(declined)
            if code is ErrorCode.WRONG_PIN:  # the shopper sees how many tries are left
                left = guard.lockout.max_failures - (customer.pin_failures + 1)
                return decline(code, declined, attempts_left=max(left, 0))
            return decline(code, declined)
        if hold:
            t = replace(t, status=TransferStatus.PENDING)
        tx.move(customer.account_id, credit, amount.minor)
        tx.insert_transfer(t)
        return Outcome(201, t.to_json(), audit_of(t))

    return work


def _original(tx: LedgerTx, terminal: Terminal, transfer_id: str) -> Transfer | None:
    t = tx.transfer(transfer_id, lock=True)
    if t is None or t.merchant_id != terminal.merchant_id or t.kind != TransferKind.DEBIT:
        return None
    return t


def _reversal_target(ctx: Context, tx: LedgerTx, terminal: Terminal, cashier: CashierProof, now: float,
                     original_id: str, new_id: str) -> Transfer | Outcome:
    """The checks a refund and a void share: the cashier, the original, a fresh id."""
    refused = ctx.guard.authorise_cashier(tx, terminal, cashier, now)
    if refused is not None:
        return refused
    original = _original(tx, terminal, original_id)
    if original is None:
        return error(ErrorCode.UNKNOWN_TRANSFER, original_transfer_id=original_id)
    if tx.transfer(new_id, lock=False) is not None:
        return error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=new_id)
    return original


def prepare_refund(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                   params: Mapping[str, str]) -> Work:
    body = parse_body(req.body, {"original_transfer_id", "amount", "cashier_id", "cashier_pin", "reason",
                                 "merchant_ref", "transfer_id"})
    original_id = body.text("original_transfer_id", pattern=ID_PATTERN)
    amount = body.amount()
    reason = body.text("reason", required=False, max_len=256)
    merchant_ref = body.text("merchant_ref", required=False)
    cashier = ctx.guard.cashier_proof(body, auth)
    new_id = transfer_id_of(body)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _reversal_target(ctx, tx, terminal, cashier, now, original_id, new_id)
        if isinstance(original, Outcome):
            return original
        if original.status != TransferStatus.POSTED:
            return error(ErrorCode.NOT_REFUNDABLE, original_transfer_id=original_id)
        if original.amount.currency != amount.currency:
            return error(ErrorCode.CURRENCY_MISMATCH, original_transfer_id=original_id)
        refunded = tx.refunded_total(original_id)
        if refunded + amount.minor > original.amount.minor:
            left = original.amount.minor - refunded
            return error(ErrorCode.OVER_REFUND, f"only {left} minor units are left to refund",
                         original_transfer_id=original_id, requested=amount.minor, refunded=refunded)
        return post_reversal(tx, TransferKind.REFUND, original, amount, new_id, terminal, cashier.cashier_id,
                             merchant_ref or original.merchant_ref, auth, reason, at)

    return work


def prepare_void(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                 params: Mapping[str, str]) -> Work:
    body = parse_body(req.body, {"original_transfer_id", "cashier_id", "cashier_pin", "reason",
                                 "transfer_id"})
    original_id = body.text("original_transfer_id", pattern=ID_PATTERN)
    reason = body.text("reason", required=False, max_len=256)
    cashier = ctx.guard.cashier_proof(body, auth)
    new_id = transfer_id_of(body)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _reversal_target(ctx, tx, terminal, cashier, now, original_id, new_id)
        if isinstance(original, Outcome):
            return original
        return void_transfer(tx, original, new_id, terminal, cashier.cashier_id, auth, reason, at)

    return work


def void_transfer(tx: LedgerTx, original: Transfer, new_id: str, terminal: Terminal, cashier_id: str | None,
                  auth: RequestAuth, reason: str, at: str) -> Outcome:
    """Void ``original`` (pending, or posted without refunds), once: the full amount goes back."""
    voidable = original.status == TransferStatus.PENDING or (
        original.status == TransferStatus.POSTED and tx.refunded_total(original.transfer_id) == 0)
    if not voidable or not tx.set_status(original.transfer_id, original.status, TransferStatus.VOIDED):
        return error(ErrorCode.NOT_VOIDABLE, original_transfer_id=original.transfer_id,
                     status=original.status)
    return post_reversal(tx, TransferKind.VOID, original, original.amount, new_id, terminal, cashier_id,
                         original.merchant_ref, auth, reason, at)


def prepare_capture(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                    params: Mapping[str, str]) -> Work:
    body = parse_body(req.body, {"transfer_id"})
    transfer_id = body.text("transfer_id", pattern=ID_PATTERN)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _original(tx, terminal, transfer_id)
        if original is None:
            return error(ErrorCode.UNKNOWN_TRANSFER, transfer_id=transfer_id)
        merchant = tx.merchant(original.merchant_id or "")
        posted_now = merchant is not None and tx.set_status(transfer_id, TransferStatus.PENDING,
                                                            TransferStatus.POSTED)
        if merchant is None or not posted_now:
            return error(ErrorCode.NOT_CAPTURABLE, transfer_id=transfer_id, status=original.status)
        tx.lock_accounts([original.credit_account, merchant.account_id])
        tx.move(original.credit_account, merchant.account_id, original.amount.minor)
        posted = replace(original, status=TransferStatus.POSTED)
        return Outcome(200, posted.to_json(), audit_of(posted))

    return work


def post_reversal(tx: LedgerTx, kind: str, original: Transfer, amount: Money, new_id: str,
                  terminal: Terminal, cashier_id: str | None, merchant_ref: str, auth: RequestAuth,
                  reason: str, at: str) -> Outcome:
    """Post a refund or void: a new transfer moving ``amount`` back along the original's accounts."""
    tx.lock_accounts([original.credit_account, original.debit_account])
    t = Transfer(transfer_id=new_id, kind=kind, status=TransferStatus.POSTED, amount=amount,
                 debit_account=original.credit_account, credit_account=original.debit_account,
                 customer_id=original.customer_id, merchant_id=original.merchant_id,
                 terminal_id=terminal.terminal_id, cashier_id=cashier_id, merchant_ref=merchant_ref,
                 idempotency_key=auth.idempotency_key, original_transfer_id=original.transfer_id,
                 decline_code=None, evidence=canonical_json({"reason": reason}), created_at=at)
    tx.move(t.debit_account, t.credit_account, amount.minor)
    tx.insert_transfer(t)
    return Outcome(201, t.to_json(), audit_of(t))
