"""Reconciliation as a plain function: every difference is a finding, the verdict says it in one line."""

from __future__ import annotations

from dataclasses import replace

from payments.client import LedgerTransfer
from payments.journal import EntryKind, EntryState, JournalEntry
from payments.money import Money
from payments.reconcile import FindingKind, Verdict, reconcile
from payments.report import hourly, render_html

DAY = "2026-05-01"


def entry(
    n: int,
    minor: int,
    state: EntryState = EntryState.APPROVED,
    kind: EntryKind = EntryKind.DEBIT,
    hour: int = 10,
    original: str | None = None,
) -> JournalEntry:
    at = f"{DAY}T{hour:02d}:00:{n:02d}.000000Z"
    return JournalEntry(
        seq=n,
        transfer_id=f"tx_{n}",
        idempotency_key=f"ik_{n}",
        kind=kind,
        amount=Money(minor, "EUR"),
        customer_id="c-alice",
        merchant_ref=f"sale-{n}",
        evidence_json="{}",
        pin_used=False,
        original_transfer_id=original,
        cashier_id=None,
        state=state,
        ledger_transfer_id=None,
        ledger_status="posted" if state == EntryState.APPROVED else None,
        decline_code=None,
        message=None,
        attempts=1,
        abandoned=False,
        offline=False,
        last_attempt_at=at,
        created_at=at,
        updated_at=at,
        request_body=None,
    )


def record(e: JournalEntry, status: str = "posted", minor: int | None = None) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=e.transfer_id,
        kind=e.kind.value,
        status=status,
        amount=Money(e.amount.minor if minor is None else minor, "EUR"),
        customer_id=e.customer_id,
        terminal_id="t-1",
        cashier_id=None,
        merchant_ref=e.merchant_ref,
        idempotency_key=e.idempotency_key,
        original_transfer_id=e.original_transfer_id,
        decline_code=None,
        evidence_json="{}",
        created_at=e.created_at,
    )


def run(entries: list[JournalEntry], records: list[LedgerTransfer] | None):
    return reconcile(entries, records, day=DAY, terminal_id="t-1")


def test_all_matched_totals_agree() -> None:
    sale, other = entry(1, 1250), entry(2, 300, hour=14)
    refund = entry(3, 200, kind=EntryKind.REFUND, original="tx_1", hour=15)
    declined = entry(4, 9999, EntryState.DECLINED)
    rec = run(
        [sale, other, refund, declined],
        [record(sale), record(other), record(refund), record(declined, "declined")],
    )
    assert [f.kind for f in rec.findings] == [FindingKind.MATCHED] * 4
    assert rec.verdict == Verdict.AGREE
    assert rec.verdict_text == "totals agree: net 13.50 EUR"
    totals = rec.ledger_totals["EUR"]
    assert totals.sales == (2, 1550) and totals.refunds == (1, 200) and totals.declines == (1, 9999)


def test_each_kind_of_difference_is_a_finding() -> None:
    only_journal, amount, status, unresolved = (
        entry(1, 500),
        entry(2, 700),
        entry(3, 800),
        entry(4, 900, EntryState.UNKNOWN),
    )
    ledger_only = record(entry(5, 450))
    rec = run(
        [only_journal, amount, status, unresolved],
        [record(amount, minor=750), record(status, "declined"), record(unresolved), ledger_only],
    )
    kinds = {f.transfer_id: f.kind for f in rec.findings}
    assert kinds == {
        "tx_1": FindingKind.JOURNAL_ONLY,
        "tx_2": FindingKind.AMOUNT_DIFFERS,
        "tx_3": FindingKind.STATUS_DIFFERS,
        "tx_4": FindingKind.UNRESOLVED,
        "tx_5": FindingKind.LEDGER_ONLY,
    }
    assert rec.verdict == Verdict.DISAGREE
    # journal: 5.00 + 7.00 + 8.00; ledger: 7.50 + 9.00 + 4.50
    assert rec.differences == {"EUR": Money(2100 - 2000, "EUR")}
    assert "difference 1.00 EUR" in rec.verdict_text


