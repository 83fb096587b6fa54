"""Passive liveness: the MiniFASNetV2-SE anti-spoof model, smoothed over frames of one face.

The model scores one frame; its score is the logit difference ``real - spoof`` (0 is
p(real) = 0.5). One frame of a kiosk camera is noisy, so the verdict is taken on the
mean score of a short window of frames of the same tracked face, and it has three
outcomes: ``PASS`` (confidently live), ``CHALLENGE`` (uncertain: ask for a head turn)
and ``REJECT`` (confidently a presentation attack).

With a ``PadFusion`` the frame's score is not the model's alone: the model logit and the
scene cues of ``vision._pad_cues`` (pixel-grid spectrum, lost detail, bezel and card edges,
face size in the frame) are combined by a small logistic regression into one logit, on
which the same three-way verdict is taken.
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
from vision._pad_cues import PadCues, measure_cues
from vision._pad_fusion import PadFusion

__all__ = [
    "LivenessLimits",
    "LivenessModel",
    "LivenessSmoother",
    "LivenessVerdict",
    "antispoof_crop",
    "liveness_verdict",
]

CROP_SIZE = 128
CROP_SCALE = 1.5


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


def antispoof_crop(frame: NDArray[np.uint8], box: tuple[float, float, float, float]) -> NDArray[np.uint8]:
    """The model's 128x128 BGR input crop, exactly as MANIFEST.json specifies.

    Square around the box centre, side ``int(max(w, h) * 1.5)``, parts outside the frame
    filled by ``BORDER_REFLECT_101``; Lanczos when enlarging, area when shrinking.
    """
    bgr = as_bgr(frame)
    x, y, w, h = box
    side = max(1, int(max(w, h) * CROP_SCALE))
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
            cv2.BORDER_REFLECT_101,
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


class LivenessModel:
    """MiniFASNetV2-SE: frames to liveness scores (logit ``real - spoof``; higher is more live).

    The session is created by the composition root and passed in. With ``fusion`` the
    score of a frame is the combined presentation-attack logit over all cues.
    """

    def __init__(self, session: OrtSession, *, model_id: str, fusion: PadFusion | None = None) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        self.model_id = model_id
        self.fusion = fusion

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

    def cues(
        self, frame: NDArray[np.uint8], detection: Detection, only: Collection[str] | None = None
    ) -> PadCues:
        """The presentation-attack cues of one detected face (all, or ``only`` those named),
        the model's logit included."""
        return measure_cues(frame, detection, self.model_score(frame, detection), only)

    def score(self, frame: NDArray[np.uint8], detection: Detection) -> float:
        """Liveness score of one detected face in one frame (the fused logit with a fusion)."""
        if self.fusion is None:
            return self.model_score(frame, detection)
        return self.fusion.logit(self.cues(frame, detection, self.fusion.names))


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
