"""YuNet face detection: frozen ``Detection`` records, main-face choice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._errors import ImageError, ModelError

__all__ = ["Detection", "YuNetDetector", "choose_main_face"]

# YuNet's coarsest feature stride: a region cut on this grid keeps the anchors of the whole frame.
GRID = 32


@dataclass(frozen=True)
class Detection:
    """One detected face in frame pixels.

    Attributes:
        box: (x, y, w, h) in frame pixels (floats).
        landmarks: 5x2 array: right eye, left eye, nose tip, right and left mouth corner
            (subject's right = image left).
        score: detector confidence in [0, 1].
    """

    box: tuple[float, float, float, float]
    landmarks: NDArray[np.float32]
    score: float

    @property
    def width(self) -> float:
        return self.box[2]

    @property
    def centre(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return (x + w / 2.0, y + h / 2.0)

    @property
    def area(self) -> float:
        return max(self.box[2], 0.0) * max(self.box[3], 0.0)


class YuNetDetector:
    """YuNet through ``cv2.FaceDetectorYN``, run at a downscaled copy of the frame.

    The frame's longer side is scaled to ``max_side`` (never enlarged) before
    detection: YuNet at 320x240 costs a fraction of 640x640 and a kiosk face is
    large. Boxes and landmarks are mapped back to the original frame.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        score: float,
        nms: float,
        max_side: int,
        retry_side: int = 0,
        top_k: int = 50,
        floor: float | None = None,
    ) -> None:
        self._score = score
        self._floor = score if floor is None else min(floor, score)
        self._max_side = max_side
        self._retry_side = retry_side
        self._path, self._nms, self._top_k = str(model_path), nms, top_k
        self._roi: tuple[tuple[int, int], cv2.FaceDetectorYN] | None = None
        _quiet_opencv()
        try:
            self._net = cv2.FaceDetectorYN.create(str(model_path), "", (320, 320), self._floor, nms, top_k)
        except cv2.error as exc:
            raise ModelError(f"cannot load the YuNet detector from {model_path}: {exc}") from exc
        self._size: tuple[int, int] = (320, 320)

    @property
    def score_threshold(self) -> float:
        return self._score

    @property
    def floor(self) -> float:
        """Lowest score reported by ``detect_all`` (equal to the threshold unless set lower)."""
        return self._floor

    def detect(self, frame: NDArray[np.uint8]) -> tuple[Detection, ...]:
        """All faces above the score threshold, best score first.

        The frame is first searched at ``max_side``; only when that finds nothing is it
        searched again at ``retry_side`` (enlarging small images): a face that fills a
        small frame, or a tiny one, is found there at a cost paid only on empty frames.
        """
        return self.detect_all(frame)[0]

    def detect_all(self, frame: NDArray[np.uint8]) -> tuple[tuple[Detection, ...], tuple[Detection, ...]]:
        """Faces at or above the score threshold, and those between ``floor`` and it.

        Low-score faces are only candidates: a caller must check them (a masked face
        often scores 0.35-0.6) before trusting one.
        """
        bgr = as_bgr(frame)
        found = self._detect_at(bgr, self._max_side, enlarge=False)
        if not any(d.score >= self._score for d in found) and self._retry_side:
            again = self._detect_at(bgr, self._retry_side, enlarge=True)
            if again and (not found or again[0].score > found[0].score):
                found = again
        return (
            tuple(d for d in found if d.score >= self._score),
            tuple(d for d in found if d.score < self._score),
        )

    def detect_once(self, frame: NDArray[np.uint8]) -> tuple[tuple[Detection, ...], tuple[Detection, ...]]:
        """``detect_all`` without the enlarged second search of a frame where nothing was found."""
        found = self._detect_at(as_bgr(frame), self._max_side, enlarge=False)
        return (
            tuple(d for d in found if d.score >= self._score),
            tuple(d for d in found if d.score < self._score),
        )

    def detect_near(
        self, frame: NDArray[np.uint8], box: tuple[float, float, float, float], *, grow: float
    ) -> tuple[tuple[Detection, ...], tuple[Detection, ...]]:
        """Like ``detect_once``, but only inside a square ``grow`` times the size of ``box``
        around its centre: the cheap step of a tracker, which looks for the face seen in the
        previous frame where it was.

        The frame is downscaled exactly as for the whole-frame search and the square is cut
        from that copy on YuNet's coarsest grid (32 px), so the network sees the face on the
        same pixels and anchors: its box and landmarks are those of the whole-frame search,
        which the anti-spoof crop and the alignment are calibrated on. A second YuNet
        instance does it, so the whole-frame one keeps its input shape (a new shape makes
        OpenCV re-plan the network). A face cut by the square's edge may be missed or scored
        low, so a caller falls back to the whole frame when nothing confident is found.
        """
        bgr = as_bgr(frame)
        if not all(np.isfinite(v) for v in box):
            return (), ()
        small, scale = self._downscaled(bgr, self._max_side)
        sh, sw = small.shape[:2]
        x, y, w, h = (v * scale for v in box)
        half = max(w, h) * grow / 2.0
        cx, cy = x + w / 2.0, y + h / 2.0
        x0 = max(0, int((cx - half) // GRID) * GRID)
        y0 = max(0, int((cy - half) // GRID) * GRID)
        x1 = min(sw, int(-(-(cx + half) // GRID)) * GRID)
        y1 = min(sh, int(-(-(cy + half) // GRID)) * GRID)
        if x1 - x0 < GRID or y1 - y0 < GRID:
            return (), ()
        crop = np.ascontiguousarray(small[y0:y1, x0:x1])
        net = self._roi_net((x1 - x0, y1 - y0))
        try:
            _, faces = net.detect(crop)
        except cv2.error as exc:
            raise ModelError(f"YuNet failed on a {x1 - x0}x{y1 - y0} face region: {exc}") from exc
        found = _detections(faces, 1.0 / scale, (x0 / scale, y0 / scale))
        return (
            tuple(d for d in found if d.score >= self._score),
            tuple(d for d in found if d.score < self._score),
        )

    def _roi_net(self, size: tuple[int, int]) -> cv2.FaceDetectorYN:
        if self._roi is None:
            net = cv2.FaceDetectorYN.create(self._path, "", size, self._floor, self._nms, self._top_k)
            self._roi = (size, net)
        elif self._roi[0] != size:
            self._roi[1].setInputSize(size)
            self._roi = (size, self._roi[1])
        return self._roi[1]

    @staticmethod
    def _downscaled(bgr: NDArray[np.uint8], side: int) -> tuple[NDArray[np.uint8], float]:
        """The frame scaled so its longer side is ``side`` (never enlarged), and the scale."""
        h, w = bgr.shape[:2]
        scale = min(1.0, side / float(max(h, w)))
        if scale == 1.0:
            return bgr, scale
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
        return small, scale  # type: ignore[return-value]

    def _detect_at(self, bgr: NDArray[np.uint8], side: int, *, enlarge: bool) -> tuple[Detection, ...]:
        h, w = bgr.shape[:2]
        scale = side / float(max(h, w))
        if not enlarge:
            scale = min(1.0, scale)
        if scale != 1.0:
            interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
            small = cv2.resize(
                bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=interp
            )
        else:
            small = bgr
        size = (small.shape[1], small.shape[0])
        if size != self._size:
            self._net.setInputSize(size)
            self._size = size
        try:
            _, faces = self._net.detect(small)
        except cv2.error as exc:
            raise ModelError(f"YuNet failed on a {w}x{h} frame: {exc}") from exc
        return _detections(faces, 1.0 / scale, (0.0, 0.0))


def _detections(faces: Any, inv: float, offset: tuple[float, float]) -> tuple[Detection, ...]:
    """YuNet's rows as detections in frame pixels (scaled by ``inv``, shifted by ``offset``),
    best score first."""
    if faces is None:
        return ()
    ox, oy = offset
    out = []
    shift = np.asarray([ox, oy], np.float32)
    for row in faces:
        box = (float(row[0]) * inv + ox, float(row[1]) * inv + oy, float(row[2]) * inv, float(row[3]) * inv)
        lms = (row[4:14].reshape(5, 2) * inv + shift).astype(np.float32)
        out.append(Detection(box=box, landmarks=lms, score=float(row[14])))
    out.sort(key=lambda d: -d.score)
    return tuple(out)


def _quiet_opencv() -> None:
    # OpenCV's DNN warns on every detector creation that it ignores target hints; the
    # warning means nothing to an operator.
    logging_mod = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging_mod is not None:
        logging_mod.setLogLevel(logging_mod.LOG_LEVEL_ERROR)


def as_bgr(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A 3-channel BGR uint8 view of a grey, BGR or BGRA image."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise ImageError("empty image")
    if image.dtype != np.uint8:
        raise ImageError(f"expected an 8-bit image, got {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)  # type: ignore[return-value]
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)  # type: ignore[return-value]
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ImageError(f"unsupported image shape {image.shape}")


def choose_main_face(
    detections: tuple[Detection, ...], frame_shape: tuple[int, ...]
) -> tuple[Detection | None, tuple[Detection, ...]]:
    """The shopper's face (largest, ties broken towards the centre) and the others."""
    if not detections:
        return None, ()
    fh, fw = frame_shape[:2]
    cx, cy = fw / 2.0, fh / 2.0
    diag = float(np.hypot(fw, fh)) or 1.0

    def key(d: Detection) -> float:
        dx, dy = d.centre[0] - cx, d.centre[1] - cy
        # area dominates; centrality counts for up to a quarter of the face's own area
        return d.area * (1.0 - 0.25 * float(np.hypot(dx, dy)) / diag)

    ranked = sorted(detections, key=key, reverse=True)
    return ranked[0], tuple(ranked[1:])
