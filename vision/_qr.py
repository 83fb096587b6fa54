"""QR codes on camera frames: the cashier holds a receipt (paper or phone) up to the camera.

Same calling pattern as the face scan (``reset``, then ``analyse`` per frame, a ``decision``
once there is one), so the kiosk's camera worker runs it off the GUI thread like a scan.
OpenCV's classic detector misses some codes it should read (about 1 in 20 receipt links drawn
perfectly, measured by the receipt QR test); its ArUco-based detector reads those, so a frame
the first misses is given to the second.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["QrReader", "QrSighting"]


@dataclass(frozen=True)
class QrSighting:
    """What one frame showed.

    Attributes:
        frame_index: frames read since ``reset``.
        text: the QR code's text, "" when none was read.
    """

    frame_index: int
    text: str = ""

    @property
    def decision(self) -> str | None:
        """The text once a code was read (the scan ends), else None."""
        return self.text or None


class QrReader:
    """Reads the first QR code seen on BGR (or grey) frames. Not thread-safe: one thread uses it."""

    def __init__(self) -> None:
        self._classic = cv2.QRCodeDetector()
        self._aruco = cv2.QRCodeDetectorAruco()
        self._frames = 0

    def reset(self, *, amount_minor: int = 0) -> None:
        """A new scan (``amount_minor`` is the face scan's; a receipt has none)."""
        self._frames = 0

    def analyse(self, frame: np.ndarray) -> QrSighting:
        """Read one frame."""
        self._frames += 1
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        text = ""
        for detector in (self._classic, self._aruco):
            try:
                found, _, _ = detector.detectAndDecode(grey)
            except cv2.error:  # a frame OpenCV cannot read holds no code
                found = ""
            if found:
                text = str(found)
                break
        return QrSighting(self._frames, text)
