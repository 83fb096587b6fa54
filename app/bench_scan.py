"""``facepay bench --scan``: the kiosk's own frame sequence, scan by scan.

The photo mode (``app.bench``) times every stage on independent frames. A kiosk sees a
video: empty frames, then the same face for a while, until one decision. Here each camera
video is fed frame by frame to a ``ScanSession``, from the first frame to the decision,
twice: with ``FrameBudget()`` (every stage on every frame, as before) and with the kiosk's
budget (tracker, skipped models). The per-frame figure then reflects the skipping, and the
decisions of the two must agree.

The videos are the demo's (``app.demo_world``): the face shopper's held-out photo, the
masked shopper, and the spoof photo the passive model is surest about, each as the demo
camera shows it; the gallery is the demo people enrolled from the same labelled folder,
padded with synthetic customers.
"""

from __future__ import annotations

import contextlib
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from app.bench import BURNER_SETTLE_S, CpuLoad, _pct, _ratio
from app.demo_world import camera_video, pick_attack_photo, pick_people
from app.kiosk_threads import KioskThreads
from app.settings import Settings
from app.wiring import build_pipeline, build_policy, challenge_limits, frame_budget
from vision import (
    Decision,
    FrameBudget,
    ImageError,
    Match,
    NeedPin,
    Pipeline,
    ScanSession,
    TemplateIndex,
    read_image,
)

__all__ = ["ScanVideo", "bench_scans", "demo_gallery", "demo_videos", "read_video"]

log = logging.getLogger(__name__)

# A scan that has not decided after this many frames is cut off (the kiosk gives up after
# 20 s, 300 frames at 15 fps; the demo videos decide within a few dozen).
MAX_SCAN_FRAMES = 300
# The clock a scan sees advances by one camera frame (15 fps) per frame: the challenge and
# the patience limit count camera time, not the time the bench happens to take.
FRAME_S = 1.0 / 15.0


@dataclass(frozen=True)
class ScanVideo:
    """One camera video of the bench, decoded.

    Attributes:
        name: what it shows (face, masked, attack or the file's stem).
        frames: its BGR frames, in order.
        path: the file it was read from.
    """

    name: str
    frames: tuple[NDArray[np.uint8], ...]
    path: Path | None = None


def read_video(path: Path, name: str | None = None) -> ScanVideo:
    """Every frame of a video file (decoded once, outside the timed part)."""
    cap = cv2.VideoCapture(str(path))
    frames: list[NDArray[np.uint8]] = []
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            frames.append(np.ascontiguousarray(frame))
    finally:
        cap.release()
    if not frames:
        raise ImageError(f"no frames in {path}")
    return ScanVideo(name or path.stem, tuple(frames), path)


