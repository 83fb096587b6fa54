"""``facepay report``: the merchant's day over every lane of the shop, in the shop's time zone.

Each lane is a terminal and a copy of its journal (``--lane TERMINAL=JOURNAL``, repeated;
default: this terminal's own). The ledger is read with this terminal's key: a terminal may
list the records of every terminal of its merchant. The day runs from midnight to
midnight in ``shop.timezone``. Printed: the shop's name, each lane's verdict, the sales by
method (face / face+PIN / PIN), every transfer with its lane, local time, cashier and sale
reference, and for each finding what to do next. ``--json`` prints one object, ``--csv``
writes the transfers.

Exit codes: 0 totals agree on every lane; 1 some lane does not agree; 2 a wrong request;
3 some lane unconfirmed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.commands.pay_cmd import UsageError, add_connection_flags, connection, quiet_http
from payments.client import LedgerClient, LedgerClientError
from payments.journal import Journal, JournalError
from payments.merchant_day import MerchantDay, merchant_day, read_lane
from payments.reconcile import Verdict

__all__ = ["register"]

EXIT = {Verdict.AGREE: 0, Verdict.DISAGREE: 1, Verdict.UNCONFIRMED: 3}
EXIT_USAGE = 2
_METHOD_LABEL = {"face": "face", "face+pin": "face+PIN", "pin": "PIN", "operator": "operator"}


def _lanes(args: argparse.Namespace, own: tuple[str, Path]) -> list[tuple[str, Path]]:
    if not args.lane:
        return [own]
    lanes: list[tuple[str, Path]] = []
    for text in args.lane:
        terminal, sep, path = text.partition("=")
        if not sep or not terminal or not path:
            raise UsageError(f"--lane {text!r}: write TERMINAL=JOURNAL, e.g. lane-2=/mnt/lane-2/journal.db")
        if not Path(path).is_file():
            raise UsageError(f"--lane {terminal}: no journal at {path} (copy the lane's journal.db here)")
        lanes.append((terminal, Path(path)))
    return lanes


def build(args: argparse.Namespace) -> MerchantDay:
    tz = ZoneInfo(args.settings.shop.timezone)
    day = args.date or datetime.now(UTC).astimezone(tz).strftime("%Y-%m-%d")
    try:
        date.fromisoformat(day)
    except ValueError as exc:
        raise UsageError(f"--date {day!r} is not a date YYYY-MM-DD") from exc
    conn = connection(args)
    with ExitStack() as stack:
        client = stack.enter_context(
            LedgerClient.from_files(
                conn.url, conn.terminal_id, conn.key_file, conn.ledger_pub, timeout_s=conn.timeout_s
            )
        )
        days = []
        for terminal, path in _lanes(args, (conn.terminal_id, conn.journal)):
            journal = Journal.open(path, terminal)
            stack.callback(journal.close)
            days.append(read_lane(client, journal, day, tz))
    return merchant_day(days, shop=args.settings.kiosk.merchant, day=day, tz=tz)


def to_json(report: MerchantDay) -> dict[str, Any]:
    return {
        "shop": report.shop,
        "day": report.day,
        "timezone": report.timezone,
        "verdict": report.verdict.value,
        "verdict_text": report.verdict_text,
        "lanes": [
            {"terminal_id": r.terminal_id, "verdict": r.verdict.value, "verdict_text": r.verdict_text}
            for r in report.lanes
        ],
        "methods": [
            {"method": m.method, "count": m.count, "amount": m.amount.to_json()} for m in report.methods
        ],
        "transfers": [
            {
                "lane": line.lane,
                "at": line.at,
                "transfer_id": line.transfer_id,
                "kind": line.kind,
                "status": line.status,
                "amount": line.amount.to_json(),
                "method": line.method,
                "cashier_id": line.cashier_id,
                "sale_ref": line.sale_ref,
                "finding": line.finding.value,
                "next_action": line.next_action,
            }
            for line in report.lines
        ],
    }


_COLUMNS: tuple[str, ...] = ("at", "lane", "kind", "status", "amount", "currency", "method", "cashier")
_COLUMNS += ("sale_ref", "transfer_id", "finding", "next_action")


def _write_csv(report: MerchantDay, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(_COLUMNS)
        for line in report.lines:
            w.writerow(
                [
                    line.at,
                    line.lane,
                    line.kind,
                    line.status,
                    line.amount.format(),
                    line.amount.currency,
                    _METHOD_LABEL.get(line.method, ""),
                    line.cashier_id,
                    line.sale_ref,
                    line.transfer_id,
                    line.finding.value,
                    line.next_action,
                ]
            )


def _print_text(report: MerchantDay) -> None:
    shop = report.shop or "(shop name not set: kiosk.merchant)"
    print(f"{shop}: the day {report.day} ({report.timezone}), {len(report.lanes)} lane(s)")
    for r in report.lanes:
        print(f"  lane {r.terminal_id}: {r.verdict_text}")
    print("sales by method:")
    for m in report.methods:
        print(f"  {_METHOD_LABEL[m.method]:<9} {m.count:>4}  {m.amount}")
    print(f"  {'time':<5} {'lane':<12} {'kind':<6} {'status':<9} {'amount':>14}  {'method':<9} ", end="")
    print(f"{'cashier':<10} {'sale ref':<14} transfer")
    for line in report.lines:
        print(
            f"  {line.at[11:]:<5} {line.lane:<12} {line.kind:<6} {line.status:<9} {line.amount!s:>14}  "
            f"{_METHOD_LABEL.get(line.method, '-'):<9} {line.cashier_id or '-':<10} "
            f"{line.sale_ref or '-':<14} {line.transfer_id}"
        )
    todo = [line for line in report.lines if line.next_action]
    if todo:
        print("to do:")
        for line in todo:
            print(f"  {line.lane} {line.transfer_id} ({line.finding.value}): {line.next_action}")
    print(report.verdict_text)


def run_report(args: argparse.Namespace) -> int:
    quiet_http(args)
    try:
        report = build(args)
    except (UsageError, JournalError, LedgerClientError) as exc:
        print(f"facepay report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.csv:
        _write_csv(report, args.csv)
    if args.json:
        print(json.dumps(to_json(report), sort_keys=True))
    else:
        _print_text(report)
    return EXIT[report.verdict]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report",
        help="the merchant's day: every lane against the ledger, in the shop's time zone",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--date", help="the shop's day YYYY-MM-DD (default: today in shop.timezone)")
    p.add_argument(
        "--lane",
        action="append",
        metavar="TERMINAL=JOURNAL",
        help="a lane and a copy of its journal (repeat per lane; default: this terminal)",
    )
    p.add_argument("--csv", type=Path, metavar="FILE", help="write the transfers as CSV")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_connection_flags(p)
    p.set_defaults(handler=run_report)
