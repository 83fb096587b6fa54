"""``facepay eval``: the recognition blocks (mask check and 1:N decisions) over labelled photos.

The decision block enrols every identity from its unmasked photos and probes with every live
photo, the probe's own photo left out of the gallery (leave-one-out), so the gallery has the
set's size: 1,702 customers on ``faces/cal``. Each probe is decided by the kiosk's own
``DecisionPolicy`` at that gallery size. Every false match is listed so it can be inspected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from vision import Candidate, DecisionPolicy, FrameEvidence, Match, NeedPin, Reject

if TYPE_CHECKING:
    from app.evaluate import ImageRecord

__all__ = ["RANKS", "Probes", "decision_block", "loo_candidates", "mask_block", "probe_set"]

# Ranks reported for the right shopper (the PIN candidate set size k is chosen from them).
RANKS = (1, 2, 3, 4, 5)


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def mask_block(records: list[ImageRecord]) -> dict[str, Any]:
    """The mask check against the labels, on live single-subject photos with a face."""
    rows = [r for r in records if r.error is None and r.label.single_live and r.mask_confidence is not None]
    masked = [r for r in rows if r.label.masked]
    unmasked = [r for r in rows if not r.label.masked]
    false_masked = sum(1 for r in unmasked if r.masked_pred)
    missed = sum(1 for r in masked if not r.masked_pred)
    return {
        "masked": len(masked),
        "unmasked": len(unmasked),
        "false_masked_count": false_masked,
        "missed_count": missed,
        "accuracy": _rate(len(rows) - false_masked - missed, len(rows)),
        "false_masked_rate": _rate(false_masked, len(unmasked)),
        "missed_mask_rate": _rate(missed, len(masked)),
        "false_masked": sorted(r.label.file for r in unmasked if r.masked_pred),
        "missed": sorted(r.label.file for r in masked if not r.masked_pred),
    }


def loo_candidates(
    probes: NDArray[np.float32],
    probe_rows: NDArray[np.int64],
    gallery: NDArray[np.float32],
    gallery_rows: NDArray[np.int64],
    owners: list[str],
    k: int,
    block: int = 1024,
) -> list[tuple[Candidate, ...]]:
    """Top-k customers for every probe with the probe's own photo left out of the gallery.

    Gallery rows are sorted by owner; one matrix product per block of probes, the probe's
    own column masked out, a per-owner max by ``reduceat`` and a partial sort.
    """
    _, starts = np.unique(np.asarray(owners, dtype=object), return_index=True)
    starts = np.sort(starts)
    owner_ids = [owners[i] for i in starts]
    k = min(k, len(owner_ids))
    out: list[tuple[Candidate, ...]] = []
    for b0 in range(0, len(probes), block):
        scores = probes[b0 : b0 + block] @ gallery.T
        self_hit = probe_rows[b0 : b0 + block, None] == gallery_rows[None, :]
        scores[self_hit] = -np.inf
        per_owner = np.maximum.reduceat(scores, starts, axis=1)
        top = np.argpartition(-per_owner, k - 1, axis=1)[:, :k]
        for row, idx in zip(per_owner, top, strict=True):
            idx = idx[np.argsort(-row[idx])]
            out.append(tuple(Candidate(owner_ids[i], float(row[i])) for i in idx if np.isfinite(row[i])))
    return out


@dataclass(frozen=True)
class Probes:
    """Enrol-then-probe view of a labelled set.

    Attributes:
        records: the live single-subject photos with a face, in label order.
        candidates: each probe's top candidates, its own photo left out of the gallery.
        genuine: each probe's identity has at least one other enrolled photo.
        gallery_size: enrolled customers (the gallery the policy is judged at).
        enrolled_photos: templates in the gallery.
    """

    records: tuple[ImageRecord, ...]
    candidates: tuple[tuple[Candidate, ...], ...]
    genuine: tuple[bool, ...]
    gallery_size: int
    enrolled_photos: int


def probe_set(records: Sequence[ImageRecord], k: int = max(RANKS)) -> Probes | None:
    """Every live photo as a probe against the gallery of every identity's unmasked photos."""
    probes = [r for r in records if r.error is None and r.label.single_live and r.embedding is not None]
    enrol = [i for i, r in enumerate(probes) if r.label.pairable and not r.label.masked]
    if not probes or not enrol:
        return None
    enrol.sort(key=lambda i: probes[i].label.identity)
    emb = np.vstack([r.embedding for r in probes if r.embedding is not None]).astype(np.float32)
    cands = loo_candidates(
        emb,
        np.arange(len(probes)),
        emb[enrol],
        np.asarray(enrol),
        [probes[i].label.identity for i in enrol],
        k,
    )
    per_identity: dict[str, int] = {}
    for i in enrol:
        per_identity[probes[i].label.identity] = per_identity.get(probes[i].label.identity, 0) + 1
    in_gallery = set(enrol)
    genuine = tuple(
        per_identity.get(r.label.identity, 0) - (j in in_gallery) > 0 for j, r in enumerate(probes)
    )
    return Probes(tuple(probes), tuple(cands), genuine, len(per_identity), len(enrol))


