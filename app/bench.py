"""``facepay bench``: latency of the per-frame pipeline and of 1:N gallery search.

Frames are made from photos the way a kiosk camera delivers them (640x480,
letterboxed); each stage is timed inside the same ``Pipeline.process`` the kiosk
runs, with the anti-spoof model on one view of its wide context per frame, in turn, as a
kiosk scan takes them. Figures are medians over repeated runs: machines here are shared and noisy.

``--load N`` measures the same frames with and without N CPU-burning helper processes in
one run, alternating quiet and loaded rounds so that drift in the host's own load hits
both sides alike; the ratio loaded/quiet is the figure to compare.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from app.cpu_load import CpuLoad
from vision import (
    IMAGE_SUFFIXES,
    FrameEvidence,
    ImageError,
    Pipeline,
    Searchable,
    StageTimes,
    TemplateIndex,
    fused_embedding,
    read_image,
)

__all__ = ["CpuLoad", "bench_fusion", "bench_gallery", "bench_loaded", "bench_pipeline", "kiosk_frames"]

log = logging.getLogger(__name__)

FRAME_W, FRAME_H = 640, 480
# Seconds between starting the burners and timing the first loaded frame.
BURNER_SETTLE_S = 0.2


def kiosk_frames(images: Path, limit: int) -> list[NDArray[np.uint8]]:
    """Up to ``limit`` 640x480 frames made by letterboxing the photos in ``images``."""
    paths = sorted(p for p in images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    frames: list[NDArray[np.uint8]] = []
    for path in paths[:limit]:
        try:
            img = read_image(path)
        except ImageError:
            continue
        h, w = img.shape[:2]
        s = min(FRAME_W / w, FRAME_H / h)
        small = cv2.resize(
            img,
            (max(1, round(w * s)), max(1, round(h * s))),
            interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
        )
        canvas = np.zeros((FRAME_H, FRAME_W, 3), np.uint8)
        y0, x0 = (FRAME_H - small.shape[0]) // 2, (FRAME_W - small.shape[1]) // 2
        canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
        frames.append(canvas)
    return frames


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else 0.0


class _Samples:
    """Per-frame and per-stage milliseconds collected over some passes."""

    def __init__(self) -> None:
        self.totals: list[float] = []
        self.stages: dict[str, list[float]] = {
            f.name: [] for f in dataclasses.fields(StageTimes) if f.name != "total"
        }
        self.with_face = 0

    def summary(self) -> dict[str, Any]:
        return {
            "per_frame_ms": {"median": _pct(self.totals, 50), "p95": _pct(self.totals, 95)},
            "stages_ms": {k: _pct(v, 50) for k, v in self.stages.items() if v},
            "stages_p95_ms": {k: _pct(v, 95) for k, v in self.stages.items() if v},
        }


def _run_passes(
    pipeline: Pipeline, frames: list[NDArray[np.uint8]], passes: int, into: _Samples, tick: Callable[[], None]
) -> list[float]:
    """Time ``passes`` passes over the frames into ``into``; the per-frame times of this call."""
    mine: list[float] = []
    for _ in range(passes):
        for view, frame in enumerate(frames):
            t0 = time.perf_counter()
            result = pipeline.process(frame, view)
            mine.append((time.perf_counter() - t0) * 1000.0)
            into.with_face += result.face is not None
            for name, value in dataclasses.asdict(result.times).items():
                if name in into.stages and value > 0:
                    into.stages[name].append(value)
            tick()
    into.totals.extend(mine)
    return mine


def _ticker(progress: Callable[[int, int], None] | None, todo: int) -> Callable[[], None]:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, todo)

    return tick


def _warm_up(pipeline: Pipeline, frames: list[NDArray[np.uint8]]) -> None:
    for view, frame in enumerate(frames[:3]):  # first runs allocate
        pipeline.process(frame, view)


def bench_pipeline(
    pipeline: Pipeline,
    frames: list[NDArray[np.uint8]],
    repeats: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Per-frame and per-stage medians over ``repeats`` passes over the frames."""
    _warm_up(pipeline, frames)
    samples = _Samples()
    _run_passes(pipeline, frames, repeats, samples, _ticker(progress, repeats * len(frames)))
    return {
        "frames": len(frames),
        "repeats": repeats,
        "frames_with_face": samples.with_face // max(repeats, 1),
        **samples.summary(),
    }