def test_unresolved_but_equal_totals_are_unconfirmed_not_agreed() -> None:
    stored = entry(1, 500, EntryState.STORED_OFFLINE)
    rec = run([stored], [])
    assert rec.verdict == Verdict.UNCONFIRMED
    assert rec.findings[0].kind == FindingKind.UNRESOLVED and "Stored offline" in rec.findings[0].note


def test_ledger_unreachable_is_unconfirmed() -> None:
    rec = run([entry(1, 500)], None)
    assert rec.verdict == Verdict.UNCONFIRMED and rec.ledger_totals is None
    assert "could not be reached" in rec.verdict_text


def test_void_matches_a_voided_debit() -> None:
    sale = entry(1, 600)
    void = entry(2, 600, kind=EntryKind.VOID, original="tx_1")
    rec = run([sale, void], [record(sale, "voided"), record(void)])
    assert rec.verdict == Verdict.AGREE
    assert rec.journal_totals["EUR"].voids == (1, 600) and rec.journal_totals["EUR"].sales == (0, 0)


def test_abandoned_then_approved_and_not_reversed_is_flagged_in_the_note() -> None:
    sale = replace(entry(1, 600), abandoned=True)
    rec = run([sale], [record(sale)])
    assert rec.findings[0].kind == FindingKind.MATCHED and "refund it" in rec.findings[0].note


def reversal_of(sale: JournalEntry, n: int, state: EntryState) -> JournalEntry:
    return replace(
        entry(n, sale.amount.minor, state, kind=EntryKind.VOID, original=sale.transfer_id),
        ledger_status="posted" if state == EntryState.APPROVED else None,
    )


def test_reversed_debit_is_net_zero_and_totals_agree() -> None:
    sale = replace(entry(1, 600), abandoned=True)
    kept = entry(2, 250)
    reversal = reversal_of(sale, 3, EntryState.APPROVED)
    assert reversal.is_reversal and reversal.label == "reversal"
    rec = run([sale, kept, reversal], [record(sale, "voided"), record(kept), record(reversal)])
    assert rec.verdict == Verdict.AGREE, rec.verdict_text
    assert rec.journal_totals["EUR"].net == Money(250, "EUR") == rec.ledger_totals["EUR"].net
    assert rec.journal_totals["EUR"].voids == (1, 600) == rec.ledger_totals["EUR"].voids
    notes = {f.transfer_id: f.note for f in rec.findings}
    assert "reversed automatically" in notes["tx_1"] and "automatic reversal" in notes["tx_3"]


def test_debit_with_an_unconfirmed_reversal_is_not_settled() -> None:
    sale = replace(entry(1, 600), abandoned=True)
    reversal = reversal_of(sale, 2, EntryState.UNKNOWN)
    for ledger in ([record(sale)], [record(sale, "voided"), record(reversal)]):
        rec = run([sale, reversal], ledger)
        assert rec.verdict != Verdict.AGREE
        assert {f.transfer_id: f.kind for f in rec.findings}["tx_1"] == FindingKind.UNRESOLVED
        assert "Being reversed" in rec.findings[0].note


def test_declined_before_recording_counts_as_matched() -> None:
    rec = run([entry(1, 600, EntryState.DECLINED)], [])
    assert rec.findings[0].kind == FindingKind.MATCHED and rec.verdict == Verdict.AGREE


def test_report_has_verdict_chart_and_every_finding() -> None:
    sale, late = entry(1, 1250, hour=9), entry(2, 300, hour=17)
    declined = entry(3, 100, EntryState.DECLINED, hour=17)
    rec = run([sale, late, declined], [record(sale), record(late, minor=350), record(declined, "declined")])
    buckets = hourly(rec.findings, "EUR")
    assert buckets[9].sales_minor == 1250 and buckets[17].sales_minor == 350 and buckets[17].declines == 1
    page = render_html(rec)
    assert page.count("<svg") == 1 and "<script" not in page and "http" not in page.split("<svg", 1)[0]
    assert "Totals do not agree" in page and "amount differs" in page and "tx_2" in page