def demo_videos(settings: Settings, photos: Path, folder: Path | None = None) -> list[ScanVideo]:
    """The demo's three camera videos made from a labelled photo folder."""
    face, masked, _, spoofs = pick_people(photos)
    out = folder or Path(tempfile.mkdtemp(prefix="facepay-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    made = (
        ("face", camera_video(face.probe, out / "face.mkv")),
        ("masked", camera_video(masked.masked_probe, out / "masked.mkv")),
        ("attack", camera_video(pick_attack_photo(settings, spoofs), out / "attack.mkv")),
    )
    return [read_video(path, name) for name, path in made]


def demo_gallery(settings: Settings, photos: Path, padding: int) -> TemplateIndex:
    """The demo people enrolled from their photos, plus ``padding`` synthetic customers."""
    face, masked, others, _ = pick_people(photos)
    plain = build_pipeline(settings, passive=False)
    ids: list[str] = []
    rows: list[NDArray[np.float32]] = []
    for person in (face, masked, *others):
        for photo in person.enrol:
            try:
                found = plain.process(read_image(photo)).face
            except ImageError:
                continue
            if found is not None:
                ids.append(person.customer_id)
                rows.append(found.embedding)
    dim = plain.embedder.dim
    if padding > 0:
        ids += [f"s{i}" for i in range(padding)]
        rows += list(_synthetic_rows(padding, dim))
    if not rows:
        raise ImageError(f"no demo person's photo in {photos} shows a face")
    return TemplateIndex(ids, np.vstack(rows).astype(np.float32))


def _synthetic_rows(n: int, dim: int) -> NDArray[np.float32]:
    rng = np.random.default_rng(n)
    m = rng.standard_normal((n, dim), dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


class _StepClock:
    """A scan's clock: one camera frame per call."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += FRAME_S
        return self.t


def _outcome(decision: Decision | None) -> str:
    if decision is None:
        return "undecided"
    if isinstance(decision, Match):
        return f"match {decision.customer_id}"
    if isinstance(decision, NeedPin):
        return f"pin {decision.reason.value}"
    return f"reject {decision.reason.value}"


class _Side:
    """One budget's samples over the scans of a run."""

    def __init__(self) -> None:
        self.frames_ms: list[float] = []
        self.scan_ms: list[float] = []
        self.scan_frames: list[int] = []
        self.work: dict[str, dict[str, list[int]]] = {}
        self.outcomes: dict[str, set[str]] = {}

    def summary(self) -> dict[str, Any]:
        return {
            "per_frame_ms": {"median": _pct(self.frames_ms, 50), "p95": _pct(self.frames_ms, 95)},
            "to_decision_ms": {"median": _pct(self.scan_ms, 50), "p95": _pct(self.scan_ms, 95)},
            "frames_to_decision": statistics.median(self.scan_frames) if self.scan_frames else 0,
            "work_per_scan": {
                video: {k: statistics.median(v) for k, v in per.items()} for video, per in self.work.items()
            },
            "decisions": {k: sorted(v) for k, v in self.outcomes.items()},
        }


def _scan(session: ScanSession, video: ScanVideo, into: _Side) -> None:
    """One scan from the video's first frame to the decision (looping the video)."""
    session.reset()
    total = 0.0
    update = None
    for i in range(MAX_SCAN_FRAMES):
        frame = video.frames[i % len(video.frames)]
        t0 = time.perf_counter()
        update = session.analyse(frame)
        ms = (time.perf_counter() - t0) * 1000.0
        into.frames_ms.append(ms)
        total += ms
        if update.decision is not None:
            break
    into.scan_ms.append(total)
    into.scan_frames.append(session.work.frames)
    counts = into.work.setdefault(video.name, {})
    for k, v in asdict(session.work).items():
        counts.setdefault(k, []).append(v)
    into.outcomes.setdefault(video.name, set()).add(_outcome(update.decision if update else None))


def _session(settings: Settings, pipeline: Pipeline, budget: FrameBudget) -> ScanSession:
    return ScanSession(
        pipeline,
        build_policy(settings),
        challenge_limits(settings),
        clock=_StepClock(),
        rng=random.Random(0),
        budget=budget,
    )


def bench_scans(
    settings: Settings,
    pipeline: Pipeline,
    videos: list[ScanVideo],
    repeats: int,
    load: int = 0,
    rounds: int = 1,
    progress: Callable[[int, int], None] | None = None,
    *,
    kiosk_threads: bool = False,
) -> dict[str, Any]:
    """Scans of every video under both budgets (``full``: every stage on every frame;
    ``kiosk``: the settings' budget), ``repeats`` each, alternating the budgets scan by scan
    so host drift hits both alike. With ``load``: ``rounds`` pairs of a quiet and a loaded
    round in this one run, and the ratios loaded/quiet. ``kiosk_threads``: the first video
    is also decoded in real time and painted kiosk-sized on two helper threads throughout
    (``app.kiosk_threads``), as the kiosk's camera thread and GUI do."""
    budgets = {"full": FrameBudget(), "kiosk": frame_budget(settings)}
    sessions = {name: _session(settings, pipeline, b) for name, b in budgets.items()}
    for s in sessions.values():  # first runs allocate
        _scan(s, videos[0], _Side())
    plan = [0] if not load else [0, load] * rounds
    todo, done = len(plan) * repeats * len(videos) * len(sessions), 0
    sides: dict[int, dict[str, _Side]] = {n: {k: _Side() for k in sessions} for n in set(plan)}
    painter = KioskThreads(videos[0].path) if kiosk_threads and videos[0].path else None
    for n in plan:
        with CpuLoad(n), painter or contextlib.nullcontext():
            if n:
                time.sleep(BURNER_SETTLE_S)
            for _ in range(repeats):
                for video in videos:
                    for name, session in sessions.items():
                        _scan(session, video, sides[n][name])
                        done += 1
                        if progress:
                            progress(done, todo)
    report: dict[str, Any] = {
        "videos": {v.name: len(v.frames) for v in videos},
        "repeats": repeats,
        "budget": asdict(budgets["kiosk"]),
        "kiosk_threads": painter is not None,
        "frames_painted": painter.painted if painter else 0,
    }
    for n, by_budget in sorted(sides.items()):
        block = {name: side.summary() for name, side in by_budget.items()}
        block["ratio_kiosk_over_full"] = _ratios(block["kiosk"], block["full"])
        block["same_decisions"] = block["kiosk"]["decisions"] == block["full"]["decisions"]
        report["quiet" if n == 0 else f"load_{n}"] = block
    if load:
        q, ld = report["quiet"], report[f"load_{load}"]
        report["ratio_loaded_over_quiet"] = {name: _ratios(ld[name], q[name]) for name in sessions}
    return report


def _ratios(top: dict[str, Any], bottom: dict[str, Any]) -> dict[str, float]:
    return {
        "per_frame_median": _ratio(top["per_frame_ms"]["median"], bottom["per_frame_ms"]["median"]),
        "to_decision_median": _ratio(top["to_decision_ms"]["median"], bottom["to_decision_ms"]["median"]),
    }