def _ratio(loaded: float, quiet: float) -> float:
    return round(loaded / quiet, 2) if quiet > 0 else 0.0


def bench_loaded(
    pipeline: Pipeline,
    frames: list[NDArray[np.uint8]],
    repeats: int,
    load: int,
    rounds: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """``rounds`` pairs of a quiet and a loaded round (``load`` burners), ``repeats`` passes
    each, in one run. The top-level figures are the quiet ones (as ``bench_pipeline``
    reports them); the ``load`` block holds both sides and the ratio loaded/quiet."""
    _warm_up(pipeline, frames)
    quiet, loaded = _Samples(), _Samples()
    tick = _ticker(progress, 2 * rounds * repeats * len(frames))
    per_round: list[dict[str, Any]] = []
    for _ in range(rounds):
        times = _run_passes(pipeline, frames, repeats, quiet, tick)
        per_round.append({"load": 0, "median": _pct(times, 50), "p95": _pct(times, 95)})
        with CpuLoad(load):
            time.sleep(BURNER_SETTLE_S)
            times = _run_passes(pipeline, frames, repeats, loaded, tick)
        per_round.append({"load": load, "median": _pct(times, 50), "p95": _pct(times, 95)})
    q, ld = quiet.summary(), loaded.summary()
    ratio: dict[str, Any] = {
        k: _ratio(ld["per_frame_ms"][k], q["per_frame_ms"][k]) for k in ("median", "p95")
    }
    ratio["stages"] = {k: _ratio(v, q["stages_ms"].get(k, 0.0)) for k, v in ld["stages_ms"].items()}
    return {
        "frames": len(frames),
        "repeats": repeats,
        "frames_with_face": quiet.with_face // max(repeats * rounds, 1),
        **q,
        "load": {
            "processes": load,
            "rounds": rounds,
            "quiet": q,
            "loaded": ld,
            "ratio": ratio,
            "per_round_ms": per_round,
        },
    }


def bench_gallery(sizes: list[int], dim: int, queries: int = 30) -> dict[str, float]:
    """Median milliseconds of one top-3 search over synthetic galleries of each size."""
    out: dict[str, float] = {}
    rng = np.random.default_rng(7)
    for n in sizes:
        index = TemplateIndex.synthetic(n, dim, seed=n)
        probes = rng.standard_normal((queries, dim)).astype(np.float32)
        probes /= np.linalg.norm(probes, axis=1, keepdims=True)
        index.search(probes[0], 3)
        times = []
        for p in probes:
            t0 = time.perf_counter()
            index.search(p, 3)
            times.append((time.perf_counter() - t0) * 1000.0)
        out[str(n)] = round(statistics.median(times), 3)
        del index
    return out


def bench_fusion(
    index: Searchable, dim: int, window: int, top_k: int = 5, queries: int = 200
) -> dict[str, float]:
    """Median milliseconds the policy's multi-frame fusion adds per decision: the mean of the
    window's normalised embeddings (``fused_embedding``) plus one more gallery search. The
    kiosk pays it on the frames that complete a window, about one frame in ``window``."""
    rng = np.random.default_rng(11)
    times: list[float] = []
    for _ in range(queries):
        embs = rng.standard_normal((window, dim)).astype(np.float32)
        embs /= np.linalg.norm(embs, axis=1, keepdims=True)
        evidence = [FrameEvidence((), 0.0, False, embedding=e) for e in embs]
        t0 = time.perf_counter()
        probe = fused_embedding(evidence)
        if probe is not None:
            index.search(probe, top_k)
        times.append((time.perf_counter() - t0) * 1000.0)
    med = statistics.median(times)
    return {
        "window": window,
        "per_decision_ms": round(med, 4),
        "per_frame_ms": round(med / max(window, 1), 4),
    }


def environment(threads: int, spin: bool = True) -> dict[str, Any]:
    return {
        "threads": threads,
        "spin": spin,
        "cpus": os.cpu_count(),
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "host_load_1min": round(os.getloadavg()[0], 2),
    }
