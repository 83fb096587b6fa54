"""Kiosk windows for ``facepay eval --kiosk-windows``: frames made as the demo's camera shows a
photo, and the block's refusal to report on too little."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.eval_fusion import kiosk_frames, kiosk_window_block
from vision import read_image


def test_kiosk_frames_are_the_demo_cameras_jittered_frames(dev_faces: Path) -> None:
    photo = read_image(dev_faces / "deepface__tests_unit_dataset_img1.jpg")
    frames = kiosk_frames(photo, 5)
    assert len(frames) == 5 and all(f.shape == (480, 640, 3) for f in frames)
    again = kiosk_frames(photo, 5)
    assert all(np.array_equal(a, b) for a, b in zip(frames, again, strict=True))  # seeded
    base = frames[0]
    shifts = []
    for f in frames[1:]:  # every frame is the first one moved by at most a pixel each way
        found = [
            (dy, dx)
            for dy in (-2, -1, 0, 1, 2)
            for dx in (-2, -1, 0, 1, 2)
            if np.array_equal(np.roll(base, (dy, dx), axis=(0, 1)), f)
        ]
        assert found, "a frame is not a shifted copy of the first"
        shifts.append(found[0])
    assert any(s != (0, 0) for s in shifts)  # the hand-held jitter is there


def test_kiosk_window_block_needs_enough_probes() -> None:
    assert kiosk_window_block([], lambda r: None, 5, lambda n: (0.6, 0.08)) is None
