"""The kiosk's cheap frames: the tracker's search near the last face finds the face the
whole-frame search finds (same box and landmarks, so the anti-spoof crop and the alignment
see what they were calibrated on), falls back to the whole frame when the face has gone,
and a scan under the kiosk's budget skips the models on frames the decision does not use."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.wiring import build_pipeline, build_policy, challenge_limits, frame_budget
from vision import FrameBudget, Guidance, NearSearch, ScanSession, TemplateIndex, YuNetDetector, read_image

PHOTOS = [
    "deepface__tests_unit_dataset_img2.jpg",
    "deepface__tests_unit_dataset_img13.jpg",
    "pourfard__benchmarks_real_14748_person.jpg",
]
# Combined liveness logit -0.42 as a kiosk frame: between the reject and pass cuts, never
# "confident", so every window frame runs the anti-spoof model.
UNCERTAIN = "pourfard__benchmarks_real_14751_person.jpg"


def _frame(img: np.ndarray, scale: float = 1.0, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    h, w = img.shape[:2]
    s = min(640 / w, 480 / h) * scale
    small = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((480, 640, 3), np.uint8)
    y0 = (480 - small.shape[0]) // 2 + shift[1]
    x0 = (640 - small.shape[1]) // 2 + shift[0]
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


@pytest.mark.parametrize("name", PHOTOS)
def test_the_search_near_the_face_finds_the_whole_frame_face(
    detector: YuNetDetector, dev_faces: Path, name: str
) -> None:
    frame = _frame(read_image(dev_faces / name))
    whole, _ = detector.detect_all(frame)
    assert whole
    near, _ = detector.detect_near(frame, whole[0].box, grow=2.0)
    assert near
    assert np.allclose(near[0].box, whole[0].box, atol=2.0)
    assert np.allclose(near[0].landmarks, whole[0].landmarks, atol=2.0)


def test_the_face_is_followed_when_it_moves_a_little(detector: YuNetDetector, dev_faces: Path) -> None:
    img = read_image(dev_faces / PHOTOS[0])
    before, _ = detector.detect_all(_frame(img))
    moved = np.roll(_frame(img), (-15, 25), axis=(0, 1))
    near, _ = detector.detect_near(moved, before[0].box, grow=2.0)
    assert near
    assert near[0].centre[0] == pytest.approx(before[0].centre[0] + 25, abs=4)
    assert near[0].centre[1] == pytest.approx(before[0].centre[1] - 15, abs=4)


@pytest.mark.parametrize(
    "box",
    [
        (0.0, 0.0, 40.0, 40.0),  # an empty corner
        (-500.0, -500.0, 50.0, 50.0),  # outside the frame
        (100.0, 100.0, 0.0, 0.0),  # no size
        (float("nan"), 10.0, 50.0, 50.0),
    ],
)
def test_nothing_is_found_where_no_face_is(detector: YuNetDetector, dev_faces: Path, box) -> None:
    frame = _frame(read_image(dev_faces / PHOTOS[0]), scale=0.5)
    confident, _ = detector.detect_near(frame, box, grow=2.0)
    assert confident == ()


def test_locate_falls_back_to_the_whole_frame_when_the_face_is_gone(settings, dev_faces: Path) -> None:
    pipeline = build_pipeline(settings)
    frame = _frame(read_image(dev_faces / PHOTOS[0]), scale=0.5, shift=(-150, 0))
    found = pipeline.locate(frame, near=NearSearch((520.0, 300.0, 80.0, 80.0), 2.0))
    assert found.whole_frame and found.detection is not None
    again = pipeline.locate(frame, near=NearSearch(found.detection.box, 2.0))
    assert not again.whole_frame and again.detection is not None


def test_process_is_locate_then_complete(settings, dev_faces: Path) -> None:
    pipeline = build_pipeline(settings)
    frame = _frame(read_image(dev_faces / PHOTOS[1]))
    one = pipeline.process(frame).face
    two = pipeline.complete(pipeline.locate(frame)).face
    assert one is not None and two is not None
    assert one.liveness == two.liveness and np.array_equal(one.embedding, two.embedding)


@pytest.fixture(scope="module")
def index(settings, dev_faces: Path) -> TemplateIndex:
    plain = build_pipeline(settings, passive=False)
    rows = []
    for n in ("img1", "img4", "img5"):
        face = plain.process(_frame(read_image(dev_faces / f"deepface__tests_unit_dataset_{n}.jpg"))).face
        assert face is not None
        rows.append(face.embedding)
    return TemplateIndex(["df_A"] * len(rows), np.vstack(rows))


def _session(settings, index: TemplateIndex, budget: FrameBudget) -> ScanSession:
    t = iter(range(1_000_000))
    return ScanSession(
        build_pipeline(settings, gallery=index),
        build_policy(settings),
        challenge_limits(settings),
        clock=lambda: next(t) / 15.0,
        rng=random.Random(1),
        budget=budget,
    )


def test_a_face_too_small_runs_no_model_under_the_kiosk_budget(settings, index, dev_faces: Path) -> None:
    tiny = _frame(read_image(dev_faces / PHOTOS[0]), scale=0.12)
    work = {}
    for name, budget in (("every", FrameBudget()), ("kiosk", frame_budget(settings))):
        s = _session(settings, index, budget)
        updates = [s.analyse(tiny) for _ in range(10)]
        assert all(u.guidance is Guidance.MOVE_CLOSER for u in updates)
        work[name] = s.work
    assert work["every"].embeddings == 10 and work["every"].antispoof == 10
    assert work["kiosk"].embeddings == 0 and work["kiosk"].antispoof == 0
    assert work["kiosk"].near_searches == 0  # too small to track: the whole frame every time


def test_a_confidently_live_face_skips_some_anti_spoof_runs_with_the_same_decision(
    settings, index, dev_faces: Path
) -> None:
    frame = _frame(read_image(dev_faces / PHOTOS[0]))
    outcomes, work = {}, {}
    for name, budget in (("every", FrameBudget()), ("kiosk", frame_budget(settings))):
        s = _session(settings, index, budget)
        u = s.analyse(frame)
        while u.decision is None:
            u = s.analyse(frame)
        outcomes[name], work[name] = type(u.decision).__name__, s.work
    assert outcomes["kiosk"] == outcomes["every"] == "Match"
    assert work["kiosk"].embeddings == work["every"].embeddings
    assert work["kiosk"].antispoof < work["every"].antispoof


def test_an_uncertain_face_runs_the_anti_spoof_model_on_every_window_frame(
    settings, index, dev_faces: Path
) -> None:
    frame = _frame(read_image(dev_faces / UNCERTAIN))
    s = _session(settings, index, frame_budget(settings))
    window = settings.liveness.passive.window
    for _ in range(window):
        s.analyse(frame)
    assert s.work.antispoof == window


def test_a_scan_takes_the_wide_views_in_turn_and_its_window_holds_each_once(
    settings, index, dev_faces: Path
) -> None:
    frame = _frame(read_image(dev_faces / UNCERTAIN))
    s = _session(settings, index, frame_budget(settings))
    views: list[int | None] = []
    complete = s.pipeline.complete

    def watch(sighting, *, liveness=True, view=None):
        if liveness:
            views.append(view)
        return complete(sighting, liveness=liveness, view=view)

    s.pipeline.complete = watch  # type: ignore[method-assign]
    window = settings.liveness.passive.window
    for _ in range(window):
        s.analyse(frame)
    assert views == list(range(window))
    assert window % 6 == 0  # the window holds every one of the six views equally often
