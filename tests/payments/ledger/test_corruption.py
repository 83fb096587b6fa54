"""Damage is detected: zeroed pages in a copy of a ledger database that holds transfers make the
ledger refuse to serve (503, health says why), and `ledger check` / `audit-verify` report it
without a traceback; balances edited behind the ledger's back are caught per account."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from payments.ledger import Ledger, check_invariants, open_store
from payments.signing import sign_request
from tests.payments.ledger.conftest import REPO, Caller, World, debit_body, make_world, raw_execute
from tests.payments.ledger.test_wire_limits import Served, stop

FACEPAY = REPO / ".venv" / "bin" / "facepay"
PAGE = 4096
WAIT_S = 30.0


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A ledger database with top-ups and 80 debits, checkpointed into its main file."""
    tmp = tmp_path_factory.mktemp("books")
    world = make_world(f"sqlite:///{tmp}/ledger.db", tmp)
    ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0)
    caller = Caller(ledger, world.terminal_key, world.terminal_id)
    for _ in range(80):
        status, body, _ = caller.post("/v1/debits", debit_body(world.customer()["id"], 10))
        assert status == 201, body
    world.store.close()
    conn = sqlite3.connect(tmp / "ledger.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    yield tmp


def damaged_copy(books: Path, dest: Path, page: int) -> str:
    """A copy of the books with 8 KiB zeroed from page ``page`` (negative: from the end)."""
    dest.mkdir(parents=True, exist_ok=True)
    db = dest / "ledger.db"
    shutil.copy(books / "ledger.db", db)
    shutil.copy(books / "ledger.key", dest / "ledger.key")
    pages = db.stat().st_size // PAGE
    at = page if page >= 0 else pages + page
    zero_pages(db, at)
    return f"sqlite:///{db}"


def zero_pages(db: Path, page: int) -> None:
    with db.open("r+b") as fh:
        fh.seek(page * PAGE)
        fh.write(b"\0" * 2 * PAGE)
        fh.flush()
        os.fsync(fh.fileno())


def facepay(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    return subprocess.run(
        [str(FACEPAY), *args], cwd=REPO, env=env, text=True, capture_output=True, timeout=120
    )


@pytest.mark.parametrize("page", [0, 2, 10, 30, -2])
def test_check_and_audit_verify_report_zeroed_pages_without_a_traceback(
    books: Path, tmp_path: Path, page: int
) -> None:
    url = damaged_copy(books, tmp_path, page)
    checked = facepay("ledger", "check", "--db", url)
    assert checked.returncode == 1, checked
    assert "database damaged" in checked.stdout
    assert "Traceback" not in checked.stderr + checked.stdout
    verified = facepay("ledger", "audit-verify", "--db", url)
    assert verified.returncode == 1, verified
    assert "database damaged" in verified.stdout
    assert "Traceback" not in verified.stderr + verified.stdout


def test_the_undamaged_books_pass(books: Path) -> None:
    url = f"sqlite:///{books}/ledger.db"
    checked = facepay("ledger", "check", "--db", url)
    assert (checked.returncode, checked.stdout.strip()) == (0, "books balance")
    verified = facepay("ledger", "audit-verify", "--db", url)
    assert verified.returncode == 0, verified


def _debit_status(served: Served, key_dir: Path, terminal_id: str) -> httpx.Response:
    from payments.signing import load_private_key

    body = json.dumps(debit_body("c-alice", 10)).encode()
    headers = sign_request(
        load_private_key(key_dir / "terminal.key"),
        terminal_id=terminal_id,
        method="POST",
        path="/v1/debits",
        body=body,
        idempotency_key=secrets.token_hex(8),
    )
    return httpx.post(
        f"{served.url}/v1/debits",
        content=body,
        headers={**headers, "content-type": "application/json"},
        timeout=WAIT_S,
    )


def test_a_damaged_database_is_refused_at_start_and_health_says_why(books: Path, tmp_path: Path) -> None:
    url = damaged_copy(books, tmp_path, 10)
    served = serve_damaged(url, tmp_path / "ledger.key")
    try:
        health = httpx.get(f"{served.url}/v1/health", timeout=WAIT_S)
        assert health.status_code == 503
        error = health.json()["error"]
        assert error["code"] == "unavailable" and "integrity" in error["message"] and error["reason"]
        debit = _debit_status(served, books / "demo", "t-demo-1")
        assert debit.status_code == 503 and debit.json()["error"]["code"] == "unavailable"
    finally:
        stop(served)


def serve_damaged(url: str, key: Path, *env: str) -> Served:
    """`facepay ledger serve` on a database that may fail its check (health need not be 200)."""
    from tests.payments.ledger.conftest import free_port

    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    environ.update(dict(e.split("=", 1) for e in env))
    proc = subprocess.Popen(
        [str(FACEPAY), "ledger", "serve", "--db", url, "--ledger-key", str(key), "--port", str(port)],
        cwd=REPO,
        env=environ,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    served = Served(f"http://127.0.0.1:{port}", port, proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            httpx.get(f"{served.url}/v1/health", timeout=1)
            return served
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(served)
    raise RuntimeError("ledger did not come up in 60 s")


def test_damage_while_serving_is_found_by_the_scheduled_check(books: Path, tmp_path: Path) -> None:
    dest = tmp_path / "live"
    dest.mkdir()
    shutil.copy(books / "ledger.db", dest / "ledger.db")
    shutil.copy(books / "ledger.key", dest / "ledger.key")
    served = serve_damaged(
        f"sqlite:///{dest}/ledger.db", dest / "ledger.key", "FACEPAY_LEDGER_INTEGRITY_EVERY_S=0.5"
    )
    try:
        assert httpx.get(f"{served.url}/v1/health", timeout=WAIT_S).status_code == 200
        zero_pages(dest / "ledger.db", 10)
        deadline = time.monotonic() + WAIT_S
        status = 200
        while status == 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            status = httpx.get(f"{served.url}/v1/health", timeout=WAIT_S).status_code
        assert status == 503
    finally:
        stop(served)


def test_a_balance_edit_that_keeps_the_sum_at_zero_is_caught(sqlite_url: str, tmp_path: Path) -> None:
    world: World = make_world(sqlite_url, tmp_path)
    try:
        assert check_invariants(world.store) == []
        alice, bob = (f"cust:{world.customer(n)['id']}" for n in (0, 1))
        raw_execute(sqlite_url, "UPDATE accounts SET balance = balance + 700 WHERE id = ?", (alice,))
        raw_execute(sqlite_url, "UPDATE accounts SET balance = balance - 700 WHERE id = ?", (bob,))
        problems = check_invariants(open_store(sqlite_url))
    finally:
        world.store.close()
    assert len(problems) == 2
    assert any(alice in p and "differs from its transfers" in p for p in problems)
    assert any(bob in p and "differs from its transfers" in p for p in problems)
