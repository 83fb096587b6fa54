"""``facepay eval``: does fusing several views of one face lower false matches at the same
genuine match rate?

On a labelled set with several photos per person, each identity with at least three photos
gives one *window*: its first photo stays enrolled, its other photos are the window (2-3
views). As a stranger the same window is probed with the identity removed from the gallery.
Three ways to turn a window into one top-1 score are compared:

* ``single``: each view on its own (the median view's top-1, what one frame would decide),
* ``score_mean``: each customer's score averaged over the views (what the policy did),
* ``embedding_mean``: the mean of the views' normalised embeddings, renormalised, searched once.

For each way and each genuine match rate of ``GENUINE_RATES`` the threshold giving it is found
and the share of stranger windows whose top-1 reaches it is reported (lower is better).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from app.evaluate import ImageRecord

__all__ = ["GENUINE_RATES", "fusion_block"]

# The genuine match rates at which the ways are compared.
GENUINE_RATES = (0.9, 0.95, 0.98)


def _per_customer(scores: NDArray[np.float32], owners: NDArray[np.int64], n: int) -> NDArray[np.float32]:
    out = np.full((scores.shape[0], n), -np.inf, np.float32)
    for c in range(n):
        cols = owners == c
        if cols.any():
            out[:, c] = scores[:, cols].max(axis=1)
    return out


def fusion_block(records: Sequence[ImageRecord]) -> dict[str, Any] | None:
    """The three ways compared on windows of each identity's other photos (None: too few)."""
    live = [
        r
        for r in records
        if r.error is None
        and r.label.single_live
        and r.label.pairable
        and not r.label.masked
        and r.embedding is not None
    ]
    by_id: dict[str, list[int]] = {}
    for i, r in enumerate(live):
        by_id.setdefault(r.label.identity, []).append(i)
    windows = {who: idx for who, idx in by_id.items() if len(idx) >= 3}
    if len(windows) < 10:
        return None
    emb = np.vstack([r.embedding for r in live if r.embedding is not None]).astype(np.float32)
    names = sorted(by_id)
    col = {who: c for c, who in enumerate(names)}
    in_window = {i for idx in windows.values() for i in idx[1:]}
    gallery = np.asarray([i for i in range(len(live)) if i not in in_window])
    owners = np.asarray([col[live[i].label.identity] for i in gallery])
    ways: dict[str, tuple[list[float], list[float]]] = {
        w: ([], []) for w in ("single", "score_mean", "embedding_mean")
    }
    for who, idx in windows.items():
        views = emb[idx[1:]]
        own = col[who]
        per_view = _per_customer(views @ emb[gallery].T, owners, len(names))
        fused = views.mean(axis=0)
        fused /= np.linalg.norm(fused) or 1.0
        per_fused = _per_customer((fused[None, :] @ emb[gallery].T), owners, len(names))[0]
        for way, row in (
            ("single", per_view[len(per_view) // 2]),
            ("score_mean", per_view.mean(axis=0)),
            ("embedding_mean", per_fused),
        ):
            genuine = float(row[own]) if int(np.argmax(row)) == own else -np.inf
            others = np.delete(row, own)
            ways[way][0].append(genuine)
            ways[way][1].append(float(others.max()))
    out: dict[str, Any] = {"windows": len(windows), "gallery_size": len(names)}
    for way, (gen, strangers) in ways.items():
        g = np.sort(np.asarray(gen))
        s = np.asarray(strangers)
        at: dict[str, Any] = {}
        for rate in GENUINE_RATES:
            t = float(g[int(np.floor((1.0 - rate) * g.size))])
            at[f"{rate:g}"] = {
                "threshold": round(t, 4),
                "strangers_matched": int((s >= t).sum()),
                "stranger_rate": round(float((s >= t).mean()), 4),
            }
        out[way] = {
            "at_genuine_rate": at,
            "stranger_top1_mean": round(float(s.mean()), 4),
            "genuine_mean": round(float(np.mean(g[np.isfinite(g)])), 4),
        }
    return out
