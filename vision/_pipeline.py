"""The per-frame pipeline: detect -> main face -> align -> quality -> mask -> liveness ->
embed -> search.

``facepay eval``, ``facepay bench`` and the kiosk all run this same object; it
returns one immutable ``FrameResult`` per frame, stage timings included.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from vision._align import align_face
from vision._detector import Detection, YuNetDetector, as_bgr
from vision._embedder import Embedder
from vision._gallery import Candidate
from vision._liveness import LivenessModel
from vision._mask import MaskDetector, MaskVerdict, plausible_face
from vision._quality import Quality, QualityLimits, assess_quality

__all__ = [
    "FaceAnalysis",
    "FrameResult",
    "NearSearch",
    "Pipeline",
    "Searchable",
    "Sighting",
    "StageTimes",
    "choose_shopper_face",
    "oval_distance",
]

# The guide oval the kiosk draws over the camera picture (terminal_ui/screens/_camera.py):
# centred, 72% of the frame height tall, 0.74 times as wide as tall.
OVAL_HEIGHT = 0.72
OVAL_ASPECT = 0.74
# How fast a face loses weight as its centre leaves the oval: the weight is
# exp(-(d / OVAL_FALLOFF)**2) for d the elliptical distance (1 = on the oval's edge). At the
# edge a face needs e (2.7) times the width of a centred face to be chosen; at twice the
# oval's radius, 55 times.
OVAL_FALLOFF = 1.0


def oval_distance(det: Detection, frame_shape: tuple[int, ...]) -> float:
    """Elliptical distance of the face's centre from the guide oval's centre (1: on its edge)."""
    fh, fw = frame_shape[:2]
    b = OVAL_HEIGHT * fh / 2.0
    a = OVAL_ASPECT * b
    fx, fy = det.centre
    return float(np.hypot((fx - fw / 2.0) / a, (fy - fh / 2.0) / b))


def choose_shopper_face(
    detections: tuple[Detection, ...], frame_shape: tuple[int, ...]
) -> tuple[Detection | None, tuple[Detection, ...]]:
    """The shopper's face and the others: the face the kiosk's guide oval frames.

    Each face is weighed by its size (box width: the shopper stands at the oval's distance)
    times how close its centre is to the oval's centre. The largest face is often not the
    shopper: a person leaning in at the side, a news photo's bystander, the next in a queue.
    ``facepay eval`` applies the same rule to photos (the oval centred on the photo).
    """
    if not detections:
        return None, ()

    def weight(d: Detection) -> float:
        dist = oval_distance(d, frame_shape)
        return max(d.width, 0.0) * float(np.exp(-((dist / OVAL_FALLOFF) ** 2)))

    ranked = sorted(detections, key=weight, reverse=True)
    return ranked[0], tuple(ranked[1:])


class Searchable(Protocol):
    """Anything the pipeline can search 1:N: a ``Gallery`` or an in-memory ``TemplateIndex``."""

    def search(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]: ...

    def customer_count(self) -> int: ...


@dataclass(frozen=True)
class StageTimes:
    """Milliseconds spent in each stage of one frame (0 for a stage that did not run).

    Attributes:
        detect: YuNet (including the downscale).
        align: 5-point warp to 112x112.
        quality: the quality gate.
        mask: the lower-face-covered check.
        liveness: the passive anti-spoof model.
        embed: the recogniser.
        search: the 1:N gallery search.
        total: the whole frame.
    """

    detect: float = 0.0
    align: float = 0.0
    quality: float = 0.0
    mask: float = 0.0
    liveness: float = 0.0
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
        liveness: the anti-spoof score of this frame (logit real - spoof), None without the stage.
        mask: the mask check's verdict, None without the stage.
        recovered: the face scored below the detector threshold and was kept because it
            looked like a plausible masked face.
        gallery_size: customers in the searched gallery (0 without a gallery).
    """

    detection: Detection
    aligned: NDArray[np.uint8]
    quality: Quality
    embedding: NDArray[np.float32]
    candidates: tuple[Candidate, ...]
    liveness: float | None = None
    mask: MaskVerdict | None = None
    recovered: bool = False
    gallery_size: int = 0


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


@dataclass(frozen=True)
class Sighting:
    """One frame's faces, located, with the main one aligned and checked, before any model
    scores it (``Pipeline.locate``). ``Pipeline.complete`` runs the models on it.

    Attributes:
        frame: the frame as 3-channel BGR.
        detection: the main face, or None when no face was found.
        others: the other faces in view.
        aligned: the main face's 112x112 BGR crop (None without a face).
        quality: the quality gate's verdict (None without a face).
        mask: the mask check's verdict (None without the stage or a face).
        recovered: the main face scored below the detector threshold and was kept because
            it looked like a plausible masked face.
        whole_frame: the detector searched the whole frame (False: only near a face it
            was given, the tracker's cheap step).
        times: detect, align, quality and mask milliseconds (total: their sum).
    """

    frame: NDArray[np.uint8]
    detection: Detection | None
    others: tuple[Detection, ...]
    aligned: NDArray[np.uint8] | None
    quality: Quality | None
    mask: MaskVerdict | None
    recovered: bool
    whole_frame: bool
    times: StageTimes


@dataclass(frozen=True)
class NearSearch:
    """Where ``Pipeline.locate`` looks when it tracks a face instead of searching the frame.

    Attributes:
        box: the face's box in the previous frame (x, y, w, h).
        grow: the searched square is this many times the box's longer side.
    """

    box: tuple[float, float, float, float]
    grow: float


class Pipeline:
    """Runs the vision stages on one frame at a time. Not thread-safe: one per worker.

    ``concurrent``: the anti-spoof model runs on a helper thread while the recogniser runs
    on the caller's (their inputs are ready at the same time); with single-thread sessions
    the two models then share two cores instead of taking turns on them.
    """

    def __init__(
        self,
        detector: YuNetDetector,
        embedder: Embedder,
        limits: QualityLimits,
        *,
        gallery: Searchable | None = None,
        top_k: int = 3,
        liveness: LivenessModel | None = None,
        mask: MaskDetector | None = None,
        concurrent: bool = False,
    ) -> None:
        self.detector = detector
        self.embedder = embedder
        self.limits = limits
        self.gallery = gallery
        self.top_k = top_k
        self.liveness = liveness
        self.mask = mask
        self.concurrent = concurrent
        self._helper: ThreadPoolExecutor | None = None

    def process(self, frame: NDArray[np.uint8], view: int | None = None) -> FrameResult:
        """Every stage on one frame: the whole frame searched, every model run (the
        anti-spoof model on every view of its wide context, or on view ``view`` alone as a
        kiosk scan does: ``complete``)."""
        return self.complete(self.locate(frame), view=view)

    def locate(
        self, frame: NDArray[np.uint8], *, near: NearSearch | None = None, retry: bool = True
    ) -> Sighting:
        """Detect, choose the shopper's face, align it, and run the quality and mask checks.

        ``near``: look only around that box; nothing confident there (or only a low-score
        face, which the whole-frame search may recover) falls back to the whole frame.
        ``retry=False`` skips the detector's enlarged second search of an empty frame.
        """
        t0 = time.perf_counter()
        bgr = as_bgr(frame)
        confident: tuple[Detection, ...] = ()
        low: tuple[Detection, ...] = ()
        whole = near is None
        if near is not None:
            confident, _ = self.detector.detect_near(bgr, near.box, grow=near.grow)
            whole = not confident
        if whole:
            confident, low = self.detector.detect_all(bgr) if retry else self.detector.detect_once(bgr)
        t1 = time.perf_counter()
        main, others = choose_shopper_face(confident, bgr.shape)
        aligned: NDArray[np.uint8] | None = None
        mask: MaskVerdict | None = None
        recovered = False
        if main is None and low and self.mask is not None:
            main, aligned, mask = self._recover(bgr, low)
            recovered = main is not None
        if main is None:
            times = StageTimes(detect=_ms(t0, t1), total=_ms(t0, t1))
            return Sighting(bgr, None, (), None, None, None, False, whole, times)
        if aligned is None:
            aligned = align_face(bgr, main.landmarks)
        t2 = time.perf_counter()
        quality = assess_quality(main, aligned, self.limits, bgr.shape)
        t3 = time.perf_counter()
        if mask is None and self.mask is not None:
            mask = self.mask.assess(aligned)
        t4 = time.perf_counter()
        times = StageTimes(
            detect=_ms(t0, t1), align=_ms(t1, t2), quality=_ms(t2, t3), mask=_ms(t3, t4), total=_ms(t0, t4)
        )
        return Sighting(bgr, main, others, aligned, quality, mask, recovered, whole, times)

    def complete(self, sighting: Sighting, *, liveness: bool = True, view: int | None = None) -> FrameResult:
        """Run the models on a located face: anti-spoof (unless ``liveness`` is False or the
        pipeline has no such stage; ``view`` picks one view of its wide context, None all of
        them: ``LivenessModel.wide_score``), recogniser and gallery search."""
        main, aligned, quality = sighting.detection, sighting.aligned, sighting.quality
        if main is None or aligned is None or quality is None:
            return FrameResult(None, (), sighting.times)
        t0 = time.perf_counter()
        run_live = liveness and self.liveness is not None
        live: float | None = None
        live_ms = 0.0
        if run_live and self.concurrent:
            pending = self._pool().submit(self._score_liveness, sighting.frame, main, view)
            embedding, embed_ms = self._embed(aligned)
            live, live_ms = pending.result()
        else:
            if run_live:
                live, live_ms = self._score_liveness(sighting.frame, main, view)
            embedding, embed_ms = self._embed(aligned)
        t1 = time.perf_counter()
        candidates = self.gallery.search(embedding, self.top_k) if self.gallery is not None else ()
        size = self.gallery.customer_count() if self.gallery is not None else 0
        t2 = time.perf_counter()
        times = dataclasses.replace(
            sighting.times,
            liveness=live_ms,
            embed=embed_ms,
            search=_ms(t1, t2),
            total=sighting.times.total + _ms(t0, t2),
        )
        face = FaceAnalysis(
            main, aligned, quality, embedding, candidates, live, sighting.mask, sighting.recovered, size
        )
        return FrameResult(face, sighting.others, times)

    def close(self) -> None:
        """Stop the helper thread of a concurrent pipeline (it is started on first use)."""
        if self._helper is not None:
            self._helper.shutdown(wait=True)
            self._helper = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._helper is None:
            self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facepay-antispoof")
        return self._helper

    def _score_liveness(
        self, bgr: NDArray[np.uint8], main: Detection, view: int | None
    ) -> tuple[float, float]:
        assert self.liveness is not None
        t0 = time.perf_counter()
        score = self.liveness.score(bgr, main, view)
        return score, _ms(t0, time.perf_counter())

    def _embed(self, aligned: NDArray[np.uint8]) -> tuple[NDArray[np.float32], float]:
        t0 = time.perf_counter()
        embedding = self.embedder.embed_one(aligned)
        return embedding, _ms(t0, time.perf_counter())

    def _recover(
        self, bgr: NDArray[np.uint8], low: tuple[Detection, ...]
    ) -> tuple[Detection | None, NDArray[np.uint8] | None, MaskVerdict | None]:
        """The best low-score face, kept only if its geometry is plausible and its lower
        face is covered: a masked face YuNet is unsure of, not a patch of background."""
        assert self.mask is not None
        main, _ = choose_shopper_face(low, bgr.shape)
        if main is None or not plausible_face(main):
            return None, None, None
        aligned = align_face(bgr, main.landmarks)
        verdict = self.mask.assess(aligned)
        if not verdict.masked:
            return None, None, None
        return main, aligned, verdict


def _ms(a: float, b: float) -> float:
    return (b - a) * 1000.0
