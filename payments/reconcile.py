"""Reconciliation: the terminal's journal against the ledger's records, as data.

:func:`reconcile` is a plain function of the two lists. It never raises for a
difference: every difference is a :class:`Finding`. Entries are matched by transfer
id (the terminal chooses it and sends it), falling back to the idempotency key.

Finding kinds:

``matched``          both sides agree (a decline the ledger never recorded counts too)
``ledger_only``      the ledger has a transfer of this terminal the journal does not know
``journal_only``     the journal says approved, the ledger has nothing
``amount_differs``   both sides have it with different amounts
``status_differs``   e.g. journal approved, ledger declined or voided
``unresolved``       the journal has not settled it yet (unknown, stored offline, in flight)

Totals per side and currency: sales (posted debits not voided), refunds, voids,
declines, and net = sales - refunds. A debit the terminal reversed on its own (its
outcome was unknown to the shopper) counts as voided on both sides: net zero. While its
reversal is not confirmed, the debit is unresolved. The verdict, in the words merchants use:

* ``totals agree``         every total is equal and nothing is unresolved
* ``totals do not agree``  some total differs; the text gives the difference
* ``totals unconfirmed``   the ledger could not be reached, or entries are unresolved
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from payments.client import LedgerTransfer
from payments.journal import EntryKind, EntryState, JournalEntry
from payments.money import Money

__all__ = [
    "Finding",
    "FindingKind",
    "Reconciliation",
    "Side",
    "Totals",
    "Verdict",
    "reconcile",
]


class FindingKind(StrEnum):
    MATCHED = "matched"
    LEDGER_ONLY = "ledger_only"
    JOURNAL_ONLY = "journal_only"
    AMOUNT_DIFFERS = "amount_differs"
    STATUS_DIFFERS = "status_differs"
    UNRESOLVED = "unresolved"


class Verdict(StrEnum):
    AGREE = "totals agree"
    DISAGREE = "totals do not agree"
    UNCONFIRMED = "totals unconfirmed"


class Side(StrEnum):
    JOURNAL = "journal"
    LEDGER = "ledger"


@dataclass(frozen=True, slots=True)
class Finding:
    """One transfer as both sides see it.

    Attributes:
        kind: see :class:`FindingKind`.
        transfer_id: the transfer's id.
        entry_kind: debit, refund or void.
        at: when it happened (ledger time when known, else journal time), ISO UTC.
        customer_id: the customer.
        journal_state: the journal's state, None when absent from the journal.
        journal_amount: the journal's amount.
        ledger_status: the ledger's status, None when absent from the ledger.
        ledger_amount: the ledger's amount.
        note: one sentence for the merchant (empty for a plain match).
    """

    kind: FindingKind
    transfer_id: str
    entry_kind: str
    at: str
    customer_id: str | None
    journal_state: str | None
    journal_amount: Money | None
    ledger_status: str | None
    ledger_amount: Money | None
    note: str = ""

    @property
    def is_difference(self) -> bool:
        return self.kind != FindingKind.MATCHED


@dataclass(frozen=True, slots=True)
class Totals:
    """What one side says happened in one currency.

    Attributes:
        currency: ISO 4217 code.
        sales: posted debits that were not voided (count, minor units).
        refunds: posted refunds.
        voids: voided debits.
        declines: declined debits (count; minor units asked).
    """

    currency: str
    sales: tuple[int, int] = (0, 0)
    refunds: tuple[int, int] = (0, 0)
    voids: tuple[int, int] = (0, 0)
    declines: tuple[int, int] = (0, 0)

    @property
    def net(self) -> Money:
        return Money(self.sales[1] - self.refunds[1], self.currency)

    def money(self, name: str) -> Money:
        pair: tuple[int, int] = getattr(self, name)
        return Money(pair[1], self.currency)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The result of comparing one terminal's day.

    Attributes:
        day: YYYY-MM-DD, a business day in the shop's time zone.
        terminal_id: the terminal.
        findings: one per transfer, in time order.
        journal_totals: per currency.
        ledger_totals: per currency; None when the ledger could not be reached.
        verdict: see :class:`Verdict`.
        verdict_text: the verdict with its reason or difference, one sentence.
        differences: ledger net minus journal net, per currency, where not zero.
    """

    day: str
    terminal_id: str
    findings: tuple[Finding, ...]
    journal_totals: Mapping[str, Totals]
    ledger_totals: Mapping[str, Totals] | None
    verdict: Verdict
    verdict_text: str
    differences: Mapping[str, Money] = field(default_factory=dict)

    def count(self, kind: FindingKind) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


