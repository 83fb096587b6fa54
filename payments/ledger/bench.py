"""``facepay ledger bench``: a load generator acting as N terminals with real signatures.

The load generator runs on the same machine as the ledger, so it is kept lean:
each terminal is an asyncio task with its own HTTP/1.1 keep-alive connection
written and parsed by hand (no HTTP library), and ``client_procs`` > 1 spreads
the terminals over several processes. Each task signs a debit, sends it,
verifies the ledger's response signature and records the latency. The run is
bounded by a request count and a deadline and only ever targets the loopback
interface. Afterwards the books are checked in the store: sums zero, no balance
below its floor, posted bench debits == acknowledged ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import secrets
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from payments.signing import (
    HEADER_LEDGER_SIGNATURE,
    BadSignature,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    load_private_key,
    load_public_key,
    sign_request,
    verify_response,
)

__all__ = ["BenchError", "BenchResult", "build_signed_request", "run_bench"]

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_REQUESTS = 1_000_000
MAX_TERMINALS = 256
# More client processes than this only adds context switches on a small machine.
MAX_CLIENT_PROCS = 16
# Largest response head the bench accepts (the ledger's are ~300 bytes).
MAX_HEAD_BYTES = 16 * 1024


class BenchError(Exception):
    """A bench that cannot run (bad target, missing demo world)."""


@dataclass(frozen=True, slots=True)
class BenchResult:
    """What one bench run measured.

    Attributes:
        debits_per_s: acknowledged (201) debits per wall-clock second.
        p50_ms: median request latency seen by the terminals.
        p99_ms: 99th percentile latency.
        errors: requests without a definite, correctly signed answer (or 5xx).
        invariants_ok: books balanced, no negative balance, posted bench debits == acknowledged
            (None when the store could not be read).
        acknowledged: 201 answers.
        declined: 4xx answers (e.g. insufficient funds).
        requests: requests sent.
        wall_s: duration of the run.
        terminals: concurrent terminal tasks.
        client_procs: processes the terminals were spread over.
        client_sign_us: median client time to sign one request.
        client_verify_us: median client time to verify one response signature.
        server_auth_ms: median ledger time spent authenticating (Server-Timing ``auth``).
        server_db_ms: median ledger time in the store transaction (Server-Timing ``db``).
        client_cpu_s: CPU seconds the bench processes used (they share the machine with the server).
        client_cpu_ms_per_request: ``client_cpu_s`` per request sent, milliseconds.
        problems: invariant problems found, if any.
        pin_streams: extra terminals sending PIN debits (a PIN block each: decrypt + scrypt at the
            ledger) at the same time as the face debits; 0 for face debits alone.
        pin_debits_per_s: acknowledged PIN debits per second of those streams.
    """

    debits_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    invariants_ok: bool | None
    acknowledged: int
    declined: int
    requests: int
    wall_s: float
    terminals: int
    client_procs: int
    client_sign_us: float
    client_verify_us: float
    server_auth_ms: float
    server_db_ms: float
    client_cpu_s: float
    client_cpu_ms_per_request: float
    problems: list[str]
    pin_streams: int = 0
    pin_debits_per_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_signed_request(
    client: httpx.AsyncClient | httpx.Client,
    key: Ed25519PrivateKey,
    terminal_id: str,
    method: str,
    url: str,
    body: bytes = b"",
    idempotency_key: str = "",
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> httpx.Request:
    """An httpx request signed over exactly the path and query httpx will send."""
    request = client.build_request(
        method, url, content=body, headers={"Content-Type": "application/json"} if body else None
    )
    headers = sign_request(
        key,
        terminal_id=terminal_id,
        method=method,
        path=request.url.raw_path.decode("ascii"),
        body=body,
        idempotency_key=idempotency_key,
        timestamp=timestamp,
        nonce=nonce,
    )
    request.headers.update(headers)
    return request


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    sign_us: list[float] = field(default_factory=list)
    verify_us: list[float] = field(default_factory=list)
    auth_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    acked: int = 0
    declined: int = 0
    errors: int = 0
    sent: int = 0
    cpu_s: float = 0.0

    def merge(self, other: _Tally) -> None:
        for name in ("latencies", "sign_us", "verify_us", "auth_ms", "db_ms"):
            getattr(self, name).extend(getattr(other, name))
        self.acked += other.acked
        self.declined += other.declined
        self.errors += other.errors
        self.sent += other.sent
        self.cpu_s += other.cpu_s


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one client process does: its terminals and its slice of request numbers."""

    host: str
    port: int
    terminals: list[tuple[str, str]]  # (terminal id, key file)
    tasks: int
    ledger_pub: str
    customers: list[str]
    currency: str
    run_id: str
    first: int
    count: int
    timeout_s: float
    pin_streams: int = 0
    pins: tuple[str, ...] = ()
    pin_key: str = ""


