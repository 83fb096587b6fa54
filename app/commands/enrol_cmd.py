"""``facepay enroll``, ``facepay customer delete``, ``facepay gallery rotate-key``,
``facepay retention run``: shoppers' enrolment, erasure and key management."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.commands.pay_cmd import UsageError, open_service, quiet_http
from app.settings import Settings
from app.wiring import ModelFileError, build_pipeline, gallery_key_path, open_gallery
from enrolment import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    EnrolmentError,
    NoUsablePhoto,
    Registry,
    already_enrolled,
    erase_customer,
    gate_photos,
    retention_sweep,
    spoof_check,
    store_templates,
)
from payments.client import Declined, LedgerClientError
from payments.pinblock import valid_pin
from payments.terminal import ENROLMENT_CODE_DIGITS, InvalidPayment, PaymentError
from vision import GALLERY_KEY_ENV, VisionError, rotate_gallery_key

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("enroll", help="enrol a shopper from photos (consent first)")
    p.add_argument("--customer", required=True, help="the shopper's customer id at the ledger")
    p.add_argument("--name", required=True, help="display name (first name and initial are shown)")
    p.add_argument("--terminal", default="", help="terminal id recorded with the consent")
    p.add_argument(
        "--accept-consent",
        action="store_true",
        help="the shopper has read the consent text (shown with --show-consent) and agrees",
    )
    p.add_argument("--show-consent", action="store_true", help="print the consent text and exit")
    p.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the account holder's proof, then the cashier's PIN, from stdin, never "
        "echoed: the account's PIN (it stays), or with --code the one-time enrolment "
        "code and then a new PIN; needed to link the account at the ledger",
    )
    p.add_argument(
        "--code",
        action="store_true",
        help="the shopper proves the account with the one-time enrolment code the operator "
        "issued (new account or forgotten PIN) and chooses a new PIN",
    )
    p.add_argument("--cashier", help="cashier authorising the ledger link (default: ledger.cashier_id)")
    _ledger_flags(p)
    p.add_argument("photos", nargs="*", type=Path, help="photos of the shopper, one face each")
    p.set_defaults(handler=run_enroll)

    c = sub.add_parser("customer", help="enrolled customers")
    csub = c.add_subparsers(dest="customer_command", required=True)
    d = csub.add_parser("delete", help="erase a customer's face data, consent and face link")
    d.add_argument("customer_id")
    d.add_argument("--terminal", help="terminal id at the ledger (default: ledger.terminal_id)")
    d.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read a PIN from stdin to erase the face link at the ledger: the cashier's "
        "(--cashier, default ledger.cashier_id) or, with --shopper, the shopper's",
    )
    d.add_argument("--cashier", help="cashier of the shop where the face was enrolled")
    d.add_argument("--shopper", action="store_true", help="the PIN on stdin is the shopper's own")
    _ledger_flags(d)
    d.set_defaults(handler=run_delete)
    ls = csub.add_parser("list", help="list enrolled customers")
    ls.set_defaults(handler=run_list)

    g = sub.add_parser("gallery", help="the encrypted template gallery")
    gsub = g.add_subparsers(dest="gallery_command", required=True)
    r = gsub.add_parser("rotate-key", help="re-encrypt every template under a new key")
    r.set_defaults(handler=run_rotate)

    ret = sub.add_parser("retention", help="biometric data retention")
    rsub = ret.add_subparsers(dest="retention_command", required=True)
    run = rsub.add_parser("run", help="erase customers inactive for --days (default 3 years)")
    run.add_argument("--days", type=int, default=3 * 365)
    run.set_defaults(handler=run_retention)


def _registry(settings: Settings) -> Registry:
    settings.payments.data_dir.mkdir(parents=True, exist_ok=True)
    return Registry(settings.payments.data_dir / "enrolment.db")


def run_enroll(args: argparse.Namespace) -> int:
    if args.show_consent:
        print(f"Consent text version {CONSENT_VERSION}:\n\n{CONSENT_TEXT}")
        return 0
    if not args.accept_consent:
        print(
            "facepay enroll: the shopper must read and accept the consent text first "
            "(see --show-consent, then pass --accept-consent)",
            file=sys.stderr,
        )
        return 2
    if not args.photos:
        print("facepay enroll: give at least one photo", file=sys.stderr)
        return 2
    settings: Settings = args.settings
    linked: dict[str, object] | None = None
    try:
        pins = _enrol_pins(args) if _ledger_configured(args) else None
        if pins is None:
            print(
                "facepay enroll: no ledger configured (ledger.terminal_id, --demo or --key): the face is "
                "enrolled on this terminal only and no PIN is set; enrol again with the ledger "
                "settings and --pin-stdin to link the account",
                file=sys.stderr,
            )
        pipeline = build_pipeline(settings)
        templates, used, refused = gate_photos(
            pipeline, args.photos, liveness=spoof_check(settings.liveness.passive.pass_threshold)
        )
        if not templates:
            raise NoUsablePhoto(
                f"no usable photo for {args.customer}: " + "; ".join(f"{n}: {r}" for n, r in refused)
            )
        gallery = open_gallery(settings)
        other = already_enrolled(gallery, templates, args.customer, settings.recognition.enrolled_threshold)
        if other is not None:  # never re-link a face to a second account
            print(
                f"facepay enroll: This face is already enrolled as customer {other.customer_id} "
                f"(score {other.score:.2f}). Nothing was stored.",
                file=sys.stderr,
            )
            return 1
        if pins is not None:  # the ledger next: a refused proof or cashier leaves nothing behind
            linked = _link_at_ledger(args, pins)
        registry = _registry(settings)
        registry.record_consent(args.customer, args.terminal or settings.ledger.terminal_id)
        count = store_templates(gallery, registry, args.customer, args.name, templates)
    except (EnrolmentError, ModelFileError, VisionError) as exc:
        print(f"facepay enroll: {exc}", file=sys.stderr)
        return 1
    except (UsageError, InvalidPayment) as exc:
        print(f"facepay enroll: {exc}", file=sys.stderr)
        return 2
    except Declined as exc:
        print(
            f"facepay enroll: the ledger refused the enrolment: {exc.code}: {exc.message}; "
            "nothing was stored",
            file=sys.stderr,
        )
        return 1
    except LedgerClientError as exc:
        print(f"facepay enroll: the ledger could not be reached ({exc}); nothing was stored", file=sys.stderr)
        return 3
    print(
        json.dumps(
            {
                "customer_id": args.customer,
                "templates": count,
                "used": list(used),
                "refused": [{"photo": n, "reason": r} for n, r in refused],
                "ledger": linked,
            },
            indent=2,
        )
    )
    return 0


def _ledger_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("ledger (default: the settings; without any, the ledger step is skipped)")
    g.add_argument("--ledger", metavar="URL", help="ledger base URL")
    g.add_argument("--key", metavar="FILE", type=Path, help="terminal private key (ledger.pub beside it)")
    g.add_argument("--ledger-pub", metavar="FILE", type=Path, help="ledger public key")
    g.add_argument("--demo", metavar="FILE", type=Path, help="demo.json of `facepay ledger init --demo`")
    g.add_argument("--journal", metavar="FILE", type=Path, help="journal file")
    g.add_argument("--timeout", type=float, help="seconds per ledger request")


def _ledger_configured(args: argparse.Namespace) -> bool:
    return bool(args.demo or args.key or args.ledger or args.settings.ledger.terminal_id)


def _secret(prompt: str, what: str) -> str:
    """A PIN from the terminal without echo, or the next line of piped stdin."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"expected the {what} on the next line of stdin")
    return line.strip()


