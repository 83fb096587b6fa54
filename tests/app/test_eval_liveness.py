"""The liveness block of `facepay eval`: ISO/IEC 30107-3 figures per attack type and source,
and leave-one-source-out folds that never see the source they measure."""

from __future__ import annotations

import numpy as np

from app.eval_liveness import FitRecipe, fit_rule, liveness_block, summarise
from app.evaluate import ImageRecord, LabelRow
from vision import CUE_NAMES, LivenessLimits, PadCues

LIMITS = LivenessLimits(pass_threshold=1.0, reject_threshold=-2.0, window=5)
RECIPE = FitRecipe(("model", "edges"), 1.0, 0.3, 0.5)


def record(source: str, attack: str, model: float, edges: float = 0.0) -> ImageRecord:
    cues = PadCues(
        model=model,
        model_wide=model,
        moire=1.0,
        sharpness=-5.0,
        glare=0.0,
        edges=edges,
        bezel=0.0,
        colour=5.0,
        face_frac=0.3,
    )
    label = LabelRow(f"{source}_{attack}_{model}.jpg", f"{source}_p1", False, bool(attack), source, attack)
    return ImageRecord(label, None, 1, 0.9, None, True, 1.0, liveness=model, source=source, cues=cues)


def test_apcer_is_reported_per_attack_type_and_the_worst_type_is_the_headline() -> None:
    scores = [3.0, 0.0, -3.0, 2.0, -5.0, -5.0, None, 0.5]
    attacks = ["", "", "", "print", "print", "replay_phone", "replay_phone", "replay_phone"]
    out = summarise(scores, attacks, LIMITS)
    assert out["live"] == 3 and out["attacks"] == 5
    assert out["by_attack"]["print"] == {
        "attacks": 2,
        "passed": 1,
        "challenged": 0,
        "rejected": 1,
        "no_face": 0,
        "step_back": 0,
        "apcer": 0.5,
    }
    assert out["by_attack"]["replay_phone"]["apcer"] == 0.0
    assert out["by_attack"]["replay_phone"]["no_face"] == 1
    assert out["apcer"] == 0.5 and out["attacks_passed"] == 1 and out["attacks_challenged"] == 1
    assert out["bpcer"] == round(1 / 3, 4) and out["live_challenge_rate"] == round(1 / 3, 4)


def test_fitted_cuts_keep_every_training_attack_from_passing() -> None:
    rng = np.random.default_rng(3)
    live = rng.random(60) < 0.5
    m = rng.normal(size=(60, len(CUE_NAMES)))
    m[:, 0] += np.where(live, 2.0, -2.0)
    rule = fit_rule(m, live, RECIPE)
    logits = rule.fusion.logits(m)
    assert logits[~live].max() < rule.pass_threshold
    assert logits[live].min() >= rule.reject_threshold
    assert rule.reject_threshold <= rule.pass_threshold


def test_leave_one_source_out_measures_each_source_with_a_rule_fitted_without_it() -> None:
    recs = []
    for i, src in enumerate(("a", "b", "c")):
        for k in range(6):
            recs.append(record(src, "", 2.0 + k * 0.3 - i))
            recs.append(record(src, "replay_phone", -6.0 + k * 0.3 - i, edges=1.0))
    # Source c's attacks look live to a rule fitted on a and b alone.
    recs.append(record("c", "print", 3.0))
    block = liveness_block(recs, LIMITS, RECIPE)
    loso = block["leave_one_source_out"]
    assert set(loso["folds"]) == {"a", "b", "c"}
    c = loso["folds"]["c"]
    assert c["by_attack"]["print"]["passed"] == 1
    assert c["in_sample"]["attacks"] == 7
    assert loso["all_folds"]["attacks_passed"] >= 1
    assert block["by_source"]["a"]["attacks"] == 6 and block["by_attack"]["print"]["attacks"] == 1


def test_one_source_gives_no_leave_one_source_out_report() -> None:
    recs = [record("a", "", 2.0), record("a", "print", -5.0)]
    assert liveness_block(recs, LIMITS, RECIPE)["leave_one_source_out"] is None
    assert "leave_one_source_out" not in liveness_block(recs, LIMITS)


def test_a_face_asked_to_step_back_neither_passes_nor_counts_as_challenged() -> None:
    scores = [3.0, 3.0, 0.0, 3.0]
    attacks = ["", "", "", "replay_phone"]
    out = summarise(scores, attacks, LIMITS, step_back=[False, True, False, True])
    assert out["live"] == 2 and out["live_step_back"] == 1 and out["live_challenged"] == 1
    assert out["attacks_passed"] == 0 and out["attacks_step_back"] == 1
    assert out["by_attack"]["replay_phone"]["step_back"] == 1
    assert out["bpcer"] == 0.0 and out["live_challenge_rate"] == 0.5


def test_leave_one_source_out_never_fits_on_faces_asked_to_step_back_and_counts_them_apart() -> None:
    import dataclasses

    recs = []
    for i, src in enumerate(("a", "b")):
        for k in range(6):
            recs.append(record(src, "", 2.0 + k * 0.3 - i))
            recs.append(record(src, "replay_phone", -6.0 + k * 0.3 - i, edges=1.0))
    # A live-looking attack that fills the frame: asked to step back, so it neither passes
    # in its own fold nor drags the other fold's pass cut up.
    recs.append(dataclasses.replace(record("a", "replay_phone", 9.0), step_back=True))
    loso = liveness_block(recs, LIMITS, RECIPE)["leave_one_source_out"]
    a, b = loso["folds"]["a"], loso["folds"]["b"]
    assert a["attacks_step_back"] == 1 and a["attacks_passed"] == 0 and a["attacks"] == 7
    assert b["rule"]["pass"] < b["rule"]["bias"] + 9.0 * b["rule"]["weights"]["model"]
    assert a["in_sample"]["attacks_step_back"] == 1
