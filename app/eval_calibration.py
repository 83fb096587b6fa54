"""``facepay eval --calibrate``: fit the impostor score tail on labelled photos and show the
FPIR vs genuine-match-rate curve by gallery size.

The fitted numbers are what ``app/settings.py`` ships (``recognition.tail_*`` and
``recognition.masked_tail_*``); a merchant re-runs this on their own labelled photos and puts
the printed values into their configuration file. The method is described in
``vision._fpir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from app.eval_recognition import probe_set
from vision._fpir import ImpostorTail, fit_impostor_tail, sampled_top1_fpir

if TYPE_CHECKING:
    from app.evaluate import ImageRecord

__all__ = ["CURVE_SIZES", "CURVE_TARGETS", "calibration_block", "impostor_matrix"]

# Gallery sizes and target FPIRs the curve is printed for.
CURVE_SIZES = (100, 1000, 10000, 100000)
CURVE_TARGETS = (1e-2, 1e-3, 1e-4, 1e-5)
# Gallery sizes the top-1 impostor maxima are measured at to correct the independent-tail model.
SAMPLED_SIZES = (100, 300, 1000)
# Fewest measured top-1 exceedances behind a ratio of measured to modelled FPIR.
MIN_EVENTS = 30


def impostor_matrix(
    records: Sequence[ImageRecord], *, masked_probes: bool
) -> tuple[NDArray[np.float32], list[str]]:
    """Probes x customers scores (customer = best unmasked template of an identity, the probe's
    own photo excluded), ``-inf`` in the probe's own identity's column; and the probes' files."""
    live = [r for r in records if r.error is None and r.label.single_live and r.embedding is not None]
    gallery = [i for i, r in enumerate(live) if r.label.pairable and not r.label.masked]
    probes = [i for i, r in enumerate(live) if r.label.masked == masked_probes]
    if not gallery or not probes:
        return np.zeros((0, 0), np.float32), []
    gallery.sort(key=lambda i: live[i].label.identity)
    owners = [live[i].label.identity for i in gallery]
    _, starts = np.unique(np.asarray(owners, dtype=object), return_index=True)
    starts = np.sort(starts)
    owner_ids = np.asarray([owners[i] for i in starts], dtype=object)
    emb = np.vstack([r.embedding for r in live if r.embedding is not None]).astype(np.float32)
    g = emb[gallery]
    out = np.empty((len(probes), len(starts)), np.float32)
    for b0 in range(0, len(probes), 1024):
        rows = probes[b0 : b0 + 1024]
        scores = emb[rows] @ g.T
        scores[np.asarray(rows)[:, None] == np.asarray(gallery)[None, :]] = -np.inf
        per = np.maximum.reduceat(scores, starts, axis=1)
        own = np.asarray([live[i].label.identity for i in rows], dtype=object)
        per[own[:, None] == owner_ids[None, :]] = -np.inf
        out[b0 : b0 + len(rows)] = per
    return out, [live[i].label.file for i in probes]


def _inflation(imp: NDArray[np.float32], tail: ImpostorTail) -> tuple[float, list[dict[str, Any]]]:
    """Largest measured / modelled FPIR over sampled gallery sizes with enough events."""
    checks: list[dict[str, Any]] = []
    worst = 1.0
    probes = imp.shape[0]
    for n in SAMPLED_SIZES:
        if n > imp.shape[1]:
            continue
        ts = [tail.threshold(n, f) for f in (0.1, 0.03, 0.01, 0.003)]
        measured = sampled_top1_fpir(imp, n, ts, draws=10)
        for t, m in zip(ts, measured, strict=True):
            events = float(m) * probes * 10
            model = tail.fpir(t, n)
            ok = events >= MIN_EVENTS
            checks.append(
                {
                    "gallery_size": n,
                    "threshold": round(t, 4),
                    "model_fpir": round(model, 5),
                    "measured_fpir": round(float(m), 5),
                    "events": round(events),
                    "used": bool(ok),
                }
            )
            if ok and model > 0:
                worst = max(worst, float(m) / model)
    return round(worst, 3), checks


