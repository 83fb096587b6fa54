"""``facepay reconcile --date YYYY-MM-DD``: the terminal journal against the ledger, for one business day.

The day runs from midnight to midnight in ``shop.timezone`` (as in ``facepay report``); every
time printed or written is on that clock.

Prints the totals, every difference and the verdict ("totals agree" / "totals do
not agree" with the difference / "totals unconfirmed"); ``--csv``, ``--html`` and
``--json`` write the findings as files or print them as one JSON object.

A payment stored offline on one day and forwarded the next belongs to both days'
lists: the journal entry and the ledger record are fetched across the day boundary
so that each day's comparison is complete.

Exit codes: 0 totals agree; 1 totals do not agree; 2 a wrong request; 3 totals unconfirmed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.commands.pay_cmd import UsageError, add_connection_flags, open_service, quiet_http
from payments.client import LedgerClientError
from payments.journal import JournalError
from payments.reconcile import Finding, Reconciliation, Verdict
from payments.report import render_html, zone_name
from payments.terminal import PaymentError

__all__ = ["register"]

EXIT = {Verdict.AGREE: 0, Verdict.DISAGREE: 1, Verdict.UNCONFIRMED: 3}
EXIT_USAGE = 2


def build(args: argparse.Namespace) -> Reconciliation:
    if args.date is not None:
        try:
            date.fromisoformat(args.date)
        except ValueError as exc:
            raise UsageError(f"--date {args.date!r} is not a date YYYY-MM-DD") from exc
    with open_service(args) as service:
        return service.reconcile_day(args.date)


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind.value,
        "transfer_id": f.transfer_id,
        "entry_kind": f.entry_kind,
        "at": f.at,
        "customer_id": f.customer_id,
        "journal_state": f.journal_state,
        "journal_amount": f.journal_amount.to_json() if f.journal_amount else None,
        "ledger_status": f.ledger_status,
        "ledger_amount": f.ledger_amount.to_json() if f.ledger_amount else None,
        "note": f.note,
    }


def to_json(rec: Reconciliation, zone: str = "UTC") -> dict[str, Any]:
    def totals(t: Any) -> dict[str, Any]:
        return {
            "sales": list(t.sales),
            "refunds": list(t.refunds),
            "voids": list(t.voids),
            "declines": list(t.declines),
            "net": t.net.to_json(),
        }

    return {
        "day": rec.day,
        "timezone": zone,
        "terminal_id": rec.terminal_id,
        "verdict": rec.verdict.value,
        "verdict_text": rec.verdict_text,
        "differences": {c: m.to_json() for c, m in rec.differences.items()},
        "journal_totals": {c: totals(t) for c, t in rec.journal_totals.items()},
        "ledger_totals": None
        if rec.ledger_totals is None
        else {c: totals(t) for c, t in rec.ledger_totals.items()},
        "findings": [_finding_json(f) for f in rec.findings],
    }


def _write_csv(rec: Reconciliation, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "at",
                "finding",
                "kind",
                "transfer_id",
                "customer_id",
                "journal_state",
                "journal_amount",
                "ledger_status",
                "ledger_amount",
                "currency",
                "note",
            ]
        )
        for f in rec.findings:
            amount = f.journal_amount or f.ledger_amount
            currency = amount.currency if amount is not None else ""
            w.writerow(
                [
                    f.at,
                    f.kind.value,
                    f.entry_kind,
                    f.transfer_id,
                    f.customer_id or "",
                    f.journal_state or "",
                    f.journal_amount.format() if f.journal_amount else "",
                    f.ledger_status or "",
                    f.ledger_amount.format() if f.ledger_amount else "",
                    currency,
                    f.note,
                ]
            )


def _print_text(rec: Reconciliation, zone: str) -> None:
    print(f"reconciliation of terminal {rec.terminal_id} for {rec.day} ({zone})")
    for currency in sorted(set(rec.journal_totals) | set(rec.ledger_totals or {})):
        j = rec.journal_totals.get(currency)
        lg = (rec.ledger_totals or {}).get(currency)
        for label, t in (("journal", j), ("ledger", lg)):
            if t is None:
                continue
            print(
                f"  {label:<8} sales {t.sales[0]:>4} = {t.money('sales')!s:>14}   "
                f"refunds {t.refunds[0]:>3} = {t.money('refunds')!s:>12}   "
                f"voided {t.voids[0]:>3}   declined {t.declines[0]:>3}   net {t.net}"
            )
    differences = [f for f in rec.findings if f.is_difference]
    for f in differences:
        print(
            f"  {f.kind.value:<15} {f.transfer_id}  {f.entry_kind:<6} journal {f.journal_state or '-'} "
            f"{f.journal_amount or ''}  ledger {f.ledger_status or '-'} {f.ledger_amount or ''}  {f.note}"
        )
    print(f"{len(rec.findings) - len(differences)} matched, {len(differences)} to look at")
    print(rec.verdict_text)


def run_reconcile(args: argparse.Namespace) -> int:
    quiet_http(args)
    try:
        rec = build(args)
    except (UsageError, JournalError, LedgerClientError, PaymentError) as exc:
        print(f"facepay reconcile: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.csv:
        _write_csv(rec, args.csv)
    tz = ZoneInfo(args.settings.shop.timezone)
    if args.html:
        generated = datetime.now(UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        args.html.write_text(render_html(rec, generated_at=generated, tz=tz), encoding="utf-8")
    if args.json:
        print(json.dumps(to_json(rec, zone_name(tz)), sort_keys=True))
    else:
        _print_text(rec, zone_name(tz))
    return EXIT[rec.verdict]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "reconcile",
        help="compare the terminal journal with the ledger for one day",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--date", help="the shop's day YYYY-MM-DD (default: today in shop.timezone)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write the findings as CSV")
    p.add_argument("--html", type=Path, metavar="FILE", help="write the report as one HTML file")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_connection_flags(p)
    p.set_defaults(handler=run_reconcile)