# --- effective status of each side ------------------------------------------------

_OPEN = {EntryState.INTENT, EntryState.SENT, EntryState.UNKNOWN, EntryState.STORED_OFFLINE}


def _journal_status(entry: JournalEntry, voided: set[str], voiding: set[str]) -> str:
    """The ledger-status word the journal implies: posted, pending, voided, declined or open."""
    if entry.state in _OPEN or entry.transfer_id in voiding:
        return "open"
    if entry.state == EntryState.DECLINED:
        return "declined"
    if entry.kind == EntryKind.DEBIT and entry.transfer_id in voided:
        return "voided"
    return entry.ledger_status or "posted"


def _money_moved(status: str) -> bool:
    return status in {"posted", "pending", "voided"}


_DEBIT_TOTAL = {"posted": "sales", "pending": "sales", "voided": "voids", "declined": "declines"}


def _totals(items: Iterable[tuple[str, str, Money]]) -> dict[str, Totals]:
    """Totals from (kind, status, amount) triples."""
    acc: dict[str, dict[str, list[int]]] = {}
    for kind, status, amount in items:
        cur = acc.setdefault(amount.currency, {n: [0, 0] for n in ("sales", "refunds", "voids", "declines")})
        name = None
        if kind == EntryKind.DEBIT:
            name = _DEBIT_TOTAL.get(status)
        elif kind == EntryKind.REFUND and status in {"posted", "pending"}:
            name = "refunds"
        if name is not None:
            cur[name][0] += 1
            cur[name][1] += amount.minor
    return {c: Totals(c, **{n: (v[0], v[1]) for n, v in parts.items()}) for c, parts in sorted(acc.items())}


# --- matching -------------------------------------------------------------------------


def _compare(
    entry: JournalEntry, status: str, record: LedgerTransfer | None, reversed_ids: set[str]
) -> Finding:
    def finding(kind: FindingKind, note: str = "") -> Finding:
        return Finding(
            kind,
            entry.transfer_id,
            entry.kind.value,
            record.created_at if record else entry.created_at,
            entry.customer_id,
            entry.state.value,
            entry.amount,
            record.status if record else None,
            record.amount if record else None,
            note,
        )

    if status == "open":
        what = (
            "Stored offline, not yet sent to the ledger"
            if entry.state == EntryState.STORED_OFFLINE
            else "Being reversed (the shopper was told the outcome was unknown)"
            if entry.is_final
            else "The terminal is still waiting for the ledger's answer"
        )
        where = f" (the ledger says {record.status})" if record else ""
        return finding(FindingKind.UNRESOLVED, f"{what}{where}; run facepay journal recover.")
    if record is None:
        if status == "declined":
            return finding(FindingKind.MATCHED, "Declined before it reached the ledger; no money moved.")
        return finding(
            FindingKind.JOURNAL_ONLY, "The terminal shows it approved; the ledger has no such payment."
        )
    if record.amount != entry.amount:
        return finding(
            FindingKind.AMOUNT_DIFFERS,
            f"The ledger booked {record.amount - entry.amount} more than the terminal shows."
            if entry.amount.currency == record.amount.currency
            else "Currencies differ.",
        )
    if _money_moved(status) != _money_moved(record.status) or (status == "voided") != (
        record.status == "voided"
    ):
        return finding(
            FindingKind.STATUS_DIFFERS, f"The terminal shows it {status}, the ledger {record.status}."
        )
    note = ""
    if entry.transfer_id in reversed_ids and status == "voided":
        note = "Charged while the shopper was told the outcome was unknown; reversed automatically."
    elif entry.abandoned and status in {"posted", "pending"} and entry.kind == EntryKind.DEBIT:
        note = "Charged while the shopper was told the outcome was unknown, and not reversed: refund it."
    elif entry.is_reversal:
        note = "The terminal's automatic reversal of a payment whose outcome was unknown."
    elif entry.offline:
        note = "Accepted offline, sent later" + (" and declined: a loss." if status == "declined" else ".")
    return finding(FindingKind.MATCHED, note)


