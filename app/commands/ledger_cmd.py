"""``facepay ledger ...``: run, set up, administer, check and measure the ledger service."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from payments.ledger import (
    AdminError,
    DemoCustomer,
    LedgerError,
    add_cashier,
    add_customer,
    add_merchant,
    add_terminal,
    build_demo,
    check_invariants,
    default_key_path,
    ensure_keys,
    init_schema,
    issue_enrolment_code,
    open_store,
    parse_customer_spec,
    set_enabled,
    set_face_only_limit,
    top_up,
    unlock_pin,
    verify_audit,
)
from payments.ledger.bench import BenchError, run_bench
from payments.ledger.limits import (
    BODY_TIMEOUT_S,
    ENV_LIMITS,
    FD_RESERVE,
    HEADER_TIMEOUT_S,
    KEEP_ALIVE_S,
    MAX_CONNECTIONS,
    ServerLimits,
    raise_fd_limit,
)
from payments.money import Money, MoneyError
from payments.signing import SigningError

__all__ = ["register"]

log = logging.getLogger("facepay.ledger")


def _key_path(args: argparse.Namespace) -> Path:
    if args.ledger_key:
        return Path(args.ledger_key)
    path = default_key_path(args.db)
    if path is None:
        out = getattr(args, "out", None)
        if out:
            return Path(out) / "ledger.key"
        raise AdminError("--ledger-key FILE is needed with a PostgreSQL database")
    return path


def _limits(args: argparse.Namespace) -> ServerLimits:
    """The wire limits from the serve flags, the connection cap fitted to the descriptor limit."""
    limits = ServerLimits(
        header_timeout_s=args.header_timeout,
        body_timeout_s=args.body_timeout,
        keep_alive_s=args.keep_alive,
        max_connections=args.max_connections,
        server_timing=args.server_timing,
    )
    fds = raise_fd_limit()
    room = fds - FD_RESERVE
    if limits.max_connections > room:
        log.warning(
            "open-file limit %d allows %d connections per worker, not %d; raise it "
            "(ulimit -n / LimitNOFILE=) to allow more",
            fds,
            max(room, 1),
            limits.max_connections,
        )
        limits = dataclasses.replace(limits, max_connections=max(room, 1))
    return limits


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from payments.ledger._wire import GuardedHttpToolsProtocol
    from payments.ledger.app import ENV_DB, ENV_KEY

    limits = _limits(args)
    os.environ[ENV_DB] = args.db
    os.environ[ENV_KEY] = str(_key_path(args))
    os.environ[ENV_LIMITS] = limits.to_env()
    if args.sqlite_sync:
        os.environ["FACEPAY_LEDGER_SQLITE_SYNC"] = args.sqlite_sync
    log.info(
        "ledger on http://%s:%d (%s, %d worker(s), at most %d connections each)",
        args.host,
        args.port,
        args.db.split("@")[-1],
        args.workers,
        limits.max_connections,
    )
    # uvicorn's own limits (keep-alive, in-flight requests); the guarded protocol adds the others.
    uvicorn.run(
        "payments.ledger.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level="warning",
        lifespan="on",
        http=GuardedHttpToolsProtocol,
        ws="none",
        timeout_keep_alive=limits.keep_alive_s,
        limit_concurrency=limits.max_connections + 1,
        server_header=False,
        h11_max_incomplete_event_size=limits.max_header_bytes,
    )
    return 0


def _customers(args: argparse.Namespace) -> list[DemoCustomer]:
    people: list[DemoCustomer] = []
    if args.customers:
        people += parse_customer_spec(args.customers)
    if args.customers_file:
        entries: list[dict[str, Any]] = json.loads(Path(args.customers_file).read_text(encoding="utf-8"))
        for e in entries:
            name = str(e["name"])
            balance = e.get("balance_minor")
            cid = str(e.get("id") or "c-" + "-".join(name.lower().split()))
            opening = int(balance) if balance is not None else None
            people.append(DemoCustomer(name, cid, opening, e.get("pin")))
    return people


def _init(args: argparse.Namespace) -> int:
    key_path = _key_path(args)
    store = open_store(args.db)
    try:
        init_schema(store)
        keys = ensure_keys(key_path)
        print(f"ledger schema ready in {args.db.split('@')[-1]}; ledger keys in {key_path}")
        if args.demo:
            if not args.out:
                raise AdminError("--demo needs --out DIR")
            demo = build_demo(
                store,
                keys,
                Path(args.out),
                args.db,
                currency=args.currency,
                customers=_customers(args),
                terminals=args.terminals,
            )
            print(
                f"demo world written to {args.out}: terminal {demo['terminal_id']}, "
                f"{len(demo['customers'])} customers"
            )
    finally:
        store.close()
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    from payments.ledger.anchors import check_anchors, read_anchors
    from payments.ledger.keys import load_ledger_keys

    store = open_store(args.db)
    try:
        count, findings = verify_audit(store)
        if args.anchors:
            anchors, unreadable = read_anchors(Path(args.anchors))
            for problem in unreadable:
                print(problem)
            key = load_ledger_keys(_key_path(args)).signing.public_key()
            findings = [*findings, *check_anchors(store.audit_entries(), anchors, key)]
            print(f"{len(anchors)} anchor(s) from {args.anchors} checked")
    finally:
        store.close()
    for f in findings:
        print(
            f"database damaged: {f.detail}"
            if f.problem == "damaged"
            else f"audit line {f.seq}: {f.problem}: {f.detail}"
        )
    print(f"{count} audit lines checked, {len(findings)} problem(s)")
    return 1 if findings else 0


def _audit_anchor(args: argparse.Namespace) -> int:
    from payments.ledger.anchors import write_anchor
    from payments.ledger.keys import load_ledger_keys

    store = open_store(args.db)
    try:
        anchor = write_anchor(store, load_ledger_keys(_key_path(args)), Path(args.anchors))
    finally:
        store.close()
    print(f"audit line {anchor.seq} signed and appended to {args.anchors}")
    return 0


def _check(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        problems = check_invariants(store)
    finally:
        store.close()
    for p in problems:
        print(p)
    print("books balance" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def _run_async(coro: Any) -> Any:
    """Run a coroutine on uvloop when it is installed (a cheaper event loop), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _bench_once(args: argparse.Namespace) -> Any:
    return _run_async(
        run_bench(
            args.url,
            Path(args.key),
            terminals=args.terminals,
            requests=args.requests,
            demo_path=Path(args.demo) if args.demo else None,
            db_url=args.db,
            timeout_s=args.timeout,
            client_procs=args.client_procs,
            pin_streams=args.pin_streams,
        )
    )


