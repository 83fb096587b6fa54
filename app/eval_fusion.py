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

__all__ = ["GENUINE_RATES", "fusion_block", "kiosk_frames", "kiosk_window_block"]

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


# Kiosk windows: each probe photo is shown as the demo's camera shows it (letterboxed into a
# 640x480 frame, a pixel of hand-held jitter per frame), WINDOW_SEED fixes the jitter.
WINDOW_SEED = 0


def kiosk_frames(photo: NDArray[np.uint8], n: int, seed: int = WINDOW_SEED) -> list[NDArray[np.uint8]]:
    """``n`` camera frames of ``photo`` as the demo's videos make them (``app.demo_world``)."""
    from app.demo_world import letterbox

    face = letterbox(photo)
    rng = np.random.default_rng(seed)
    return [np.roll(face, tuple(int(v) for v in rng.integers(-1, 2, size=2)), axis=(0, 1)) for _ in range(n)]


def kiosk_window_block(
    records: Sequence[ImageRecord], embed_window: Any, window: int, match_limits: Any
) -> dict[str, Any] | None:
    """Single frame against the fused window on kiosk frames (the demo's videos).

    Every live unmasked photo of an identity with 2+ photos is a probe: ``embed_window(record)``
    returns the embeddings of its ``window`` kiosk frames (None when a frame has no face). As the
    shopper, the identity's other photos are enrolled; as a stranger the identity is removed.
    Reported at the shipped Match threshold and margin for the set's gallery size and, as in
    ``fusion_block``, at thresholds keeping the same genuine match rate.
    """
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
    names = sorted(by_id)
    if len(names) < 2:
        return None
    limits = match_limits(len(names))
    threshold, margin = limits if limits is not None else (np.inf, 0.0)
    col = {who: c for c, who in enumerate(names)}
    emb = np.vstack([r.embedding for r in live if r.embedding is not None]).astype(np.float32)
    rows: dict[str, tuple[list[float], list[float], list[bool]]] = {
        w: ([], [], []) for w in ("single", "fused")
    }
    probes = 0
    for who, idx in sorted(by_id.items()):
        if len(idx) < 2:
            continue
        for probe in idx:
            frames = embed_window(live[probe])
            if frames is None:
                continue
            probes += 1
            gallery = np.asarray([i for i in range(len(live)) if i != probe])
            owners = np.asarray([col[live[i].label.identity] for i in gallery])
            fused = frames.mean(axis=0)
            fused /= np.linalg.norm(fused) or 1.0
            own = col[who]
            for way, vec in (("single", frames[-1]), ("fused", fused)):
                row = _per_customer(vec[None, :] @ emb[gallery].T, owners, len(names))[0]
                order = np.argsort(-row)
                first, second = float(row[order[0]]), float(row[order[1]])
                genuine = first if int(order[0]) == own else -np.inf
                others = np.delete(row, own)
                rows[way][0].append(genuine)
                rows[way][1].append(float(others.max()))
                rows[way][2].append(int(order[0]) == own and first >= threshold and first - second >= margin)
    if probes < 10:
        return None
    out: dict[str, Any] = {
        "probes": probes,
        "window": window,
        "gallery_size": len(names),
        "match_threshold": round(threshold, 4),
        "margin": margin,
    }
    for way, (gen, strangers, matched) in rows.items():
        g = np.sort(np.asarray(gen))
        s = np.asarray(strangers)
        at: dict[str, Any] = {}
        for rate in GENUINE_RATES:
            t = float(g[int(np.floor((1.0 - rate) * g.size))])
            at[f"{rate:g}"] = {"threshold": round(t, 4), "strangers_matched": int((s >= t).sum())}
        out[way] = {
            "genuine_matched_at_shipped": int(np.sum(matched)),
            "strangers_at_shipped": int((s >= threshold).sum()),
            "at_genuine_rate": at,
            "stranger_top1_mean": round(float(s.mean()), 4),
            "genuine_mean": round(float(np.mean(g[np.isfinite(g)])), 4) if np.isfinite(g).any() else None,
        }
    return out
