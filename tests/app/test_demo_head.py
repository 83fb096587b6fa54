"""The demo's head-turning shopper: a rendered turn reads, to the kiosk's own detector, as
a head turned the way asked with a nose that moves against the eyes (what the challenge
checks), while the same frame merely shifted sideways shows no such parallax."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.demo_head import HeadTurnCamera, turn_far_enough, turn_head
from app.demo_world import letterbox
from app.wiring import challenge_limits
from vision import nose_parallax, pose_proxies, read_image


def _shopper(pipeline, dev_faces: Path):
    frame = letterbox(read_image(dev_faces / "deepface__tests_unit_dataset_img7.jpg"))
    face = pipeline.process(frame).face
    assert face is not None and face.embedding is not None
    return frame, face


def test_a_rendered_turn_reads_as_a_head_turn_each_way(pipeline, settings, dev_faces: Path) -> None:
    frame, face = _shopper(pipeline, dev_faces)
    limits = challenge_limits(settings)
    turns = turn_far_enough(pipeline, frame, face.detection, face.embedding, limits)
    assert turns[True] > 0 > turns[False]
    start = pose_proxies(face.detection.landmarks)[0]
    for left, degrees in turns.items():
        seen = pipeline.process(turn_head(frame, face.detection, degrees)).face
        assert seen is not None
        moved = pose_proxies(seen.detection.landmarks)[0] - start
        assert (moved if left else -moved) >= limits.yaw
        assert nose_parallax(face.detection.landmarks, seen.detection.landmarks) >= limits.min_parallax


def test_a_flat_shift_of_the_same_frame_has_no_parallax(pipeline, dev_faces: Path) -> None:
    frame, face = _shopper(pipeline, dev_faces)
    shifted = np.roll(frame, 40, axis=1)
    seen = pipeline.process(shifted).face
    assert seen is not None
    assert nose_parallax(face.detection.landmarks, seen.detection.landmarks) < 0.05


def test_the_camera_stays_frontal_until_asked(pipeline, dev_faces: Path) -> None:
    frame, face = _shopper(pipeline, dev_faces)
    camera = HeadTurnCamera(frame, face.detection, {True: 30.0, False: -30.0}, fps=100.0)
    frames = camera.frames()
    first = next(frames)
    assert np.array_equal(first.image, frame)
    camera.ask(left=True)
    camera.reset()
    assert np.array_equal(next(frames).image, frame)
