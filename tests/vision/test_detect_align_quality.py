from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision import (
    ARCFACE_TEMPLATE,
    Guidance,
    ImageError,
    QualityLimits,
    align_face,
    assess_quality,
    choose_main_face,
    face_fill,
    pose_proxies,
    read_image,
    similarity_transform,
)

ANNA = "deepface__tests_unit_dataset_img1.jpg"
COUPLE = "deepface__tests_unit_dataset_couple.jpg"
LIMITS = QualityLimits(
    min_face_px=60, min_sharpness=15, max_yaw=0.35, max_pitch=0.35, min_brightness=40, max_brightness=220
)


def test_detects_one_face_with_landmarks_inside_the_box(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / ANNA)
    faces = detector.detect(img)
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    assert faces[0].score > 0.6 and w > 100
    lm = faces[0].landmarks
    assert lm.shape == (5, 2)
    assert np.all((lm[:, 0] > x) & (lm[:, 0] < x + w) & (lm[:, 1] > y) & (lm[:, 1] < y + h))
    assert lm[0, 0] < lm[1, 0], "subject's right eye is on the image left"


def test_grey_and_huge_images_are_handled(detector, dev_faces: Path, tmp_path: Path) -> None:
    img = read_image(dev_faces / ANNA)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    assert len(detector.detect(grey)) == 1
    huge = cv2.resize(img, (img.shape[1] * 4, img.shape[0] * 4))
    path = tmp_path / "huge.png"
    cv2.imwrite(str(path), huge)
    loaded = read_image(path)
    assert max(loaded.shape[:2]) <= 4096
    assert len(detector.detect(loaded)) == 1


def test_blank_and_tiny_frames_give_no_face(detector) -> None:
    assert detector.detect(np.zeros((480, 640, 3), np.uint8)) == ()
    assert detector.detect(np.full((8, 8, 3), 127, np.uint8)) == ()


def test_corrupt_and_missing_files_raise_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ImageError, match="not a decodable image"):
        read_image(bad)
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "missing.jpg")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        read_image(empty)


def test_main_face_is_the_largest_and_others_are_reported(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / COUPLE)
    faces = detector.detect(img)
    main, others = choose_main_face(faces, img.shape)
    assert main is not None and len(others) == len(faces) - 1 >= 1
    assert all(main.area >= o.area for o in others)


def test_similarity_transform_recovers_a_known_transform() -> None:
    angle, scale, t = 0.3, 1.7, np.array([12.0, -5.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = ARCFACE_TEMPLATE
    dst = (scale * (rot @ src.T)).T + t
    m = similarity_transform(src, dst)
    assert np.allclose(m[:, :2], scale * rot, atol=1e-9)
    assert np.allclose(m[:, 2], t, atol=1e-9)


def test_aligned_crop_puts_the_eyes_on_the_template(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / ANNA)
    face = detector.detect(img)[0]
    crop = align_face(img, face.landmarks)
    assert crop.shape == (112, 112, 3)
    m = similarity_transform(face.landmarks, ARCFACE_TEMPLATE)
    mapped = face.landmarks @ m[:, :2].T + m[:, 2]
    assert np.abs(mapped - ARCFACE_TEMPLATE).max() < 6.0


def test_quality_gate_gives_actionable_reasons(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / ANNA)
    face = detector.detect(img)[0]
    crop = align_face(img, face.landmarks)
    assert assess_quality(face, crop, LIMITS).ok
    dark = (crop * 0.1).astype(np.uint8)
    assert Guidance.MORE_LIGHT in assess_quality(face, dark, LIMITS).problems
    blurred = np.asarray(cv2.GaussianBlur(crop, (0, 0), 6), dtype=np.uint8)
    assert Guidance.HOLD_STILL in assess_quality(face, blurred, LIMITS).problems
    small = np.asarray(cv2.resize(img, (img.shape[1] // 12, img.shape[0] // 12)), dtype=np.uint8)
    small_face = detector.detect(small)[0]
    small_q = assess_quality(small_face, align_face(small, small_face.landmarks), LIMITS)
    assert small_q.problems[0] is Guidance.MOVE_CLOSER


def test_pose_proxies_follow_a_head_turn() -> None:
    frontal = ARCFACE_TEMPLATE.copy()
    yaw, pitch = pose_proxies(frontal)
    assert abs(yaw) < 0.05 and abs(pitch) < 0.05
    turned = frontal.copy()
    turned[2, 0] += 20.0  # nose towards the image right
    assert pose_proxies(turned)[0] > 0.35


def test_a_face_that_fills_the_frame_is_asked_to_step_back(detector, dev_faces: Path) -> None:
    img = read_image(dev_faces / ANNA)
    face = detector.detect(img)[0]
    crop = align_face(img, face.landmarks)
    limits = QualityLimits(
        min_face_px=60,
        min_sharpness=15,
        max_yaw=0.35,
        max_pitch=0.35,
        min_brightness=40,
        max_brightness=220,
        max_face_fill=0.8,
    )
    assert assess_quality(face, crop, limits, img.shape).ok
    x, y, w, h = (int(v) for v in face.box)
    tight = img[max(0, y - h // 20) : y + h + h // 20, max(0, x - w // 20) : x + w + w // 20]
    close = detector.detect(tight)[0]
    assert face_fill(close, tight.shape) > 0.8
    q = assess_quality(close, align_face(tight, close.landmarks), limits, tight.shape)
    assert q.problems[0] is Guidance.STEP_BACK
    # The share is of the frame itself: the same close-up at another pixel size says the same.
    bigger = cv2.resize(tight, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    assert face_fill(detector.detect(bigger)[0], bigger.shape) == pytest.approx(
        face_fill(close, tight.shape), abs=0.05
    )
    # Without the frame's shape (older callers) nothing is asked.
    assert (
        Guidance.STEP_BACK not in assess_quality(close, align_face(tight, close.landmarks), limits).problems
    )