@dataclass(frozen=True)
class _Proof:
    """What ``--pin-stdin`` read. Attributes: pin (the account's, or the new one with a code);
    code (the one-time enrolment code, or None); cashier_id; cashier_pin."""

    pin: str = field(repr=False)
    code: str | None = field(repr=False)
    cashier_id: str
    cashier_pin: str = field(repr=False)


def _enrol_pins(args: argparse.Namespace) -> _Proof:
    """The account holder's proof and the cashier's PIN for the ledger link."""
    if not args.pin_stdin:
        raise UsageError(
            "a ledger is configured: the shopper proves the account with --pin-stdin "
            "(the account's PIN, or with --code the enrolment code and a new PIN; then "
            "the cashier's PIN; one per line)"
        )
    cashier = args.cashier or args.settings.ledger.cashier_id
    if not cashier:
        raise UsageError("linking at the ledger needs a cashier: --cashier ID or ledger.cashier_id")
    code: str | None = None
    if args.code:
        code = _secret("One-time enrolment code: ", "enrolment code")
        if not (code.isascii() and code.isdigit() and len(code) == ENROLMENT_CODE_DIGITS):
            raise UsageError(f"an enrolment code is {ENROLMENT_CODE_DIGITS} digits")
        pin = _secret("Shopper's new PIN: ", "shopper's new PIN")
        if sys.stdin.isatty() and getpass.getpass("Repeat the PIN: ") != pin:
            raise UsageError("the two PINs differ")
    else:
        pin = _secret("The account's PIN: ", "account's PIN")
    if not valid_pin(pin):
        raise UsageError("the shopper's PIN must be 4 to 12 digits")
    return _Proof(pin, code, cashier, _secret(f"PIN of cashier {cashier}: ", "cashier's PIN"))


