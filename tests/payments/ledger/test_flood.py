"""A flood of unauthenticated requests is answered (signed 401s) and costs no database writes."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.payments.ledger.conftest import REPO, Server, World


def test_bench_under_a_flood_reports_both_runs_and_writes_no_audit_lines(
    world: World, server: Server
) -> None:
    before = world.store.audit_head()[0]
    cmd = [
        sys.executable,
        "-m",
        "app.cli",
        "ledger",
        "bench",
        "--url",
        server.url,
        "--key",
        str(world.out / "terminal.key"),
        "--terminals",
        "2",
        "--requests",
        "40",
        "--flood",
        "50",
        "--json",
    ]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["quiet"]["acknowledged"] == 40 and report["under_flood"]["acknowledged"] == 40
    assert report["flood_sent"] > 0 and report["flood_answered"] == report["flood_sent"]
    assert report["throughput_ratio"] > 0
    # 80 debits were audited; none of the refused garbage was
    assert world.store.audit_head()[0] - before == 80