def fit_tail(imp: NDArray[np.float32], *, floor: float) -> tuple[ImpostorTail | None, list[dict[str, Any]]]:
    """The tail fitted on the finite impostor scores, with its heterogeneity correction."""
    scores = imp[np.isfinite(imp)]
    if scores.size < 2:
        return None, []
    plain = fit_impostor_tail(scores, floor=floor)
    inflation, checks = _inflation(imp, plain)
    return fit_impostor_tail(scores, floor=floor, inflation=inflation), checks


def _genuine_top(
    records: Sequence[ImageRecord], masked: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Best-customer score and lead over the runner-up of each genuine probe whose own
    customer ranks first (others can never Match correctly): LOO, set-sized gallery."""
    ps = probe_set(records, 2)
    if ps is None:
        return np.zeros(0), np.zeros(0)
    best, lead = [], []
    for r, cand, genuine in zip(ps.records, ps.candidates, ps.genuine, strict=True):
        if not genuine or r.label.masked != masked:
            continue
        if cand and cand[0].customer_id == r.label.identity:
            best.append(cand[0].score)
            lead.append(cand[0].score - (cand[1].score if len(cand) > 1 else -1.0))
        else:
            best.append(-np.inf)
            lead.append(0.0)
    return np.asarray(best), np.asarray(lead)


def _tail_dict(tail: ImpostorTail | None) -> dict[str, Any] | None:
    if tail is None:
        return None
    return {
        "anchor": tail.anchor,
        "anchor_rate": round(tail.anchor_rate, 8),
        "scale": tail.scale,
        "inflation": tail.inflation,
        "comparisons": tail.comparisons,
    }


def _curve(
    tail: ImpostorTail | None, best: NDArray[np.float64], lead: NDArray[np.float64], margin: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in CURVE_SIZES:
        for target in CURVE_TARGETS:
            row: dict[str, Any] = {"gallery_size": n, "target_fpir": target}
            if tail is None or not tail.supports(n, target):
                row.update(threshold=None, genuine_match_rate=0.0 if best.size else None, supported=False)
            else:
                t = tail.threshold(n, target)
                gmr = float(((best >= t) & (lead >= margin)).mean()) if best.size else None
                row.update(
                    threshold=round(t, 4),
                    genuine_match_rate=round(gmr, 4) if gmr is not None else None,
                    supported=True,
                )
            rows.append(row)
    return rows


def calibration_block(records: Sequence[ImageRecord], *, margin: float, floor: float) -> dict[str, Any]:
    """Tails for unmasked and masked probes, their checks and the curve by gallery size.

    The genuine match rate of each point is measured on this set's gallery (its runner-ups
    come from a gallery of the set's size), the threshold is the one for the curve's size.
    """
    block: dict[str, Any] = {"margin": margin, "floor": floor}
    for kind, masked in (("unmasked", False), ("masked", True)):
        imp, _ = impostor_matrix(records, masked_probes=masked)
        tail, checks = fit_tail(imp, floor=floor)
        best, lead = _genuine_top(records, masked)
        block[kind] = {
            "probes": int(imp.shape[0]),
            "customers": int(imp.shape[1]),
            "genuine_probes": int(best.size),
            "tail": _tail_dict(tail),
            "sampled_checks": checks,
            "curve": _curve(tail, best, lead, margin),
        }
    return block


def curve_table(block: dict[str, Any]) -> str:
    """The curve as text: one line per gallery size, one column per target FPIR."""
    lines: list[str] = []
    for kind in ("unmasked", "masked"):
        part = block.get(kind) or {}
        tail = part.get("tail")
        lines.append(
            f"{kind}: {part.get('probes', 0)} probes x {part.get('customers', 0)} customers; tail {tail}"
        )
        head = "  gallery " + "".join(f"| FPIR {t:g}: thr / GMR     " for t in CURVE_TARGETS)
        lines.append(head)
        by_size: dict[int, list[dict[str, Any]]] = {}
        for row in part.get("curve", []):
            by_size.setdefault(row["gallery_size"], []).append(row)
        for n, rows in by_size.items():
            cells = "".join(
                f"| {r['threshold']:.3f} / {r['genuine_match_rate']:.3f}      "
                if r["supported"]
                else "| not supported (PIN)   "
                for r in rows
            )
            lines.append(f"  {n:>7} {cells}")
    return "\n".join(lines)
