"""Quality gate: is this face good enough to recognise, and if not, what should the shopper do?"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._decision import Guidance
from vision._detector import Detection

__all__ = ["Quality", "QualityLimits", "assess_quality", "pose_proxies"]


@dataclass(frozen=True)
class QualityLimits:
    """Limits of the gate (the settings section ``vision`` holds one as ``quality``).

    Attributes:
        min_face_px: smallest face width in frame pixels.
        min_sharpness: smallest Laplacian variance of the aligned grey crop.
        max_yaw: largest |yaw| proxy.
        max_pitch: largest |pitch| proxy.
        min_brightness: darkest mean grey level of the crop.
        max_brightness: brightest mean grey level of the crop.
    """

    min_face_px: float
    min_sharpness: float
    max_yaw: float
    max_pitch: float
    min_brightness: float
    max_brightness: float


@dataclass(frozen=True)
class Quality:
    """The gate's verdict on one face.

    Attributes:
        ok: every check passed.
        problems: what to fix, most important first (empty when ok).
        face_px: face width in frame pixels.
        sharpness: Laplacian variance of the aligned grey crop.
        yaw: signed yaw proxy (negative: the subject turned to their right / image left).
        pitch: signed pitch proxy (positive: looking down).
        brightness: mean grey level of the crop.
    """

    ok: bool
    problems: tuple[Guidance, ...]
    face_px: float
    sharpness: float
    yaw: float
    pitch: float
    brightness: float


def pose_proxies(landmarks: NDArray[np.floating]) -> tuple[float, float]:
    """Yaw and pitch proxies from the 5 landmarks, both ~0 for a frontal face.

    Yaw: horizontal offset of the nose from the eye midpoint, over the eye distance
    (about +-0.5 at a 45-degree turn). Pitch: where the nose sits between the eye line
    and the mouth line, relative to the frontal template's 0.49.
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    eye_r, eye_l, nose, mouth_r, mouth_l = lm
    eye_mid = (eye_r + eye_l) / 2.0
    mouth_mid = (mouth_r + mouth_l) / 2.0
    eye_dist = float(np.hypot(*(eye_l - eye_r))) or 1.0
    axis = eye_l - eye_r
    axis /= np.hypot(*axis) or 1.0
    yaw = float(np.dot(nose - eye_mid, axis)) / eye_dist
    face_h = float(np.hypot(*(mouth_mid - eye_mid))) or 1.0
    normal = np.array([-axis[1], axis[0]])
    t = float(np.dot(nose - eye_mid, normal)) / face_h
    pitch = t - 0.49
    return yaw, pitch


def assess_quality(det: Detection, aligned_bgr: NDArray[np.uint8], limits: QualityLimits) -> Quality:
    """Check size, pose, exposure and sharpness, in the order a shopper can fix them."""
    grey = cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2GRAY)
    centre = grey[16:100, 16:96]
    sharp = float(cv2.Laplacian(centre, cv2.CV_64F).var())
    bright = float(centre.mean())
    yaw, pitch = pose_proxies(det.landmarks)
    problems: list[Guidance] = []
    if det.width < limits.min_face_px:
        problems.append(Guidance.MOVE_CLOSER)
    if abs(yaw) > limits.max_yaw or abs(pitch) > limits.max_pitch:
        problems.append(Guidance.FACE_CAMERA)
    if bright < limits.min_brightness:
        problems.append(Guidance.MORE_LIGHT)
    elif bright > limits.max_brightness:
        problems.append(Guidance.LESS_LIGHT)
    if sharp < limits.min_sharpness:
        problems.append(Guidance.HOLD_STILL)
    return Quality(
        ok=not problems,
        problems=tuple(problems),
        face_px=det.width,
        sharpness=sharp,
        yaw=yaw,
        pitch=pitch,
        brightness=bright,
    )
