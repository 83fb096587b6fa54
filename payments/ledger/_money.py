"""Actions that move money: debit, refund, void, capture."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from payments.ledger._authz import CashierProof, PinRefusal
from payments.ledger._context import Context
from payments.ledger._engine import RowsAhead
from payments.ledger._messages import (
    BadInput,
    Body,
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
from payments.ledger.pins import verify_pin
from payments.ledger.records import Terminal, Transfer, TransferKind, TransferStatus
from payments.ledger.store import LedgerTx
from payments.money import Money, exponent
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN, from_iso_time

__all__ = [
    "FACE_ONLY_LIMIT_MAJOR",
    "REVERSAL_WINDOW_S",
    "face_only_limit",
    "prepare_capture",
    "prepare_debit",
    "prepare_refund",
    "prepare_reverse",
    "prepare_void",
]


# The face-only ceiling when a merchant has none set, in major units of the sale's currency:
# like the contactless CVM limit, a larger payment needs the PIN as well as the face.
FACE_ONLY_LIMIT_MAJOR = 100
# Largest candidate set a PIN may be checked against (each costs one scrypt check).
MAX_CANDIDATES = 5


def face_only_limit(tx: LedgerTx, merchant_id: str, currency: str) -> int:
    """The merchant's face-only ceiling in minor units (set by the operator, else the default)."""
    limit = tx.face_only_limit(merchant_id)
    return limit if limit is not None else FACE_ONLY_LIMIT_MAJOR * 10 ** exponent(currency)


def _candidates(body: Body) -> tuple[str, ...]:
    raw = body.data.get("candidates")
    if (
        not isinstance(raw, list)
        or not 1 <= len(raw) <= MAX_CANDIDATES
        or not all(isinstance(c, str) and ID_PATTERN.fullmatch(c) for c in raw)
        or len(set(raw)) != len(raw)
    ):
        raise BadInput(ErrorCode.MALFORMED, f"candidates must be 1 to {MAX_CANDIDATES} distinct customer ids")
    return tuple(raw)


def _payer(ctx: Context, auth: RequestAuth, body: Body) -> tuple[str, bool | None, tuple[str, ...]]:
    """(customer id, PIN verdict or None without a PIN, the candidates when the PIN chose the payer).

    With ``candidates`` the PIN block's subject is the candidate ids joined by commas, and the
    payer is the one candidate whose PIN it is; "" when none is, "*" when several are.
    """
    if "candidates" in body.data:
        if "customer_id" in body.data or not body.has("pin"):
            raise BadInput(ErrorCode.MALFORMED, "candidates go with a pin and without customer_id")
        candidates = _candidates(body)
        pin = ctx.guard.open_pin(body.data["pin"], auth, ",".join(candidates))
        fits = [c for c in candidates if verify_pin(pin, _pin_hash(ctx, c))]
        return (fits[0] if len(fits) == 1 else "*" if fits else ""), bool(fits), candidates
    customer_id = body.text("customer_id", pattern=ID_PATTERN)
    if not body.has("pin"):
        return customer_id, None, ()
    return customer_id, ctx.guard.pin_ok(body.data["pin"], auth, customer_id, _pin_hash(ctx, customer_id)), ()


def _pin_hash(ctx: Context, customer_id: str) -> str | None:
    customer = ctx.store.customer(customer_id)
    return customer.pin_hash if customer is not None else None


