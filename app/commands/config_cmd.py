"""``facepay config reference|example|check``: the settings, documented and validated."""

from __future__ import annotations

import argparse
import json

from app.config_reference import example_toml, reference_markdown
from app.settings import settings_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("config", help="settings reference, example file and validation")
    csub = p.add_subparsers(dest="config_command", required=True)
    csub.add_parser("reference", help="print the settings reference (Markdown)").set_defaults(
        handler=lambda a: _print(reference_markdown())
    )
    csub.add_parser("example", help="print a TOML file with every default").set_defaults(
        handler=lambda a: _print(example_toml())
    )
    csub.add_parser("check", help="validate the settings (file + environment) and print them").set_defaults(
        handler=_check
    )


def _print(text: str) -> int:
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _check(args: argparse.Namespace) -> int:
    # Loading already happened in app.cli (errors exit 2 there with the reason).
    print(json.dumps(settings_table(args.settings), indent=2, default=str))
    return 0
