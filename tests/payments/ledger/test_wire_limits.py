"""The ledger limits itself on the wire: a real `facepay ledger serve` on 127.0.0.1 against slow
and endless headers, slow bodies and too many connections, while a normal client is served."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.payments.ledger.conftest import REPO, free_port, make_world

FACEPAY = REPO / ".venv" / "bin" / "facepay"
MAX_CONNECTIONS = 8
HEADER_TIMEOUT_S = 1.5
BODY_TIMEOUT_S = 1.5
# Bounds every wait of these tests; the server's own timeouts are far shorter.
WAIT_S = 15.0


@dataclass
class Served:
    url: str
    port: int
    proc: subprocess.Popen[bytes]
    terminal_key: Path | None = None

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


def serve(db: str, key: Path, *extra: str) -> Served:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    proc = subprocess.Popen(
        [str(FACEPAY), "ledger", "serve", "--db", db, "--ledger-key", str(key), "--port", str(port), *extra],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ledger exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return Served(url, port, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("ledger did not come up in 60 s")


def stop(served: Served) -> None:
    if served.proc.poll() is None:
        os.killpg(served.proc.pid, signal.SIGTERM)
        try:
            served.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(served.proc.pid, signal.SIGKILL)
            served.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("wire")
    world = make_world(f"sqlite:///{tmp}/ledger.db", tmp)
    world.store.close()
    served = serve(
        world.url,
        world.key_path,
        "--max-connections",
        str(MAX_CONNECTIONS),
        "--header-timeout",
        str(HEADER_TIMEOUT_S),
        "--body-timeout",
        str(BODY_TIMEOUT_S),
        "--keep-alive",
        "2",
    )
    served.terminal_key = world.out / "terminal.key"
    yield served
    stop(served)


def healthy(ledger: Served) -> None:
    """A normal client is answered."""
    reply = httpx.get(f"{ledger.url}/v1/health", timeout=WAIT_S)
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"


def connect(ledger: Served) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", ledger.port), timeout=WAIT_S)
    return s


def answer(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by WAIT_S)."""
    chunks = []
    s.settimeout(WAIT_S)
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def test_a_slow_header_is_cut_off_with_408_while_others_are_served(ledger: Served) -> None:
    s = connect(ledger)
    s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
    closed = False
    for n in range(40):  # a header byte every 0.25 s: never finishes on its own
        healthy(ledger)
        try:
            s.sendall(b"X"[:1] if n else b"X-Slow: ")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        time.sleep(0.25)
    raw = answer(s)
    assert closed or status_of(raw) == 408, raw[:80]
    if raw:
        assert status_of(raw) == 408 and b"request_timeout" in raw
    healthy(ledger)


def test_a_connection_that_sends_nothing_is_closed(ledger: Served) -> None:
    s = connect(ledger)
    raw = answer(s)
    assert status_of(raw) == 408
    healthy(ledger)


def test_an_endless_header_gets_431_and_memory_stays_flat(ledger: Served) -> None:
    before = ledger.rss_kib()
    s = connect(ledger)
    s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
    sent = 0
    line = b"X-Junk: " + b"a" * 1000 + b"\r\n"
    try:
        while sent < 20 * 1024 * 1024:  # 20 MB at most
            s.sendall(line)
            sent += len(line)
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert sent < 20 * 1024 * 1024, "the server read 20 MB of header"
    raw = answer(s)
    if raw:
        assert status_of(raw) == 431
    healthy(ledger)
    assert ledger.rss_kib() - before < 16 * 1024


def test_too_many_header_fields_get_431_and_a_large_allowed_header_passes(ledger: Served) -> None:
    s = connect(ledger)
    s.sendall(
        b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(100)) + b"\r\n"
    )
    assert status_of(answer(s)) == 431
    reply = httpx.get(f"{ledger.url}/v1/health", headers={"X-Big": "b" * 12_000}, timeout=WAIT_S)
    assert reply.status_code == 200


def test_a_slow_body_is_cut_off_with_408_while_others_are_served(ledger: Served) -> None:
    s = connect(ledger)
    s.sendall(
        b"POST /v1/debits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200\r\n\r\n{"
    )
    closed = False
    for _ in range(40):
        healthy(ledger)
        try:
            s.sendall(b" ")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        time.sleep(0.25)
    raw = answer(s)
    assert closed or status_of(raw) == 408, raw[:80]
    if raw:
        assert status_of(raw) == 408
    healthy(ledger)


def test_past_the_connection_cap_a_clear_503_and_service_resumes(ledger: Served) -> None:
    held = [connect(ledger) for _ in range(MAX_CONNECTIONS - 1)]
    healthy(ledger)  # the last free slot serves a normal client
    held.append(connect(ledger))  # and now every slot is taken
    extra = [connect(ledger) for _ in range(5)]
    statuses = [status_of(raw) for raw in (answer(s) for s in extra)]
    # Each is refused at once; one may have taken the normal client's slot before its close was seen.
    assert statuses.count(503) >= 4 and set(statuses) <= {503, 408}, statuses
    # The held connections sent nothing: the header timeout frees their slots.
    assert all(status_of(answer(s)) == 408 for s in held)
    healthy(ledger)
    for s in held + extra:
        s.close()


def test_no_server_banner_and_no_timing_header_unless_asked(ledger: Served, tmp_path: Path) -> None:
    reply = httpx.get(f"{ledger.url}/v1/health", timeout=WAIT_S)
    assert "server" not in reply.headers
    assert "server-timing" not in reply.headers


def test_bench_measures_terminals_under_slow_connections(ledger: Served) -> None:
    assert ledger.terminal_key is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPAY_")}
    done = subprocess.run(
        [
            str(FACEPAY),
            "ledger",
            "bench",
            "--url",
            ledger.url,
            "--key",
            str(ledger.terminal_key),
            "--terminals",
            "1",
            "--requests",
            "20",
            "--slow-connections",
            "3",
            "--json",
        ],
        cwd=REPO,
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["slow_connections"] == 3
    for run in ("quiet", "under_slow_connections"):
        assert (report[run]["acknowledged"], report[run]["errors"]) == (20, 0)
    assert report["throughput_ratio"] > 0
