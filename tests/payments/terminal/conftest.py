"""A real ledger process, a fault-injecting proxy in front of it, and one fresh terminal per test.

The ledger is set up and served with the product's own commands
(``facepay ledger init --demo`` and ``facepay ledger serve``) once per session; each
test registers a terminal of its own (a fresh key), so its reconciliation sees only
its own transfers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from payments.client import LedgerClient, LedgerTransfer
from payments.journal import Journal
from payments.ledger import add_terminal, open_store
from payments.ledger.keys import load_ledger_keys
from payments.reconcile import Reconciliation, reconcile
from payments.signing import Ed25519PrivateKey, generate_key, public_key_text, save_private_key, sign_response
from payments.terminal import OfflineRules, PaymentService

REPO = Path(__file__).resolve().parents[3]
FACEPAY = REPO / ".venv" / "bin" / "facepay"
CUSTOMERS = "Alice:c-alice,Bob:c-bob,Carol:c-carol,Dave:c-dave,Erin:c-erin,Frank:c-frank"
DAY_FMT = "%Y-%m-%d"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(tmp: Path) -> dict[str, str]:
    """An environment without the developer's facepay settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    env["XDG_DATA_HOME"] = str(tmp / "xdg-data")
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    return env


@dataclass
class LedgerWorld:
    """The session's ledger: database, demo world, server process."""

    db: str
    out: Path
    demo: dict[str, Any]
    key_path: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return load_ledger_keys(self.key_path).signing

    def customer_pin(self, customer_id: str) -> str:
        return str(next(c["pin"] for c in self.demo["customers"] if c["id"] == customer_id))

    @property
    def cashier(self) -> tuple[str, str]:
        return str(self.demo["cashier"]["id"]), str(self.demo["cashier"]["pin"])

    def balance(self, customer_id: str) -> int:
        """The customer's balance at the ledger, minor units (read from its database)."""
        store = open_store(self.db)
        try:
            return {a.account_id: a.balance for a in store.accounts()}[f"cust:{customer_id}"]
        finally:
            store.close()