def _bench(args: argparse.Namespace) -> int:
    if args.slow_connections:
        return _bench_under_slow_connections(args)
    if args.flood:
        return _bench_under_flood(args)
    result = _bench_once(args)
    if args.json:
        print(json.dumps(result.to_json(), sort_keys=True))
    else:
        for name, value in result.to_json().items():
            print(f"{name:>18}: {value}")
    return 0 if result.errors == 0 and result.invariants_ok is not False else 1


def _bench_quiet_then(
    args: argparse.Namespace, attack: Any, name: str, during: str, facts: Callable[[], dict[str, Any]]
) -> int:
    """The bench quiet, then again while ``attack`` (a context manager of hostile clients) runs:
    one run, one ratio. ``name`` keys the attacked figures, ``during`` words them, ``facts``
    adds what the attack itself counted."""
    quiet = _bench_once(args)
    with attack:
        attacked = _bench_once(args)
    ratio = attacked.debits_per_s / quiet.debits_per_s if quiet.debits_per_s else 0.0
    extra = facts()
    report = {
        "quiet": quiet.to_json(),
        name: attacked.to_json(),
        **extra,
        "throughput_ratio": round(ratio, 3),
    }
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        for field in ("debits_per_s", "p50_ms", "p99_ms", "errors"):
            print(f"{field:>18}: quiet {quiet.to_json()[field]}, {during} {attacked.to_json()[field]}")
        for label, value in extra.items():
            print(f"{label:>18}: {value}")
        print(f"{'throughput_ratio':>18}: {ratio:.3f}")
    ok = all(r.errors == 0 and r.invariants_ok is not False for r in (quiet, attacked))
    return 0 if ok else 1


def _bench_under_slow_connections(args: argparse.Namespace) -> int:
    """The bench quiet, then again while N slow-header connections hold on."""
    from payments.ledger.slow_clients import SlowHeaders

    slow = SlowHeaders(args.url, args.slow_connections)
    return _bench_quiet_then(
        args,
        slow,
        "under_slow_connections",
        f"under {args.slow_connections} slow connections",
        lambda: {"slow_connections": args.slow_connections, "slow_reconnects": slow.reconnects},
    )


def _bench_under_flood(args: argparse.Namespace) -> int:
    """The bench quiet, then again under a flood of unauthenticated requests."""
    from payments.ledger.slow_clients import Flood

    flood = Flood(args.url, args.flood)
    return _bench_quiet_then(
        args,
        flood,
        "under_flood",
        f"under a flood of {args.flood:g}/s",
        lambda: {"flood_rate": args.flood, "flood_sent": flood.sent, "flood_answered": flood.refused},
    )


def _pin(args: argparse.Namespace) -> str | None:
    if getattr(args, "pin_stdin", False):
        return sys.stdin.readline().strip()
    pin: str | None = args.pin
    return pin


