"""Multi-frame evidence on landmark tracks: a 3-D head turning shows nose parallax against
the plane of its eyes and mouth corners; a flat picture moved, tilted or swung any way
shows none, and a challenge answered by such a picture fails."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from vision import ChallengeKind, ChallengeLimits, ChallengeStatus, Observation, pose_proxies
from vision._challenge import Challenge
from vision._motion import nose_parallax

# A head in eye-distance units: x to the image right, y down, z away from the camera.
HEAD = np.array(
    [[-0.5, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.55, -0.55], [-0.4, 1.05, -0.05], [0.4, 1.05, -0.05]]
)
FLAT = HEAD * np.array([1.0, 1.0, 0.0])


def project(
    points: np.ndarray,
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
    *,
    dist: float = 8.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """Pinhole view (focal 8, 60 px per eye distance) of points rotated then moved."""
    y, p = np.radians(yaw_deg), np.radians(pitch_deg)
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    q = points @ (rx @ ry).T + np.array([shift[0], shift[1], dist])
    return np.stack([320 + 480 * q[:, 0] / q[:, 2], 240 + 480 * q[:, 1] / q[:, 2]], 1).astype(np.float32)


@pytest.mark.parametrize("yaw", [20.0, -20.0, 30.0])
def test_a_turning_head_shows_parallax(yaw: float) -> None:
    assert nose_parallax(project(HEAD), project(HEAD, yaw)) > 0.15


@pytest.mark.parametrize(
    ("yaw", "pitch", "dist", "shift"),
    [
        (30.0, 0.0, 8.0, (0.0, 0.0)),
        (45.0, 10.0, 2.0, (0.3, -0.2)),
        (-60.0, 0.0, 1.5, (0.0, 0.0)),
        (0.0, 25.0, 4.0, (1.0, 0.5)),
        (0.0, 0.0, 5.0, (2.0, 0.0)),
    ],
)
def test_a_flat_picture_moved_or_tilted_any_way_shows_none(yaw, pitch, dist, shift) -> None:
    start = project(FLAT, dist=dist)
    assert nose_parallax(start, project(FLAT, yaw, pitch, dist=dist, shift=shift)) < 0.01


def test_landmark_jitter_of_a_still_picture_stays_below_the_cut() -> None:
    rng = np.random.default_rng(5)
    start = project(FLAT)
    noisy = [
        nose_parallax(start, project(FLAT, 25.0) + rng.normal(0, 1.0, (5, 2)).astype(np.float32))
        for _ in range(50)
    ]
    assert np.percentile(noisy, 95) < 0.1


def test_degenerate_landmarks_give_zero() -> None:
    assert nose_parallax(np.zeros((5, 2)), np.zeros((5, 2))) == 0.0


LIMITS = ChallengeLimits(
    timeout_s=4.0, yaw=0.2, start_yaw=0.15, closer_ratio=1.25, same_face_similarity=0.45, min_parallax=0.1
)


def run(points: np.ndarray, yaws: Sequence[float], **kw: float) -> Challenge:
    ch = Challenge(ChallengeKind.TURN_RIGHT, LIMITS, 0.0)
    for i, yaw in enumerate(yaws):
        lm = project(points, yaw, **kw)  # type: ignore[arg-type]
        ch.observe(Observation(0.1 * (i + 1), lm, float(lm[1, 0] - lm[0, 0]) * 2))
    return ch


def test_a_head_turning_right_passes_with_parallax() -> None:
    ch = run(HEAD, [0, 5, 10, 15, 20, 25, 25, 25])
    assert ch.status is ChallengeStatus.PASSED and ch.parallax > 0.1
    assert pose_proxies(project(HEAD, 25))[0] < -0.2  # the turn itself reached the asked yaw


def test_a_flat_picture_swung_close_to_the_camera_mimics_a_turn_but_fails_as_flat() -> None:
    swing = [0, 10, 20, 30, 40, 50, 55, 60, 60]
    # Perspective alone moves the yaw proxy past the cut: the yaw check by itself is fooled.
    assert pose_proxies(project(FLAT, 55, dist=0.8))[0] < -0.2
    without = Challenge(ChallengeKind.TURN_RIGHT, replace(LIMITS, min_parallax=0.0), 0.0)
    for i, yaw in enumerate(swing):
        lm = project(FLAT, yaw, dist=0.8)
        without.observe(Observation(0.1 * (i + 1), lm, 100.0))
    assert without.status is ChallengeStatus.PASSED
    assert run(FLAT, swing, dist=0.8).status is ChallengeStatus.FLAT_PICTURE
