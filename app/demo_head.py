"""A demo shopper who turns their head when the kiosk asks: a still photo rendered as a
head with depth, so the head-turn challenge (which refuses flat pictures by nose parallax)
can be timed in ``facepay demo`` without a recorded video.

The depth is a half-ellipsoid over the face box with a bump at the nose tip. A turn by
``angle`` moves every pixel sideways by ``depth * sin(angle)`` (the background, at depth 0,
stays put): a rough 2.5-D rendering, good enough for the kiosk's landmarks to see a nose
move against the eyes as on a real head (smears at the face's edge show it is rendered).
It plays the shopper: a frontal face until ``ask(direction)``, then,
after a human's reaction time, the turn, held; how far it turns is found once, before, with
the kiosk's own detector (``turn_far_enough``), as a person turns until the kiosk is
satisfied. This is a stand-in for a person in front of
the demo's pretend camera, not a liveness test: an attacker who can render this can also
inject it, and the README says so.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator

import cv2
import numpy as np
from numpy.typing import NDArray

from vision import ChallengeLimits, Detection, Frame, Pipeline, nose_parallax, pose_proxies

__all__ = ["HeadTurnCamera", "turn_far_enough", "turn_head"]

# Depth of the head (ellipsoid) and of the nose bump in front of it, in face widths: with
# these, 40 degrees reads as the 0.2 yaw the challenge asks on most of dev's frontal faces
# (the 5-point detector follows a rendered turn only part of the way).
FACE_DEPTH = 0.7
NOSE_DEPTH = 0.3
NOSE_SIGMA = 0.12
# The turns the shopper tries (degrees), how long they take to react, and to turn.
TURN_DEGREES = tuple(range(16, 46, 2))
REACTION_S = 0.6
TURN_S = 0.5
# How far past the challenge's own limits the chosen turn must read (yaw, parallax) and the
# face must still resemble itself (the rendering blurs identity as it turns).
YAW_MARGIN = 0.03
PARALLAX_MARGIN = 0.03
MIN_SIMILARITY = 0.5


def turn_head(frame: NDArray[np.uint8], face: Detection, degrees: float) -> NDArray[np.uint8]:
    """``frame`` with the face in ``face`` turned by ``degrees`` (positive: the subject's own
    left, the nose towards the image's right)."""
    x, y, w, h = face.box
    cx, cy = x + w / 2.0, y + h / 2.0
    nose = np.asarray(face.landmarks, dtype=np.float64)[2]
    fh, fw = frame.shape[:2]
    yy, xx = np.mgrid[:fh, :fw].astype(np.float64)
    shift = math.sin(math.radians(degrees))

    def depth(px: NDArray[np.float64]) -> NDArray[np.float64]:
        u, v = (px - cx) / (0.55 * w), (yy - cy) / (0.65 * h)
        shell = FACE_DEPTH * w * np.sqrt(np.clip(1.0 - u**2 - v**2, 0.0, None))
        bump = (
            NOSE_DEPTH
            * w
            * np.exp(-((px - nose[0]) ** 2 + (yy - nose[1]) ** 2) / (2 * (NOSE_SIGMA * w) ** 2))
        )
        out: NDArray[np.float64] = shell + bump
        return out

    src = xx.copy()
    for _ in range(3):  # the source pixel whose depth carries it to this one
        src = xx - depth(src) * shift
    turned = cv2.remap(
        frame,
        src.astype(np.float32),
        yy.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(turned, dtype=np.uint8)


def turn_far_enough(
    pipeline: Pipeline,
    frame: NDArray[np.uint8],
    face: Detection,
    embedding: NDArray[np.float32],
    limits: ChallengeLimits,
) -> dict[bool, float]:
    """For each way (True: the shopper's left), the smallest of ``TURN_DEGREES`` the kiosk's
    own detector reads as a head turn with margin: a person turns until the kiosk is
    satisfied. Raises ValueError when no rendered turn reads as one."""
    start_yaw = pose_proxies(face.landmarks)[0]
    chosen: dict[bool, float] = {}
    for left in (True, False):
        sign = 1.0 if left else -1.0
        for degrees in TURN_DEGREES:
            seen = pipeline.process(turn_head(frame, face, sign * degrees)).face
            if seen is None or seen.embedding is None:
                continue
            yaw = sign * (pose_proxies(seen.detection.landmarks)[0] - start_yaw)
            parallax = nose_parallax(face.landmarks, seen.detection.landmarks)
            similarity = float(np.dot(seen.embedding, embedding))
            if similarity < MIN_SIMILARITY:
                break
            if yaw >= limits.yaw + YAW_MARGIN and parallax >= limits.min_parallax + PARALLAX_MARGIN:
                chosen[left] = sign * degrees
                break
        if left not in chosen:
            raise ValueError(f"no rendered turn to the {'left' if left else 'right'} reads as a head turn")
    return chosen


class HeadTurnCamera:
    """A pretend camera (frames at ``fps``, in real time) showing a shopper who turns their
    head the way ``ask`` says, after ``REACTION_S``, over ``TURN_S``, and holds it."""

    def __init__(
        self, frame: NDArray[np.uint8], face: Detection, turns: dict[bool, float], *, fps: float = 15.0
    ) -> None:
        self._frame = frame
        self._face = face
        self._turns = turns
        self._fps = fps
        self._lock = threading.Lock()
        self._asked: tuple[float, float] | None = None  # (monotonic time, degrees)
        self._cache: dict[int, NDArray[np.uint8]] = {0: frame}

    def ask(self, left: bool) -> None:
        """The kiosk asked the shopper to turn to their left (True) or right (False)."""
        with self._lock:
            self._asked = (time.monotonic(), self._turns[left])

    def reset(self) -> None:
        """A new shopper: frontal again."""
        with self._lock:
            self._asked = None

    def _degrees(self, now: float) -> float:
        with self._lock:
            asked = self._asked
        if asked is None:
            return 0.0
        t = (now - asked[0] - REACTION_S) / TURN_S
        return asked[1] * min(max(t, 0.0), 1.0)

    def _image(self, degrees: float) -> NDArray[np.uint8]:
        key = round(degrees * 2)  # half-degree steps, rendered once each
        if key not in self._cache:
            self._cache[key] = turn_head(self._frame, self._face, key / 2.0)
        return self._cache[key]

    def frames(self) -> Iterator[Frame]:
        period = 1.0 / self._fps
        start = time.monotonic()
        index = 0
        while True:
            due = start + index * period
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            now = time.monotonic()
            yield Frame(index, self._image(self._degrees(now)), f"frame {index}", now)
            index += 1
