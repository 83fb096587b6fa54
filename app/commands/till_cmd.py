"""``facepay till``: play the shop's register against a kiosk's till interface.

For demos, tests and shops that script their register: make a till key, open a sale
and wait for its signed result, look a sale up, cancel it. See ``payments/till/TILL.md``.

Exit codes: 0 approved (``sale``) or done; 1 declined, cancelled or failed; 2 a wrong
request or configuration; 3 the kiosk could not be reached or its answer not believed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from payments.money import Money, MoneyError
from payments.signing import (
    SigningError,
    generate_key,
    load_private_key,
    load_public_key,
    save_private_key,
    save_public_key,
)
from payments.till import BadKioskSignature, TillClient, TillError, TillRefused, TillUnreachable

__all__ = ["register"]

EXIT_OK, EXIT_NOT_PAID, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("till", help="play the shop's register: open, follow and cancel kiosk sales")
    tsub = p.add_subparsers(dest="till_command", metavar="ACTION", required=True)
    k = tsub.add_parser("keygen", help="make a till key pair (till.key mode 600, till.pub)")
    k.add_argument("dir", type=Path)
    k.set_defaults(handler=run_keygen)
    for name, helptext, handler in (
        ("sale", "open a sale and wait for its result", run_sale),
        ("status", "show a sale", run_status),
        ("cancel", "ask the kiosk to stop a sale", run_cancel),
    ):
        s = tsub.add_parser(name, help=helptext)
        s.add_argument("--kiosk", default="", help="till interface URL (default: till.listen)")
        s.add_argument("--till-id", default="", help="this till's id (default: till.till_id)")
        s.add_argument("--key", type=Path, help="this till's private key (default: till.key_file)")
        s.add_argument(
            "--kiosk-pub", type=Path, help="the kiosk's terminal public key (default: till.kiosk_pub)"
        )
        s.add_argument("--json", action="store_true", help="print the sale as JSON")
        if name == "sale":
            s.add_argument("--ref", required=True, help="the sale reference (the register's receipt number)")
        else:
            s.add_argument("ref", help="the sale reference")
        if name == "sale":
            s.add_argument("--amount", required=True, help="amount, e.g. 12.50")
            s.add_argument("--currency", default="", help="ISO 4217 code (default: payments.currency)")
            s.add_argument("--no-wait", action="store_true", help="return once the kiosk has the sale")
            s.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the result")
        s.set_defaults(handler=handler)


def run_keygen(args: argparse.Namespace) -> int:
    key = generate_key()
    try:
        save_private_key(key, args.dir / "till.key")
        save_public_key(key.public_key(), args.dir / "till.pub")
    except OSError as exc:
        print(f"facepay till: cannot write the key pair in {args.dir}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"till key pair written: {args.dir / 'till.key'} (keep it on the register), {args.dir / 'till.pub'}"
    )
    return EXIT_OK


def _client(args: argparse.Namespace) -> TillClient:
    t = args.settings.till
    key_file = args.key or t.key_file
    pub_file = args.kiosk_pub or t.kiosk_pub
    try:
        key = load_private_key(Path(key_file))
        kiosk = load_public_key(Path(pub_file))
    except SigningError as exc:
        raise _Usage(f"{exc} (make a key with `facepay till keygen DIR`)") from None
    return TillClient(args.kiosk or f"http://{t.listen}", args.till_id or t.till_id, key, kiosk)


class _Usage(Exception):
    pass


def _show(args: argparse.Namespace, sale: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(sale, indent=2, sort_keys=True))
        return
    money = Money(int(sale["amount_minor"]), str(sale["currency"]))
    line = f"sale {sale['sale_ref']}: {money} {sale['status']}"
    result = sale.get("result") or {}
    if result.get("transfer_id"):
        line += f" (transfer {result['transfer_id']}, {result.get('method') or 'method unknown'})"
    if result.get("reason"):
        line += f" ({result['reason']})"
    if sale.get("cancel_requested") and sale["status"] in ("pending", "in_progress"):
        line += " - cancel asked, waiting for the kiosk"
    print(line)


def _run(args: argparse.Namespace, action: str) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        client = _client(args)
        if action == "sale":
            currency = args.currency or args.settings.payments.currency
            try:
                money = Money.parse(args.amount, currency)
            except MoneyError as exc:
                raise _Usage(str(exc)) from None
            sale = client.open_sale(args.ref, money.minor, money.currency)
            if not args.no_wait:
                sale = client.follow(args.ref, deadline_s=args.timeout)
        elif action == "status":
            sale = client.status(args.ref)
        else:
            sale = client.cancel(args.ref)
    except _Usage as exc:
        print(f"facepay till: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TillRefused as exc:
        print(f"facepay till: the kiosk refused: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE if exc.status < 500 else EXIT_UNREACHABLE
    except (TillUnreachable, BadKioskSignature) as exc:
        print(f"facepay till: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except TillError as exc:  # pragma: no cover - every TillError is one of the above
        print(f"facepay till: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    _show(args, sale)
    if action == "sale" and not args.no_wait:
        return EXIT_OK if sale["status"] == "approved" else EXIT_NOT_PAID
    return EXIT_OK


def run_sale(args: argparse.Namespace) -> int:
    return _run(args, "sale")


def run_status(args: argparse.Namespace) -> int:
    return _run(args, "status")


def run_cancel(args: argparse.Namespace) -> int:
    return _run(args, "cancel")
