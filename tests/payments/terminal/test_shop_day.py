"""Business days in the shop's time zone everywhere: a payment at 23:30 UTC on day D belongs to
day D+1 in Berlin and to day D in UTC, for ``facepay reconcile`` and for the cashier's totals
and refund list (against a real ledger process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest

from app.adapters import LedgerPayments
from payments import Evidence, day_bounds
from payments import journal as journal_module
from payments.journal import Journal
from payments.money import Money
from payments.reconcile import Finding, FindingKind
from payments.report import hourly
from payments.terminal import Approved, PaymentService

from .conftest import TerminalKit

DAY, NEXT_DAY = "2026-05-04", "2026-05-05"
LATE = f"{DAY}T23:30:00.000000Z"  # the payment's time, on the terminal's clock
BERLIN = ZoneInfo("Europe/Berlin")  # UTC+2 in May: 23:30 UTC is 01:30 the next morning


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_day_of_a_late_payment_depends_on_the_shop_clock() -> None:
    late = _at(LATE)
    assert day_bounds(None, BERLIN, late) == (
        NEXT_DAY,
        f"{DAY}T22:00:00.000000Z",
        f"{NEXT_DAY}T22:00:00.000000Z",
    )
    assert day_bounds(None, UTC, late) == (DAY, f"{DAY}T00:00:00.000000Z", f"{NEXT_DAY}T00:00:00.000000Z")
    assert day_bounds(None, ZoneInfo("UTC"), late)[0] == DAY


@contextmanager
def _service(kit: TerminalKit, tz: tzinfo, now: str) -> Iterator[PaymentService]:
    journal = Journal.open(kit.journal_path, kit.terminal_id)
    service = PaymentService(kit.client(), journal, currency="EUR", tz=tz, clock=lambda: _at(now))
    try:
        yield service
    finally:
        service.client.close()
        journal.close()


@pytest.fixture
def late_sale(kit: TerminalKit, monkeypatch: pytest.MonkeyPatch) -> str:
    """A sale the ledger approved, journalled at 23:30 UTC on DAY."""
    with monkeypatch.context() as m:
        m.setattr(journal_module, "utc_now", lambda: LATE)
        with _service(kit, UTC, LATE) as service:
            paid = service.pay("c-alice", Money(1250, "EUR"), evidence=Evidence("face", 0.8, 0.97, False))
    assert isinstance(paid, Approved), paid
    return paid.transfer_id


@pytest.mark.parametrize(
    ("tz", "now", "day", "listed"),
    [
        (BERLIN, f"{DAY}T23:45:00.000000Z", NEXT_DAY, True),  # 01:45 in Berlin: the sale is today's
        (BERLIN, f"{DAY}T21:45:00.000000Z", DAY, False),  # 23:45 in Berlin: still the day before it
        (UTC, f"{DAY}T23:45:00.000000Z", DAY, True),
        (UTC, f"{NEXT_DAY}T00:15:00.000000Z", NEXT_DAY, False),  # past UTC midnight: yesterday's
    ],
)
def test_the_cashiers_totals_and_refund_list_cut_the_day_at_the_shops_midnight(
    kit: TerminalKit, late_sale: str, tz: tzinfo, now: str, day: str, listed: bool
) -> None:
    with _service(kit, tz, now) as service:
        payments = LedgerPayments(service, models={})
        refundable = [line.transfer_id for line in payments.todays_payments()]
        assert refundable == ([late_sale] if listed else [])
        totals = service.day_totals()
        assert (totals.day, totals.payments) == (
            day,
            (1, Money(1250, "EUR")) if listed else (0, Money(0, "EUR")),
        )
        summary = payments.today_summary()
        assert (summary.payments, summary.paid_minor) == ((1, 1250) if listed else (0, 0))
        assert summary.verdict.startswith("totals agree"), summary.verdict


@pytest.mark.parametrize(
    ("zone", "day", "sales"),
    [("Europe/Berlin", NEXT_DAY, 1), ("Europe/Berlin", DAY, 0), ("UTC", DAY, 1), ("UTC", NEXT_DAY, 0)],
)
def test_reconcile_cuts_the_day_at_the_shops_midnight(
    kit: TerminalKit, late_sale: str, zone: str, day: str, sales: int
) -> None:
    run = kit.cli("reconcile", "--date", day, "--json", extra_env={"FACEPAY_SHOP_TIMEZONE": zone})
    assert run.returncode == 0, run.stdout + run.stderr  # totals agree
    rec = json.loads(run.stdout)
    assert (rec["day"], rec["timezone"]) == (day, zone)
    sold = rec["journal_totals"].get("EUR", {}).get("sales", [0, 0])  # no currency on an empty day
    assert sold == ([1, 1250] if sales else [0, 0])
    assert [f["transfer_id"] for f in rec["findings"]] == ([late_sale] if sales else [])
    page = kit.tmp / "day.html"
    text = kit.cli("reconcile", "--date", day, "--html", str(page), extra_env={"FACEPAY_SHOP_TIMEZONE": zone})
    assert text.stdout.startswith(f"reconciliation of terminal {kit.terminal_id} for {day} ({zone})")
    html = page.read_text(encoding="utf-8")
    assert f"times in {zone}" in html and f"hour of the day ({zone})" in html


def test_the_html_chart_counts_hours_on_the_shops_clock() -> None:
    sale = Finding(
        FindingKind.MATCHED,
        "tx_1",
        "debit",
        LATE,
        "c-alice",
        "approved",
        Money(1250, "EUR"),
        "posted",
        Money(1250, "EUR"),
        "",
    )
    assert [b.hour for b in hourly([sale], "EUR", BERLIN) if b.sales_minor] == [1]
    assert [b.hour for b in hourly([sale], "EUR") if b.sales_minor] == [23]