def _new_split() -> dict[str, Any]:
    return {
        "probes": 0,
        "match": 0,
        "need_pin": 0,
        "reject": 0,
        "false_match": 0,
        "genuine": 0,
        "genuine_match": 0,
        "genuine_need_pin": 0,
        "genuine_pin_right_candidate": 0,
        "rank_hits": dict.fromkeys(RANKS, 0),
        "pin_right_in_first": dict.fromkeys(RANKS, 0),
        "reasons": {},
    }


def _count(
    c: dict[str, Any],
    r: ImageRecord,
    cand: tuple[Candidate, ...],
    genuine: bool,
    decision: Match | NeedPin | Reject | None,
) -> None:
    who = r.label.identity
    c["probes"] += 1
    c["genuine"] += genuine
    if genuine:
        ranked = [x.customer_id for x in cand]
        for k in RANKS:
            c["rank_hits"][k] += who in ranked[:k]
    if isinstance(decision, Match):
        c["match"] += 1
        c["false_match"] += decision.customer_id != who
        c["genuine_match"] += genuine and decision.customer_id == who
    elif isinstance(decision, NeedPin):
        c["need_pin"] += 1
        c["genuine_need_pin"] += genuine
        c["genuine_pin_right_candidate"] += genuine and who in decision.candidates
        if genuine and who in decision.candidates:
            pos = decision.candidates.index(who) + 1
            for k in RANKS:
                c["pin_right_in_first"][k] += pos <= k
        c["reasons"][decision.reason.value] = c["reasons"].get(decision.reason.value, 0) + 1
    elif isinstance(decision, Reject):
        c["reject"] += 1
        c["reasons"][decision.reason.value] = c["reasons"].get(decision.reason.value, 0) + 1


def _finish(c: dict[str, Any]) -> dict[str, Any]:
    g = c["genuine"]
    c["genuine_match_rate"] = _rate(c["genuine_match"], g)
    c["genuine_pin_right_candidate_rate"] = _rate(c["genuine_pin_right_candidate"], g)
    c["genuine_served_rate"] = _rate(c["genuine_match"] + c["genuine_pin_right_candidate"], g)
    c["rank_rates"] = {str(k): _rate(v, g) for k, v in c.pop("rank_hits").items()}
    # Of the genuine shoppers sent to the PIN, the share whose own account is among the first
    # k candidates offered: the data the PIN candidate set size k is chosen from.
    c["pin_right_in_first_k"] = {
        str(k): _rate(v, c["genuine_need_pin"]) for k, v in c.pop("pin_right_in_first").items()
    }
    return c


def decision_block(records: list[ImageRecord], policy: DecisionPolicy) -> dict[str, Any]:
    """Enrol every identity from its other (unmasked) photos, probe with each live photo.

    A probe whose passive verdict is ``challenge`` is decided as if the shopper had followed
    the challenge (a single photo cannot run it; the live shopper would). ``false_match``
    counts Matches naming the wrong customer; strangers (``unknown_*``, or identities with
    no other photo) can only be falsely matched.
    """
    ps = probe_set(records, max(max(RANKS), policy.limits.max_candidates))
    if ps is None:
        return {"probes": sum(1 for r in records if r.embedding is not None), "enrolled_customers": 0}
    splits = {"all": _new_split(), "masked": _new_split(), "unmasked": _new_split()}
    false_matches: list[dict[str, Any]] = []
    for r, cand, genuine in zip(ps.records, ps.candidates, ps.genuine, strict=True):
        evidence = FrameEvidence(
            cand,
            r.liveness if r.liveness is not None else float("-inf"),
            r.masked_pred,
            gallery_size=ps.gallery_size,
        )
        decision = policy.decide([evidence], live_confirmed=True)
        for split in ("all", "masked" if r.label.masked else "unmasked"):
            _count(splits[split], r, cand, genuine, decision)
        if isinstance(decision, Match) and decision.customer_id != r.label.identity:
            false_matches.append(
                {
                    "file": r.label.file,
                    "identity": r.label.identity,
                    "matched": decision.customer_id,
                    "score": round(decision.score, 4),
                    "runner_up": round(decision.score - decision.margin, 4),
                    "faces": r.faces,
                    "masked": r.label.masked,
                    "masked_pred": r.masked_pred,
                    "enrolled": genuine,
                }
            )
    block = _finish(splits["all"])
    block["masked"] = _finish(splits["masked"]) if splits["masked"]["probes"] else None
    block["unmasked"] = _finish(splits["unmasked"]) if splits["unmasked"]["probes"] else None
    block["false_matches"] = false_matches
    block["gallery_size"] = ps.gallery_size
    block["enrolled_photos"] = ps.enrolled_photos
    block["enrolled_customers"] = ps.gallery_size
    block["thresholds"] = policy.limits.describe(ps.gallery_size)
    return block
