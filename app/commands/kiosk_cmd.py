"""``facepay kiosk``: the checkout screen with a camera and a ledger."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.main import TerminalIdentity, has_display, run_kiosk

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("kiosk", help="run the checkout kiosk")
    p.add_argument("--camera", default="0", help="camera index, video file, or image folder (default 0)")
    p.add_argument("--ledger", metavar="URL", help="ledger base URL (default: settings)")
    p.add_argument(
        "--key",
        type=Path,
        metavar="FILE",
        help="terminal private key; ledger.pub and demo.json are read beside it",
    )
    p.add_argument("--terminal", metavar="ID", help="terminal id (default: settings or demo.json)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument(
        "--lane",
        action="store_true",
        help="recognise from this kiosk's replica of the merchant gallery at the ledger host (enrol "
        "once, pay at every lane) instead of its own gallery",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not has_display():
        print(
            "facepay kiosk: no display (DISPLAY/WAYLAND_DISPLAY unset); "
            "`facepay demo --headless` runs the kiosk without one",
            file=sys.stderr,
        )
        return 2
    terminal = args.terminal
    if terminal is None and args.key is not None and (args.key.parent / "demo.json").is_file():
        import json

        terminal = json.loads((args.key.parent / "demo.json").read_text()).get("terminal_id")
    identity = TerminalIdentity.from_settings(
        args.settings, url=args.ledger, key_file=args.key, terminal_id=terminal
    )
    if not identity.terminal_id:
        print(
            "facepay kiosk: no terminal id (ledger.terminal_id, --terminal or --key beside demo.json)",
            file=sys.stderr,
        )
        return 2
    return run_kiosk(args.settings, identity, args.camera, windowed=args.windowed, lane=args.lane)
