"""``facepay ledger bench``: a load generator acting as N terminals with real signatures.

N asyncio tasks share one httpx.AsyncClient (N connections); each task signs a
debit, sends it, verifies the ledger's response signature and records the
latency. The run is bounded by a request count and a deadline and only ever
targets the loopback interface. Afterwards the books are checked in the store:
sums zero, no balance below its floor, posted bench debits == acknowledged ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import statistics
import time
from dataclasses import asdict, dataclass
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
        client_sign_us: median client time to sign one request.
        client_verify_us: median client time to verify one response signature.
        server_auth_ms: median ledger time spent authenticating (Server-Timing ``auth``).
        server_db_ms: median ledger time in the store transaction (Server-Timing ``db``).
        client_cpu_s: CPU seconds the bench process used (it shares the machine with the server).
        problems: invariant problems found, if any.
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
    client_sign_us: float
    client_verify_us: float
    server_auth_ms: float
    server_db_ms: float
    client_cpu_s: float
    problems: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_signed_request(client: httpx.AsyncClient | httpx.Client, key: Ed25519PrivateKey, terminal_id: str,
                         method: str, url: str, body: bytes = b"", idempotency_key: str = "",
                         *, timestamp: int | None = None, nonce: str | None = None) -> httpx.Request:
    """An httpx request signed over exactly the path and query httpx will send."""
    request = client.build_request(method, url, content=body,
                                   headers={"Content-Type": "application/json"} if body else None)
    headers = sign_request(key, terminal_id=terminal_id, method=method,
                           path=request.url.raw_path.decode("ascii"), body=body,
                           idempotency_key=idempotency_key, timestamp=timestamp, nonce=nonce)
    request.headers.update(headers)
    return request


@dataclass
class _Tally:
    latencies: list[float]
    sign_us: list[float]
    verify_us: list[float]
    auth_ms: list[float]
    db_ms: list[float]
    acked: int = 0
    declined: int = 0
    errors: int = 0
    sent: int = 0


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


async def _terminal_task(client: httpx.AsyncClient, url: str, terminal: tuple[str, Ed25519PrivateKey],
                         ledger_key: Ed25519PublicKey, customers: list[str], currency: str, run_id: str,
                         counter: list[int], total: int, deadline: float, tally: _Tally) -> None:
    terminal_id, key = terminal
    while counter[0] < total and time.monotonic() < deadline:
        i = counter[0]
        counter[0] += 1
        body = json.dumps({"customer_id": customers[i % len(customers)],
                           "amount": {"minor": 1, "currency": currency},
                           "merchant_ref": f"bench-{i}", "evidence": {"bench": True}},
                          separators=(",", ":")).encode()
        t0 = time.perf_counter()
        request = build_signed_request(client, key, terminal_id, "POST", f"{url}/v1/debits", body,
                                       f"bench-{run_id}-{i}")
        t1 = time.perf_counter()
        tally.sent += 1
        try:
            response = await client.send(request)
        except httpx.HTTPError as exc:
            log.debug("request %d failed: %s", i, exc)
            tally.errors += 1
            continue
        t2 = time.perf_counter()
        try:
            verify_response(ledger_key, response.status_code, request.headers["FacePay-Nonce"],
                            response.content, response.headers.get(HEADER_LEDGER_SIGNATURE))
        except BadSignature:
            tally.errors += 1
            continue
        t3 = time.perf_counter()
        tally.latencies.append((t2 - t0) * 1000)
        tally.sign_us.append((t1 - t0) * 1e6)
        tally.verify_us.append((t3 - t2) * 1e6)
        timing = _server_timing(response.headers.get("server-timing"))
        if "auth" in timing:
            tally.auth_ms.append(timing["auth"])
        if "db" in timing:
            tally.db_ms.append(timing["db"])
        if response.status_code == 201:
            tally.acked += 1
        elif 400 <= response.status_code < 500:
            tally.declined += 1
        else:
            tally.errors += 1


def _load_world(key_path: Path, demo_path: Path | None) -> tuple[dict[str, Any], Path]:
    demo_file = demo_path or key_path.parent / "demo.json"
    try:
        demo = json.loads(demo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read the demo world {demo_file}: {exc}") from exc
    return demo, demo_file.parent


def _check_target(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise BenchError(f"the bench only targets http://127.0.0.1 (got {url!r})")
    return url.rstrip("/")


async def run_bench(url: str, key_path: Path, *, terminals: int, requests: int, demo_path: Path | None = None,
                    db_url: str | None = None, timeout_s: float = 120.0) -> BenchResult:
    """Run the load and check the books; see :class:`BenchResult`."""
    url = _check_target(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not 1 <= terminals <= MAX_TERMINALS or not 1 <= requests <= MAX_REQUESTS:
        raise BenchError(f"terminals must be 1..{MAX_TERMINALS} and requests 1..{MAX_REQUESTS}")
    demo, base = _load_world(key_path, demo_path)
    identities = [(t["id"], load_private_key(base / t["key_file"])) for t in demo.get("terminals", [])]
    if not identities:
        identities = [(demo["terminal_id"], load_private_key(key_path))]
    ledger_key = load_public_key(base / demo.get("ledger_pub", "ledger.pub"))
    customers = [c["id"] for c in demo["customers"]]
    run_id = secrets.token_hex(6)
    tally = _Tally([], [], [], [], [])
    counter = [0]
    limits = httpx.Limits(max_connections=terminals, max_keepalive_connections=terminals)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0), trust_env=False) as client:
        await asyncio.gather(*(
            _terminal_task(client, url, identities[n % len(identities)], ledger_key, customers,
                           demo.get("currency", "EUR"), run_id, counter, requests, deadline, tally)
            for n in range(terminals)))
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    invariants_ok, problems = _check_books(db_url or demo.get("db"), f"bench-{run_id}-", tally.acked)
    return BenchResult(
        debits_per_s=round(tally.acked / wall, 1) if wall else 0.0,
        p50_ms=round(_pct(tally.latencies, 0.50), 2), p99_ms=round(_pct(tally.latencies, 0.99), 2),
        errors=tally.errors, invariants_ok=invariants_ok, acknowledged=tally.acked, declined=tally.declined,
        requests=tally.sent, wall_s=round(wall, 3), terminals=terminals,
        client_sign_us=round(statistics.median(tally.sign_us), 1) if tally.sign_us else 0.0,
        client_verify_us=round(statistics.median(tally.verify_us), 1) if tally.verify_us else 0.0,
        server_auth_ms=round(statistics.median(tally.auth_ms), 3) if tally.auth_ms else 0.0,
        server_db_ms=round(statistics.median(tally.db_ms), 3) if tally.db_ms else 0.0,
        client_cpu_s=round(cpu, 2), problems=problems)


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
