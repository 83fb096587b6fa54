"""The merchant's day: every lane (a terminal and its journal) of one shop against the ledger,
for one business day in the shop's time zone.

:func:`read_lane` fetches one lane's day (its journal entries and the ledger's records of
that terminal; a terminal may list the records of any terminal of its own merchant) and
reconciles it; :func:`merchant_day` puts the lanes together as plain data: one line per
transfer with its lane, local time, method (face / face+PIN / PIN), cashier and sale
reference, the split of the day's sales by method, and for every finding the next thing
the merchant should do about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from payments import _daybook
from payments.client import Declined, LedgerClient, LedgerRefused, LedgerTransfer, LedgerUnreachable
from payments.journal import Journal, JournalEntry
from payments.money import Money
from payments.reconcile import Finding, FindingKind, Reconciliation, Verdict, reconcile
from payments.wire import from_iso_time

__all__ = [
    "METHODS",
    "NEXT_ACTION",
    "NO_LEDGER_ACTION",
    "DayLine",
    "LaneDay",
    "MerchantDay",
    "MethodTotal",
    "merchant_day",
    "read_lane",
]

# How a sale's shopper was confirmed, as the evidence records it, in the report's order
# ("operator": typed at the command line, `facepay pay`).
METHODS = ("face", "face+pin", "pin", "operator")

# What the merchant does about each kind of finding (a matched transfer needs nothing).
NEXT_ACTION: Mapping[FindingKind, str] = {
    FindingKind.MATCHED: "",
    FindingKind.LEDGER_ONLY: "The ledger charged a payment this lane's journal does not know: check that the "
    "lane's journal file is the lane's own (facepay journal list on that lane), then keep the ledger's "
    "record; refund only if the shopper did not get the goods.",
    FindingKind.JOURNAL_ONLY: "The lane recorded it approved but the ledger has nothing: run facepay journal "
    "recover on that lane; if it stays, send the transfer id to the ledger's operator.",
    FindingKind.AMOUNT_DIFFERS: "The ledger's amount is what the shopper paid: compare it with the till's "
    "receipt and refund any overcharge from the cashier menu.",
    FindingKind.STATUS_DIFFERS: "Run facepay journal recover on that lane, then this report again; the "
    "ledger's status is what the shopper's account shows.",
    FindingKind.UNRESOLVED: "Not settled yet: keep the lane on-line (it retries every minute) or run "
    "facepay journal recover on it, then this report again.",
}

# What to do about every transfer of a lane whose ledger records could not be read.
NO_LEDGER_ACTION = (
    "The ledger could not be reached for this lane: check the network and the ledger (facepay doctor), "
    "then run this report again; nothing is known to differ yet."
)


@dataclass(frozen=True)
class LaneDay:
    """One lane's day as read: its reconciliation and what each side says of each transfer.

    Attributes:
        reconciliation: the lane's journal against the ledger.
        entries: the journal entries compared, by transfer id.
        records: the ledger's records compared, by transfer id (empty without the ledger).
    """

    reconciliation: Reconciliation
    entries: Mapping[str, JournalEntry]
    records: Mapping[str, LedgerTransfer]


def read_lane(client: LedgerClient, journal: Journal, day: str, tz: ZoneInfo) -> LaneDay:
    """Reconcile one lane's shop day; "unconfirmed" when the ledger cannot be reached.

    ``client`` signs as any terminal of the merchant; it lists the records of ``journal``'s
    terminal. A payment journalled on one day and posted on another is read back by id.
    """
    _, first, end = _daybook.day_bounds(day, tz)
    terminal_id = journal.terminal_id
    entries = journal.entries(first, end)
    records: list[LedgerTransfer] | None
    try:
        records = list(client.list_transfers(first, end, terminal_id).transfers)
        for transfer_id in _daybook.to_read_back(entries, records):
            found = client.transfer(transfer_id)
            if found is not None:
                records.append(found)
    except (LedgerUnreachable, LedgerRefused, Declined):
        records = None
    if records is not None:
        entries = _daybook.merged_for_reconciliation(entries, (journal.find(r.transfer_id) for r in records))
    rec = reconcile(entries, records, day=day, terminal_id=terminal_id)
    return LaneDay(rec, {e.transfer_id: e for e in entries}, {r.transfer_id: r for r in records or ()})


@dataclass(frozen=True)
class DayLine:
    """One transfer of the day.

    Attributes:
        lane: the terminal.
        at: local time in the shop's zone, ``YYYY-MM-DD HH:MM``.
        transfer_id: the transfer.
        kind: debit, refund or void.
        status: the ledger's status, or the journal's where the ledger has none.
        amount: the amount (the ledger's when it has one).
        method: ``face``, ``face+pin``, ``pin`` or ``operator`` for a sale; "" otherwise.
        cashier_id: the cashier who authorised a refund or void, or who opened a sale (a
            cashier on the kiosk's pad, or ``till:<id>``); "" when not known.
        sale_ref: the sale's reference (a till's sale number), "" when none was given.
        finding: how journal and ledger compare.
        next_action: what to do about the finding, "" for a match.
    """

    lane: str
    at: str
    transfer_id: str
    kind: str
    status: str
    amount: Money
    method: str
    cashier_id: str
    sale_ref: str
    finding: FindingKind
    next_action: str


@dataclass(frozen=True)
class MethodTotal:
    """The day's posted sales confirmed one way, in one currency.

    Attributes:
        method: ``face``, ``face+pin``, ``pin`` or ``operator``.
        count: how many sales.
        amount: their total.
    """

    method: str
    count: int
    amount: Money


@dataclass(frozen=True)
class MerchantDay:
    """One shop's business day over all its lanes.

    Attributes:
        shop: the shop's name.
        day: YYYY-MM-DD in the shop's time zone.
        timezone: the zone's IANA name.
        lanes: each lane's reconciliation.
        lines: every transfer, in time order.
        methods: posted sales by method and currency (every method listed, zero included).
        verdict: the worst lane's verdict (do not agree > unconfirmed > agree).
        verdict_text: one sentence per lane that does not agree, else the shop's verdict.
    """

    shop: str
    day: str
    timezone: str
    lanes: tuple[Reconciliation, ...]
    lines: tuple[DayLine, ...]
    methods: tuple[MethodTotal, ...]
    verdict: Verdict
    verdict_text: str


def _evidence_method(text: str) -> str:
    try:
        evidence = json.loads(text or "{}")
    except ValueError:
        return ""
    method = evidence.get("method", "") if isinstance(evidence, dict) else ""
    return method if method in METHODS else ""


def _line(lane: LaneDay, f: Finding, tz: ZoneInfo) -> DayLine:
    entry, record = lane.entries.get(f.transfer_id), lane.records.get(f.transfer_id)
    evidence = record.evidence_json if record is not None else entry.evidence_json if entry else ""
    ref = record.merchant_ref if record is not None else entry.merchant_ref if entry else ""
    cashier = (record.cashier_id if record is not None else None) or (entry.cashier_id if entry else None)
    amount = f.ledger_amount or f.journal_amount
    assert amount is not None, "a finding has an amount on one side at least"
    return DayLine(
        lane=lane.reconciliation.terminal_id,
        at=from_iso_time(f.at).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        transfer_id=f.transfer_id,
        kind=f.entry_kind,
        status=f.ledger_status or f.journal_state or "",
        amount=amount,
        method=_evidence_method(evidence) if f.entry_kind == "debit" else "",
        cashier_id=cashier or "",
        sale_ref="" if ref == f.transfer_id else ref,  # the pad's sales carry their own id
        finding=f.kind,
        next_action=NEXT_ACTION[f.kind]
        if lane.reconciliation.ledger_totals is not None
        else NO_LEDGER_ACTION,
    )


def _methods(lines: Iterable[DayLine]) -> tuple[MethodTotal, ...]:
    sold: dict[tuple[str, str], list[int]] = {}
    currencies: set[str] = set()
    for line in lines:
        currencies.add(line.amount.currency)
        if line.kind == "debit" and line.status in ("posted", "pending") and line.method:
            acc = sold.setdefault((line.amount.currency, line.method), [0, 0])
            acc[0] += 1
            acc[1] += line.amount.minor
    totals: list[MethodTotal] = []
    for currency in sorted(currencies):
        for method in METHODS:
            count, minor = sold.get((currency, method), [0, 0])
            totals.append(MethodTotal(method, count, Money(minor, currency)))
    return tuple(totals)


def merchant_day(lanes: Sequence[LaneDay], *, shop: str, day: str, tz: ZoneInfo) -> MerchantDay:
    """The shop's day from its lanes' days (a plain function: nothing is read here)."""
    timed = sorted(
        ((f.at, _line(lane, f, tz)) for lane in lanes for f in lane.reconciliation.findings),
        key=lambda pair: (pair[0], pair[1].lane),
    )
    lines = [line for _, line in timed]
    recs = tuple(lane.reconciliation for lane in lanes)
    verdicts = {r.verdict for r in recs}
    verdict = next((v for v in (Verdict.DISAGREE, Verdict.UNCONFIRMED) if v in verdicts), Verdict.AGREE)
    texts = [f"lane {r.terminal_id}: {r.verdict_text}" for r in recs if r.verdict is not Verdict.AGREE]
    text = "; ".join(texts) if texts else f"{verdict.value} on every lane ({len(recs)})"
    return MerchantDay(shop, day, tz.key, recs, tuple(lines), _methods(lines), verdict, text)
