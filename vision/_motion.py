"""Multi-frame evidence from the 5 landmarks: is the face moving as a 3-D head or as a
flat picture?

Four of the landmarks (both eyes, both mouth corners) lie close to one plane of the face;
the nose tip stands out of it. Every view of a flat picture (a print, a phone or monitor
showing a face), however it is tilted or moved, maps those four points to their new place
by one plane-to-plane homography, and the nose goes exactly where that homography sends
it. A real head turning sideways moves the nose off that prediction by about its depth
times the sine of the turn (motion parallax). The measure is the classic plane-plus-
parallax decomposition (Irani and Anandan, "Parallax geometry of pairs of points for 3D
scene analysis", ECCV 1996; Hartley and Zisserman, "Multiple View Geometry", ch. 13), the
same cue that liveness work reads from optical flow (Kollreider, Fronthaler and Bigun,
"Non-intrusive liveness detection by face images", Image and Vision Computing 2009).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["nose_parallax"]

_PLANE = (0, 1, 3, 4)  # right eye, left eye, right and left mouth corner
_NOSE = 2


def nose_parallax(start: NDArray[np.floating], now: NDArray[np.floating]) -> float:
    """How far (in eye distances of ``now``) the nose tip is from where a flat picture's
    nose would be, given how the eyes and mouth corners moved from ``start`` to ``now``.

    About 0 for any motion of a flat picture; about 0.15-0.3 for a real head turned by
    20-30 degrees. Returns 0 for degenerate landmarks (coincident points).
    """
    a = np.asarray(start, dtype=np.float32).reshape(5, 2)
    b = np.asarray(now, dtype=np.float32).reshape(5, 2)
    eye_dist = float(np.hypot(*(b[1] - b[0])))
    if eye_dist < 1e-3 or float(np.hypot(*(a[1] - a[0]))) < 1e-3:
        return 0.0
    try:
        h = cv2.getPerspectiveTransform(a[list(_PLANE)], b[list(_PLANE)])
    except cv2.error:
        return 0.0
    if not np.isfinite(h).all():
        return 0.0
    predicted = cv2.perspectiveTransform(a[None, [_NOSE]], h)[0, 0]
    if not np.isfinite(predicted).all():
        return 0.0
    return float(np.hypot(*(b[_NOSE] - predicted)) / eye_dist)
