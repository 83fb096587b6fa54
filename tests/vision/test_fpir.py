"""Match thresholds from a target FPIR: monotone in gallery size, on target on a known tail,
and a masked face never Matches when its calibration cannot support the target."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.wiring import policy_limits
from vision import (
    Candidate,
    DecisionPolicy,
    FrameEvidence,
    Match,
    NeedPin,
    Reason,
    fit_impostor_tail,
    fused_embedding,
    sampled_top1_fpir,
)


def _exponential_scores(n: int, seed: int) -> np.ndarray:
    # a score distribution whose tail is exactly exponential (scale 0.05)
    rng = np.random.default_rng(seed)
    return (rng.exponential(0.05, n) - 0.1).astype(np.float32)


def test_the_threshold_rises_with_the_gallery_size(settings) -> None:
    tail = policy_limits(settings).match_tail
    sizes = [1, 10, 100, 1000, 10_000, 100_000]
    thresholds = [tail.threshold(n, 1e-4) for n in sizes]
    assert all(a < b for a, b in itertools.pairwise(thresholds))
    assert thresholds[0] >= tail.floor
    # and it falls as the target is relaxed
    assert tail.threshold(1000, 1e-3) < tail.threshold(1000, 1e-4)


def test_the_threshold_hits_the_target_fpir_on_a_known_score_distribution() -> None:
    tail = fit_impostor_tail(_exponential_scores(2_000_000, seed=1))
    n, target = 100, 0.01
    t = tail.threshold(n, target)
    # 20,000 fresh strangers, each against a gallery of 100 fresh impostor customers
    impostor = _exponential_scores(20_000 * n, seed=2).reshape(20_000, n)
    measured = float((impostor.max(axis=1) >= t).mean())
    assert measured == pytest.approx(target, rel=0.15)
    assert tail.fpir(t, n) == pytest.approx(target, rel=1e-6)


def test_the_exponential_fit_is_on_the_safe_side_for_a_bounded_tail() -> None:
    rng = np.random.default_rng(3)
    scores = np.clip(rng.normal(0.1, 0.1, 2_000_000), -1, 1).astype(np.float32)
    tail = fit_impostor_tail(scores)
    n, target = 100, 0.001
    impostor = np.clip(rng.normal(0.1, 0.1, (20_000, n)), -1, 1).astype(np.float32)
    measured = sampled_top1_fpir(impostor, n, [tail.threshold(n, target)], draws=1)[0]
    assert measured <= target


def test_a_masked_face_goes_to_the_pin_when_its_calibration_cannot_support_the_target(settings) -> None:
    limits = policy_limits(settings)
    assert limits.masked_tail is not None and not limits.masked_tail.supports(15, limits.target_fpir)
    policy = DecisionPolicy(limits)
    sure = (Candidate("anna", 0.97), Candidate("ben", 0.2))
    masked = policy.decide([FrameEvidence(sure, 5.0, True, gallery_size=15)] * 5)
    assert masked == NeedPin(("anna",), Reason.MASKED)
    unmasked = policy.decide([FrameEvidence(sure, 5.0, False, gallery_size=15)] * 5)
    assert isinstance(unmasked, Match) and unmasked.customer_id == "anna"


def test_the_same_score_matches_in_a_small_gallery_and_goes_to_the_pin_in_a_large_one(settings) -> None:
    policy = DecisionPolicy(policy_limits(settings))
    cands = (Candidate("anna", 0.75), Candidate("ben", 0.3))
    small = policy.decide([FrameEvidence(cands, 5.0, False, gallery_size=100)])
    large = policy.decide([FrameEvidence(cands, 5.0, False, gallery_size=10_000)])
    assert isinstance(small, Match)
    assert large == NeedPin(("anna", "ben"), Reason.LOW_SCORE)


def test_the_window_is_decided_on_its_fused_embedding_when_the_gallery_answers_it(settings) -> None:
    policy = DecisionPolicy(policy_limits(settings))
    e = np.eye(3, 8, dtype=np.float32)
    window = [
        FrameEvidence(
            (Candidate("anna", 0.6), Candidate("ben", 0.55)), 5.0, False, gallery_size=50, embedding=e[i]
        )
        for i in range(3)
    ]
    probe = fused_embedding(window)
    assert probe is not None and np.linalg.norm(probe) == pytest.approx(1.0)
    assert np.allclose(probe, np.full(3, 1 / np.sqrt(3)).tolist() + [0.0] * 5, atol=1e-6)
    # frame by frame the two are too close to call; the fused probe separates them
    assert isinstance(policy.decide(window), NeedPin)
    fused = (Candidate("anna", 0.9), Candidate("ben", 0.4))
    assert policy.decide(window, fused=fused) == Match("anna", 0.9, 0.5, 5.0, False)
    # a frame without an embedding: no fusion
    assert fused_embedding([*window, FrameEvidence((), 5.0, False)]) is None
