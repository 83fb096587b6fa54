"""Secrets and data files are the owner's alone whoever starts the process; database passwords
stay out of argv; timing headers only when asked for."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from app.commands.ledger_cmd import _db_password
from payments.ledger import AdminError
from payments.signing import load_private_key, sign_request
from tests.payments.ledger.conftest import REPO, debit_body
from tests.payments.ledger.test_wire_limits import serve, stop

FACEPAY = REPO / ".venv" / "bin" / "facepay"


def _facepay(*args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    return subprocess.run(
        [str(FACEPAY), *args],
        cwd=REPO,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: os.umask(umask) and None,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_init_demo_writes_databases_keys_and_demo_json_mode_600(tmp_path: Path, umask: int) -> None:
    done = _facepay(
        "ledger",
        "init",
        "--db",
        f"sqlite:///{tmp_path}/ledger.db",
        "--demo",
        "--out",
        str(tmp_path / "demo"),
        umask=umask,
    )
    assert done.returncode == 0, done.stderr
    private = [
        tmp_path / "ledger.db",
        tmp_path / "ledger.db.key",
        tmp_path / "demo" / "terminal.key",
        tmp_path / "demo" / "demo.json",
    ]
    private += [p for p in tmp_path.glob("ledger.db-*")]  # -wal, -shm while they exist
    assert {p.name: _mode(p) for p in private} == {p.name: 0o600 for p in private}
    assert _mode(tmp_path / "demo" / "ledger.pub") == 0o644  # public, meant to be copied


def test_a_password_in_the_url_is_warned_about(tmp_path: Path) -> None:
    done = _facepay("ledger", "check", "--db", "postgresql://ledger:s3cret@127.0.0.1:1/ledger")
    assert "visible in the process list" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout


def test_a_password_file_goes_to_libpq_and_must_be_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    secret = tmp_path / "db.pass"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    args = argparse.Namespace(db="postgresql://ledger@127.0.0.1:1/ledger", db_password_file=str(secret))
    with pytest.raises(AdminError, match="chmod 600"):
        _db_password(args)
    assert "PGPASSWORD" not in os.environ
    secret.chmod(0o600)
    _db_password(args)
    assert os.environ["PGPASSWORD"] == "s3cret"
    done = _facepay(
        "ledger",
        "check",
        "--db",
        "postgresql://ledger@127.0.0.1:1/ledger",
        "--db-password-file",
        str(tmp_path / "missing"),
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_server_timing_only_with_the_flag(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/ledger.db"
    assert _facepay("ledger", "init", "--db", db, "--demo", "--out", str(tmp_path / "demo")).returncode == 0
    served = serve(db, tmp_path / "ledger.db.key", "--server-timing")
    try:
        demo = json.loads((tmp_path / "demo" / "demo.json").read_text())
        body = json.dumps(debit_body(demo["customers"][0]["id"], 10)).encode()
        headers = sign_request(
            load_private_key(tmp_path / "demo" / "terminal.key"),
            terminal_id=demo["terminal_id"],
            method="POST",
            path="/v1/debits",
            body=body,
            idempotency_key=secrets.token_hex(8),
        )
        reply = httpx.post(
            f"{served.url}/v1/debits",
            content=body,
            timeout=30,
            headers={**headers, "content-type": "application/json"},
        )
        assert reply.status_code == 201, reply.text
        assert "db;dur=" in reply.headers["server-timing"]
        assert "server" not in reply.headers
    finally:
        stop(served)
