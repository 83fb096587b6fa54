"""The per-frame pipeline: detect -> main face -> align -> quality -> embed -> search.

``facepay eval``, ``facepay bench`` and the kiosk all run this same object; it
returns one immutable ``FrameResult`` per frame, stage timings included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from vision._align import align_face
from vision._detector import Detection, YuNetDetector, as_bgr, choose_main_face
from vision._embedder import Embedder
from vision._gallery import Candidate
from vision._quality import Quality, QualityLimits, assess_quality

__all__ = ["FaceAnalysis", "FrameResult", "Pipeline", "Searchable", "StageTimes"]


class Searchable(Protocol):
    """Anything the pipeline can search 1:N: a ``Gallery`` or an in-memory ``TemplateIndex``."""

    def search(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]: ...


@dataclass(frozen=True)
class StageTimes:
    """Milliseconds spent in each stage of one frame (0 for a stage that did not run).

    Attributes:
        detect: YuNet (including the downscale).
        align: 5-point warp to 112x112.
        quality: the quality gate.
        embed: the recogniser.
        search: the 1:N gallery search.
        total: the whole frame.
    """

    detect: float = 0.0
    align: float = 0.0
    quality: float = 0.0
    embed: float = 0.0
    search: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class FaceAnalysis:
    """Everything the pipeline learnt about the main face of a frame.

    Attributes:
        detection: the detector's box, landmarks and score.
        aligned: the 112x112 BGR crop.
        quality: the quality gate's verdict.
        embedding: L2-normalised template of the face.
        candidates: best gallery matches, best first (empty without a gallery).
    """

    detection: Detection
    aligned: NDArray[np.uint8]
    quality: Quality
    embedding: NDArray[np.float32]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class FrameResult:
    """The pipeline's result for one frame.

    Attributes:
        face: the main face, or None when no face was found.
        others: the other faces in view (a crowd, a photo held up beside the shopper).
        times: per-stage timings.
    """

    face: FaceAnalysis | None
    others: tuple[Detection, ...]
    times: StageTimes

    @property
    def faces(self) -> int:
        return (1 if self.face else 0) + len(self.others)


class Pipeline:
    """Runs the vision stages on one frame at a time. Not thread-safe: one per worker."""

    def __init__(self, detector: YuNetDetector, embedder: Embedder, limits: QualityLimits,
                 *, gallery: Searchable | None = None, top_k: int = 3) -> None:
        self.detector = detector
        self.embedder = embedder
        self.limits = limits
        self.gallery = gallery
        self.top_k = top_k

    def process(self, frame: NDArray[np.uint8]) -> FrameResult:
        t0 = time.perf_counter()
        bgr = as_bgr(frame)
        detections = self.detector.detect(bgr)
        t1 = time.perf_counter()
        main, others = choose_main_face(detections, bgr.shape)
        if main is None:
            return FrameResult(None, (), StageTimes(detect=_ms(t0, t1), total=_ms(t0, t1)))
        aligned = align_face(bgr, main.landmarks)
        t2 = time.perf_counter()
        quality = assess_quality(main, aligned, self.limits)
        t3 = time.perf_counter()
        embedding = self.embedder.embed_one(aligned)
        t4 = time.perf_counter()
        candidates = self.gallery.search(embedding, self.top_k) if self.gallery is not None else ()
        t5 = time.perf_counter()
        times = StageTimes(detect=_ms(t0, t1), align=_ms(t1, t2), quality=_ms(t2, t3),
                           embed=_ms(t3, t4), search=_ms(t4, t5), total=_ms(t0, t5))
        return FrameResult(FaceAnalysis(main, aligned, quality, embedding, candidates), others, times)


def _ms(a: float, b: float) -> float:
    return (b - a) * 1000.0