def reconcile(
    journal_entries: Sequence[JournalEntry],
    ledger_records: Sequence[LedgerTransfer] | None,
    *,
    day: str,
    terminal_id: str,
) -> Reconciliation:
    """Compare the journal's entries with the ledger's records (None: ledger unreachable)."""
    voided = {
        e.original_transfer_id
        for e in journal_entries
        if e.kind == EntryKind.VOID and e.state == EntryState.APPROVED and e.original_transfer_id
    }
    voiding = {
        e.original_transfer_id
        for e in journal_entries
        if e.kind == EntryKind.VOID and e.state in _OPEN and e.original_transfer_id
    }
    reversed_ids = {
        e.original_transfer_id
        for e in journal_entries
        if e.is_reversal and e.state == EntryState.APPROVED and e.original_transfer_id
    }
    records = list(ledger_records or ())
    by_id = {r.transfer_id: r for r in records}
    by_key = {r.idempotency_key: r for r in records if r.idempotency_key}
    seen: set[str] = set()
    findings: list[Finding] = []
    journal_items: list[tuple[str, str, Money]] = []
    for entry in journal_entries:
        status = _journal_status(entry, voided, voiding)
        record = (
            by_id.get(entry.ledger_transfer_id or entry.transfer_id)
            or by_id.get(entry.transfer_id)
            or by_key.get(entry.idempotency_key)
        )
        if record is not None:
            seen.add(record.transfer_id)
        if ledger_records is not None:
            findings.append(_compare(entry, status, record, reversed_ids))
        if status != "open":
            journal_items.append((entry.kind.value, status, entry.amount))
    for record in records:
        if record.transfer_id in seen or record.kind not in {k.value for k in EntryKind}:
            continue
        note = (
            "A decline the terminal did not record; no money moved."
            if record.status == "declined"
            else "The ledger booked it for this terminal; the terminal has no record of it."
        )
        findings.append(
            Finding(
                FindingKind.LEDGER_ONLY,
                record.transfer_id,
                record.kind,
                record.created_at,
                record.customer_id,
                None,
                None,
                record.status,
                record.amount,
                note,
            )
        )
    findings.sort(key=lambda f: (f.at, f.transfer_id))
    journal_totals = _totals(journal_items)
    if ledger_records is None:
        unresolved = [
            Finding(
                FindingKind.UNRESOLVED,
                e.transfer_id,
                e.kind.value,
                e.created_at,
                e.customer_id,
                e.state.value,
                e.amount,
                None,
                None,
                "The ledger could not be asked.",
            )
            for e in journal_entries
        ]
        return Reconciliation(
            day,
            terminal_id,
            tuple(unresolved),
            journal_totals,
            None,
            Verdict.UNCONFIRMED,
            "totals unconfirmed: the ledger could not be reached",
        )
    ledger_totals = _totals((r.kind, r.status, r.amount) for r in records)
    return _verdict(day, terminal_id, tuple(findings), journal_totals, ledger_totals)


def _verdict(
    day: str,
    terminal_id: str,
    findings: tuple[Finding, ...],
    journal: dict[str, Totals],
    ledger: dict[str, Totals],
) -> Reconciliation:
    differences: dict[str, Money] = {}
    unequal = False
    for currency in sorted(set(journal) | set(ledger)):
        j, lg = journal.get(currency, Totals(currency)), ledger.get(currency, Totals(currency))
        if (j.sales, j.refunds, j.voids) != (lg.sales, lg.refunds, lg.voids):
            unequal = True
        diff = lg.net - j.net
        if diff.minor:
            differences[currency] = diff
    unresolved = sum(1 for f in findings if f.kind == FindingKind.UNRESOLVED)
    if unequal:
        parts = []
        for currency in sorted(set(journal) | set(ledger)):
            j, lg = journal.get(currency, Totals(currency)), ledger.get(currency, Totals(currency))
            diff = lg.net - j.net
            parts.append(f"ledger net {lg.net}, terminal net {j.net}, difference {diff}")
        text = f"{Verdict.DISAGREE}: " + "; ".join(parts)
        if unresolved:
            text += (
                f" ({unresolved} payment{' is' if unresolved == 1 else 's are'} "
                "not settled yet and may explain part of it)"
            )
        verdict = Verdict.DISAGREE
    elif unresolved:
        verdict = Verdict.UNCONFIRMED
        text = (
            f"{Verdict.UNCONFIRMED}: {unresolved} entr{'y is' if unresolved == 1 else 'ies are'} "
            "not settled yet; run `facepay journal recover`"
        )
    else:
        verdict = Verdict.AGREE
        nets = ", ".join(f"net {t.net}" for t in ledger.values()) or "no transfers"
        text = f"{Verdict.AGREE}: {nets}"
    return Reconciliation(day, terminal_id, findings, journal, ledger, verdict, text, differences)
