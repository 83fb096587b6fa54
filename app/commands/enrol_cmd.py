"""``facepay enroll``, ``facepay customer delete``, ``facepay gallery rotate-key``,
``facepay retention run``: shoppers' enrolment, erasure and key management."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path

from app.enrolment import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    EnrolmentError,
    Registry,
    enrol_photos,
    erase_customer,
    retention_sweep,
)
from app.settings import Settings
from app.wiring import ModelFileError, build_pipeline, open_gallery
from vision import VisionError, generate_key

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("enroll", help="enrol a shopper from photos (consent first)")
    p.add_argument("--customer", required=True, help="the shopper's customer id at the ledger")
    p.add_argument("--name", required=True, help="display name (first name and initial are shown)")
    p.add_argument("--terminal", default="", help="terminal id recorded with the consent")
    p.add_argument("--accept-consent", action="store_true",
                   help="the shopper has read the consent text (shown with --show-consent) and agrees")
    p.add_argument("--show-consent", action="store_true", help="print the consent text and exit")
    p.add_argument("photos", nargs="*", type=Path, help="photos of the shopper, one face each")
    p.set_defaults(handler=run_enroll)

    c = sub.add_parser("customer", help="enrolled customers")
    csub = c.add_subparsers(dest="customer_command", required=True)
    d = csub.add_parser("delete", help="erase a customer's face data, consent and face link")
    d.add_argument("customer_id")
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
        print("facepay enroll: the shopper must read and accept the consent text first "
              "(see --show-consent, then pass --accept-consent)", file=sys.stderr)
        return 2
    if not args.photos:
        print("facepay enroll: give at least one photo", file=sys.stderr)
        return 2
    settings: Settings = args.settings
    try:
        pipeline = build_pipeline(settings)
        gallery = open_gallery(settings)
        registry = _registry(settings)
        registry.record_consent(args.customer, args.terminal or settings.ledger.terminal_id)
        result = enrol_photos(pipeline, gallery, registry, args.customer, args.name, args.photos)
    except (EnrolmentError, ModelFileError, VisionError) as exc:
        print(f"facepay enroll: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"customer_id": result.customer_id, "templates": result.templates,
                      "used": list(result.used),
                      "refused": [{"photo": n, "reason": r} for n, r in result.refused]}, indent=2))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    try:
        receipt = erase_customer(open_gallery(settings), _registry(settings), args.customer_id)
    except VisionError as exc:
        print(f"facepay customer delete: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"erased_subject": receipt.subject, "templates_removed": receipt.templates_removed,
                      "audit_hash": receipt.audit_hash}, indent=2))
    return 0


def run_list(args: argparse.Namespace) -> int:
    registry = _registry(args.settings)
    for cid in registry.customers():
        print(f"{cid}\t{registry.display_name(cid)}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    """New key written beside the old one first, then the store, then the key swapped."""
    settings: Settings = args.settings
    if os.environ.get("FACEPAY_GALLERY_KEY"):
        print("facepay gallery rotate-key: the key comes from FACEPAY_GALLERY_KEY; rotate it "
              "where that variable is set", file=sys.stderr)
        return 2
    try:
        gallery = open_gallery(settings)
    except VisionError as exc:
        print(f"facepay gallery rotate-key: {exc}", file=sys.stderr)
        return 1
    key_path = settings.payments.data_dir / "gallery.key"
    staged = key_path.with_suffix(".key.new")
    new_key = generate_key()
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(new_key).decode("ascii"))
        fh.flush()
        os.fsync(fh.fileno())
    count = gallery.rotate_key(new_key)
    os.replace(staged, key_path)
    print(f"re-encrypted {count} templates under a new key ({key_path})")
    return 0


def run_retention(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    receipts = retention_sweep(open_gallery(settings), _registry(settings), days=args.days)
    print(json.dumps({"erased": [r.subject for r in receipts]}, indent=2))
    return 0
