"""The terminal's day-book: plain functions over journal entries (and the ledger's records).

Nothing here reads a file or the network: the payment service passes the entries in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from payments.client import LedgerTransfer
from payments.journal import EntryKind, EntryState, JournalEntry
from payments.money import Money
from payments.outcomes import DayTotals, Outstanding
from payments.wire import TIME_FORMAT, from_iso_time

__all__ = [
    "day_bounds",
    "day_totals",
    "last_payment",
    "merged_for_reconciliation",
    "offline_exposure",
    "outstanding",
    "refundable",
    "to_read_back",
]

_DAY_FORMAT = "%Y-%m-%d"


def day_bounds(day: str | None, tz: tzinfo = UTC, now: datetime | None = None) -> tuple[str, str, str]:
    """(day, first instant, next day's first instant) of a business day in the shop's zone ``tz``
    (default today there, as of ``now``), the instants as UTC wire times.

    The one place where a day is cut: the merchant's report, reconciliation and the cashier's
    totals and refund list all call it. A day with a daylight-saving change is 23 or 25 hours.
    """
    day = day or (now or datetime.now(UTC)).astimezone(tz).strftime(_DAY_FORMAT)
    local = datetime.fromisoformat(day).replace(tzinfo=tz)
    following = (local + timedelta(days=1)).replace(tzinfo=tz)
    return day, _wire(local), _wire(following)


def _wire(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def day_totals(
    day: str, currency: str, day_entries: Iterable[JournalEntry], history: Iterable[JournalEntry]
) -> DayTotals:
    """Totals of ``day_entries`` (one business day); ``history`` (every entry) says which sales
    were voided."""
    counts: dict[str, int] = {"debit": 0, "refund": 0, "void": 0, "offline": 0, "declined": 0, "open": 0}
    sums: dict[str, int] = dict.fromkeys(counts, 0)
    voided = {
        e.original_transfer_id for e in history if e.kind == EntryKind.VOID and e.state == EntryState.APPROVED
    }
    for e in day_entries:
        if e.amount.currency != currency:
            continue
        if e.state == EntryState.APPROVED:
            if e.kind == EntryKind.DEBIT and e.transfer_id in voided:
                continue  # a voided sale counts under voids, through its void entry
            bucket = e.kind.value
        elif e.state == EntryState.STORED_OFFLINE:
            bucket = "offline"
        elif e.state == EntryState.DECLINED:
            if e.kind != EntryKind.DEBIT:
                continue
            bucket = "declined"
        else:
            bucket = "open"
        counts[bucket] += 1
        sums[bucket] += e.amount.minor

    def pair(name: str) -> tuple[int, Money]:
        return counts[name], Money(sums[name], currency)

    return DayTotals(
        day,
        currency,
        pair("debit"),
        pair("refund"),
        pair("void"),
        counts["declined"],
        pair("offline"),
        counts["open"],
    )


def offline_exposure(open_entries: Iterable[JournalEntry], currency: str) -> Money:
    """Total of debits stored offline and not yet forwarded."""
    total = Money(0, currency)
    for e in open_entries:
        if e.state == EntryState.STORED_OFFLINE and e.amount.currency == currency:
            total += e.amount
    return total


def outstanding(open_entries: Iterable[JournalEntry], now: datetime) -> list[Outstanding]:
    """Open entries with their age (store-and-forward payments first)."""
    items = [Outstanding(e, (now - from_iso_time(e.created_at)).total_seconds()) for e in open_entries]
    return sorted(items, key=lambda o: (o.entry.state != EntryState.STORED_OFFLINE, o.entry.seq))


def last_payment(entries: Sequence[JournalEntry]) -> JournalEntry | None:
    """The latest approved debit among ``entries`` (oldest first), or None."""
    for e in reversed(entries):
        if e.kind == EntryKind.DEBIT and e.state == EntryState.APPROVED:
            return e
    return None


def refundable(original: JournalEntry, related: Iterable[JournalEntry]) -> Money:
    """What is left to refund of ``original`` given the entries that refer to it (nothing once voided)."""
    left = original.amount
    for e in related:
        if e.state == EntryState.DECLINED:
            continue
        if e.kind == EntryKind.VOID:
            return Money(0, left.currency)
        left -= e.amount
    return left


def to_read_back(entries: Iterable[JournalEntry], records: Iterable[LedgerTransfer]) -> list[str]:
    """Transfer ids the journal sent that the ledger's day listing lacks (posted on another day)."""
    listed = {r.transfer_id for r in records}
    return [e.transfer_id for e in entries if e.transfer_id not in listed and e.attempts]


def merged_for_reconciliation(
    entries: Sequence[JournalEntry], other_days: Iterable[JournalEntry | None]
) -> list[JournalEntry]:
    """The day's entries plus the journal entries of the ledger's records journalled on another day."""
    have = {e.transfer_id for e in entries}
    extra = [e for e in other_days if e is not None and e.transfer_id not in have]
    return sorted([*entries, *extra], key=lambda e: e.seq)
