"""``facepay pay | refund | void | journal``: payments from the command line, through the terminal's journal.

The same client, journal and rules as the kiosk (no camera): for operators, scripts
and tests. The terminal's identity comes from the settings (``[ledger]``:
``FACEPAY_LEDGER_URL``, ``FACEPAY_LEDGER_TERMINAL_ID``, ``FACEPAY_LEDGER_KEY_FILE``,
``FACEPAY_LEDGER_LEDGER_PUB``) unless flags say otherwise: ``--demo DIR/demo.json``
takes the terminal id, key and ledger.pub of a demo world; ``--key FILE`` takes
``ledger.pub`` (and ``demo.json``, for the terminal id) from beside the key.
The journal is ``<payments.data_dir>/journal.db`` unless ``--journal FILE``; with ``--demo``
it is the demo kiosk's own (``terminal/journal.db`` beside ``demo.json``), so the command
and the kiosk of one demo world keep one journal and reconcile as one terminal.

Exit codes: 0 approved (or stored offline, or nothing left open); 1 declined, or
entries still open after recovery; 2 a wrong request or configuration (bad amount,
corrupt journal, missing key); 3 not completed (the ledger could not be reached).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from payments.client import LedgerClient, LedgerClientError
from payments.journal import Journal, JournalEntry, JournalError
from payments.money import Money, MoneyError
from payments.terminal import (
    Approved,
    Evidence,
    InvalidPayment,
    NotCompleted,
    OfflineRules,
    PaymentError,
    PaymentOutcome,
    PaymentService,
    RecoveryReport,
    Refused,
    StoredOffline,
)

__all__ = [
    "Connection",
    "UsageError",
    "add_connection_flags",
    "connection",
    "open_service",
    "quiet_http",
    "register",
]

log = logging.getLogger("facepay.pay")

EXIT_OK = 0
EXIT_DECLINED = 1
EXIT_USAGE = 2
EXIT_NOT_COMPLETED = 3


class UsageError(Exception):
    """A flag or file the command cannot use; printed, exit code 2."""


@dataclass(frozen=True, slots=True)
class Connection:
    """Where this terminal's ledger, keys and journal are.

    Attributes:
        url: ledger base URL.
        terminal_id: the terminal's id.
        key_file: its Ed25519 private key.
        ledger_pub: the ledger's response-signing public key.
        journal: the journal file.
        timeout_s: per-request timeout.
        currency: the terminal's currency.
    """

    url: str
    terminal_id: str
    key_file: Path
    ledger_pub: Path
    journal: Path
    timeout_s: float
    currency: str


# The demo world's terminal folder beside demo.json (``facepay demo`` keeps the kiosk's journal,
# gallery and registry there).
DEMO_TERMINAL_DIR = "terminal"


def add_connection_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("terminal and ledger (default: the settings)")
    g.add_argument("--ledger", metavar="URL", help="ledger base URL")
    g.add_argument("--key", metavar="FILE", type=Path, help="terminal private key (ledger.pub beside it)")
    g.add_argument("--ledger-pub", metavar="FILE", type=Path, help="ledger public key")
    g.add_argument("--terminal", metavar="ID", help="terminal id")
    g.add_argument("--demo", metavar="FILE", type=Path, help="demo.json of `facepay ledger init --demo`")
    g.add_argument("--journal", metavar="FILE", type=Path, help="journal file")
    g.add_argument("--timeout", type=float, help="seconds per ledger request")


def _demo(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a demo.json object")
    return data


def connection(args: argparse.Namespace) -> Connection:
    """The terminal's connection from flags, then demo.json, then the settings."""
    ledger, payments = args.settings.ledger, args.settings.payments
    url, terminal, key, pub = ledger.url, ledger.terminal_id, Path(ledger.key_file), Path(ledger.ledger_pub)
    demo_path: Path | None = args.demo
    if args.key is not None:
        key = args.key
        pub = key.parent / "ledger.pub"
        if demo_path is None and (key.parent / "demo.json").is_file():
            demo_path = key.parent / "demo.json"
    if demo_path is not None:
        demo = _demo(demo_path)
        folder = demo_path.parent
        if args.key is None:
            key = folder / str(demo.get("terminal_key", "terminal.key"))
        for t in demo.get("terminals", []):
            if isinstance(t, dict) and (folder / str(t.get("key_file"))).resolve() == key.resolve():
                terminal = str(t.get("id"))
                break
        else:
            terminal = str(demo.get("terminal_id", terminal))
        pub = folder / str(demo.get("ledger_pub", "ledger.pub"))
    url = args.ledger or url
    terminal = args.terminal or terminal
    pub = args.ledger_pub or pub
    if not terminal:
        raise UsageError(
            "no terminal id: set ledger.terminal_id (FACEPAY_LEDGER_TERMINAL_ID), --terminal or --demo"
        )
    journal = args.journal or Path(payments.data_dir) / "journal.db"
    if args.journal is None and args.demo is not None:
        journal = args.demo.parent / DEMO_TERMINAL_DIR / "journal.db"
    return Connection(url, terminal, key, pub, journal, args.timeout or ledger.timeout_s, payments.currency)