@contextmanager
def served_world(db: str, base: Path) -> Iterator[LedgerWorld]:
    """``facepay ledger init --demo`` on ``db``, then ``facepay ledger serve`` until the block ends."""
    env = clean_env(base)
    subprocess.run(
        [
            str(FACEPAY),
            "ledger",
            "init",
            "--db",
            db,
            "--demo",
            "--out",
            str(base / "demo"),
            "--ledger-key",
            str(base / "ledger.db.key"),
            "--customers",
            CUSTOMERS,
        ],
        check=True,
        env=env,
        cwd=REPO,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(FACEPAY),
            "ledger",
            "serve",
            "--db",
            db,
            "--ledger-key",
            str(base / "ledger.db.key"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    world = LedgerWorld(
        db,
        base / "demo",
        json.loads((base / "demo" / "demo.json").read_text()),
        base / "ledger.db.key",
        port,
        proc,
    )
    deadline = time.monotonic() + 30
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ledger exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(f"{world.url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("ledger did not come up in 30 s")
            time.sleep(0.1)
        yield world
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def ledger_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerWorld]:
    base = tmp_path_factory.mktemp("ledger")
    with served_world(f"sqlite:///{base}/ledger.db", base) as world:
        yield world


@pytest.fixture(scope="session")
def pg_ledger_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerWorld]:
    """The same world on a fresh PostgreSQL database (skipped without FACEPAY_TEST_PG_URL)."""
    base_url = os.environ.get("FACEPAY_TEST_PG_URL")
    if not base_url:
        if os.environ.get("CI") == "true":
            pytest.fail("FACEPAY_TEST_PG_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("FACEPAY_TEST_PG_URL is not set: PostgreSQL tests skipped (./dev test starts one)")
    import psycopg

    name = f"facepay_term_{secrets.token_hex(6)}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with served_world(base_url.rsplit("/", 1)[0] + "/" + name, tmp_path_factory.mktemp("pg-ledger")) as w:
            yield w
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the fault-injecting proxy ------------------------------------------------------


class Proxy:
    """An HTTP proxy on 127.0.0.1 in front of the ledger that can misbehave on cue.

    Modes (each applies to the next ``times`` requests, then back to "pass"):
    ``pass``; ``delay`` (forward, then hold the answer ``delay_s``); ``error_500``
    (forward, so the ledger commits, then answer a 500 signed with the ledger key);
    ``reset`` (forward, then reset the connection: ambiguous); ``bad_signature``
    (forward, then corrupt FacePay-Ledger-Signature); ``unsigned_500`` (forward, then
    a plain 500 without signature); ``drop`` (reset the connection without forwarding:
    the terminal cannot tell this from ``reset``). ``down()`` closes the port
    (connection refused).
    """

    def __init__(self, upstream_port: int, signing_key: Ed25519PrivateKey) -> None:
        self.upstream_port = upstream_port
        self.signing_key = signing_key
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.Server | None = None
        self._faults: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self.forwarded = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def up(self) -> None:
        async def start() -> asyncio.Server:
            return await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

        if self.server is None:
            self.server = self._run(start())

    def down(self) -> None:
        async def stop(server: asyncio.Server) -> None:
            server.close()
            await server.wait_closed()

        if self.server is not None:
            self._run(stop(self.server))
            self.server = None

    def fault(self, mode: str, times: int = 1, delay_s: float = 0.0) -> None:
        with self._lock:
            self._faults = [(mode, delay_s)] * times

    def sequence(self, *modes: str) -> None:
        """One mode per coming request, in order (then "pass"), e.g. ("pass", "reset")."""
        with self._lock:
            self._faults = [(mode, 0.0) for mode in modes]

    def clear(self) -> None:
        self.fault("pass", 0)

    def close(self) -> None:
        async def cancel_handlers() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.down()
        self._run(cancel_handlers())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()

    def _next(self) -> tuple[str, float]:
        with self._lock:
            return self._faults.pop(0) if self._faults else ("pass", 0.0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = _headers(head)
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            mode, delay_s = self._next()
            if mode == "drop":
                _reset(writer)  # the request dies here: the ledger never sees it
                return
            answer = await self._forward(head, body)
            self.forwarded += 1
            if mode == "delay":
                await asyncio.sleep(delay_s)
            elif mode == "reset":
                _reset(writer)
                return
            elif mode == "error_500":
                answer = self._signed_500(headers.get("facepay-nonce", ""))
            elif mode == "unsigned_500":
                answer = (
                    b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                )
            elif mode == "bad_signature":
                answer = _corrupt_signature(answer)
            writer.write(answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [line for line in head.split(b"\r\n") if line and not line.lower().startswith(b"connection:")]
        request = b"\r\n".join([*lines, b"connection: close"]) + b"\r\n\r\n" + body
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        up_writer.write(request)
        await up_writer.drain()
        raw = await up_reader.read()
        up_writer.close()
        resp_head, _, resp_body = raw.partition(b"\r\n\r\n")
        kept = [line for line in resp_head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        return b"\r\n".join([*kept, b"connection: close"]) + b"\r\n\r\n" + resp_body

    def _signed_500(self, nonce: str) -> bytes:
        body = b'{"error":{"code":"internal_error","message":"injected by the test proxy"}}'
        sig = sign_response(self.signing_key, 500, nonce, body)
        return (
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\nfacepay-ledger-signature: {sig}\r\n".encode()
            + b"connection: close\r\n\r\n"
            + body
        )


def _headers(head: bytes) -> dict[str, str]:
    out = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            out[name.strip().lower()] = value.strip()
    return out


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _corrupt_signature(answer: bytes) -> bytes:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = []
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"facepay-ledger-signature:"):
            name, value = line.split(b":", 1)
            value = value.strip()
            flipped = b"A" if value[:1] != b"A" else b"B"
            line = name + b": " + flipped + value[1:]
        lines.append(line)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.fixture
def proxy(ledger_world: LedgerWorld) -> Iterator[Proxy]:
    p = Proxy(ledger_world.port, ledger_world.signing_key)
    yield p
    p.close()


# --- one terminal per test ------------------------------------------------------------

_terminal_numbers = itertools.count(1)


@dataclass
class TerminalKit:
    """A terminal of the demo world with its own journal, reached through the proxy."""

    world: LedgerWorld
    proxy: Proxy
    terminal_id: str
    key_file: Path
    journal_path: Path
    tmp: Path

    def client(self, *, through_proxy: bool = True, timeout_s: float = 2.0) -> LedgerClient:
        url = self.proxy.url if through_proxy else self.world.url
        return LedgerClient.from_files(
            url, self.terminal_id, self.key_file, self.world.out / "ledger.pub", timeout_s=timeout_s
        )

    def service(
        self, rules: OfflineRules | None = None, *, timeout_s: float = 2.0, attempts: int = 3
    ) -> PaymentService:
        journal = Journal.open(self.journal_path, self.terminal_id)
        return PaymentService(
            self.client(timeout_s=timeout_s),
            journal,
            currency="EUR",
            rules=rules or OfflineRules(),
            attempts=attempts,
            backoff_s=(0.01,),
        )

    def ledger_transfers(self) -> list[LedgerTransfer]:
        with self.client(through_proxy=False) as c:
            return list(c.list_transfers("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z").transfers)

    def posted_debits(self) -> list[LedgerTransfer]:
        return [t for t in self.ledger_transfers() if t.kind == "debit" and t.status == "posted"]

    def reconcile_today(self) -> Reconciliation:
        day = datetime.now(UTC).strftime(DAY_FMT)
        with Journal.open(self.journal_path, self.terminal_id) as j:
            entries = j.entries()
        return reconcile(entries, self.ledger_transfers(), day=day, terminal_id=self.terminal_id)

    def cli(
        self,
        *args: str,
        crash_at: str | None = None,
        stdin: str = "",
        through_proxy: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        env = clean_env(self.tmp)
        if crash_at:
            env["FACEPAY_TEST_CRASH_AT"] = crash_at
        env.update(extra_env or {})
        url = self.proxy.url if through_proxy else self.world.url
        conn = [
            "--ledger",
            url,
            "--key",
            str(self.key_file),
            "--terminal",
            self.terminal_id,
            "--ledger-pub",
            str(self.world.out / "ledger.pub"),
            "--journal",
            str(self.journal_path),
            "--timeout",
            "2",
        ]
        return subprocess.run(
            [str(FACEPAY), *args, *conn],
            env=env,
            cwd=REPO,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )


def new_terminal(world: LedgerWorld, proxy: Proxy, tmp: Path) -> TerminalKit:
    """A terminal registered for this test alone (its own key), so its listing is its own."""
    tmp.mkdir(parents=True, exist_ok=True)
    terminal_id = f"t-test-{next(_terminal_numbers)}"
    key = generate_key()
    key_file = tmp / "terminal.key"
    save_private_key(key, key_file)
    store = open_store(world.db)
    try:
        add_terminal(store, terminal_id, str(world.demo["merchant"]["id"]), public_key_text(key.public_key()))
    finally:
        store.close()
    return TerminalKit(world, proxy, terminal_id, key_file, tmp / "journal.db", tmp)


@pytest.fixture
def kit(ledger_world: LedgerWorld, proxy: Proxy, tmp_path: Path) -> TerminalKit:
    return new_terminal(ledger_world, proxy, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TerminalKit]:
    """A fresh terminal on the SQLite ledger and on the PostgreSQL one, each behind its own proxy."""
    world: LedgerWorld = request.getfixturevalue(
        "ledger_world" if request.param == "sqlite" else "pg_ledger_world"
    )
    p = Proxy(world.port, world.signing_key)
    try:
        yield new_terminal(world, p, tmp_path)
    finally:
        p.close()
