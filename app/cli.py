"""The ``facepay`` command line: one program, one subcommand per job.

Each module in :mod:`app.commands` contributes its subcommands through a
``register(subparsers)`` function; a subcommand's handler takes the parsed
arguments and returns the process exit code. Settings are loaded once here and
handed to the handler through ``args.settings``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from app import commands
from app.settings import SettingsError, load_settings

__all__ = ["build_parser", "main"]

log = logging.getLogger("facepay")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facepay", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML settings file (default: $FACEPAY_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        from pathlib import Path

        args.settings = load_settings(Path(args.config) if args.config else None)
    except SettingsError as exc:
        print(f"facepay: configuration error: {exc}", file=sys.stderr)
        return 2
    handler = args.handler
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
