"""Frame sources: a webcam, a video file, or a folder/glob of images.

Every source is an iterator of ``Frame`` records. A source that cannot be opened
raises ``SourceError``; one that stops delivering mid-stream (camera unplugged,
file deleted, folder removed) raises ``SourceLost`` rather than ending quietly.
"""

from __future__ import annotations

import glob
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._errors import ImageError, SourceError, SourceLost

__all__ = [
    "IMAGE_SUFFIXES",
    "Frame",
    "FrameSource",
    "ImageFolderSource",
    "VideoSource",
    "open_source",
    "read_image",
]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mkv", ".avi", ".mp4", ".mov", ".webm"})
# Largest image side accepted before downscaling on read (a 50-megapixel photo would
# otherwise cost seconds per stage); recognition needs nowhere near this.
MAX_IMAGE_SIDE = 4096


@dataclass(frozen=True)
class Frame:
    """One frame from a source.

    Attributes:
        index: position in the source (0-based).
        image: BGR uint8 pixels.
        name: file name for image folders, else ``"frame N"``.
        timestamp: monotonic time at capture.
    """

    index: int
    image: NDArray[np.uint8]
    name: str
    timestamp: float


def read_image(path: Path) -> NDArray[np.uint8]:
    """Decode an image file to BGR, with a clear error for missing or corrupt files."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except FileNotFoundError as exc:
        raise ImageError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror})") from exc
    if data.size == 0:
        raise ImageError(f"{path}: empty file")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError(f"{path}: not a decodable image (corrupt or unsupported format)")
    h, w = image.shape[:2]
    if max(h, w) > MAX_IMAGE_SIDE:
        s = MAX_IMAGE_SIDE / max(h, w)
        image = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return image  # type: ignore[return-value]


class FrameSource:
    """Base of frame sources: an iterator of frames with a ``close``."""

    description = "frame source"

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoSource(FrameSource):
    """A camera (integer index) or a video file, read through OpenCV.

    Args:
        spec: camera index or video path.
        realtime: pace a file at its own frame rate, as a camera would deliver it.
        loop: restart a file at its end (a demo camera that never runs dry).
    """

    def __init__(self, spec: int | Path, *, realtime: bool = False, loop: bool = False) -> None:
        self._spec = spec
        self._is_file = not isinstance(spec, int)
        if isinstance(spec, Path) and not spec.is_file():
            raise SourceError(f"video file {spec} does not exist")
        self._cap = cv2.VideoCapture(str(spec) if isinstance(spec, Path) else int(spec))
        if not self._cap.isOpened():
            what = f"video file {spec}" if self._is_file else f"camera {spec}"
            raise SourceError(f"cannot open {what}")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if self._is_file else 0
        self._realtime, self._loop = realtime, loop
        self.description = f"video {spec}" if self._is_file else f"camera {spec}"

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        in_file = 0
        next_at = time.monotonic()
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                if self._is_file and self._count and in_file >= self._count - 1:
                    if not self._loop:
                        return
                    self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    in_file = 0
                    continue
                if self._is_file and not Path(self._spec).exists():  # type: ignore[arg-type]
                    raise SourceLost(f"{self.description} disappeared after {index} frames")
                if self._is_file and not self._count:
                    return
                raise SourceLost(f"{self.description} stopped delivering frames after {index} frames")
            if self._realtime:
                next_at += 1.0 / self.fps
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_at = time.monotonic()
            yield Frame(index, image.astype(np.uint8, copy=False), f"frame {index}", time.monotonic())
            index += 1
            in_file += 1

    def close(self) -> None:
        self._cap.release()


class ImageFolderSource(FrameSource):
    """Every image in a folder (sorted by name) or matching a glob pattern.

    Unreadable files are logged and skipped (``skipped`` lists them); a folder that
    vanishes mid-stream raises ``SourceLost``.
    """

    def __init__(self, spec: str | Path, *, loop: bool = False) -> None:
        text = str(spec)
        self._folder = Path(text) if Path(text).is_dir() else None
        if self._folder is not None:
            paths = sorted(p for p in self._folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            paths = sorted(Path(p) for p in glob.glob(text) if Path(p).suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise SourceError(f"no images found at {text}")
        self._paths = paths
        self._loop = loop
        self.skipped: list[str] = []
        self.description = f"images {text}"

    def __len__(self) -> int:
        return len(self._paths)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            for path in self._paths:
                if self._folder is not None and not self._folder.is_dir():
                    raise SourceLost(f"image folder {self._folder} disappeared after {index} frames")
                try:
                    image = read_image(path)
                except ImageError as exc:
                    log.warning("skipping %s", exc)
                    self.skipped.append(path.name)
                    continue
                yield Frame(index, image, path.name, time.monotonic())
                index += 1
            if not self._loop or index == 0:
                return


def open_source(spec: str, *, realtime: bool = False, loop: bool = False) -> FrameSource:
    """A source from a CLI-style spec: ``0`` (camera index), a video file, a folder or a glob."""
    if spec.isdigit():
        return VideoSource(int(spec), realtime=realtime)
    path = Path(spec)
    if path.is_dir() or any(ch in spec for ch in "*?["):
        return ImageFolderSource(spec, loop=loop)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoSource(path, realtime=realtime, loop=loop)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFolderSource(spec, loop=loop)
    if not path.exists():
        raise SourceError(f"camera source {spec!r} is neither a camera index nor an existing file or folder")
    raise SourceError(f"camera source {spec!r}: unsupported file type {path.suffix!r}")
