"""Verification metrics over all pairs, computed with matrix products (never a Python
loop over pairs): AUC, EER, TAR at fixed FAR and the thresholds that give them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["PairScores", "VerificationMetrics", "pair_scores", "verification_metrics"]

FARS: tuple[float, ...] = (0.01, 0.001, 0.0001)


@dataclass(frozen=True)
class VerificationMetrics:
    """How well scores separate genuine from impostor pairs.

    Attributes:
        genuine_pairs: number of same-identity pairs.
        impostor_pairs: number of different-identity pairs.
        auc: area under the ROC curve.
        eer: equal error rate.
        tar_at_far: true-accept rate at each false-accept rate (key: FAR as text); null
            where there are fewer than 1/FAR impostor pairs.
        threshold_at_far: the cosine threshold (accept if score >= t) giving that FAR.
        genuine_mean: mean genuine score.
        impostor_mean: mean impostor score.
        impostor_max: highest impostor score.
    """

    genuine_pairs: int
    impostor_pairs: int
    auc: float
    eer: float
    tar_at_far: dict[str, float | None] = field(default_factory=dict)
    threshold_at_far: dict[str, float | None] = field(default_factory=dict)
    genuine_mean: float = 0.0
    impostor_mean: float = 0.0
    impostor_max: float = 0.0


@dataclass(frozen=True)
class PairScores:
    """Genuine and impostor scores of one category of pairs.

    Attributes:
        genuine: scores of same-identity pairs.
        impostor: scores of different-identity pairs.
    """

    genuine: NDArray[np.float32]
    impostor: NDArray[np.float32]


def _far_key(far: float) -> str:
    return f"{far:g}" if far >= 0.001 else f"{far:.4f}"


def verification_metrics(
    genuine: NDArray[np.floating], impostor: NDArray[np.floating], fars: Sequence[float] = FARS
) -> VerificationMetrics | None:
    """Metrics of one category, or None when it has no genuine or no impostor pairs.

    A FAR is reported only where there are at least 1/FAR impostor pairs (a FAR of
    1 in 10,000 cannot be measured on 1,000 impostors).
    """
    g = np.sort(np.asarray(genuine, dtype=np.float64))
    imp = np.sort(np.asarray(impostor, dtype=np.float64))
    if g.size == 0 or imp.size == 0:
        return None
    below = np.searchsorted(imp, g, side="left")
    equal = np.searchsorted(imp, g, side="right") - below
    auc = float((below + 0.5 * equal).sum() / (g.size * imp.size))
    tar: dict[str, float | None] = {}
    thr: dict[str, float | None] = {}
    for far in fars:
        if imp.size * far < 1.0:
            if far >= 0.001:  # always reported, as null when the data cannot measure it
                tar[_far_key(far)] = thr[_far_key(far)] = None
            continue
        allowed = int(np.floor(far * imp.size))
        t = float(np.nextafter(imp[imp.size - allowed - 1], np.inf))
        thr[_far_key(far)] = round(t, 6)
        tar[_far_key(far)] = round(float((g >= t).mean()), 6)
    return VerificationMetrics(
        genuine_pairs=int(g.size),
        impostor_pairs=int(imp.size),
        auc=round(auc, 6),
        eer=round(_eer(g, imp), 6),
        tar_at_far=tar,
        threshold_at_far=thr,
        genuine_mean=round(float(g.mean()), 6),
        impostor_mean=round(float(imp.mean()), 6),
        impostor_max=round(float(imp[-1]), 6),
    )


def _eer(g: NDArray[np.float64], imp: NDArray[np.float64]) -> float:
    """Equal error rate over every candidate threshold (sorted inputs)."""
    grid = np.unique(np.concatenate([g, imp[:: max(1, imp.size // 20000)], imp[-1:]]))
    frr = np.searchsorted(g, grid, side="left") / g.size
    far = 1.0 - np.searchsorted(imp, grid, side="left") / imp.size
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2.0)


def pair_scores(
    embeddings: NDArray[np.float32],
    identities: Sequence[str],
    masked: Sequence[bool],
    *,
    block: int = 1024,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, PairScores]:
    """Scores of every unordered pair, split into ``unmasked``, ``masked_vs_unmasked`` and
    ``masked_vs_masked``, each into genuine and impostor. Rows are processed in blocks
    (one matrix product per block) so tens of millions of pairs fit in memory.
    """
    e = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = e.shape[0]
    _, ids = np.unique(np.asarray(identities, dtype=object), return_inverse=True)
    ids = ids.astype(np.int64)
    m = np.asarray(masked, dtype=bool)
    parts: dict[str, tuple[list[NDArray[np.float32]], list[NDArray[np.float32]]]] = {
        k: ([], []) for k in ("unmasked", "masked_vs_unmasked", "masked_vs_masked")
    }
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = e[start:stop] @ e.T
        rows = np.arange(start, stop)[:, None]
        cols = np.arange(n)[None, :]
        upper = cols > rows
        same = ids[start:stop, None] == ids[None, :]
        nmask = m[start:stop, None].astype(np.int8) + m[None, :].astype(np.int8)
        for kind, count in (("unmasked", 0), ("masked_vs_unmasked", 1), ("masked_vs_masked", 2)):
            sel = upper & (nmask == count)
            parts[kind][0].append(scores[sel & same])
            parts[kind][1].append(scores[sel & ~same])
        if progress is not None:
            progress(stop, n)
    empty = np.zeros(0, dtype=np.float32)
    return {
        k: PairScores(np.concatenate(g) if g else empty, np.concatenate(i) if i else empty)
        for k, (g, i) in parts.items()
    }
