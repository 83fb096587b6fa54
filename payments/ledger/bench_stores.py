"""``python -m payments.ledger.bench_stores``: the ledger bench on SQLite and PostgreSQL in one run.

Starts a throw-away PostgreSQL cluster (``initdb`` + ``pg_ctl`` on 127.0.0.1, default
durability: fsync and synchronous_commit on) in a temporary folder, then for each round and each
store: a fresh demo world (``facepay ledger init``), a server (``facepay ledger serve
--server-timing``) and ``facepay ledger bench`` against it. The two stores alternate, so each
round measures both under the same load from other jobs; the report gives every run, the median
per store and the PostgreSQL/SQLite throughput ratio of each round, as one JSON object. CPU
seconds of the server processes and of the PostgreSQL backends are read from /proc, per request.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["main", "run_rounds"]

log = logging.getLogger(__name__)

# Seconds a fresh server may take to answer its health check (a busy machine starts slowly).
START_TIMEOUT_S = 60.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _facepay() -> str:
    beside = Path(sys.executable).parent / "facepay"
    found = str(beside) if beside.exists() else shutil.which("facepay")
    if not found:
        raise SystemExit("bench_stores: the facepay command is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(root: int) -> float:
    """CPU seconds used so far by process ``root`` and its descendants (threads included)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo += children.get(pid, [])
    return total / _CLOCK_TICKS


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit("bench_stores: PostgreSQL (initdb, pg_ctl) is not installed")
    return Path(initdb).parent


@contextmanager
def postgres_cluster(folder: Path) -> Iterator[tuple[str, int]]:
    """A throw-away cluster on 127.0.0.1 with default durability: (base URL, postmaster pid)."""
    bin_dir, data, port = _pg_bin(), folder / "data", _free_port()
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    for command in (
        ["initdb", "-D", str(data), "--auth=trust", "-U", "postgres"],
        ["pg_ctl", "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"],
    ):
        command[0] = str(bin_dir / command[0])
        subprocess.run(
            [*as_owner, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql://postgres@127.0.0.1:{port}", pid
    finally:
        subprocess.run(
            [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


def _wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench_stores: the ledger server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("bench_stores: the ledger server did not answer its health check")


def _one_run(
    store: str, folder: Path, pg: tuple[str, int] | None, args: argparse.Namespace, n: int
) -> dict[str, Any]:
    """A fresh world on ``store``, a server, one bench; the bench's JSON plus CPU per request."""
    facepay, out = _facepay(), folder / f"{store}-{n}"
    out.mkdir()
    if store == "sqlite":
        db, key = f"sqlite:///{out}/ledger.db", []
    else:
        assert pg is not None
        name = f"bench_{n}"
        import psycopg

        with psycopg.connect(pg[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        db, key = f"{pg[0]}/{name}", ["--ledger-key", str(out / "ledger.key")]
    subprocess.run(
        [
            facepay,
            "ledger",
            "init",
            "--db",
            db,
            *key,
            "--demo",
            "--out",
            str(out / "demo"),
            "--terminals",
            str(args.terminals),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            facepay,
            "ledger",
            "serve",
            "--db",
            db,
            *key,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--server-timing",
        ],
    )
    try:
        _wait_healthy(port, server)
        server_cpu, pg_cpu = _cpu_s(server.pid), _cpu_s(pg[1]) if pg else 0.0
        bench = subprocess.run(
            [
                facepay,
                "ledger",
                "bench",
                "--url",
                f"http://127.0.0.1:{port}",
                "--key",
                str(out / "demo" / "terminal.key"),
                "--terminals",
                str(args.terminals),
                "--requests",
                str(args.requests),
                "--timeout",
                str(args.timeout),
                "--json",
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        server_cpu, pg_cpu = _cpu_s(server.pid) - server_cpu, (_cpu_s(pg[1]) - pg_cpu) if pg else 0.0
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not bench.stdout.strip():
        raise SystemExit(f"bench_stores: the bench printed nothing: {bench.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(bench.stdout)
    sent = max(1, int(result["requests"]))
    result["store"] = store
    result["server_cpu_ms_per_request"] = round(server_cpu * 1000 / sent, 3)
    result["postgres_cpu_ms_per_request"] = round(pg_cpu * 1000 / sent, 3) if pg else None
    result["load_average"] = os.getloadavg()[0]
    return result


_FIGURES = ("debits_per_s", "p50_ms", "p99_ms", "server_cpu_ms_per_request", "postgres_cpu_ms_per_request")


def run_rounds(args: argparse.Namespace) -> dict[str, Any]:
    """Alternate SQLite and PostgreSQL for ``args.rounds`` rounds; medians and per-round ratios."""
    with tempfile.TemporaryDirectory(prefix="facepay-bench-stores-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o755)
        pg_folder = folder / "pg"
        pg_folder.mkdir()
        runs: list[dict[str, Any]] = []
        with postgres_cluster(pg_folder) as pg:
            for n in range(args.rounds):
                for store in ("sqlite", "postgresql"):
                    run = _one_run(store, folder, pg if store == "postgresql" else None, args, n)
                    log.info(
                        "round %d %s: %.1f debits/s, p99 %.1f ms",
                        n + 1,
                        store,
                        run["debits_per_s"],
                        run["p99_ms"],
                    )
                    runs.append(run)
    report: dict[str, Any] = {"runs": runs, "workers": args.workers, "terminals": args.terminals}
    for store in ("sqlite", "postgresql"):
        mine = [r for r in runs if r["store"] == store]
        report[store] = {
            f: statistics.median(r[f] for r in mine) for f in _FIGURES if all(r[f] is not None for r in mine)
        }
        report[store]["errors"] = sum(int(r["errors"]) for r in mine)
        report[store]["invariants_ok"] = all(r["invariants_ok"] for r in mine)
    ratios = [
        p["debits_per_s"] / s["debits_per_s"] if s["debits_per_s"] else 0.0
        for s, p in zip(runs[::2], runs[1::2], strict=True)
    ]
    report["postgresql_over_sqlite_per_round"] = [round(r, 3) for r in ratios]
    report["postgresql_over_sqlite_median"] = round(statistics.median(ratios), 3)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m payments.ledger.bench_stores", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--terminals", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.requests < 1 or args.terminals < 1 or args.workers < 1:
        parser.error("--rounds, --requests, --terminals and --workers take 1 or more")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    report = run_rounds(args)
    print(json.dumps(report, sort_keys=True))
    ok = all(report[s]["errors"] == 0 and report[s]["invariants_ok"] for s in ("sqlite", "postgresql"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
