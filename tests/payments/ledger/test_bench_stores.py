"""The store comparison command refuses what it cannot run and counts CPU the way /proc does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from payments.ledger.bench_stores import _cpu_s, main


@pytest.mark.parametrize(
    "argv",
    [["--rounds", "0"], ["--requests", "0"], ["--terminals", "-1"], ["--workers", "0"], ["--rounds", "x"]],
)
def test_bad_arguments_are_refused_before_anything_starts(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(argv)
    assert refused.value.code == 2


def test_cpu_of_a_process_includes_its_children() -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
    )
    try:
        while child.poll() is None and _cpu_s(child.pid) < 0.3:  # it burns 0.3 s of CPU, then waits
            pass
        assert _cpu_s(os.getpid()) >= _cpu_s(child.pid) >= 0.3
    finally:
        child.communicate(b"")
