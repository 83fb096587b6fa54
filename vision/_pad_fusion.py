"""The presentation-attack combiner: a small L2-regularised logistic regression over a
handful of cues (``vision._pad_cues``), stored as one weight per cue plus a bias, in the
cues' own units, so the whole rule is a few numbers in the settings.

Fitting follows the usual score-level fusion of anti-spoofing cues (e.g. Chingovska et al.,
"Anti-spoofing in action: joint operation with a verification system", CVPR Workshops 2013):
cues are standardised, both classes weighted equally, the fit is Newton-Raphson (IRLS) on
the penalised log-likelihood, and the weights are then folded back into raw units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision._pad_cues import CUE_NAMES, PadCues

__all__ = ["PadFusion", "fit_fusion"]


@dataclass(frozen=True)
class PadFusion:
    """Weights of the combiner: ``logit = bias + sum(weight * cue)`` (higher is more live).

    Attributes:
        names: the cues used (names of ``PadCues`` fields).
        weights: one weight per cue, in the cue's raw units.
        bias: the intercept.
    """

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        unknown = [n for n in self.names if n not in CUE_NAMES]
        if unknown or len(self.names) != len(self.weights):
            raise ValueError(f"bad fusion: cues {self.names}, weights {self.weights}")

    def logit(self, cues: PadCues) -> float:
        return self.bias + sum(
            w * float(getattr(cues, n)) for n, w in zip(self.names, self.weights, strict=True)
        )

    def logits(self, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        """Logits of rows of full cue vectors (columns in ``CUE_NAMES`` order)."""
        idx = [CUE_NAMES.index(n) for n in self.names]
        out: NDArray[np.float64] = matrix[:, idx] @ np.asarray(self.weights) + self.bias
        return out


def fit_fusion(
    matrix: NDArray[np.float64],
    live: Sequence[bool] | NDArray[np.bool_],
    names: Sequence[str],
    l2: float = 1.0,
    iterations: int = 50,
) -> PadFusion:
    """Fit the combiner on rows of full cue vectors (``CUE_NAMES`` order) labelled live or not.

    ``l2`` is the penalty on the standardised weights (the bias is not penalised); live and
    attack rows carry equal total weight whatever their counts.
    """
    y = np.asarray(live, dtype=np.float64)
    if y.size == 0 or y.min() == y.max():
        raise ValueError("fitting needs both live and attack rows")
    idx = [CUE_NAMES.index(n) for n in names]
    x = np.asarray(matrix, dtype=np.float64)[:, idx]
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd < 1e-9] = 1.0
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    cw = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1.0 - y.mean()))
    penalty = np.diag(np.r_[np.full(len(idx), l2), 0.0])
    w = np.zeros(z.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (cw * (p - y)) + penalty @ w
        hess = (z * (cw * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    raw = w[:-1] / sd
    bias = float(w[-1] - np.dot(raw, mu))
    return PadFusion(tuple(names), tuple(round(float(v), 6) for v in raw), round(bias, 6))