def _link_at_ledger(args: argparse.Namespace, proof: _Proof) -> dict[str, object]:
    quiet_http(args)
    with open_service(args) as service:
        record = service.enrol_customer(
            args.customer,
            proof.pin,
            proof.cashier_id,
            proof.cashier_pin,
            consent_version=CONSENT_VERSION,
            enrolment_code=proof.code,
        )
    return {
        "linked_at": record.linked_at,
        "relinked": record.relinked,
        "cashier_id": record.cashier_id,
        "pin_set": record.pin_set,
    }


def run_delete(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    try:
        gallery, registry = open_gallery(settings), _registry(settings)
        known = args.customer_id in registry.customers() or args.customer_id in gallery.customers()
        receipt = erase_customer(gallery, registry, args.customer_id) if known else None
    except VisionError as exc:
        print(f"facepay customer delete: {exc}", file=sys.stderr)
        return 1
    ledger: dict[str, object] | None = None
    code = 0
    if not _ledger_configured(args):
        print(
            "facepay customer delete: no ledger configured: the face link at the ledger was not "
            "erased (give the ledger settings to erase it there too)",
            file=sys.stderr,
        )
    else:
        ledger, code = _erase_at_ledger(args)
    if receipt is None and (ledger is None or ledger.get("error") == "unknown_customer"):
        print(
            f"facepay customer delete: no customer {args.customer_id} here; nothing was erased",
            file=sys.stderr,
        )
        return 1
    local = (
        {}
        if receipt is None
        else {
            "erased_subject": receipt.subject,
            "templates_removed": receipt.templates_removed,
            "audit_hash": receipt.audit_hash,
        }
    )
    print(json.dumps({**local, "ledger": ledger}, indent=2))
    return code


def _erase_proof(args: argparse.Namespace) -> dict[str, str]:
    """The shopper's PIN or a cashier's id and PIN for the ledger, from ``--pin-stdin``."""
    if not args.pin_stdin:
        return {}
    if args.shopper:
        return {"pin": _secret("The shopper's PIN: ", "shopper's PIN")}
    cashier = args.cashier or args.settings.ledger.cashier_id
    if not cashier:
        raise UsageError(
            "erasing at the ledger on a cashier's authority needs --cashier ID or "
            "ledger.cashier_id (or --shopper for the shopper's own PIN)"
        )
    return {"cashier_id": cashier, "cashier_pin": _secret(f"PIN of cashier {cashier}: ", "cashier's PIN")}


def _erase_at_ledger(args: argparse.Namespace) -> tuple[dict[str, object], int]:
    quiet_http(args)
    try:
        proof = _erase_proof(args)
        with open_service(args) as service:
            record = service.erase_customer_link(args.customer_id, reason="facepay customer delete", **proof)
    except Declined as exc:
        if exc.code == "proof_required":
            print(
                "facepay customer delete: the ledger link needs the shopper's PIN or a cashier of the "
                "shop where the face was enrolled: run again with --pin-stdin",
                file=sys.stderr,
            )
        return {"error": exc.code, "message": exc.message}, 0 if exc.code == "unknown_customer" else 1
    except (UsageError, LedgerClientError, PaymentError) as exc:
        print(
            f"facepay customer delete: the ledger link was not erased: {exc}; run the command again",
            file=sys.stderr,
        )
        return {"error": "not_erased", "message": str(exc)}, 3
    return {
        "was_linked": record.was_linked,
        "erased_at": record.erased_at,
        "audit_seq": record.audit_seq,
        "audit_hash": record.audit_hash,
    }, 0


def run_list(args: argparse.Namespace) -> int:
    registry = _registry(args.settings)
    for cid in registry.customers():
        print(f"{cid}\t{registry.display_name(cid)}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    """New key written beside the old one first, then the store, then the key swapped."""
    settings: Settings = args.settings
    if os.environ.get(GALLERY_KEY_ENV):
        print(
            "facepay gallery rotate-key: the key comes from FACEPAY_GALLERY_KEY; rotate it "
            "where that variable is set",
            file=sys.stderr,
        )
        return 2
    try:
        gallery = open_gallery(settings)
    except VisionError as exc:
        print(f"facepay gallery rotate-key: {exc}", file=sys.stderr)
        return 1
    key_path = gallery_key_path(settings)
    count = rotate_gallery_key(key_path, gallery)
    print(f"re-encrypted {count} templates under a new key ({key_path})")
    return 0


def run_retention(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    receipts = retention_sweep(open_gallery(settings), _registry(settings), days=args.days)
    print(json.dumps({"erased": [r.subject for r in receipts]}, indent=2))
    return 0
