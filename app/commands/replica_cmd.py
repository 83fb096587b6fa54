"""``facepay replica``: a headless kiosk lane on its merchant's shared gallery.

Each lane is a data folder (``--dir``) holding its terminal key and ``ledger.pub`` (or give
``--key``/``--demo`` as for ``facepay pay``), its replica of the merchant gallery and its
journal. ``sync`` follows the ledger's change feed; ``enrol`` enrols a shopper from photos
(consent, the shopper's PIN and a cashier's PIN, then the sealed templates go to the ledger
host); ``pay`` recognises a photo against the replica and debits the match; ``erase`` erases a
shopper everywhere; ``status`` shows the cursor, age and problems; ``bench`` measures the
replica at scale.

Exit codes: 0 done (approved, synced); 1 declined, refused entries or no match; 2 a wrong
request or configuration; 3 the ledger host could not be reached (``pay`` still recognises
from the replica and pays by the offline rules).
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

from app.commands.pay_cmd import UsageError, add_connection_flags, connection, quiet_http
from app.replica import (
    ReplicaSearch,
    decide_match,
    enrol_at_lane,
    erase_at_lane,
    open_replica,
    try_sync,
)
from app.settings import Settings
from app.wiring import build_pipeline, policy_limits
from enrolment import CONSENT_VERSION, EnrolmentError, NoUsablePhoto, gate_photos, spoof_check
from payments import Evidence
from payments.client import Declined, LedgerClientError, LedgerUnreachable
from payments.gallery_replica import REPLICA_FILE, GalleryClient, Replica, ReplicaError, SyncReport
from payments.gallery_wire import GalleryWireError
from payments.journal import Journal
from payments.money import Money, MoneyError
from payments.signing import SigningError, load_private_key, load_public_key
from payments.terminal import Approved, InvalidPayment, OfflineRules, PaymentService, StoredOffline
from vision import ImageError, VisionError, read_image

__all__ = ["register"]

log = logging.getLogger("facepay.replica")

EXIT_OK, EXIT_NO, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


@dataclass
class Lane:
    """One lane's parts, open for one command.

    Attributes:
        settings: the settings.
        client: the signed ledger client with the gallery calls.
        replica: the lane's replica.
        service: the payment service (journal, offline rules).
    """

    settings: Settings
    client: GalleryClient
    replica: Replica
    service: PaymentService


def _resolve(args: argparse.Namespace) -> None:
    folder: Path = args.dir
    if args.key is None and args.demo is None and (folder / "terminal.key").is_file():
        args.key = folder / "terminal.key"
    if args.journal is None:
        args.journal = folder / "journal.db"


@contextmanager
def _lane(args: argparse.Namespace) -> Iterator[Lane]:
    _resolve(args)
    conn = connection(args)
    settings: Settings = args.settings
    ledger_pub = load_public_key(conn.ledger_pub)
    client = GalleryClient(
        conn.url, conn.terminal_id, load_private_key(conn.key_file), ledger_pub, timeout_s=conn.timeout_s
    )
    replica = open_replica(args.dir, conn.terminal_id, ledger_pub)
    journal = Journal.open(conn.journal, conn.terminal_id)
    rules = OfflineRules(
        settings.payments.store_and_forward,
        settings.payments.offline_floor_minor,
        settings.payments.offline_exposure_minor,
    )
    try:
        yield Lane(
            settings, client, replica, PaymentService(client, journal, currency=conn.currency, rules=rules)
        )
    finally:
        journal.close()
        replica.close()
        client.close()


def _report_json(report: SyncReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "bootstrapped": report.bootstrapped,
        "applied": report.applied,
        "enrolled": list(report.enrolled),
        "erased": list(report.erased),
        "seq": report.seq,
        "acknowledged": report.acknowledged,
        "problem": None if report.problem is None else f"{report.problem.kind}: {report.problem.detail}",
    }


def _max_age_s(args: argparse.Namespace) -> float:
    hours = args.max_age_hours
    return float(args.settings.payments.replica_max_age_s) if hours is None else float(hours) * 3600


def _read_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"expected the {what} on the next line of stdin")
    return line.strip()


# --- handlers -------------------------------------------------------------------------


def run_sync(args: argparse.Namespace) -> int:
    with _lane(args) as lane:
        report = try_sync(lane.client, lane.replica)
        print(json.dumps({"sync": _report_json(report), "seq": lane.replica.cursor[0]}, sort_keys=True))
    if report is None:
        return EXIT_UNREACHABLE
    return EXIT_OK if report.problem is None else EXIT_NO


def run_reset(args: argparse.Namespace) -> int:
    """Set the replica aside (kept as ``replica.db.bad-<time>``) and bootstrap a new one."""
    import time

    _resolve(args)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        old = args.dir / f"{REPLICA_FILE}{suffix}"
        if old.exists():
            old.rename(args.dir / f"{REPLICA_FILE}{suffix}.bad-{stamp}")
    return run_sync(args)


def run_status(args: argparse.Namespace) -> int:
    _resolve(args)
    conn = connection(args)
    replica = open_replica(args.dir, conn.terminal_id, load_public_key(conn.ledger_pub))
    try:
        age = replica.age_s()
        data = {
            "terminal_id": conn.terminal_id,
            "merchant_id": replica.merchant_id,
            "seq": replica.cursor[0],
            "customers": len(replica.customers()),
            "synced_age_s": None if age is None else round(age, 1),
            "pin_only": age is None or age > _max_age_s(args),
            "problems": [
                {"at": p.at, "kind": p.kind, "seq": p.seq, "detail": p.detail} for p in replica.problems()
            ],
        }
    finally:
        replica.close()
    print(json.dumps(data, sort_keys=True))
    return EXIT_OK


def run_enrol(args: argparse.Namespace) -> int:
    if not args.accept_consent:
        raise UsageError("the shopper must read and accept the consent text first (--accept-consent)")
    pin = _read_line("shopper's PIN")
    cashier_pin = _read_line("cashier's PIN")
    settings: Settings = args.settings
    pipeline = build_pipeline(settings)
    templates, used, refused = gate_photos(
        pipeline, args.photos, liveness=spoof_check(settings.liveness.passive.pass_threshold)
    )
    if not templates:
        raise NoUsablePhoto("no usable photo: " + "; ".join(f"{n}: {r}" for n, r in refused))
    with _lane(args) as lane:
        record, uploaded = enrol_at_lane(
            lane.client,
            lane.replica,
            lambda: lane.service.enrol_customer(
                args.customer, pin, args.cashier, cashier_pin, consent_version=CONSENT_VERSION
            ),
            args.customer,
            templates,
            settings.models.recogniser,
        )
        seq = lane.replica.cursor[0]
    print(
        json.dumps(
            {
                "customer_id": args.customer,
                "templates": len(templates),
                "used": list(used),
                "refused": [{"photo": n, "reason": r} for n, r in refused],
                "linked_at": record.linked_at,
                "gallery": uploaded,
                "seq": seq,
            },
            sort_keys=True,
        )
    )
    return EXIT_OK


def run_erase(args: argparse.Namespace) -> int:
    cashier_pin = _read_line("cashier's PIN")
    with _lane(args) as lane:
        receipt, report = erase_at_lane(
            lane.client,
            lane.replica,
            lambda: lane.service.erase_customer_link(
                args.customer, cashier_id=args.cashier, cashier_pin=cashier_pin, reason="shopper asked"
            ),
        )
    print(
        json.dumps(
            {
                "customer_id": receipt.customer_id,
                "was_linked": receipt.was_linked,
                "sync": _report_json(report),
            },
            sort_keys=True,
        )
    )
    return EXIT_OK


def run_pay(args: argparse.Namespace) -> int:
    with _lane(args) as lane:
        settings = lane.settings
        amount = Money.parse(args.amount, lane.service.currency)
        try:
            report = try_sync(lane.client, lane.replica) if not args.no_sync else None
        except ReplicaError as exc:
            log.warning("gallery sync refused: %s", exc)
            report = None
        search = ReplicaSearch(lane.replica, settings.models.recogniser, max_age_s=_max_age_s(args))
        result = build_pipeline(settings, gallery=search).process(read_image(args.photo))
        face = result.face
        masked = bool(face is not None and face.mask is not None and face.mask.masked)
        limits = policy_limits(settings).match_limits(search.customer_count(), masked)
        decision = decide_match(face.candidates if face else (), limits, stale=search.stale)
        data: dict[str, Any] = {
            "face": decision.reason if face is not None else "no_face",
            "customer_id": decision.customer_id,
            "score": round(decision.score, 4),
            "gallery_size": search.customer_count(),
            "sync": _report_json(report),
        }
        if decision.customer_id is None or face is None:
            data["outcome"] = "no_match"
            print(json.dumps(data, sort_keys=True))
            return EXIT_NO
        evidence = Evidence(
            method="face",
            score=round(decision.score, 4),
            liveness=face.liveness,
            masked=masked,
            models=(("recogniser", settings.models.recogniser),),
            source="facepay replica pay",
        )
        outcome = lane.service.pay(
            decision.customer_id, amount, evidence=evidence, merchant_ref=args.ref or ""
        )
    data["outcome"] = type(outcome).__name__.lower()
    data["transfer_id"] = getattr(outcome, "transfer_id", None)
    print(json.dumps(data, sort_keys=True))
    return EXIT_OK if isinstance(outcome, Approved | StoredOffline) else EXIT_NO


def run_bench(args: argparse.Namespace) -> int:
    from app.replica_bench import run_replica_bench

    return int(run_replica_bench(args))


def _guard(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        quiet_http(args)
        try:
            return int(handler(args))
        except Declined as exc:
            print(f"facepay replica: the ledger declined: {exc.code}: {exc}", file=sys.stderr)
            return EXIT_NO
        except LedgerUnreachable as exc:
            print(f"facepay replica: the ledger host could not be reached: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
        except (ReplicaError, GalleryWireError, EnrolmentError, VisionError, ImageError) as exc:
            print(f"facepay replica: {exc}", file=sys.stderr)
            return EXIT_NO
        except (UsageError, MoneyError, InvalidPayment, LedgerClientError, SigningError, OSError) as exc:
            print(f"facepay replica: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _lane_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, required=True, help="the lane's data folder (replica, journal, keys)")
    p.add_argument(
        "--max-age-hours",
        type=float,
        help="past this age the replica matches no face, PIN only (default: payments.replica_max_age_s)",
    )
    add_connection_flags(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    top = sub.add_parser("replica", help="a kiosk lane on the merchant's shared gallery (headless)")
    rsub = top.add_subparsers(dest="replica_command", metavar="ACTION", required=True)

    p = rsub.add_parser("sync", help="follow the ledger's gallery feed (bootstrap when new)")
    _lane_flags(p)
    p.set_defaults(handler=_guard(run_sync))

    p = rsub.add_parser("reset", help="set the replica aside and bootstrap a new one from a snapshot")
    _lane_flags(p)
    p.set_defaults(handler=_guard(run_reset))

    p = rsub.add_parser("status", help="cursor, age of the last sync, refused entries")
    _lane_flags(p)
    p.set_defaults(handler=_guard(run_status))

    p = rsub.add_parser("enrol", help="enrol a shopper: PINs on stdin (shopper, then cashier)")
    _lane_flags(p)
    p.add_argument("--customer", required=True)
    p.add_argument("--cashier", required=True)
    p.add_argument("--accept-consent", action="store_true", help="the shopper accepted the consent text")
    p.add_argument("photos", nargs="+", type=Path)
    p.set_defaults(handler=_guard(run_enrol))

    p = rsub.add_parser("erase", help="erase a shopper's face everywhere: cashier PIN on stdin")
    _lane_flags(p)
    p.add_argument("--customer", required=True)
    p.add_argument("--cashier", required=True)
    p.set_defaults(handler=_guard(run_erase))

    p = rsub.add_parser("pay", help="recognise a photo against the replica and debit the match")
    _lane_flags(p)
    p.add_argument("--amount", required=True, help="e.g. 12.50")
    p.add_argument("--ref", help="merchant reference")
    p.add_argument("--no-sync", action="store_true", help="do not sync before recognising")
    p.add_argument("photo", type=Path)
    p.set_defaults(handler=_guard(run_pay))

    p = rsub.add_parser("bench", help="replica scale: bootstrap, enrol-to-match delay, memory, 1:N search")
    p.add_argument("--sizes", default="10000,100000", help="bootstrap sizes (templates)")
    p.add_argument("--memory-sizes", default="100000,1000000", help="replica memory/search sizes")
    p.add_argument("--delays", type=int, default=20, help="enrolments timed from one lane to another")
    p.add_argument("--dim", type=int, default=0, help="template dimension (default: the recogniser's)")
    p.add_argument("--out", type=Path, help="write the figures as JSON here too")
    p.set_defaults(handler=_guard(run_bench))
