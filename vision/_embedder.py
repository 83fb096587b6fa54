"""Face embedding with an ArcFace-style 112x112 recogniser (MobileFaceNet 192-d by default)."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from vision._errors import ModelError

__all__ = ["Embedder", "OrtSession", "l2_normalise"]


class OrtSession(Protocol):
    """The part of ``onnxruntime.InferenceSession`` the wrappers use."""

    def get_inputs(self) -> list[Any]: ...

    def run(self, output_names: list[str] | None, input_feed: dict[str, Any]) -> list[Any]: ...


def l2_normalise(x: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    out: NDArray[np.float32] = (x / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


class Embedder:
    """Turns aligned 112x112 BGR crops into L2-normalised embeddings.

    The session is created by the composition root and passed in; ``mean``/``std``
    follow the manifest's input spec ((x - 127.5) / 128 for MobileFaceNet).
    """

    def __init__(
        self, session: OrtSession, *, model_id: str, mean: float = 127.5, std: float = 128.0, rgb: bool = True
    ) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        self.model_id = model_id
        self._mean, self._std, self._rgb = mean, std, rgb
        probe = self.embed(np.zeros((1, 112, 112, 3), dtype=np.uint8))
        self.dim = int(probe.shape[1])

    def embed(self, crops: NDArray[np.uint8]) -> NDArray[np.float32]:
        """Embeddings for a batch (N x 112 x 112 x 3 BGR) or a single crop."""
        batch = crops[None] if crops.ndim == 3 else crops
        if self._rgb:
            batch = batch[..., ::-1]
        x = ((batch.astype(np.float32) - self._mean) / self._std).transpose(0, 3, 1, 2)
        try:
            (out,) = self._session.run(None, {self._input: np.ascontiguousarray(x)})[:1]
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"recogniser {self.model_id} failed: {exc}") from exc
        return l2_normalise(np.asarray(out, dtype=np.float32))

    def embed_one(self, crop: NDArray[np.uint8]) -> NDArray[np.float32]:
        row: NDArray[np.float32] = self.embed(crop)[0]
        return row
