"""The active challenge on synthetic landmark tracks: a shopper who follows the prompt
passes; a photo, a video that does not follow, a swapped face and a slow shopper fail."""

from __future__ import annotations

import random

import numpy as np
import pytest

from vision import (
    ARCFACE_TEMPLATE,
    Challenge,
    ChallengeKind,
    ChallengeLimits,
    ChallengeStatus,
    Guidance,
    Observation,
    pose_proxies,
)

LIMITS = ChallengeLimits(
    timeout_s=4.0,
    yaw=0.2,
    start_yaw=0.15,
    closer_ratio=1.25,
    same_face_similarity=0.45,
    kinds=("left", "right", "closer"),
)


def face(yaw: float = 0.0, scale: float = 2.0) -> np.ndarray:
    """Five landmarks of a face whose nose is shifted sideways by ``yaw`` eye distances
    (what a head turn does to the 2-D landmarks), in a 640x480 frame."""
    lm = ARCFACE_TEMPLATE.copy() * scale + np.array([200.0, 100.0])
    eye_dist = lm[1, 0] - lm[0, 0]
    lm[2, 0] += yaw * eye_dist
    lm[3:, 0] += 0.5 * yaw * eye_dist
    return np.asarray(lm, dtype=np.float32)


def track(
    challenge: Challenge,
    yaws: list[float],
    *,
    dt: float = 0.1,
    t0: float = 0.0,
    similarity: list[float] | None = None,
    widths: list[float] | None = None,
) -> ChallengeStatus:
    status = challenge.status
    for i, yaw in enumerate(yaws):
        sim = similarity[i] if similarity else 0.9
        width = widths[i] if widths else 200.0
        status = challenge.observe(Observation(t0 + i * dt, face(yaw), width, sim))
    return status


def test_the_synthetic_face_turns_the_way_the_pose_proxy_reads_it() -> None:
    assert pose_proxies(face(0.0))[0] == pytest.approx(0.0, abs=0.02)
    assert pose_proxies(face(0.3))[0] == pytest.approx(0.3, abs=0.02)


@pytest.mark.parametrize(("kind", "sign"), [(ChallengeKind.TURN_LEFT, 1.0), (ChallengeKind.TURN_RIGHT, -1.0)])
def test_a_shopper_who_follows_the_prompt_passes(kind: ChallengeKind, sign: float) -> None:
    c = Challenge(kind, LIMITS, started_at=0.0)
    yaws = [0.0, 0.0, sign * 0.08, sign * 0.16, sign * 0.24, sign * 0.28]
    assert track(c, yaws) is ChallengeStatus.PASSED


def test_turning_the_wrong_way_fails_at_once() -> None:
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=0.0)
    assert track(c, [0.0, -0.1, -0.25]) is ChallengeStatus.WRONG_DIRECTION


def test_a_static_photo_times_out() -> None:
    c = Challenge(ChallengeKind.TURN_RIGHT, LIMITS, started_at=0.0)
    yaws = [0.01 * ((i % 3) - 1) for i in range(60)]  # landmark jitter, no turn, 6 s
    assert track(c, yaws) is ChallengeStatus.TIMED_OUT


def test_a_replayed_video_that_does_not_follow_fails() -> None:
    # the video nods and sways a little but never turns as asked
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=0.0)
    yaws = [0.05 * np.sin(i / 3.0) for i in range(50)]
    assert track(c, yaws).failed


def test_a_turn_after_the_time_limit_is_too_slow() -> None:
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=0.0)
    yaws = [0.0] * 45 + [0.3, 0.3, 0.3]  # 4.5 s of nothing, then the turn
    assert track(c, yaws) is ChallengeStatus.TIMED_OUT


def test_a_face_swapped_mid_challenge_fails() -> None:
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=0.0)
    sims = [0.9, 0.88, 0.2, 0.2, 0.2, 0.2]
    assert track(c, [0.0, 0.05, 0.25, 0.3, 0.3, 0.3], similarity=sims) is ChallengeStatus.IDENTITY_CHANGED


def test_one_noisy_frame_is_not_a_turn() -> None:
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=0.0)
    assert track(c, [0.0, 0.3, 0.0, 0.0]) is ChallengeStatus.PENDING


def test_a_turned_start_is_not_counted_until_the_face_is_frontal() -> None:
    c = Challenge(ChallengeKind.TURN_RIGHT, LIMITS, started_at=0.0)
    # starts already turned left: going back to frontal is not a right turn
    assert track(c, [0.3, 0.25, 0.1, 0.0, 0.0]) is ChallengeStatus.PENDING


def test_move_closer_passes_on_growth_and_times_out_without() -> None:
    c = Challenge(ChallengeKind.MOVE_CLOSER, LIMITS, started_at=0.0)
    assert track(c, [0.0] * 5, widths=[100, 110, 120, 130, 135]) is ChallengeStatus.PASSED
    still = Challenge(ChallengeKind.MOVE_CLOSER, LIMITS, started_at=0.0)
    assert track(still, [0.0] * 50, widths=[100.0] * 50) is ChallengeStatus.TIMED_OUT


def test_no_face_at_all_times_out_by_tick() -> None:
    c = Challenge(ChallengeKind.TURN_LEFT, LIMITS, started_at=10.0)
    assert c.tick(13.0) is ChallengeStatus.PENDING
    assert c.tick(14.5) is ChallengeStatus.TIMED_OUT


def test_the_prompt_is_drawn_by_the_injected_rng() -> None:
    drawn = {Challenge.random(LIMITS, random.Random(seed), 0.0).kind for seed in range(40)}
    assert drawn == set(ChallengeKind)
    a = [Challenge.random(LIMITS, random.Random(7), 0.0).kind for _ in range(3)]
    assert len(set(a)) == 1, "same seed, same prompt"
    turn_only = ChallengeLimits(4.0, 0.2, 0.15, 1.25, 0.45, kinds=("left", "right"))
    prompts = {Challenge.random(turn_only, random.Random(s), 0.0).guidance for s in range(40)}
    assert prompts == {Guidance.TURN_LEFT, Guidance.TURN_RIGHT}
