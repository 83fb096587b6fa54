"""Exceptions of the :mod:`models` package; the tree is drawn in ``models/__init__.py``."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ManifestError",
    "ModelCorrupt",
    "ModelDirError",
    "ModelError",
    "ModelMissing",
    "ModelUnavailable",
]


class ModelError(Exception):
    """Base of every error raised by :mod:`models`."""


class ManifestError(ModelError, ValueError):
    """The manifest is malformed or names an unknown model."""


class ModelDirError(ModelError):
    """The model directory cannot be created or written to."""


class ModelUnavailable(ModelError):
    """A model file cannot be used; ``fix`` says how to get a good copy.

    Attributes:
        model_id: manifest id of the model.
        path: where the file was expected.
        fix: one line telling the user how to obtain the file.
    """

    def __init__(self, message: str, *, model_id: str, path: Path, fix: str) -> None:
        super().__init__(f"{message}. Fix: {fix}")
        self.model_id = model_id
        self.path = path
        self.fix = fix


class ModelMissing(ModelUnavailable):
    """The model file is absent from the model directory."""


class ModelCorrupt(ModelUnavailable):
    """The model file is present but its size or sha256 differs from the manifest."""
