"""``facepay kiosk``: the checkout screen with a camera and a ledger.

Before the window opens the kiosk runs the doctor's checks (``app.preflight``). Every problem
is one line on stderr with its fix, never a traceback. What the kiosk cannot run without
(models, key, journal, a terminal the ledger knows...) shows the out-of-service page instead
of a black screen, then the command exits 2 for its service manager to try again; a camera or
a ledger that is down starts the kiosk degraded, and the flow says what still works.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.main import TerminalIdentity, has_display, run_kiosk, show_out_of_service
from app.preflight import TillStartError, preflight

log = logging.getLogger(__name__)

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
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the checks' own lines say what matters
    settings = identity.applied(args.settings)
    found = preflight(settings, args.camera)
    for check in found.problems:
        print(f"facepay kiosk: [{check.status.value}] {check.line}", file=sys.stderr)
    if found.fatal:
        print("facepay kiosk: not started: fix the FAIL lines above (`facepay doctor`)", file=sys.stderr)
        reasons = tuple(c.line for c in found.fatal)
        retry_s = settings.kiosk.out_of_service_retry_s
        return show_out_of_service(
            reasons, windowed=args.windowed, retry_s=retry_s, language=settings.kiosk.language
        )
    try:
        return run_kiosk(
            settings,
            identity,
            args.camera,
            windowed=args.windowed,
            camera_ok=found.camera,
            ledger_ok=found.ledger,
            lane=args.lane,
        )
    except TillStartError as exc:
        print(f"facepay kiosk: not started: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # start-up ends in one line with its fix, never a traceback
        log.debug("kiosk start-up failed", exc_info=True)
        print(
            f"facepay kiosk: could not start: {exc} -> fix: run `facepay doctor`, which names each "
            "problem with its fix",
            file=sys.stderr,
        )
        return 2