class _Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class _Connection:
    """One HTTP/1.1 keep-alive connection to the ledger (reconnects after a close)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> _Response:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode("latin-1")
            + body
        )
        try:
            raw = await self._reader.readuntil(b"\r\n\r\n")
            if len(raw) > MAX_HEAD_BYTES:
                raise ConnectionError("response head too large")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields: dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    fields[name.strip().lower()] = value.strip()
            body_in = await self._reader.readexactly(int(fields.get("content-length", "0")))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as exc:
            self.close()
            raise ConnectionError(f"bad response: {exc}") from exc
        if fields.get("connection", "").lower() == "close":
            self.close()
        return _Response(status, fields, body_in)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _server_timing(value: str | None) -> dict[str, float]:
    found: dict[str, float] = {}
    for part in (value or "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        try:
            found[name] = float(dur)
        except ValueError:
            continue
    return found


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _record(tally: _Tally, response: _Response, t0: float, t1: float, t2: float, t3: float) -> None:
    tally.latencies.append((t2 - t0) * 1000)
    tally.sign_us.append((t1 - t0) * 1e6)
    tally.verify_us.append((t3 - t2) * 1e6)
    timing = _server_timing(response.headers.get("server-timing"))
    if "auth" in timing:
        tally.auth_ms.append(timing["auth"])
    if "db" in timing:
        tally.db_ms.append(timing["db"])
    if response.status == 201:
        tally.acked += 1
    elif 400 <= response.status < 500:
        tally.declined += 1
    else:
        tally.errors += 1


async def _terminal_task(
    plan: _Plan,
    terminal: tuple[str, Ed25519PrivateKey],
    ledger_key: Ed25519PublicKey,
    counter: list[int],
    deadline: float,
    tally: _Tally,
) -> None:
    terminal_id, key = terminal
    conn = _Connection(plan.host, plan.port)
    end = plan.first + plan.count
    try:
        while counter[0] < end and time.monotonic() < deadline:
            i = counter[0]
            counter[0] += 1
            body = json.dumps(
                {
                    "customer_id": plan.customers[i % len(plan.customers)],
                    "amount": {"minor": 1, "currency": plan.currency},
                    "merchant_ref": f"bench-{i}",
                    "evidence": {"bench": True},
                },
                separators=(",", ":"),
            ).encode()
            t0 = time.perf_counter()
            headers = sign_request(
                key,
                terminal_id=terminal_id,
                method="POST",
                path="/v1/debits",
                body=body,
                idempotency_key=f"bench-{plan.run_id}-{i}",
            )
            t1 = time.perf_counter()
            tally.sent += 1
            try:
                response = await conn.post("/v1/debits", headers, body)
            except OSError as exc:
                log.debug("request %d failed: %s", i, exc)
                tally.errors += 1
                conn.close()
                continue
            t2 = time.perf_counter()
            try:
                verify_response(
                    ledger_key,
                    response.status,
                    headers["FacePay-Nonce"],
                    response.body,
                    response.headers.get(HEADER_LEDGER_SIGNATURE.lower()),
                )
            except BadSignature:
                tally.errors += 1
                continue
            _record(tally, response, t0, t1, t2, time.perf_counter())
    finally:
        conn.close()


async def _pin_stream(
    plan: _Plan,
    terminal: tuple[str, Ed25519PrivateKey],
    ledger_key: Ed25519PublicKey,
    stream: int,
    stop: asyncio.Event,
    tally: _Tally,
) -> None:
    """A terminal paying by PIN in a loop (right PINs: the load is the scrypt check, not lockouts)."""
    from payments.pinblock import encrypt_pin, pin_context, pin_public_key_from_text

    terminal_id, key = terminal
    pin_key = pin_public_key_from_text(plan.pin_key)
    conn = _Connection(plan.host, plan.port)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            who = (stream + n) % len(plan.customers)
            idem = f"pinbench-{plan.run_id}-{stream}-{n}"
            block = encrypt_pin(
                pin_key, plan.pins[who], context=pin_context(terminal_id, idem, plan.customers[who])
            )
            payload = {
                "customer_id": plan.customers[who],
                "amount": {"minor": 1, "currency": plan.currency},
                "merchant_ref": idem,
                "evidence": {"bench": "pin"},
                "pin": block,
            }
            body = json.dumps(payload, separators=(",", ":")).encode()
            headers = sign_request(
                key,
                terminal_id=terminal_id,
                method="POST",
                path="/v1/debits",
                body=body,
                idempotency_key=idem,
            )
            try:
                response = await conn.post("/v1/debits", headers, body)
                verify_response(
                    ledger_key,
                    response.status,
                    headers["FacePay-Nonce"],
                    response.body,
                    response.headers.get(HEADER_LEDGER_SIGNATURE.lower()),
                )
            except (OSError, BadSignature):
                conn.close()
                tally.errors += 1
                continue
            if response.status == 201:
                tally.acked += 1
            else:
                tally.errors += 1
    finally:
        conn.close()


async def _drive(plan: _Plan, pin_tally: _Tally | None = None) -> _Tally:
    identities = [(tid, load_private_key(Path(path))) for tid, path in plan.terminals]
    ledger_key = load_public_key(Path(plan.ledger_pub))
    tally = _Tally()
    counter = [plan.first]
    deadline = time.monotonic() + plan.timeout_s
    cpu0 = time.process_time()
    stop = asyncio.Event()
    streams = [
        asyncio.create_task(
            _pin_stream(
                plan,
                identities[n % len(identities)],
                ledger_key,
                n,
                stop,
                pin_tally if pin_tally is not None else _Tally(),
            )
        )
        for n in range(plan.pin_streams)
    ]
    await asyncio.gather(
        *(
            _terminal_task(plan, identities[n % len(identities)], ledger_key, counter, deadline, tally)
            for n in range(plan.tasks)
        )
    )
    stop.set()
    await asyncio.gather(*streams)
    tally.cpu_s = time.process_time() - cpu0
    return tally


def _drive_in_process(plan: _Plan) -> _Tally:
    """Entry point of one client process (its own event loop; uvloop when installed)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_drive(plan))
    return uvloop.run(_drive(plan))


