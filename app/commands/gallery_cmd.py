"""``facepay gallery migrate-status``: how far the gallery has moved to the new recogniser.

Coverage is the share of enrolled shoppers holding a template of the target recogniser
(``models.recogniser``): they are matched by it, every other shopper by the source
(``migration.source``). Exit codes: 0 shown; 1 the gallery cannot be opened; 2 a bad request.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.wiring import open_gallery
from models import ManifestError, load_manifest
from vision import GalleryError, MigrationCoverage

__all__ = ["add_migrate_status"]


def add_migrate_status(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``migrate-status`` to the ``facepay gallery`` actions."""
    status = actions.add_parser(
        "migrate-status", help="shoppers with templates of the new recogniser / all shoppers"
    )
    status.add_argument("--source", help="recogniser moved from (default: migration.source)")
    status.add_argument("--target", help="recogniser moved to (default: models.recogniser)")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace) -> int:
    settings = args.settings
    target = args.target or settings.models.recogniser
    source = args.source or settings.migration.source
    manifest = load_manifest()
    try:
        for model_id in filter(None, (source, target)):
            manifest.get(model_id)
    except ManifestError as exc:
        return _fail(args, str(exc), 2)
    try:
        gallery = open_gallery(settings)
    except GalleryError as exc:
        return _fail(args, str(exc), 1)
    try:
        coverage = MigrationCoverage.of(gallery, source, target)
        per_model = gallery.models()
    finally:
        gallery.close()
    if args.json:
        body = {
            "migrating": bool(source) and source != target,
            "source": source,
            "target": target,
            "customers": coverage.customers,
            "covered": coverage.covered,
            "source_only": coverage.source_only,
            "coverage": round(coverage.fraction, 4),
            "customers_per_model": per_model,
        }
        print(json.dumps(body, indent=2))
        return 0
    if not source or source == target:
        print(f"no migration configured (migration.source is empty); recogniser {target}")
    else:
        print(f"moving from {source} to {target}")
    print(
        f"coverage: {coverage.covered} of {coverage.customers} shoppers hold {target} templates "
        f"({coverage.fraction:.1%}); {coverage.source_only} still matched by {source or 'another model'}"
    )
    for model_id, n in per_model.items():
        print(f"  {model_id}: {n} shoppers")
    return 0


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": message}))
    else:
        sys.stderr.write(f"facepay gallery: {message}\n")
    return code
