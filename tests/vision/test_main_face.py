"""The shopper is the face in the guide oval, not simply the largest face."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision import read_image
from vision._pipeline import choose_shopper_face, oval_distance

SELFIE = "deepface__tests_unit_dataset_selfie-many-people.jpg"
COUPLE = "deepface__tests_unit_dataset_couple.jpg"


def test_the_centred_face_wins_over_a_larger_off_centre_one(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / SELFIE)
    faces = detector.detect(img)
    assert len(faces) >= 4
    main, others = choose_shopper_face(faces, img.shape)
    largest = max(faces, key=lambda d: d.width)
    assert main is not None and main is not largest and main.width < largest.width
    assert oval_distance(main, img.shape) == min(oval_distance(d, img.shape) for d in faces)
    assert len(others) == len(faces) - 1


def test_a_person_leaning_in_at_the_side_is_not_the_shopper(detector, dev_faces: Path) -> None:
    # The couple photo widened so the smaller of the two faces sits in the middle of the
    # frame, as at the kiosk, and the larger one at the side.
    img = read_image(dev_faces / COUPLE)
    faces = detector.detect(img)
    smaller = min(faces, key=lambda d: d.width)
    cx = int(smaller.centre[0])
    canvas = np.zeros((img.shape[0], 2 * cx, 3), np.uint8)
    canvas[:, : img.shape[1]] = img[:, : 2 * cx]
    found = detector.detect(canvas)
    assert len(found) == 2
    main, others = choose_shopper_face(found, canvas.shape)
    assert main is not None and main.width < others[0].width
    assert abs(main.centre[0] - cx) < 0.1 * canvas.shape[1]
