"""``facepay replica bench``: the merchant gallery at scale, against a real ledger process.

1. Bootstrap: a merchant gallery of N synthetic templates (one per customer, sealed as a kiosk
   seals them) at a ledger served over loopback; a fresh kiosk replica syncs from nothing:
   seconds and bytes received (snapshot pages plus the feed), and the replica file's size.
2. Enrolment to match: enrolments at lane A (the signed link with the shopper's PIN and a
   cashier's, then the sealed upload), while lane B syncs every ``REPLICA_POLL_S``; the delay
   from A's upload answer to B's replica matching that template (median and p95).
3. Replica memory and 1:N search at sizes too large to upload here: the in-memory index of N
   unit templates (resident memory it adds) and the median time of one search (k = 3).

Synthetic templates are random unit vectors of the recogniser's dimension: their values do not
change sizes or times. One JSON object is printed; the machine is shared, so rerun for medians.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from app.replica import REPLICA_POLL_S, ReplicaSearch, open_replica
from payments.gallery_replica import GalleryClient, sync_replica
from payments.gallery_wire import seal_templates
from payments.journal import Journal
from payments.ledger import add_cashier, add_customer, add_merchant, add_terminal, open_store
from payments.ledger.keys import LedgerKeys, load_ledger_keys
from payments.signing import Ed25519PrivateKey, generate_key, public_key_text
from payments.terminal import PaymentService
from payments.wire import json_bytes
from vision import TemplateIndex

__all__ = ["run_replica_bench"]

log = logging.getLogger("facepay.replica.bench")

# MobileFaceNet's embedding is 192-d (models/MANIFEST.json); --dim measures another model.
DEFAULT_DIM = 192
CASHIER_PIN = "135790"
SHOPPER_PIN = "2468"


class CountingClient(GalleryClient):
    """A gallery client that counts the body bytes of snapshot and feed answers."""

    received = 0

    def gallery_snapshot(self, after: str) -> dict[str, Any]:
        page = super().gallery_snapshot(after)
        self.received += len(json_bytes(page))
        return page

    def gallery_feed(self, after: int) -> dict[str, Any]:
        answer = super().gallery_feed(after)
        self.received += len(json_bytes(answer))
        return answer


class BenchLedger:
    """A ledger database and server process in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = f"sqlite:///{folder}/bench.db"
        self.key_path = folder / "ledger.key"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.keys: LedgerKeys | None = None

    def facepay(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "app.cli", *args]

    @contextmanager
    def served(self) -> Iterator[BenchLedger]:
        subprocess.run(
            self.facepay("ledger", "init", "--db", self.db, "--ledger-key", str(self.key_path)),
            check=True,
            capture_output=True,
        )
        self.keys = load_ledger_keys(self.key_path)
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        cmd = self.facepay("ledger", "serve", "--db", self.db, "--ledger-key", str(self.key_path))
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self._wait()
            yield self
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def _wait(self) -> None:
        import httpx

        for _ in range(200):
            try:
                httpx.get(f"{self.url}/v1/health", timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the bench ledger did not start")

    @property
    def ledger_pub(self) -> Any:
        assert self.keys is not None
        return self.keys.signing.public_key()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def merchant(self, name: str, lanes: int, customers: int = 0) -> list[tuple[str, Ed25519PrivateKey]]:
        """A merchant with ``lanes`` terminals, a cashier and ``customers`` shoppers."""
        store = open_store(self.db)
        try:
            add_merchant(store, name, name, "EUR")
            add_cashier(store, f"{name}-cashier", "Bench Cashier", name, CASHIER_PIN)
            for n in range(customers):
                add_customer(store, f"{name}-c{n}", "Bench Shopper", SHOPPER_PIN, "EUR")
            out = []
            for n in range(lanes):
                key = generate_key()
                add_terminal(store, f"{name}-t{n}", name, public_key_text(key.public_key()))
                out.append((f"{name}-t{n}", key))
            return out
        finally:
            store.close()

    def client(self, terminal: tuple[str, Ed25519PrivateKey]) -> CountingClient:
        assert self.keys is not None
        return CountingClient(
            self.url, terminal[0], terminal[1], self.keys.signing.public_key(), timeout_s=60
        )


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


def _fill(ledger: BenchLedger, merchant: str, key: bytes, n: int, dim: int) -> None:
    """N members sealed under the merchant's key, written straight into the ledger's tables."""
    templates = _unit(n, dim, seed=n)
    rows = []
    for i in range(n):
        customer, enrol = f"{merchant}-s{i:07d}", f"e{i}"
        sealed = seal_templates(
            key, templates[i], merchant_id=merchant, customer_id=customer, enrol_id=enrol, model_id="bench"
        )
        rows.append((merchant, customer, enrol, "bench", sealed, "", "bench", "bench", ""))
    import sqlite3

    conn = sqlite3.connect(ledger.db.removeprefix("sqlite:///"))
    with conn:
        conn.executemany("INSERT INTO gallery_members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def bench_bootstrap(ledger: BenchLedger, folder: Path, n: int, dim: int) -> dict[str, Any]:
    merchant = f"m-boot-{n}"
    first, fresh = ledger.merchant(merchant, lanes=2)
    seeder = open_replica(folder / f"seed-{n}", first[0], ledger.ledger_pub)
    seed_client = ledger.client(first)
    sync_replica(seed_client, seeder)
    seed_client.close()
    _fill(ledger, merchant, seeder.gallery_key(), n, dim)
    seeder.close()
    lane = folder / f"lane-{n}"
    client = ledger.client(fresh)
    try:
        replica = open_replica(lane, fresh[0], ledger.ledger_pub)
        started = time.perf_counter()
        report = sync_replica(client, replica)
        seconds = time.perf_counter() - started
        load_started = time.perf_counter()
        search = ReplicaSearch(replica, "bench")
        load_s = time.perf_counter() - load_started
        assert report.bootstrapped == n and search.customer_count() == n
        replica.close()
        received = client.received
    finally:
        client.close()
    size = sum(p.stat().st_size for p in lane.iterdir() if p.name.startswith("replica.db"))
    return {
        "templates": n,
        "sync_s": round(seconds, 2),
        "bytes_received": received,
        "bytes_per_template": round(received / n),
        "replica_file_bytes": size,
        "open_index_s": round(load_s, 2),
    }


def bench_delay(ledger: BenchLedger, folder: Path, count: int, dim: int) -> dict[str, Any]:
    merchant = "m-delay"
    lane_a, lane_b = ledger.merchant(merchant, lanes=2, customers=count)
    client_a, client_b = ledger.client(lane_a), ledger.client(lane_b)
    replica_a = open_replica(folder / "delay-a", lane_a[0], ledger.ledger_pub)
    replica_b = open_replica(folder / "delay-b", lane_b[0], ledger.ledger_pub)
    sync_replica(client_a, replica_a)
    sync_replica(client_b, replica_b)
    search = ReplicaSearch(replica_b, "bench")
    templates = _unit(count, dim, seed=7)
    seen: dict[str, float] = {}
    stop = threading.Event()

    def follow() -> None:  # lane B: sync every REPLICA_POLL_S, then look for the new faces
        while not stop.is_set():
            report = sync_replica(client_b, replica_b)
            if report.enrolled:
                search.refresh()
                for i in range(count):
                    customer = f"{merchant}-c{i}"
                    if customer not in seen:
                        found = search.search(templates[i], 1)
                        if found and found[0].customer_id == customer:
                            seen[customer] = time.perf_counter()
            stop.wait(REPLICA_POLL_S)

    journal = Journal.open(folder / "delay-a" / "journal.db", lane_a[0])
    service = PaymentService(client_a, journal, currency="EUR")
    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    uploaded: dict[str, float] = {}
    try:
        for i in range(count):
            customer = f"{merchant}-c{i}"
            record = service.enrol_customer(
                customer, SHOPPER_PIN, f"{merchant}-cashier", CASHIER_PIN, consent_version="bench"
            )
            enrol_id = f"e{secrets.token_hex(6)}"
            sealed = seal_templates(
                replica_a.gallery_key(),
                templates[i],
                merchant_id=merchant,
                customer_id=customer,
                enrol_id=enrol_id,
                model_id="bench",
            )
            client_a.gallery_upload(customer, enrol_id, "bench", sealed, record.linked_at)
            uploaded[customer] = time.perf_counter()
            time.sleep(REPLICA_POLL_S * 0.37)  # enrolments arrive at random phases of B's polling
        deadline = time.perf_counter() + 30
        while len(seen) < count and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        follower.join(timeout=30)
        journal.close()
        client_a.close()
        client_b.close()
    delays = sorted(seen[c] - uploaded[c] for c in uploaded if c in seen)
    return {
        "enrolments": count,
        "matched": len(delays),
        "poll_s": REPLICA_POLL_S,
        "median_s": round(statistics.median(delays), 3) if delays else None,
        "p95_s": round(delays[min(len(delays) - 1, int(0.95 * len(delays)))], 3) if delays else None,
    }


def bench_memory(n: int, dim: int, searches: int = 30) -> dict[str, Any]:
    """Memory an index of N templates holds (matrix, ids, owners; traced allocations) and the
    time of one 1:N search."""
    tracemalloc.start()
    ids = [f"c-{i:08d}" for i in range(n)]
    index = TemplateIndex(ids, _unit(n, dim, seed=1))
    del ids
    resident = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    probes = _unit(searches, dim, seed=2)
    times = []
    for p in probes:
        started = time.perf_counter()
        index.search(p, 3)
        times.append((time.perf_counter() - started) * 1000)
    del index
    return {
        "templates": n,
        "held_mb": round(resident / 2**20, 1),
        "matrix_mb": round(n * dim * 4 / 2**20, 1),
        "search_ms_median": round(statistics.median(times), 2),
        "search_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
    }


def run_replica_bench(args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    dim = args.dim or DEFAULT_DIM
    sizes = [int(s) for s in args.sizes.split(",") if s]
    memory_sizes = [int(s) for s in args.memory_sizes.split(",") if s]
    result: dict[str, Any] = {"dim": dim, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="facepay-replica-bench-") as tmp:
        folder = Path(tmp)
        with BenchLedger(folder).served() as ledger:
            result["bootstrap"] = [bench_bootstrap(ledger, folder, n, dim) for n in sizes]
            result["enrol_to_match"] = bench_delay(ledger, folder, args.delays, dim) if args.delays else None
    result["replica_memory"] = [bench_memory(n, dim) for n in memory_sizes]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0