def _admin_op(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        op = args.op
        if op == "add-merchant":
            add_merchant(store, args.id, args.name, args.currency)
        elif op == "add-customer":
            add_customer(store, args.id, args.name, _pin(args), args.currency)
        elif op == "add-cashier":
            pin = _pin(args)
            if pin is None:
                raise AdminError("a cashier needs a PIN (--pin or --pin-stdin)")
            add_cashier(store, args.id, args.name, args.merchant, pin)
        elif op == "add-terminal":
            text = args.public_key
            if Path(text).is_file():
                text = Path(text).read_text(encoding="ascii")
            add_terminal(store, args.id, args.merchant, text)
        elif op == "top-up":
            top_up(store, args.customer, Money.parse(args.amount, args.currency))
        elif op == "issue-enrolment-code":
            code = issue_enrolment_code(
                store, args.customer, merchant_id=args.merchant or None, ttl_hours=args.ttl_hours
            )
            print(
                f"enrolment code for {args.customer}: {code} (shown once; single use; "
                f"valid {args.ttl_hours:g} h)"
            )
        elif op in ("unlock-customer", "unlock-cashier"):
            unlock_pin(store, op.split("-", 1)[1], args.id)
        elif op == "set-face-only-limit":
            set_face_only_limit(store, args.merchant, Money.parse(args.amount, args.currency))
        else:
            kind = op.split("-", 1)[1]
            set_enabled(store, kind, args.id, op.startswith("enable"))
    finally:
        store.close()
    print(f"{args.op}: done")
    return 0


def _db_password(args: argparse.Namespace) -> None:
    """Give PostgreSQL its password without putting it in argv: ``--db-password-file`` goes to
    libpq as PGPASSWORD (inherited by the workers, not shown by ``ps``); PGPASSWORD and
    PGPASSFILE in the environment work as they are. A password inside ``--db`` is visible
    to every user of the machine in the process list: warned about."""
    db = getattr(args, "db", None)
    if db and urlsplit(db).password:
        log.warning(
            "the database password in --db is visible in the process list; "
            "use --db-password-file FILE (mode 600), PGPASSFILE or PGPASSWORD instead"
        )
    path = getattr(args, "db_password_file", None)
    if not path:
        return
    file = Path(path)
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise AdminError(f"{file} has mode {mode:o}: others can read the database password; chmod 600 {file}")
    lines = file.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0]:
        raise AdminError(f"{file} is empty: its first line is the database password")
    os.environ["PGPASSWORD"] = lines[0]


