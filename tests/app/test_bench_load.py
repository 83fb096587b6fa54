"""The CPU-load helpers of `facepay bench --load`: started while the context is open and
gone afterwards, however the context is left (no timing is asserted)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from app.bench import CpuLoad


def _gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (gone, or a zombie waiting for a reaper)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_burners_run_inside_the_context_and_are_reaped_after_it() -> None:
    with CpuLoad(2) as load:
        pids = [p.pid for p in load.processes]
        assert len(pids) == 2 and all(isinstance(pid, int) for pid in pids)
        assert all(p.is_alive() for p in load.processes)
    assert load.processes == []
    assert all(_gone(pid) for pid in pids if pid is not None)


def test_burners_are_reaped_when_the_timed_work_raises() -> None:
    pids: list[int | None] = []
    with pytest.raises(RuntimeError, match="model failed"), CpuLoad(2) as load:
        pids = [p.pid for p in load.processes]
        raise RuntimeError("model failed")
    assert len(pids) == 2 and all(_gone(pid) for pid in pids if pid is not None)


def test_burners_are_reaped_on_ctrl_c() -> None:
    pids: list[int | None] = []
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in `facepay bench`
    try:
        with pytest.raises(KeyboardInterrupt), CpuLoad(1) as load:
            pids = [p.pid for p in load.processes]
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # interrupted at once by the SIGINT above
    finally:
        signal.signal(signal.SIGINT, previous)
    assert pids and all(_gone(pid) for pid in pids if pid is not None)


def test_a_burner_that_ignores_sigterm_is_killed() -> None:
    load = CpuLoad(1).__enter__()
    pid = load.processes[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # a stopped process does not act on SIGTERM
    try:
        load.stop()
    finally:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)
    assert _gone(pid)


def test_burners_stop_by_themselves_when_their_parent_dies_without_cleaning_up() -> None:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the parent that dies: starts burners, reports their pids, exits hard
        os.close(read_end)
        load = CpuLoad(2).__enter__()
        os.write(write_end, " ".join(str(p.pid) for p in load.processes).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        pids = [int(p) for p in fh.read().split()]
    os.waitpid(child, 0)
    assert len(pids) == 2
    deadline = time.monotonic() + 120  # generous: the host may be busy; not a timing check
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in pids)


def test_no_load_starts_nothing_and_negative_load_is_refused() -> None:
    with CpuLoad(0) as load:
        assert load.processes == []
    with pytest.raises(ValueError, match="negative"):
        CpuLoad(-1)
