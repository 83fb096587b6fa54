"""Passive liveness: the MiniFASNetV2-SE anti-spoof model, smoothed over frames of one face.

The model scores one frame; its score is the logit difference ``real - spoof`` (0 is
p(real) = 0.5). One frame of a kiosk camera is noisy, so the verdict is taken on the
mean score of a short window of frames of the same tracked face, and it has three
outcomes: ``PASS`` (confidently live), ``CHALLENGE`` (uncertain: ask for a head turn)
and ``REJECT`` (confidently a presentation attack).

With a ``PadFusion`` the frame's score is not the model's alone: the model logits (on the
1.5x crop of MANIFEST.json and on six wider views, ``wide_views``) and the scene cues of
``vision._pad_cues`` (pixel-grid spectrum, lost detail, bezel and card edges, face size in
the frame) are combined by a small logistic regression into one logit, on which the same
three-way verdict is taken. The network runs only for the logits the combiner uses.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._detector import Detection, as_bgr
from vision._embedder import OrtSession
from vision._errors import ModelError
from vision._pad_cues import CUE_NAMES, PadCues, measure_cues
from vision._pad_fusion import PadFusion

__all__ = [
    "LivenessLimits",
    "LivenessModel",
    "LivenessSmoother",
    "LivenessVerdict",
    "antispoof_crop",
    "liveness_verdict",
    "wide_crops",
    "wide_views",
]

CROP_SIZE = 128
CROP_SCALE = 1.5
# Default context of the ``model_wide`` cue, in face-box sizes (the kiosk's value is the
# setting ``liveness.wide_scale``, where its measurement is): YuNet's boxes are tighter than
# the boxes the model was trained on, and at 1.5 a phone held with no bezel in view leaves
# the network only the face.
WIDE_SCALE = 2.0
# The ``model_wide`` cue's views are taken at ``WIDE_SCALE`` and this share smaller and
# larger (the kiosk's value is the setting ``liveness.wide_jitter``, measured there).
WIDE_JITTER = 0.1
# Scale factors and padding of the views, in the order a kiosk scan cycles through them:
# every three consecutive views hold each scale once.
_VIEWS = (
    (0, cv2.BORDER_REFLECT_101),
    (-1, cv2.BORDER_CONSTANT),
    (1, cv2.BORDER_REFLECT_101),
    (0, cv2.BORDER_CONSTANT),
    (-1, cv2.BORDER_REFLECT_101),
    (1, cv2.BORDER_CONSTANT),
)


class LivenessVerdict(enum.Enum):
    """What passive evidence alone says about a face."""

    PASS = "pass"
    CHALLENGE = "challenge"
    REJECT = "reject"


@dataclass(frozen=True)
class LivenessLimits:
    """Cuts on the smoothed logit difference (the settings section ``liveness`` holds one as
    ``passive``).

    Attributes:
        pass_threshold: at or above, the face is live without a challenge.
        reject_threshold: below, the face is rejected as a spoof outright; in between
            the shopper is asked to follow a challenge.
        window: frames of one face averaged before a verdict.
    """

    pass_threshold: float
    reject_threshold: float
    window: int


def antispoof_crop(
    frame: NDArray[np.uint8],
    box: tuple[float, float, float, float],
    scale: float = CROP_SCALE,
    border: int = cv2.BORDER_REFLECT_101,
) -> NDArray[np.uint8]:
    """The model's 128x128 BGR input crop; with the defaults exactly as MANIFEST.json specifies.

    Square around the box centre, side ``int(max(w, h) * scale)``, parts outside the frame
    filled by ``border`` (``BORDER_REFLECT_101`` as in training, or ``BORDER_CONSTANT``:
    black); Lanczos when enlarging, area when shrinking.
    """
    bgr = as_bgr(frame)
    x, y, w, h = box
    side = max(1, int(max(w, h) * scale))
    cx, cy = x + w / 2.0, y + h / 2.0
    x0, y0 = round(cx - side / 2.0), round(cy - side / 2.0)
    x1, y1 = x0 + side, y0 + side
    fh, fw = bgr.shape[:2]
    pad_l, pad_t = max(0, -x0), max(0, -y0)
    pad_r, pad_b = max(0, x1 - fw), max(0, y1 - fh)
    if pad_l or pad_t or pad_r or pad_b:
        # OpenCV reflects repeatedly when a pad is larger than the image itself.
        bgr = cv2.copyMakeBorder(
            bgr,
            pad_t,
            pad_b,
            pad_l,
            pad_r,  # type: ignore[assignment]
            border,
            value=(0, 0, 0),
        )
        x0, y0 = x0 + pad_l, y0 + pad_t
    crop = bgr[y0 : y0 + side, x0 : x0 + side]
    interp = cv2.INTER_LANCZOS4 if side < CROP_SIZE else cv2.INTER_AREA
    out: NDArray[np.uint8] = cv2.resize(
        crop,
        (CROP_SIZE, CROP_SIZE),  # type: ignore[assignment]
        interpolation=interp,
    )
    return out


def wide_views(scale: float = WIDE_SCALE, jitter: float = WIDE_JITTER) -> tuple[tuple[float, int], ...]:
    """The six views of the ``model_wide`` cue as (context in face-box sizes, border): three
    scales (``scale`` and ``jitter`` of it smaller and larger), each padded at the frame edge
    once by mirroring (as in training) and once with black (no invented context)."""
    return tuple((scale * (1.0 + step * jitter), border) for step, border in _VIEWS)


def wide_crops(
    frame: NDArray[np.uint8],
    box: tuple[float, float, float, float],
    scale: float = WIDE_SCALE,
    jitter: float = WIDE_JITTER,
) -> NDArray[np.uint8]:
    """The crops of the ``wide_views``, in their order: a 6 x 128 x 128 x 3 batch. Where a
    view's square lies inside the frame its two paddings give the same crop."""
    return np.stack([antispoof_crop(frame, box, s, border) for s, border in wide_views(scale, jitter)])


