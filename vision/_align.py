"""5-point similarity alignment onto the standard 112x112 ArcFace template."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["ARCFACE_TEMPLATE", "align_face", "similarity_transform"]

# Standard ArcFace 112x112 five-point template; YuNet's landmark order maps onto it 1:1.
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)


def similarity_transform(src: NDArray[np.floating], dst: NDArray[np.floating]) -> NDArray[np.float64]:
    """Least-squares similarity (rotation, uniform scale, translation; no reflection)
    mapping ``src`` points onto ``dst`` (Umeyama 1991). Returns a 2x3 matrix."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - mu_s, dst - mu_d
    var_s = (s0**2).sum() / len(src)
    cov = d0.T @ s0 / len(src)
    u, sig, vt = np.linalg.svd(cov)
    fix = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        fix[1, 1] = -1.0
    rot = u @ fix @ vt
    scale = float((sig * np.diag(fix)).sum() / var_s) if var_s > 0 else 1.0
    t = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, t[:, None]])


def align_face(
    frame: NDArray[np.uint8], landmarks: NDArray[np.floating], size: int = 112
) -> NDArray[np.uint8]:
    """The 112x112 BGR crop of the face whose 5 landmarks are given."""
    dst = ARCFACE_TEMPLATE * (size / 112.0)
    m = similarity_transform(landmarks, dst)
    return cv2.warpAffine(
        frame,
        m,
        (size, size),
        flags=cv2.INTER_LINEAR,  # type: ignore[return-value]
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
