"""``facepay bench --policies``: thread policies side by side in one run.

Two runs of ``facepay bench`` on a shared host meet different neighbours, so comparing
policies across runs mostly measures the host. Here one pipeline per policy (intra-op
threads, anti-spoof beside the recogniser or not) lives in the same process and each frame
goes through every pipeline in turn, in quiet and loaded rounds alike: every policy sees
the same host drift, and its ratio to the first policy is the figure to compare.

OpenCV's thread pool (YuNet) is process-wide, so the detector runs alike under every
policy; the policies differ in the onnxruntime models (anti-spoof and recogniser).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.bench import BURNER_SETTLE_S, _pct, _ratio, _warm_up
from app.cpu_load import CpuLoad
from app.settings import Settings
from app.wiring import build_pipeline
from vision import Pipeline, Searchable

__all__ = ["Policy", "bench_policies", "parse_policies", "policy_pipelines"]


@dataclasses.dataclass(frozen=True)
class Policy:
    """How the models run.

    Attributes:
        threads: intra-op threads of each onnxruntime session.
        concurrent: the anti-spoof model runs on a helper thread beside the recogniser.
    """

    threads: int
    concurrent: bool

    @property
    def name(self) -> str:
        return f"{self.threads}t-{'concurrent' if self.concurrent else 'sequential'}"


def parse_policies(text: str) -> list[Policy]:
    """``"2:seq,1:con"``: threads and ``seq`` (one model after the other) or ``con``
    (concurrent), comma-separated; raises ValueError on anything else."""
    out: list[Policy] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        threads, _, mode = part.partition(":")
        if not threads.isdigit() or not 1 <= int(threads) <= 64 or mode not in ("seq", "con"):
            raise ValueError(f"bad policy {part!r}: write THREADS:seq or THREADS:con, e.g. 2:seq,1:con")
        out.append(Policy(int(threads), mode == "con"))
    if len({p.name for p in out}) != len(out) or len(out) < 2:
        raise ValueError("--policies takes two or more different policies, e.g. 2:seq,1:con")
    return out


def policy_pipelines(settings: Settings, policies: list[Policy], gallery: Searchable) -> dict[str, Pipeline]:
    pipelines = {}
    for p in policies:
        models = dataclasses.replace(settings.models, threads=p.threads, concurrent=p.concurrent)
        pipelines[p.name] = build_pipeline(dataclasses.replace(settings, models=models), gallery=gallery)
    return pipelines


def bench_policies(
    pipelines: dict[str, Pipeline],
    frames: list[NDArray[np.uint8]],
    repeats: int,
    load: int,
    rounds: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Per-frame milliseconds of each pipeline, frame by frame in turn; quiet rounds and
    (with ``load``) loaded rounds alternate ``rounds`` times."""
    for p in pipelines.values():
        _warm_up(p, frames)
    plan = [0, load] * rounds if load else [0] * rounds
    times: dict[int, dict[str, list[float]]] = {n: {k: [] for k in pipelines} for n in set(plan)}
    todo, done = len(plan) * repeats * len(frames) * len(pipelines), 0
    for n in plan:
        with CpuLoad(n):
            if n:
                time.sleep(BURNER_SETTLE_S)
            for _ in range(repeats):
                for view, frame in enumerate(frames):
                    for name, pipeline in pipelines.items():
                        t0 = time.perf_counter()
                        pipeline.process(frame, view)
                        times[n][name].append((time.perf_counter() - t0) * 1000.0)
                        done += 1
                        if progress:
                            progress(done, todo)
    first = next(iter(pipelines))
    report: dict[str, Any] = {"policies": list(pipelines), "frames": len(frames), "repeats": repeats}
    for n, by_policy in sorted(times.items()):
        block: dict[str, Any] = {
            name: {"median": _pct(v, 50), "p95": _pct(v, 95)} for name, v in by_policy.items()
        }
        block[f"median_ratio_to_{first}"] = {
            name: _ratio(block[name]["median"], block[first]["median"]) for name in by_policy
        }
        report["quiet" if n == 0 else f"load_{n}"] = block
    return report
