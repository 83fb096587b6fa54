"""``facepay doctor``: is this kiosk ready to take payments? One line per check, with a fix."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from app.doctor import Status, run_checks

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("doctor", help="check models, camera, ledger, clock, disk, journal, gallery")
    p.add_argument("--camera", help="camera index, video file or folder to test (default: skip)")
    p.add_argument("--no-ledger", action="store_true", help="skip the ledger and clock checks")
    p.add_argument("--quick", action="store_true", help="skip the camera (for a service's start check)")
    p.add_argument("--no-display", action="store_true", help="skip opening the display (a ledger host)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--replica", type=Path, help="a lane's data folder (`facepay replica --dir`) to check")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    checks = run_checks(
        args.settings,
        camera=None if args.quick else args.camera,
        ledger=not args.no_ledger,
        replica=args.replica,
        display=not args.no_display,
    )
    failed = any(c.status is Status.FAIL for c in checks)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [c.__dict__ for c in checks]}, indent=2))
    else:
        for c in checks:
            print(f"[{c.status.value:>4}] {c.line}")
        print("ready" if not failed else "NOT READY: fix the FAIL lines above")
    return 1 if failed else 0
