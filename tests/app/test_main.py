"""Composition-root helpers that run beside the kiosk."""

from __future__ import annotations

import threading

from app.main import periodic


def test_periodic_job_runs_until_the_block_ends_and_survives_errors() -> None:
    calls: list[int] = []
    ran_twice = threading.Event()

    def job() -> None:
        calls.append(1)
        if len(calls) >= 2:
            ran_twice.set()
        raise RuntimeError("ledger down")  # must not stop the loop

    with periodic(job, 0.01):
        assert ran_twice.wait(10)
    seen = len(calls)
    assert not ran_twice.wait(0.05) or len(calls) == seen  # stopped: no more calls
    assert len(calls) == seen
