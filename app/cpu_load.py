"""CPU-burning helper processes: the load of ``facepay bench --load`` and ``facepay demo --load``.

Each helper keeps one core busy until it is stopped, or until its parent is gone.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import os
import signal
from types import TracebackType
from typing import Any

__all__ = ["CpuLoad"]

log = logging.getLogger(__name__)

# Seconds a burner gets to stop after SIGTERM before it is killed.
BURNER_STOP_S = 2.0
# Busy-loop steps between a burner's checks that its parent is still alive.
BURNER_CHECK_EVERY = 200_000


def _burn(parent: int) -> None:
    """Busy loop until terminated, or until the parent process is gone. Ctrl-C reaches the
    whole process group: the parent handles it and stops the helpers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    x = 0
    while os.getppid() == parent:
        for _ in range(BURNER_CHECK_EVERY):
            x += 1


class CpuLoad:
    """``n`` helper processes that each keep one core busy while the context is open.

    Leaving the context (normally, by an exception or Ctrl-C) terminates and reaps every
    helper; a helper whose parent dies without cleaning up stops by itself.
    """

    def __init__(self, n: int, *, method: str = "fork") -> None:
        """``method``: how helpers start; "spawn" for a parent that runs other threads (a Qt
        application), where a forked child could inherit a lock held by one of them."""
        if n < 0:
            raise ValueError("the number of load processes cannot be negative")
        self.n = n
        self._ctx: Any = multiprocessing.get_context(method)
        self.processes: list[multiprocessing.process.BaseProcess] = []

    def __enter__(self) -> CpuLoad:
        try:
            for i in range(self.n):
                proc = self._ctx.Process(
                    target=_burn, args=(os.getpid(),), name=f"facepay-bench-load-{i}", daemon=True
                )
                proc.start()
                self.processes.append(proc)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Terminate and reap every helper (SIGKILL for one that ignores SIGTERM)."""
        for proc in self.processes:
            if proc.is_alive():
                proc.terminate()
        for proc in self.processes:
            proc.join(BURNER_STOP_S)
            if proc.is_alive():
                log.warning("load process %s ignored SIGTERM; killing it", proc.pid)
                proc.kill()
                proc.join()
            proc.close()
        self.processes = []
