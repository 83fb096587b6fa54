"""Is the lower face covered (mask, scarf)? A landmark-guided colour statistic, no model.

On the aligned 112x112 crop the brow band (between the eyebrows, rarely covered) gives the
shopper's own skin colour and brightness; the mouth/chin block is compared with it. Skin
to skin differs little in chroma (YCrCb Cr/Cb); a surgical, cloth or FFP2 mask differs a lot
in chroma and is usually brighter. A logistic score of the two contrasts is the confidence.

The three coefficients were fitted on the labelled live dev photos (60 unmasked, 25 masked)
and checked by leave-one-identity-out cross-validation: accuracy 0.988, 0 unmasked photos
called masked, 1 masked photo missed. Chroma alone scored 0.941.

On faces/cal (3,061 unmasked news photos) the contrast alone called 72 faces masked: beards,
stubble, shadows and make-up change the lower face's colour too. Skin, shaded or not, stays
saturated; surgical, FFP2 and cloth masks are white, blue, grey or black, and their median
HSV saturation on dev is 0-100 (skin on cal: median 105, the 72 wrong calls: median 114). So
a face is called masked only when its lower face is also no more saturated than
``max_saturation`` (110): 34 of 3,061 cal faces called masked, dev still 25 of 25 masks
found (on the detector's faces), 0 of 55 unmasked called masked.

Known blind spots: a skin-coloured covering (a hand over the mouth), a hat or hair over the
brows, and a brightly coloured (saturated) mask, which is then treated as no mask: the face
goes through the unmasked path and its score decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._detector import Detection
from vision._quality import pose_proxies

__all__ = ["MaskDetector", "MaskVerdict", "plausible_face"]

# Regions of the 112x112 ArcFace-aligned crop (rows, cols): eyes sit at row 51, nose tip 72,
# mouth corners 92.
_BROW = (slice(36, 48), slice(44, 68))
_LOWER = (slice(80, 104), slice(38, 74))
# Logistic coefficients (chroma contrast / 10, brightness contrast / 50, bias), fitted on dev.
_W_CHROMA = 4.01
_W_BRIGHT = 1.93
_BIAS = -5.67


@dataclass(frozen=True)
class MaskVerdict:
    """The mask check's view of one face.

    Attributes:
        masked: confidence at or above the threshold.
        confidence: probability-like score in [0, 1] that the lower face is covered.
        chroma: Cr/Cb distance between the mouth/chin block and the brow band.
        brightness: mean luma of the mouth/chin block minus that of the brow band.
        saturation: median HSV saturation (0-255) of the mouth/chin block.
    """

    masked: bool
    confidence: float
    chroma: float
    brightness: float
    saturation: float = 0.0


class MaskDetector:
    """Judges whether the lower face of an aligned crop is covered."""

    def __init__(self, threshold: float, max_saturation: float = 255.0) -> None:
        self.threshold = threshold
        self.max_saturation = max_saturation

    def assess(self, aligned_bgr: NDArray[np.uint8]) -> MaskVerdict:
        ycc = cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2YCrCb).astype(np.float32)
        brow = np.median(ycc[_BROW].reshape(-1, 3), axis=0)
        lower = np.median(ycc[_LOWER].reshape(-1, 3), axis=0)
        chroma = float(np.hypot(brow[1] - lower[1], brow[2] - lower[2]))
        bright = float(lower[0] - brow[0])
        z = _W_CHROMA * chroma / 10.0 + _W_BRIGHT * bright / 50.0 + _BIAS
        conf = float(1.0 / (1.0 + np.exp(-z)))
        hsv = cv2.cvtColor(np.ascontiguousarray(aligned_bgr[_LOWER]), cv2.COLOR_BGR2HSV)
        sat = float(np.median(hsv[..., 1]))
        masked = conf >= self.threshold and sat <= self.max_saturation
        return MaskVerdict(masked=masked, confidence=conf, chroma=chroma, brightness=bright, saturation=sat)


def plausible_face(det: Detection) -> bool:
    """Landmark geometry of a real upright face: the false-detection check applied to
    low-score detections before they are trusted (eyes level and apart, nose between
    and below them, mouth below the nose, all inside a face-shaped box)."""
    x, y, w, h = det.box
    if w <= 0 or h <= 0 or not 0.8 <= h / w <= 2.0:
        return False
    lm = np.asarray(det.landmarks, dtype=np.float64)
    eye_r, eye_l, nose, mouth_r, mouth_l = lm
    inside = (
        (lm[:, 0] >= x - 0.05 * w)
        & (lm[:, 0] <= x + 1.05 * w)
        & (lm[:, 1] >= y - 0.05 * h)
        & (lm[:, 1] <= y + 1.05 * h)
    )
    if not inside.all():
        return False
    eye_dist = float(np.hypot(*(eye_l - eye_r)))
    if not 0.25 * w <= eye_dist <= 0.7 * w:
        return False
    if eye_l[0] <= eye_r[0] or mouth_l[0] <= mouth_r[0]:
        return False
    eye_y = (eye_r[1] + eye_l[1]) / 2.0
    mouth_y = (mouth_r[1] + mouth_l[1]) / 2.0
    if not eye_y < nose[1] < mouth_y:
        return False
    yaw, pitch = pose_proxies(lm)
    return abs(yaw) <= 0.45 and abs(pitch) <= 0.3