@contextmanager
def open_service(args: argparse.Namespace) -> Iterator[PaymentService]:
    """The payment service of the flags and settings; closes its client and journal."""
    conn = connection(args)
    rules = OfflineRules(
        args.settings.payments.store_and_forward,
        args.settings.payments.offline_floor_minor,
        args.settings.payments.offline_exposure_minor,
    )
    journal = Journal.open(conn.journal, conn.terminal_id)
    try:
        with LedgerClient.from_files(
            conn.url, conn.terminal_id, conn.key_file, conn.ledger_pub, timeout_s=conn.timeout_s
        ) as client:
            tz = ZoneInfo(args.settings.shop.timezone)  # business days (totals, reconciliation)
            yield PaymentService(client, journal, currency=conn.currency, rules=rules, tz=tz)
    finally:
        journal.close()


def quiet_http(args: argparse.Namespace) -> None:
    """One line per HTTP request is noise at the cash desk; ``-v`` shows it."""
    if not getattr(args, "verbose", False):
        logging.getLogger("httpx").setLevel(logging.WARNING)


def _guard(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        quiet_http(args)
        try:
            return int(handler(args))
        except (UsageError, MoneyError, InvalidPayment, JournalError, LedgerClientError, PaymentError) as exc:
            print(f"facepay {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _read_pin(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"expected the {what} on the first line of stdin")
    return line.strip()


# --- handlers ----------------------------------------------------------------------


def _print_outcome(args: argparse.Namespace, outcome: PaymentOutcome) -> int:
    if isinstance(outcome, Approved):
        data: dict[str, Any] = {
            "outcome": "approved",
            "transfer_id": outcome.transfer_id,
            "kind": outcome.kind.value,
            "amount": outcome.amount.to_json(),
            "status": outcome.status,
        }
        text, code = f"approved: {outcome.kind.value} {outcome.amount} ({outcome.transfer_id})", EXIT_OK
    elif isinstance(outcome, StoredOffline):
        data = {
            "outcome": "stored_offline",
            "transfer_id": outcome.transfer_id,
            "amount": outcome.amount.to_json(),
            "outstanding": outcome.outstanding.to_json(),
        }
        text = (
            f"stored offline: {outcome.amount} ({outcome.transfer_id}); "
            f"{outcome.outstanding} waiting to be forwarded"
        )
        code = EXIT_OK
    elif isinstance(outcome, Refused):
        data = {
            "outcome": "declined",
            "transfer_id": outcome.transfer_id,
            "code": outcome.code,
            "message": outcome.message,
        }
        text, code = f"declined: {outcome.code}: {outcome.message} ({outcome.transfer_id})", EXIT_DECLINED
    else:
        assert isinstance(outcome, NotCompleted)
        data = {
            "outcome": "not_completed",
            "transfer_id": outcome.transfer_id,
            "reason": outcome.reason.value,
            "message": outcome.message,
            "detail": outcome.detail,
        }
        text = f"not completed: {outcome.message} [{outcome.reason.value}: {outcome.detail}]"
        code = EXIT_NOT_COMPLETED
    print(json.dumps(data, sort_keys=True) if args.json else text)
    return code


def run_pay(args: argparse.Namespace) -> int:
    currency = args.currency or args.settings.payments.currency
    amount = Money.parse(args.amount, currency)
    pin = _read_pin("PIN") if args.pin_stdin else None
    evidence = Evidence("pin" if pin else "operator", masked=None, source="facepay pay")
    with open_service(args) as service:
        outcome = service.pay(
            args.customer,
            amount,
            evidence=evidence,
            pin=pin,
            merchant_ref=args.ref or "",
            allow_offline=not args.no_offline,
        )
    return _print_outcome(args, outcome)


def run_refund(args: argparse.Namespace) -> int:
    pin = _read_pin("cashier PIN")
    with open_service(args) as service:
        amount = Money.parse(args.amount, service.currency) if args.amount else None
        outcome = service.refund(
            args.transfer, amount, cashier_id=args.cashier, cashier_pin=pin, reason=args.reason
        )
    return _print_outcome(args, outcome)


def run_void(args: argparse.Namespace) -> int:
    pin = _read_pin("cashier PIN")
    with open_service(args) as service:
        outcome = service.void(args.transfer, cashier_id=args.cashier, cashier_pin=pin, reason=args.reason)
    return _print_outcome(args, outcome)


def _reversals(entries: list[JournalEntry]) -> dict[str, JournalEntry]:
    """The terminal's reversal of each debit that has one, by the debit's transfer id."""
    return {e.original_transfer_id: e for e in entries if e.is_reversal and e.original_transfer_id}


def _entry_json(
    e: JournalEntry, age_s: float | None = None, reversal: JournalEntry | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "transfer_id": e.transfer_id,
        "kind": e.kind.value,
        "state": e.state.value,
        "amount": e.amount.to_json(),
        "customer_id": e.customer_id,
        "created_at": e.created_at,
        "attempts": e.attempts,
        "decline_code": e.decline_code,
        "abandoned": e.abandoned,
        "offline": e.offline,
        "original_transfer_id": e.original_transfer_id,
        "pin_used": e.pin_used,
        "reversal": e.is_reversal,
    }
    if reversal is not None:
        data["reversed_by"] = {"transfer_id": reversal.transfer_id, "state": reversal.state.value}
    if age_s is not None:
        data["age_s"] = round(age_s, 1)
    return data


def _entry_line(e: JournalEntry, reversal: JournalEntry | None = None) -> str:
    extra = f" {e.decline_code}" if e.decline_code else ""
    flags = (" [abandoned]" if e.abandoned else "") + (" [offline]" if e.offline else "")
    if e.is_reversal:
        flags += f" [reverses {e.original_transfer_id}]"
    if reversal is not None:
        flags += f" [reversal {reversal.transfer_id} {reversal.state.value}]"
    return (
        f"{e.created_at}  {e.transfer_id}  {e.label:<8} {e.state.value:<14}{extra:<20} "
        f"{e.amount!s:>14}  {e.customer_id}{flags}"
    )


def _age(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def run_journal(args: argparse.Namespace) -> int:
    conn = connection(args)
    if args.journal_action == "list":
        with Journal.open(conn.journal, conn.terminal_id) as journal:
            entries = journal.entries()
        reversals = _reversals(entries)
        if args.date:
            entries = [e for e in entries if e.created_at.startswith(args.date)]
        if args.json:
            print(
                json.dumps(
                    [_entry_json(e, reversal=reversals.get(e.transfer_id)) for e in entries], sort_keys=True
                )
            )
        else:
            for e in entries:
                print(_entry_line(e, reversals.get(e.transfer_id)))
            print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
        return EXIT_OK
    if args.journal_action == "anchor":
        with Journal.open(conn.journal, conn.terminal_id) as journal:
            anchor = journal.audit_anchor()
        if anchor is None:
            print(
                "facepay journal anchor: no signed audit head kept yet (none until a payment is posted)",
                file=sys.stderr,
            )
            return 1
        print(anchor)  # one JSON line: append it to the file `facepay ledger audit-verify --anchors` reads
        return EXIT_OK
    with open_service(args) as service:
        if args.journal_action == "recover":
            return _print_recovery(args, service.recover())
        items = service.outstanding()
        exposure = service.offline_exposure()
    if args.json:
        print(
            json.dumps(
                {
                    "outstanding": [_entry_json(o.entry, o.age_s) for o in items],
                    "offline_exposure": exposure.to_json(),
                },
                sort_keys=True,
            )
        )
    else:
        for o in items:
            print(f"{_age(o.age_s):>8} old  {_entry_line(o.entry)}")
        print(f"{len(items)} outstanding; {exposure} stored offline awaiting the ledger")
    return EXIT_OK


def _print_recovery(args: argparse.Namespace, report: RecoveryReport) -> int:
    if args.json:
        print(
            json.dumps(
                {
                    "resolved": [_entry_json(e) for e in report.resolved],
                    "still_open": [_entry_json(e) for e in report.still_open],
                    "needs_attention": [_entry_json(e) for e in report.needs_attention],
                    "reversed": [_entry_json(e) for e in report.reversed],
                },
                sort_keys=True,
            )
        )
    else:
        for e in report.resolved:
            print(f"resolved: {_entry_line(e)}")
        for e in report.reversed:
            print(
                f"reversed (the shopper was told the outcome was unknown; the money is back): "
                f"{_entry_line(e)}"
            )
        for e in report.still_open:
            print(f"still open: {_entry_line(e)}")
        for e in report.needs_attention:
            print(
                f"NEEDS ATTENTION (charged while the shopper was told the outcome was unknown; the "
                f"ledger refused the automatic reversal; refund it): {_entry_line(e)}"
            )
        print(
            f"{len(report.resolved)} resolved, {len(report.reversed)} reversed, "
            f"{len(report.still_open)} still open, {len(report.needs_attention)} need attention"
        )
    return EXIT_OK if not report.still_open and not report.needs_attention else EXIT_DECLINED


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "pay",
        help="debit a customer through the journal (no camera)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--customer", required=True, help="customer id at the ledger")
    p.add_argument("--amount", required=True, help='decimal amount such as "12.50"')
    p.add_argument("--currency", help="ISO 4217 code (default: payments.currency)")
    p.add_argument("--pin-stdin", action="store_true", help="read the customer's PIN from stdin")
    p.add_argument("--ref", help="merchant reference (sale number)")
    p.add_argument("--no-offline", action="store_true", help="never store this payment offline")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_connection_flags(p)
    p.set_defaults(handler=_guard(run_pay))

    cashier_commands = (
        ("refund", "refund (part of) a payment; cashier PIN on stdin", run_refund),
        ("void", "cancel a payment entirely; cashier PIN on stdin", run_void),
    )
    for name, help_text, handler in cashier_commands:
        p = subparsers.add_parser(name, help=help_text)
        p.add_argument("--transfer", required=True, help="transfer id of the payment")
        if name == "refund":
            p.add_argument("--amount", help="amount to refund (default: all that is left)")
        p.add_argument("--cashier", required=True, help="cashier id")
        p.add_argument("--reason", default="", help="why (recorded at the ledger)")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        add_connection_flags(p)
        p.set_defaults(handler=_guard(handler))

    p = subparsers.add_parser("journal", help="the terminal journal: list, recover, outstanding")
    actions = p.add_subparsers(dest="journal_action", metavar="ACTION", required=True)
    for name, help_text in (
        ("list", "every entry, oldest first"),
        ("recover", "resolve open entries against the ledger (exit 1 if any stay open)"),
        ("outstanding", "open entries and their age; the offline exposure"),
        ("anchor", "the ledger's newest signed audit head this terminal kept, as one JSON line"),
    ):
        a = actions.add_parser(name, help=help_text)
        if name == "list":
            a.add_argument("--date", help="only entries of this UTC day (YYYY-MM-DD)")
        a.add_argument("--json", action="store_true", help="print JSON")
        add_connection_flags(a)
        a.set_defaults(handler=_guard(run_journal))
