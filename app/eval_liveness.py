"""The liveness block of ``facepay eval``, reported the way ISO/IEC 30107-3 reports
presentation-attack detection, plus a leave-one-source-out report.

Per photo the terminal's passive verdict is ``pass`` (face-only Match allowed), ``challenge``
(the head turn first) or ``reject``. Figures:

- APCER per attack type (``replay_phone``, ``replay_monitor``, ``print``, ``spoof``...):
  share of that type's attack photos that pass without a challenge; ``apcer`` is the worst
  type (ISO/IEC 30107-3 reports the maximum over attack species). A photo with no face
  found cannot pass. Attacks sent to the challenge are counted apart.
- BPCER: share of live photos with a face rejected outright; the live challenge rate: share
  of live photos asked to turn their head.
- A face that fills the frame is not judged at all: the kiosk asks the shopper to step back
  first (``vision.Guidance.STEP_BACK``). Such photos are counted apart (``step_back``): an
  attack there has not passed, a live face there has been neither challenged nor rejected.

All of it overall and per capture source. Frames of one clip are near copies, so the
source, not the photo, is the unit of evidence: the leave-one-source-out report fits the
combiner and its two cuts on every source but one with ``FitRecipe`` and measures the one
left out, for each source, next to the in-sample figure of the configured settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from vision import LivenessLimits, PadFusion, fit_fusion, liveness_verdict

if TYPE_CHECKING:
    from app.evaluate import ImageRecord

__all__ = ["FitRecipe", "FittedRule", "fit_rule", "liveness_block", "summarise"]


@dataclass(frozen=True)
class FitRecipe:
    """How the combiner and its cuts are chosen from labelled faces (values from Settings).

    Attributes:
        cues: the cues the combiner uses.
        l2: ridge penalty on the standardised weights.
        pass_margin: the pass cut sits this far above the highest attack logit.
        reject_margin: the reject cut sits this far below the lowest live logit.
    """

    cues: tuple[str, ...]
    l2: float
    pass_margin: float
    reject_margin: float


@dataclass(frozen=True)
class FittedRule:
    """A fitted combiner with its two cuts.

    Attributes:
        fusion: the combiner.
        pass_threshold: logit at or above which a face passes without a challenge.
        reject_threshold: logit below which a face is rejected.
    """

    fusion: PadFusion
    pass_threshold: float
    reject_threshold: float


def fit_rule(
    matrix: NDArray[np.float64], live: Sequence[bool] | NDArray[np.bool_], recipe: FitRecipe
) -> FittedRule:
    """Fit the combiner, then put the pass cut above every attack and the reject cut below
    every live face of the training rows (never above the pass cut)."""
    y = np.asarray(live, dtype=bool)
    fusion = fit_fusion(matrix, y, recipe.cues, recipe.l2)
    logits = fusion.logits(matrix)
    pass_t = float(logits[~y].max()) + recipe.pass_margin
    reject_t = min(float(logits[y].min()) - recipe.reject_margin, pass_t)
    return FittedRule(fusion, round(pass_t, 4), round(reject_t, 4))


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _verdict(score: float | None, limits: LivenessLimits, step_back: bool = False) -> str:
    if score is None:
        return "no_face"
    return "step_back" if step_back else liveness_verdict(score, limits).value


def _counts() -> dict[str, int]:
    return {"pass": 0, "challenge": 0, "reject": 0, "no_face": 0, "step_back": 0}


def summarise(
    scores: Sequence[float | None],
    attacks: Sequence[str],
    limits: LivenessLimits,
    step_back: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """ISO/IEC 30107-3 style figures of faces with their scores (None: no face found) and
    attack types (empty: live); ``step_back`` marks faces the kiosk asks to step back."""
    live = _counts()
    per_type: dict[str, dict[str, int]] = {}
    backs = [False] * len(scores) if step_back is None else list(step_back)
    for score, attack, back in zip(scores, attacks, backs, strict=True):
        counts = live if not attack else per_type.setdefault(attack, _counts())
        counts[_verdict(score, limits, back)] += 1
    n_live = live["pass"] + live["challenge"] + live["reject"]  # live faces judged
    types: dict[str, Any] = {}
    for name, c in sorted(per_type.items()):
        n = sum(c.values())
        types[name] = {
            "attacks": n,
            "passed": c["pass"],
            "challenged": c["challenge"],
            "rejected": c["reject"],
            "no_face": c["no_face"],
            "step_back": c["step_back"],
            "apcer": _rate(c["pass"], n),
        }
    apcers = [t["apcer"] for t in types.values() if t["apcer"] is not None]
    return {
        "live": n_live,
        "attacks": sum(t["attacks"] for t in types.values()),
        "apcer": max(apcers) if apcers else None,
        "attacks_passed": sum(t["passed"] for t in types.values()),
        "attacks_challenged": sum(t["challenged"] for t in types.values()),
        "bpcer": _rate(live["reject"], n_live),
        "live_challenge_rate": _rate(live["challenge"], n_live),
        "live_rejected": live["reject"],
        "live_challenged": live["challenge"],
        "live_step_back": live["step_back"],
        "attacks_step_back": sum(t["step_back"] for t in types.values()),
        "by_attack": types,
    }


def _limits(rule: FittedRule, window: int) -> LivenessLimits:
    return LivenessLimits(rule.pass_threshold, rule.reject_threshold, window)


def leave_one_source_out(
    records: Sequence[ImageRecord], limits: LivenessLimits, recipe: FitRecipe
) -> dict[str, Any] | None:
    """For each source with live and attack faces: fit on the others, measure on it.

    None when fewer than two sources have both live faces and attacks with cues."""
    rows = [r for r in records if r.cues is not None and not r.step_back]
    sources = sorted({r.source for r in rows})
    both = [
        s
        for s in sources
        if any(r.label.spoof for r in rows if r.source == s)
        and any(not r.label.spoof for r in rows if r.source == s)
    ]
    if len(both) < 2:
        return None
    matrix = np.vstack([r.cues.vector() for r in rows if r.cues is not None])
    live = np.asarray([not r.label.spoof for r in rows])
    src = np.asarray([r.source for r in rows])
    folds: dict[str, Any] = {}
    for held in both:
        train = src != held
        rule = fit_rule(matrix[train], live[train], recipe)
        logits = rule.fusion.logits(matrix[~train])
        test = [r for r in rows if r.source == held]
        backs = [r for r in records if r.source == held and r.cues is not None and r.step_back]
        out = summarise(
            [float(v) for v in logits] + [0.0 for _ in backs],
            [r.label.attack for r in test + backs],
            _limits(rule, limits.window),
            [False for _ in test] + [True for _ in backs],
        )
        out["rule"] = {
            "weights": dict(zip(rule.fusion.names, rule.fusion.weights, strict=True)),
            "bias": rule.fusion.bias,
            "pass": rule.pass_threshold,
            "reject": rule.reject_threshold,
        }
        inside = [r for r in records if r.source == held]
        out["in_sample"] = summarise(
            [r.liveness for r in inside],
            [r.label.attack for r in inside],
            limits,
            [r.step_back for r in inside],
        )
        folds[held or "unknown"] = out
    worst = {
        "attacks_passed": sum(f["attacks_passed"] for f in folds.values()),
        "max_bpcer": max(f["bpcer"] or 0.0 for f in folds.values()),
        "max_live_challenge_rate": max(f["live_challenge_rate"] or 0.0 for f in folds.values()),
    }
    return {
        "recipe": {
            "cues": list(recipe.cues),
            "l2": recipe.l2,
            "pass_margin": recipe.pass_margin,
            "reject_margin": recipe.reject_margin,
        },
        "folds": folds,
        "all_folds": worst,
    }


def liveness_block(
    records: Sequence[ImageRecord], limits: LivenessLimits, recipe: FitRecipe | None = None
) -> dict[str, Any]:
    """The whole liveness block: overall, per source, masked live faces, leave-one-source-out.

    The first keys keep the names earlier reports used (``spoof_passed``, ``apcer``, ...).
    """
    ok = [r for r in records if r.error is None and (r.label.single_live or r.label.spoof)]
    live = [r for r in ok if not r.label.spoof and r.liveness is not None]
    spoof = [r for r in ok if r.label.spoof]
    used = live + spoof
    overall = summarise(
        [r.liveness for r in used], [r.label.attack for r in used], limits, [r.step_back for r in used]
    )
    by_source: dict[str, Any] = {}
    for s in sorted({r.source for r in used}):
        part = [r for r in used if r.source == s]
        by_source[s or "unknown"] = summarise(
            [r.liveness for r in part], [r.label.attack for r in part], limits, [r.step_back for r in part]
        )
    masked = [r for r in live if r.label.masked]
    spoof_verdicts = [_verdict(r.liveness, limits, r.step_back) for r in spoof]
    block: dict[str, Any] = {
        "live": len(live),
        "spoof": len(spoof),
        "spoof_passed": spoof_verdicts.count("pass"),
        "apcer": overall["apcer"] if spoof else None,
        "spoof_challenged": spoof_verdicts.count("challenge"),
        "spoof_rejected": spoof_verdicts.count("reject"),
        "spoof_no_face": spoof_verdicts.count("no_face"),
        "spoof_step_back": spoof_verdicts.count("step_back"),
        "live_rejected": overall["live_rejected"],
        "bpcer": overall["bpcer"],
        "live_challenged": overall["live_challenged"],
        "live_challenge_rate": overall["live_challenge_rate"],
        "live_step_back": overall["live_step_back"],
        "live_passed": len(live)
        - overall["live_rejected"]
        - overall["live_challenged"]
        - overall["live_step_back"],
        "by_attack": overall["by_attack"],
        "masked_live": summarise([r.liveness for r in masked], ["" for _ in masked], limits)
        if masked
        else None,
        "by_source": by_source,
        "thresholds": {
            "pass": limits.pass_threshold,
            "reject": limits.reject_threshold,
            "window": limits.window,
        },
    }
    if recipe is not None:
        block["leave_one_source_out"] = leave_one_source_out(ok, limits, recipe)
    return block
