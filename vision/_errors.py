"""The vision exception tree.

::

    VisionError(Exception)
    ├── SourceError            a camera, video or image folder that cannot be opened
    │   └── SourceLost         a source that stopped delivering frames mid-stream
    ├── ImageError             an unreadable, corrupt or unusable image
    ├── ModelError             onnxruntime / OpenCV DNN failed on a model (translated)
    └── GalleryError           the template store cannot be read or written
        └── GalleryKeyError    the gallery key is missing or does not decrypt the store
"""

from __future__ import annotations

__all__ = [
    "GalleryError",
    "GalleryKeyError",
    "ImageError",
    "ModelError",
    "SourceError",
    "SourceLost",
    "VisionError",
]


class VisionError(Exception):
    """Base of every error raised by ``vision``."""


class SourceError(VisionError):
    """A frame source that cannot be opened."""


class SourceLost(SourceError):
    """A frame source that stopped delivering frames (camera unplugged, file vanished)."""


class ImageError(VisionError):
    """An image that cannot be decoded or used."""


class ModelError(VisionError):
    """A model failed to run; the original error is chained."""


class GalleryError(VisionError):
    """The template gallery cannot be read or written."""


class GalleryKeyError(GalleryError):
    """The gallery key is missing, malformed, or not the key the store was written with."""
