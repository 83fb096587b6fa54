"""Fixtures: a fresh ledger database per test (SQLite and PostgreSQL), a demo world, a real server."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from payments.ledger import (
    Ledger,
    LedgerKeys,
    LedgerStore,
    Reply,
    Request,
    build_demo,
    ensure_keys,
    init_schema,
    open_store,
)
from payments.ledger.app import ENV_DB, ENV_KEY
from payments.ledger.limits import ENV_LIMITS, ServerLimits
from payments.pinblock import encrypt_pin, pin_context, pin_public_key_from_text
from payments.signing import Ed25519PrivateKey, load_private_key, sign_request

REPO = Path(__file__).resolve().parents[3]


def _postgres_base() -> str:
    base = os.environ.get("FACEPAY_TEST_PG_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "FACEPAY_TEST_PG_URL is not set: CI must run the PostgreSQL store tests (./dev test "
                "starts a server)"
            )
        pytest.skip("FACEPAY_TEST_PG_URL is not set: PostgreSQL store tests skipped (./dev test starts one)")
    return base


def _make_db(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
        return
    import psycopg

    base = _postgres_base()
    name = f"facepay_test_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file or a new PostgreSQL database."""
    yield from _make_db(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield from _make_db("sqlite", tmp_path)


def raw_execute(url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the database behind the ledger's back (to test tamper detection)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with conn:
            conn.execute(sql, params)
        conn.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute(sql.replace("?", "%s"), params)


@dataclass
class World:
    """A demo world in a fresh database."""

    url: str
    store: LedgerStore
    keys: LedgerKeys
    demo: dict[str, Any]
    out: Path
    key_path: Path

    @property
    def terminal_id(self) -> str:
        return str(self.demo["terminal_id"])

    @property
    def terminal_key(self) -> Ed25519PrivateKey:
        return load_private_key(self.out / "terminal.key")

    def customer(self, n: int = 0) -> dict[str, Any]:
        return dict(self.demo["customers"][n])

    def balance(self, customer_id: str) -> int:
        return {a.account_id: a.balance for a in self.store.accounts()}[f"cust:{customer_id}"]

    def pin_block(
        self, pin: str, idem: str, subject: str, terminal_id: str | None = None
    ) -> dict[str, object]:
        key = pin_public_key_from_text(self.demo["pin_key"])
        return encrypt_pin(key, pin, context=pin_context(terminal_id or self.terminal_id, idem, subject))

    def snapshot(self) -> tuple[list[Any], int]:
        accounts = [(a.account_id, a.balance) for a in self.store.accounts()]
        far = "9999-12-31T00:00:00.000000Z"
        count = len(self.store.list_transfers(self.terminal_id, "0000", far, 100_000))
        return accounts, count


def make_world(url: str, out: Path, **kwargs: Any) -> World:
    store = open_store(url)
    init_schema(store)
    key_path = out / "ledger.key"
    keys = ensure_keys(key_path)
    demo = build_demo(store, keys, out / "demo", url, **kwargs)
    return World(url, store, keys, demo, out / "demo", key_path)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    w = make_world(db_url, tmp_path)
    yield w
    w.store.close()


class Caller:
    """Signs requests as a terminal and hands them to an in-process Ledger."""

    def __init__(self, ledger: Ledger, key: Ed25519PrivateKey, terminal_id: str) -> None:
        self.ledger = ledger
        self.key = key
        self.terminal_id = terminal_id

    def call(
        self,
        action: str,
        method: str,
        path: str,
        body: bytes = b"",
        idem: str = "",
        params: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        **sign: Any,
    ) -> tuple[int, dict[str, Any], Reply]:
        headers = sign_request(
            self.key,
            terminal_id=self.terminal_id,
            method=method,
            path=path,
            body=body,
            idempotency_key=idem,
            **sign,
        )
        lowered = {k.lower(): v for k, v in headers.items()}
        reply = self.ledger.handle(action, Request(method, path, lowered, body, query or {}), params or {})
        return reply.status, json.loads(reply.body), reply

    def post(
        self, path: str, payload: dict[str, Any] | bytes, idem: str | None = None, **sign: Any
    ) -> tuple[int, dict[str, Any], Reply]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        action = {
            "/v1/debits": "debit",
            "/v1/refunds": "refund",
            "/v1/voids": "void",
            "/v1/captures": "capture",
        }[path]
        key = idem if idem is not None else secrets.token_hex(8)
        return self.call(action, "POST", path, body, key, **sign)


@pytest.fixture
def ledger(world: World) -> Ledger:
    return Ledger(world.store, world.keys, terminal_cache_s=0.0)


@pytest.fixture
def caller(world: World, ledger: Ledger) -> Caller:
    return Caller(ledger, world.terminal_key, world.terminal_id)


def debit_body(customer_id: str, minor: int = 100, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "amount": {"minor": minor, "currency": "EUR"},
        "merchant_ref": "sale-1",
        "evidence": {"match": 0.8},
        **extra,
    }


# --- a real server --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The ledger service under uvicorn, in its own process group."""

    def __init__(self, world: World, workers: int = 1) -> None:
        self.world = world
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # The same uvicorn invocation as `facepay ledger serve` (see app/commands/ledger_cmd.py).
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "payments.ledger.app:create_app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        env = {
            **os.environ,
            ENV_DB: self.world.url,
            ENV_KEY: str(self.world.key_path),
            ENV_LIMITS: ServerLimits(server_timing=True).to_env(),
        }  # the bench tests read it
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"ledger exited: {err}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("ledger did not come up in 30 s")

    def kill(self) -> None:
        """kill -9 the server and its workers (its own process group)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(world: World) -> Iterator[Server]:
    s = Server(world)
    s.start()
    yield s
    s.stop()