class LivenessModel:
    """MiniFASNetV2-SE: frames to liveness scores (logit ``real - spoof``; higher is more live).

    The session is created by the composition root and passed in. With ``fusion`` the
    score of a frame is the combined presentation-attack logit over all cues; ``wide_scale``
    and ``wide_jitter`` set the views of the ``model_wide`` cue (``wide_views``).

    ``model_wide`` is the mean logit over its six views. A kiosk scan, which averages its
    window of frames anyway, asks for one view per frame (``view``: the scan's count of
    anti-spoof runs) and so sees each view once in a six-frame window at the cost of one
    crop per frame; a single photo (``facepay eval``) gets all six at once. For a still face
    the two give the same window mean.
    """

    def __init__(
        self,
        session: OrtSession,
        *,
        model_id: str,
        fusion: PadFusion | None = None,
        wide_scale: float = WIDE_SCALE,
        wide_jitter: float = WIDE_JITTER,
    ) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        self.model_id = model_id
        self.fusion = fusion
        self.wide_scale = wide_scale
        self.wide_jitter = wide_jitter

    def score_crops(self, crops: NDArray[np.uint8]) -> NDArray[np.float32]:
        """Scores of a batch (N x 128 x 128 x 3 BGR) of ``antispoof_crop`` crops."""
        batch = crops[None] if crops.ndim == 3 else crops
        x = (batch[..., ::-1].astype(np.float32) / 255.0).transpose(0, 3, 1, 2)
        try:
            (logits,) = self._session.run(None, {self._input: np.ascontiguousarray(x)})[:1]
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"anti-spoof model {self.model_id} failed: {exc}") from exc
        out = np.asarray(logits, dtype=np.float32)
        diff: NDArray[np.float32] = out[:, 0] - out[:, 1]
        return diff

    def model_score(self, frame: NDArray[np.uint8], detection: Detection) -> float:
        """The network's logit alone for one detected face in one frame."""
        return float(self.score_crops(antispoof_crop(frame, detection.box))[0])

    def wide_score(self, frame: NDArray[np.uint8], detection: Detection, view: int | None = None) -> float:
        """The network's logit on view ``view`` (modulo six) of ``wide_views``, or with None
        the mean over all six (a crop shared by two views is run once)."""
        if view is not None:
            scale, border = wide_views(self.wide_scale, self.wide_jitter)[view % len(_VIEWS)]
            return float(self.score_crops(antispoof_crop(frame, detection.box, scale, border))[0])
        crops = wide_crops(frame, detection.box, self.wide_scale, self.wide_jitter)
        unique: list[NDArray[np.uint8]] = []
        which: list[int] = []
        for crop in crops:
            same = next((i for i, seen in enumerate(unique) if np.array_equal(seen, crop)), None)
            if same is None:
                unique.append(crop)
                same = len(unique) - 1
            which.append(same)
        scores = self.score_crops(np.stack(unique))
        return float(scores[which].mean())

    def cues(
        self,
        frame: NDArray[np.uint8],
        detection: Detection,
        only: Collection[str] | None = None,
        view: int | None = None,
    ) -> PadCues:
        """The presentation-attack cues of one detected face (all, or ``only`` those named),
        the model's logits included (each run only when asked for; ``view`` as in
        ``wide_score``)."""
        want = set(CUE_NAMES if only is None else only)
        model = self.model_score(frame, detection) if "model" in want else 0.0
        wide = self.wide_score(frame, detection, view) if "model_wide" in want else 0.0
        return measure_cues(frame, detection, model, only, model_wide=wide)

    def score(self, frame: NDArray[np.uint8], detection: Detection, view: int | None = None) -> float:
        """Liveness score of one detected face in one frame (the fused logit with a fusion;
        ``view`` as in ``wide_score``)."""
        if self.fusion is None:
            return self.model_score(frame, detection)
        return self.fusion.logit(self.cues(frame, detection, self.fusion.names, view))


def liveness_verdict(score: float, limits: LivenessLimits) -> LivenessVerdict:
    """Three-way verdict on a (smoothed) score."""
    if score >= limits.pass_threshold:
        return LivenessVerdict.PASS
    if score < limits.reject_threshold:
        return LivenessVerdict.REJECT
    return LivenessVerdict.CHALLENGE


class LivenessSmoother:
    """Mean score over the last ``limits.window`` frames of one tracked face.

    ``reset`` when the tracked face changes: scores of two faces are never mixed.
    """

    def __init__(self, limits: LivenessLimits) -> None:
        self.limits = limits
        self._scores: deque[float] = deque(maxlen=max(1, limits.window))

    def reset(self) -> None:
        self._scores.clear()

    def add(self, score: float) -> None:
        self._scores.append(float(score))

    def extend(self, scores: Iterable[float]) -> None:
        for s in scores:
            self.add(s)

    @property
    def full(self) -> bool:
        return len(self._scores) >= (self._scores.maxlen or 1)

    @property
    def frames(self) -> int:
        return len(self._scores)

    @property
    def score(self) -> float:
        """Mean of the window (negative infinity when empty: no evidence is not live)."""
        return float(np.mean(self._scores)) if self._scores else float("-inf")

    def verdict(self) -> LivenessVerdict:
        return liveness_verdict(self.score, self.limits)