def _guard(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            _db_password(args)
            return int(handler(args))
        except (LedgerError, MoneyError, SigningError, BenchError, OSError, ValueError) as exc:
            print(f"facepay ledger: {exc}", file=sys.stderr)
            return 2

    return run


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
    p.add_argument(
        "--db-password-file",
        metavar="FILE",
        help="PostgreSQL password: first line of FILE (mode 600); or PGPASSFILE / PGPASSWORD",
    )


def _with_pin(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pin", help="PIN (visible in the process list: prefer --pin-stdin)")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from the first line of stdin")


def register(subparsers: Any) -> None:
    ledger = subparsers.add_parser("ledger", help="the ledger service: serve, init, admin, audit, bench")
    sub = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)

    p = sub.add_parser("serve", help="run the ledger HTTP service (uvicorn)")
    _db(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8470)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--ledger-key", help="ledger key file (default: <sqlite db>.key)")
    p.add_argument("--sqlite-sync", choices=["FULL", "NORMAL"], help="SQLite synchronous mode (default FULL)")
    p.add_argument(
        "--max-connections",
        type=int,
        default=MAX_CONNECTIONS,
        help="open connections per worker; the next one gets a 503 (default %(default)s)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=HEADER_TIMEOUT_S,
        help="seconds for a request's headers to arrive (default %(default)s)",
    )
    p.add_argument(
        "--body-timeout",
        type=float,
        default=BODY_TIMEOUT_S,
        help="seconds for a request's body to arrive after its headers (default %(default)s)",
    )
    p.add_argument(
        "--keep-alive",
        type=int,
        default=KEEP_ALIVE_S,
        help="seconds an idle keep-alive connection stays open (default %(default)s)",
    )
    p.add_argument(
        "--server-timing",
        action="store_true",
        help="add a Server-Timing header (auth, db ms) to replies, for `ledger bench`",
    )
    p.set_defaults(handler=_guard(_serve))

    p = sub.add_parser("init", help="create the schema and the ledger keys; --demo adds a demo world")
    _db(p)
    p.add_argument("--ledger-key", help="ledger key file (default: <sqlite db>.key or OUT/ledger.key)")
    p.add_argument("--demo", action="store_true", help="create a demo merchant, customers, cashier, terminal")
    p.add_argument("--out", help="directory for terminal.key, ledger.pub, demo.json")
    p.add_argument("--customers", help="demo customers as NAME:ID,NAME:ID (default: four demo people)")
    p.add_argument("--customers-file", help='JSON list of {"name", "id", "balance_minor"?, "pin"?}')
    p.add_argument("--terminals", type=int, default=1, help="demo terminals (each with its own key)")
    p.add_argument("--currency", default="EUR")
    p.set_defaults(handler=_guard(_init))

    p = sub.add_parser("audit-verify", help="check the hash chain of the audit log (exit 1 on a problem)")
    _db(p)
    p.add_argument(
        "--anchors",
        help="a file of signed audit heads (audit-anchor): a cut tail or a "
        "rewritten line shows even when the chain was rehashed",
    )
    p.add_argument("--ledger-key", help="ledger key file (default: <sqlite db>.key)")
    p.set_defaults(handler=_guard(_audit_verify))

    p = sub.add_parser(
        "audit-anchor",
        help="sign the audit head and append it to a file kept outside the database (run it from a timer)",
    )
    _db(p)
    p.add_argument("--anchors", required=True, help="the anchors file (JSON Lines, created mode 600)")
    p.add_argument("--ledger-key", help="ledger key file (default: <sqlite db>.key)")
    p.set_defaults(handler=_guard(_audit_anchor))

    p = sub.add_parser("check", help="check the books: sums zero, no balance below its floor")
    _db(p)
    p.set_defaults(handler=_guard(_check))

    p = sub.add_parser("bench", help="load generator: N terminals sending signed debits to a local ledger")
    p.add_argument("--url", required=True, help="ledger base URL (127.0.0.1 only)")
    p.add_argument("--key", required=True, help="DIR/terminal.key of a demo world")
    p.add_argument("--demo", help="demo.json (default: next to --key)")
    p.add_argument("--db", help="database URL for the invariant check (default: demo.json's)")
    p.add_argument("--terminals", type=int, default=16)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--timeout", type=float, default=120.0, help="stop sending after this many seconds")
    p.add_argument(
        "--client-procs", type=int, default=1, help="spread the terminals over this many client processes"
    )
    p.add_argument(
        "--pin-streams",
        type=int,
        default=0,
        help="extra terminals paying by PIN meanwhile (scrypt at the ledger): face debits/s "
        "with and without them shows what PIN traffic costs",
    )
    p.add_argument(
        "--flood",
        type=float,
        default=0.0,
        metavar="RATE",
        help="run quiet, then again under RATE unauthenticated garbage requests a second",
    )
    p.add_argument(
        "--slow-connections",
        type=int,
        default=0,
        metavar="N",
        help="run quiet, then again while N connections trickle a header byte a second",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_guard(_bench))

    admin: list[tuple[str, str, list[str]]] = [
        ("add-merchant", "add a merchant", ["id", "name", "currency"]),
        ("add-customer", "add a customer account", ["id", "name", "currency", "pin"]),
        ("add-cashier", "add a cashier of a merchant", ["id", "name", "merchant", "pin"]),
        ("add-terminal", "register a terminal by its Ed25519 public key", ["id", "merchant", "public_key"]),
        ("disable-terminal", "refuse a terminal's requests from now on", ["id"]),
        ("enable-terminal", "accept a disabled terminal again", ["id"]),
        ("disable-customer", "decline a customer's debits", ["id"]),
        ("enable-customer", "accept a disabled customer again", ["id"]),
        ("disable-cashier", "refuse a cashier's authorisations", ["id"]),
        ("top-up", "credit a customer (money entering the system)", ["customer", "amount", "currency"]),
        (
            "issue-enrolment-code",
            "a one-time code with which a shopper sets their PIN at enrolment",
            ["customer", "merchant?", "ttl_hours"],
        ),
        ("unlock-customer", "clear a shopper's PIN lockout", ["id"]),
        ("unlock-cashier", "clear a cashier's PIN lockout", ["id"]),
        (
            "set-face-only-limit",
            "largest payment by face alone (above it the PIN is needed too)",
            ["merchant", "amount", "currency"],
        ),
    ]
    for name, help_text, fields in admin:
        p = sub.add_parser(name, help=help_text)
        _db(p)
        for f in fields:
            if f == "pin":
                _with_pin(p)
            elif f == "currency":
                p.add_argument("--currency", default="EUR")
            elif f == "public_key":
                p.add_argument("--public-key", required=True, help="PEM file, PEM text or base64 raw key")
            elif f == "merchant?":
                p.add_argument("--merchant", help="only this merchant's terminals accept it (default: any)")
            elif f == "ttl_hours":
                p.add_argument("--ttl-hours", type=float, default=72.0, help="hours until it expires")
            elif f == "amount":
                p.add_argument("--amount", required=True, help='decimal amount such as "12.50"')
            else:
                p.add_argument(f"--{f}", required=True)
        p.set_defaults(handler=_guard(_admin_op), op=name)
