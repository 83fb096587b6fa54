"""Actions that only read: one transfer, a terminal's records for reconciliation, and whether a
cashier id is one of the terminal's merchant (``facepay doctor``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from payments.ledger._context import Context
from payments.ledger._messages import BadInput, Outcome, Request, Work, error, time_param
from payments.ledger.errors import ErrorCode
from payments.ledger.records import Terminal
from payments.ledger.store import LedgerTx
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN, iso_time

__all__ = ["MAX_LISTING", "prepare_get", "prepare_get_cashier", "prepare_list"]

# Largest listing answer; a client narrows the date range when "truncated" is true.
MAX_LISTING = 5000


def prepare_get(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    transfer_id = params.get("transfer_id", "")

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        t = tx.transfer(transfer_id, lock=False) if ID_PATTERN.fullmatch(transfer_id) else None
        if t is None or t.merchant_id != terminal.merchant_id:
            return error(ErrorCode.UNKNOWN_TRANSFER, transfer_id=transfer_id[:64])
        return Outcome(200, t.to_json(), {"transfer_id": transfer_id})

    return work


def prepare_get_cashier(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """A cashier of the terminal's merchant: its id and whether it is enabled; nothing about its
    PIN. Any other id, another merchant's included, is ``unknown_cashier`` (no oracle)."""
    cashier_id = params.get("cashier_id", "")

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        c = tx.cashier(cashier_id, lock=False) if ID_PATTERN.fullmatch(cashier_id) else None
        if c is None or c.merchant_id != terminal.merchant_id:
            return error(ErrorCode.UNKNOWN_CASHIER, cashier_id=cashier_id[:64])
        return Outcome(200, {"cashier_id": c.cashier_id, "enabled": c.enabled}, {"cashier_id": cashier_id})

    return work


def prepare_list(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    query = req.query
    wanted = query.get("terminal", terminal.terminal_id)
    start, end = time_param(query, "from"), time_param(query, "to")
    now = ctx.clock()
    start_s = start or iso_time(
        datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    )
    end_s = end or iso_time(now + 1)
    try:
        limit = min(int(query.get("limit", str(MAX_LISTING))), MAX_LISTING)
    except ValueError:
        raise BadInput(ErrorCode.MALFORMED, "limit must be a whole number") from None
    if limit < 1:
        raise BadInput(ErrorCode.MALFORMED, "limit must be positive")
    other = ctx.store.terminal(wanted) if wanted != terminal.terminal_id else terminal
    same_merchant = other is not None and other.merchant_id == terminal.merchant_id
    rows = ctx.store.list_transfers(wanted, start_s, end_s, limit + 1) if same_merchant else []

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        payload = {
            "terminal_id": wanted,
            "from": start_s,
            "to": end_s,
            "transfers": [t.to_json() for t in rows[:limit]],
            "truncated": len(rows) > limit,
        }
        return Outcome(200, payload, {"listed": min(len(rows), limit), "terminal": wanted})

    return work