def prepare_debit(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    body = parse_body(
        req.body,
        {"customer_id", "candidates", "amount", "merchant_ref", "evidence", "pin", "hold", "transfer_id"},
    )
    amount = body.amount()
    merchant_ref = body.text("merchant_ref")
    evidence = body.data.get("evidence", {})
    if not isinstance(evidence, dict):
        raise BadInput(ErrorCode.MALFORMED, "evidence must be an object")
    hold = body.data.get("hold", False)
    if not isinstance(hold, bool):
        raise BadInput(ErrorCode.MALFORMED, "hold must be true or false")
    transfer_id = transfer_id_of(body, terminal.terminal_id)
    customer_id, pin_ok, candidates = _payer(ctx, auth, body)  # scrypt: before the transaction
    guard = ctx.guard

    def refuse_pin(tx: LedgerTx, now: float, at: str) -> Outcome | None:
        """The PIN decides nothing when the budget is used up; a PIN that fits no candidate (or
        several) is answered here, without touching any shopper's lockout."""
        if pin_ok is None:
            return None
        budget = guard.budget_refusal(tx, terminal, now)
        if budget is not None:
            return error(budget.code, extra=budget.extra, customer_id=customer_id)
        if customer_id == "":
            guard.count_wrong_pin(tx, terminal, now, at)
            return error(
                ErrorCode.WRONG_PIN,
                extra={"attempts_left": guard.budget_left(tx, terminal, now)},
                candidates=list(candidates),
            )
        if customer_id == "*":
            return error(ErrorCode.CUSTOMER_ID_REQUIRED, candidates=list(candidates))
        return None

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        refused = refuse_pin(tx, now, at)
        if refused is not None:
            return refused
        customer = tx.customer(customer_id, lock=True)
        merchant = tx.merchant(terminal.merchant_id)
        if customer is None or merchant is None:
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
        if tx.transfer(transfer_id, lock=False) is not None:
            return error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=transfer_id)
        credit = merchant.holds_account_id if hold else merchant.account_id
        accounts = tx.lock_accounts([customer.account_id, credit])
        account = accounts[customer.account_id]
        ev = {**evidence, "pin_candidates": list(candidates)} if candidates else evidence
        t = Transfer(
            transfer_id=transfer_id,
            kind=TransferKind.DEBIT,
            status=TransferStatus.POSTED,
            amount=amount,
            debit_account=customer.account_id,
            credit_account=credit,
            customer_id=customer_id,
            merchant_id=terminal.merchant_id,
            terminal_id=terminal.terminal_id,
            cashier_id=None,
            merchant_ref=merchant_ref,
            idempotency_key=auth.idempotency_key,
            original_transfer_id=None,
            decline_code=None,
            evidence=canonical_json(ev),
            created_at=at,
        )
        refusal: PinRefusal | None = None
        code: ErrorCode | None = None
        if not customer.enabled:
            code = ErrorCode.CUSTOMER_DISABLED
        elif account.currency != amount.currency or accounts[credit].currency != amount.currency:
            code = ErrorCode.CURRENCY_MISMATCH
        elif pin_ok is None and amount.minor > face_only_limit(tx, merchant.merchant_id, amount.currency):
            code = ErrorCode.PIN_REQUIRED
        elif pin_ok is not None:
            refusal = guard.pin_verdict(tx, "customers", customer, pin_ok, now)
            if refusal is not None and refusal.code is ErrorCode.WRONG_PIN:
                guard.count_wrong_pin(tx, terminal, now, at)
        if (
            refusal is None
            and code is None
            and account.min_balance is not None
            and account.balance - amount.minor < account.min_balance
        ):
            code = ErrorCode.INSUFFICIENT_FUNDS
        if refusal is not None:
            code = refusal.code
        if code is not None:
            declined = replace(t, status=TransferStatus.DECLINED, decline_code=code.value)
            tx.insert_transfer(declined)
            return decline(code, declined, **(refusal.extra if refusal is not None else {}))
        if hold:
            t = replace(t, status=TransferStatus.PENDING)
        tx.move(customer.account_id, credit, amount.minor)
        tx.insert_transfer(t)
        return Outcome(201, t.to_json(), audit_of(t))

    return RowsAhead(work, customers=(customer_id,), transfers=(transfer_id,))


def _original(tx: LedgerTx, terminal: Terminal, transfer_id: str) -> Transfer | None:
    t = tx.transfer(transfer_id, lock=True)
    if t is None or t.merchant_id != terminal.merchant_id or t.kind != TransferKind.DEBIT:
        return None
    return t


def _reversal_target(
    ctx: Context,
    tx: LedgerTx,
    terminal: Terminal,
    cashier: CashierProof,
    now: float,
    original_id: str,
    new_id: str,
) -> Transfer | Outcome:
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