def _load_world(key_path: Path, demo_path: Path | None) -> tuple[dict[str, Any], Path]:
    demo_file = demo_path or key_path.parent / "demo.json"
    try:
        demo = json.loads(demo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read the demo world {demo_file}: {exc}") from exc
    return demo, demo_file.parent


def _check_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or parts.path.strip("/"):
        raise BenchError(f"the bench only targets http://127.0.0.1[:PORT] (got {url!r})")
    return parts.hostname, parts.port or 80


def _plans(
    url: str,
    key_path: Path,
    demo_path: Path | None,
    terminals: int,
    requests: int,
    procs: int,
    timeout_s: float,
    pin_streams: int = 0,
) -> list[_Plan]:
    host, port = _check_target(url)
    if not 1 <= terminals <= MAX_TERMINALS or not 1 <= requests <= MAX_REQUESTS:
        raise BenchError(f"terminals must be 1..{MAX_TERMINALS} and requests 1..{MAX_REQUESTS}")
    if not 1 <= procs <= min(MAX_CLIENT_PROCS, terminals):
        raise BenchError(f"client processes must be 1..{min(MAX_CLIENT_PROCS, terminals)}")
    demo, base = _load_world(key_path, demo_path)
    identities = [(str(t["id"]), str(base / t["key_file"])) for t in demo.get("terminals", [])]
    if not identities:
        identities = [(str(demo["terminal_id"]), str(key_path))]
    for _, path in identities:
        load_private_key(Path(path))  # fail here, not in a child process
    chosen = [identities[n % len(identities)] for n in range(terminals)]
    run_id = secrets.token_hex(6)
    plans: list[_Plan] = []
    first = 0
    for p in range(procs):
        mine = chosen[p::procs]
        count = requests * (p + 1) // procs - requests * p // procs
        plans.append(
            _Plan(
                host,
                port,
                mine,
                len(mine),
                str(base / demo.get("ledger_pub", "ledger.pub")),
                [str(c["id"]) for c in demo["customers"]],
                str(demo.get("currency", "EUR")),
                run_id,
                first,
                count,
                timeout_s,
                pin_streams if p == 0 else 0,
                tuple(str(c.get("pin", "")) for c in demo["customers"]),
                str(demo.get("pin_key", "")),
            )
        )
        first += count
    return plans


async def run_bench(
    url: str,
    key_path: Path,
    *,
    terminals: int,
    requests: int,
    demo_path: Path | None = None,
    db_url: str | None = None,
    timeout_s: float = 120.0,
    client_procs: int = 1,
    pin_streams: int = 0,
) -> BenchResult:
    """Run the load and check the books; see :class:`BenchResult`. With ``pin_streams`` > 0 that
    many extra terminals pay by PIN during the run (in this process), so the face-debit figure
    shows what PIN traffic costs the others."""
    if not 0 <= pin_streams <= MAX_TERMINALS:
        raise BenchError(f"PIN streams must be 0..{MAX_TERMINALS}")
    plans = _plans(url, key_path, demo_path, terminals, requests, client_procs, timeout_s, pin_streams)
    pin_tally = _Tally()
    demo, _ = _load_world(key_path, demo_path)
    wall0 = time.perf_counter()
    tally = _Tally()
    if client_procs == 1:
        tally.merge(await _drive(plans[0], pin_tally))
    else:
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(client_procs, mp_context=multiprocessing.get_context("spawn")) as pool:
            # Started before the clock: spawning interpreters is not part of the load.
            await asyncio.gather(*(loop.run_in_executor(pool, time.sleep, 0) for _ in plans))
            wall0 = time.perf_counter()
            local = [_drive(plans[0], pin_tally)]
            for part in await asyncio.gather(
                *local, *(loop.run_in_executor(pool, _drive_in_process, p) for p in plans[1:])
            ):
                tally.merge(part)
    wall = time.perf_counter() - wall0
    run_id = plans[0].run_id
    invariants_ok, problems = _check_books(db_url or demo.get("db"), f"bench-{run_id}-", tally.acked)
    return BenchResult(
        debits_per_s=round(tally.acked / wall, 1) if wall else 0.0,
        p50_ms=round(_pct(tally.latencies, 0.50), 2),
        p99_ms=round(_pct(tally.latencies, 0.99), 2),
        errors=tally.errors,
        invariants_ok=invariants_ok,
        acknowledged=tally.acked,
        declined=tally.declined,
        requests=tally.sent,
        wall_s=round(wall, 3),
        terminals=terminals,
        client_procs=client_procs,
        client_sign_us=round(statistics.median(tally.sign_us), 1) if tally.sign_us else 0.0,
        client_verify_us=round(statistics.median(tally.verify_us), 1) if tally.verify_us else 0.0,
        server_auth_ms=round(statistics.median(tally.auth_ms), 3) if tally.auth_ms else 0.0,
        server_db_ms=round(statistics.median(tally.db_ms), 3) if tally.db_ms else 0.0,
        client_cpu_s=round(tally.cpu_s, 2),
        client_cpu_ms_per_request=round(tally.cpu_s / tally.sent * 1000, 3) if tally.sent else 0.0,
        problems=problems,
        pin_streams=pin_streams,
        pin_debits_per_s=round(pin_tally.acked / wall, 1) if wall and pin_streams else 0.0,
    )


def _check_books(db_url: str | None, key_prefix: str, acked: int) -> tuple[bool | None, list[str]]:
    if not db_url:
        return None, ["no database URL: pass --db or keep demo.json's db entry"]
    from payments.ledger.admin import check_invariants
    from payments.ledger.store import open_store

    store = open_store(db_url)
    try:
        problems = check_invariants(store)
        posted = store.count_transfers("debit", "posted", key_prefix)
        if posted != acked:
            problems.append(f"{posted} posted bench debits but {acked} acknowledged")
    except Exception as exc:
        return None, [f"cannot read the store: {exc}"]
    finally:
        store.close()
    return not problems, problems
