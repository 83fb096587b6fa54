"""`facepay ledger init|audit-verify|check|add-*|top-up` through the command module."""

from __future__ import annotations

import argparse
import json
import stat
from pathlib import Path

import pytest

from app.commands import ledger_cmd
from tests.payments.ledger.conftest import raw_execute


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    ledger_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ledger", *argv])
    return int(args.handler(args))


def test_init_demo_writes_keys_and_demo_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/ledger.db"
    out = tmp_path / "demo"
    spec = "Ada Lovelace:c-ada,Grace:"
    assert run("init", "--db", db, "--demo", "--out", str(out), "--customers", spec) == 0
    assert stat.S_IMODE((out / "terminal.key").stat().st_mode) == 0o600
    assert (out / "ledger.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    demo = json.loads((out / "demo.json").read_text())
    names = [(c["id"], c["name"]) for c in demo["customers"]]
    assert names == [("c-ada", "Ada Lovelace"), ("c-grace", "Grace")]
    assert demo["currency"] == "EUR" and demo["terminal_id"] == "t-demo-1"
    assert all(len(c["pin"]) == 4 for c in demo["customers"]) and demo["cashier"]["pin"]
    assert run("top-up", "--db", db, "--customer", "c-ada", "--amount", "12.50") == 0
    assert run("top-up", "--db", db, "--customer", "c-ada", "--amount", "12.505") == 2
    assert run("check", "--db", db) == 0
    assert run("disable-terminal", "--db", db, "--id", "t-demo-1") == 0
    assert (
        run(
            "add-terminal",
            "--db",
            db,
            "--id",
            "t-2",
            "--merchant",
            "m-demo",
            "--public-key",
            str(out / "ledger.pub"),
        )
        == 0
    )
    assert run("audit-verify", "--db", db) == 0
    raw_execute(db, "UPDATE audit SET actor = 'someone' WHERE seq = 2")
    capsys.readouterr()
    assert run("audit-verify", "--db", db) == 1
    assert "audit line 2: edited" in capsys.readouterr().out


def test_customers_file(tmp_path: Path) -> None:
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"name": "Lin", "id": "c-lin", "balance_minor": 999, "pin": "2468"}]))
    db = f"sqlite:///{tmp_path}/ledger.db"
    out = str(tmp_path / "d")
    assert run("init", "--db", db, "--demo", "--out", out, "--customers-file", str(people)) == 0
    demo = json.loads((tmp_path / "d" / "demo.json").read_text())
    assert demo["customers"] == [
        {"id": "c-lin", "name": "Lin", "pin": "2468", "balance": {"minor": 999, "currency": "EUR"}}
    ]


def test_bench_refuses_non_loopback(tmp_path: Path) -> None:
    assert run("bench", "--url", "http://10.0.0.1:8470", "--key", str(tmp_path / "terminal.key")) == 2