def prepare_refund(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    body = parse_body(
        req.body,
        {
            "original_transfer_id",
            "amount",
            "cashier_id",
            "cashier_pin",
            "reason",
            "merchant_ref",
            "transfer_id",
        },
    )
    original_id = body.text("original_transfer_id", pattern=ID_PATTERN)
    amount = body.amount()
    reason = body.text("reason", required=False, max_len=256)
    merchant_ref = body.text("merchant_ref", required=False)
    cashier = ctx.guard.cashier_proof(body, auth)
    new_id = transfer_id_of(body, terminal.terminal_id)

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
            return error(
                ErrorCode.OVER_REFUND,
                f"only {left} minor units are left to refund",
                original_transfer_id=original_id,
                requested=amount.minor,
                refunded=refunded,
            )
        return post_reversal(
            tx,
            TransferKind.REFUND,
            original,
            amount,
            new_id,
            terminal,
            cashier.cashier_id,
            merchant_ref or original.merchant_ref,
            auth,
            reason,
            at,
        )

    return work


def prepare_void(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    body = parse_body(
        req.body, {"original_transfer_id", "cashier_id", "cashier_pin", "reason", "transfer_id"}
    )
    original_id = body.text("original_transfer_id", pattern=ID_PATTERN)
    reason = body.text("reason", required=False, max_len=256)
    cashier = ctx.guard.cashier_proof(body, auth)
    new_id = transfer_id_of(body, terminal.terminal_id)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _reversal_target(ctx, tx, terminal, cashier, now, original_id, new_id)
        if isinstance(original, Outcome):
            return original
        return void_transfer(tx, original, new_id, terminal, cashier.cashier_id, auth, reason, at)

    return work


def void_transfer(
    tx: LedgerTx,
    original: Transfer,
    new_id: str,
    terminal: Terminal,
    cashier_id: str | None,
    auth: RequestAuth,
    reason: str,
    at: str,
) -> Outcome:
    """Void ``original`` (pending, or posted without refunds), once: the full amount goes back."""
    voidable = original.status == TransferStatus.PENDING or (
        original.status == TransferStatus.POSTED and tx.refunded_total(original.transfer_id) == 0
    )
    if not voidable or not tx.set_status(original.transfer_id, original.status, TransferStatus.VOIDED):
        return error(
            ErrorCode.NOT_VOIDABLE, original_transfer_id=original.transfer_id, status=original.status
        )
    return post_reversal(
        tx,
        TransferKind.VOID,
        original,
        original.amount,
        new_id,
        terminal,
        cashier_id,
        original.merchant_ref,
        auth,
        reason,
        at,
    )


def prepare_capture(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    body = parse_body(req.body, {"transfer_id"})
    transfer_id = body.text("transfer_id", pattern=ID_PATTERN)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _original(tx, terminal, transfer_id)
        if original is None:
            return error(ErrorCode.UNKNOWN_TRANSFER, transfer_id=transfer_id)
        merchant = tx.merchant(original.merchant_id or "")
        posted_now = merchant is not None and tx.set_status(
            transfer_id, TransferStatus.PENDING, TransferStatus.POSTED
        )
        if merchant is None or not posted_now:
            return error(ErrorCode.NOT_CAPTURABLE, transfer_id=transfer_id, status=original.status)
        tx.lock_accounts([original.credit_account, merchant.account_id])
        tx.move(original.credit_account, merchant.account_id, original.amount.minor)
        posted = replace(original, status=TransferStatus.POSTED)
        return Outcome(200, posted.to_json(), audit_of(posted))

    return work


def post_reversal(
    tx: LedgerTx,
    kind: str,
    original: Transfer,
    amount: Money,
    new_id: str,
    terminal: Terminal,
    cashier_id: str | None,
    merchant_ref: str,
    auth: RequestAuth,
    reason: str,
    at: str,
) -> Outcome:
    """Post a refund or void: a new transfer moving ``amount`` back along the original's accounts."""
    tx.lock_accounts([original.credit_account, original.debit_account])
    t = Transfer(
        transfer_id=new_id,
        kind=kind,
        status=TransferStatus.POSTED,
        amount=amount,
        debit_account=original.credit_account,
        credit_account=original.debit_account,
        customer_id=original.customer_id,
        merchant_id=original.merchant_id,
        terminal_id=terminal.terminal_id,
        cashier_id=cashier_id,
        merchant_ref=merchant_ref,
        idempotency_key=auth.idempotency_key,
        original_transfer_id=original.transfer_id,
        decline_code=None,
        evidence=canonical_json({"reason": reason}),
        created_at=at,
    )
    tx.move(t.debit_account, t.credit_account, amount.minor)
    tx.insert_transfer(t)
    return Outcome(201, t.to_json(), audit_of(t))


# A terminal may reverse its own debit without a cashier for this long (an unknown outcome is
# found by recovery within minutes; a day covers a terminal that was off overnight).
REVERSAL_WINDOW_S = 24 * 3600


def prepare_reverse(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """The terminal that made a debit takes it back, without a cashier, as card terminals send a
    reversal after a time-out: the shopper was told the outcome is unknown, so no money may stay."""
    body = parse_body(req.body, {"original_transfer_id", "reason", "transfer_id"})
    original_id = body.text("original_transfer_id", pattern=ID_PATTERN)
    reason = body.text("reason", required=False, max_len=256) or "reversal: outcome unknown to the shopper"
    new_id = transfer_id_of(body, terminal.terminal_id)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        original = _original(tx, terminal, original_id)
        if (
            original is None
            or original.terminal_id != terminal.terminal_id
            or original.status == TransferStatus.DECLINED
            or now - from_iso_time(original.created_at).timestamp() > REVERSAL_WINDOW_S
        ):
            return error(ErrorCode.UNKNOWN_TRANSFER, original_transfer_id=original_id)
        if tx.transfer(new_id, lock=False) is not None:
            return error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=new_id)
        return void_transfer(tx, original, new_id, terminal, None, auth, reason, at)

    return work
