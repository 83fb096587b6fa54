"""A per-image cache of what the pipeline made of a photo, so ``facepay eval`` re-runs take
seconds while thresholds are iterated on.

One small ``.npz`` per image file, named by a hash of the file (absolute path, size,
modification time) and of a *fingerprint* of everything that changes the pipeline's answer
(the settings that feed it and the source of the vision package). A changed photo, setting or
vision module therefore misses the cache; nothing is ever served stale. The cache holds
templates of labelled photos: it belongs in a temporary folder, never in the repository.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["EmbeddingCache", "pipeline_fingerprint"]

log = logging.getLogger(__name__)


def pipeline_fingerprint(*parts: object) -> str:
    """A hash of ``parts`` (settings sections, model ids) and of the vision package's source."""
    import vision

    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
    root = Path(vision.__file__).parent
    for path in sorted(root.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:24]


class EmbeddingCache:
    """Stores, per image file, a JSON-able dict of fields plus an optional embedding."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.hits = 0
        self.misses = 0
        folder.mkdir(parents=True, exist_ok=True)

    def _key(self, image: Path) -> Path | None:
        try:
            st = image.stat()
        except OSError:
            return None
        text = f"{self.fingerprint}|{image.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        return self.folder / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".npz")

    def get(self, image: Path) -> tuple[dict[str, Any], NDArray[np.float32] | None] | None:
        key = self._key(image)
        if key is None or not key.exists():
            self.misses += 1
            return None
        try:
            with np.load(key, allow_pickle=False) as data:
                fields = json.loads(str(data["fields"]))
                emb = data["embedding"].astype(np.float32) if "embedding" in data.files else None
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring an unreadable cache entry %s: %s", key, exc)
            self.misses += 1
            return None
        self.hits += 1
        return fields, emb

    def put(self, image: Path, fields: dict[str, Any], embedding: NDArray[np.float32] | None) -> None:
        key = self._key(image)
        if key is None:
            return
        arrays: dict[str, Any] = {"fields": np.asarray(json.dumps(fields))}
        if embedding is not None:
            arrays["embedding"] = np.asarray(embedding, dtype=np.float32)
        tmp = key.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(key)
