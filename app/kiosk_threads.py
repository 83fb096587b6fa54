"""The kiosk's own work beside the scan worker, for ``facepay bench --scan --kiosk-threads``.

A kiosk does more than analyse frames: its camera thread decodes every frame at camera rate
and its GUI paints each one, scaled onto the screen. ``KioskThreads`` runs both on helper
threads while the context is open (a video file as the camera, in real time, looping; each
frame scaled smoothly onto a kiosk-sized 32-bit picture, the work of the camera view's paint,
done with OpenCV so that the bench stays free of Qt), so the scan's figures include what
they take from the scan worker's cores. The Qt event loop itself is not in it: the headless
demo (``facepay demo --headless --load N``) times the real window.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from vision import open_source

__all__ = ["KioskThreads"]

log = logging.getLogger(__name__)

# The reference kiosk panel (terminal_ui's KIOSK_SIZE): the picture each frame is painted on.
PANEL_W, PANEL_H = 1280, 800
# Seconds a helper gets to notice the stop and end.
STOP_S = 2.0


class KioskThreads:
    """A camera reader and a painter on two threads while the context is open."""

    def __init__(self, video: Path) -> None:
        self.video = video
        self.painted = 0
        self._stop = threading.Event()
        self._new = threading.Condition()
        self._frame: np.ndarray | None = None
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> KioskThreads:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._read, name="bench-camera", daemon=True),
            threading.Thread(target=self._paint, name="bench-painter", daemon=True),
        ]
        for t in self._threads:
            t.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        with self._new:
            self._new.notify_all()
        for t in self._threads:
            t.join(STOP_S)
        self._threads = []

    def _read(self) -> None:
        source = open_source(str(self.video), realtime=True, loop=True)
        try:
            for item in source:
                if self._stop.is_set():
                    break
                with self._new:
                    self._frame = item.image
                    self._new.notify_all()
        except Exception:
            log.exception("the bench's camera thread stopped")
        finally:
            source.close()

    def _paint(self) -> None:
        panel = np.zeros((PANEL_H, PANEL_W, 4), np.uint8)
        while not self._stop.is_set():
            with self._new:
                self._new.wait_for(lambda: self._frame is not None or self._stop.is_set(), 0.5)
                frame, self._frame = self._frame, None
            if frame is None:
                continue
            h, w = frame.shape[:2]
            s = min(PANEL_W / w, PANEL_H / h)
            fw, fh = round(w * s), round(h * s)
            picture = cv2.resize(frame, (fw, fh), interpolation=cv2.INTER_LINEAR)
            x, y = (PANEL_W - fw) // 2, (PANEL_H - fh) // 2
            panel[y : y + fh, x : x + fw] = cv2.cvtColor(picture, cv2.COLOR_BGR2BGRA)
            self.painted += 1
