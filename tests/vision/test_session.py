"""ScanSession, frame by frame: a static photo cannot pass the challenge, a live shopper who
follows it can, and crowds, face swaps and tiny faces are refused."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.wiring import build_pipeline, build_policy, challenge_limits, frame_budget
from vision import (
    ARCFACE_TEMPLATE,
    Candidate,
    Detection,
    FaceAnalysis,
    FrameBudget,
    FrameResult,
    Guidance,
    MaskVerdict,
    Match,
    NeedPin,
    Quality,
    Reason,
    Reject,
    ScanSession,
    ScanUpdate,
    Sighting,
    StageTimes,
    TemplateIndex,
    read_image,
)

DF_A = ["img1", "img2", "img4", "img5", "img6", "img7", "img10", "img11"]
DF_F = ["img13", "img14", "img15", "img57", "img58"]


def _frame(img: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """A 640x480 kiosk frame showing ``img`` letterboxed, optionally shrunk by ``scale``."""
    h, w = img.shape[:2]
    s = min(640 / w, 480 / h) * scale
    small = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((480, 640, 3), np.uint8)
    y0, x0 = (480 - small.shape[0]) // 2, (640 - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


def _dev(dev_faces: Path, name: str) -> np.ndarray:
    return read_image(dev_faces / f"deepface__tests_unit_dataset_{name}.jpg")


class Clock:
    def __init__(self, step: float = 0.1) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


@pytest.fixture(scope="module")
def gallery(settings, dev_faces: Path) -> TemplateIndex:
    plain = build_pipeline(settings, passive=False)
    ids, rows = [], []
    for who, names in (("df_A", DF_A[1:]), ("df_F", DF_F[1:])):  # first photo of each held out
        for n in names:
            face = plain.process(_frame(_dev(dev_faces, n))).face
            assert face is not None
            ids.append(who)
            rows.append(face.embedding)
    return TemplateIndex(ids, np.vstack(rows))


@pytest.fixture(params=["every stage", "kiosk budget"])
def session(request, settings, gallery: TemplateIndex) -> ScanSession:
    # Every scan below must end the same way whether each frame runs every stage or the
    # kiosk's budget skips what the decision does not need.
    budget = FrameBudget() if request.param == "every stage" else frame_budget(settings)
    return ScanSession(
        build_pipeline(settings, gallery=gallery),
        build_policy(settings),
        challenge_limits(settings),
        clock=Clock(),
        rng=random.Random(1),
        budget=budget,
    )


def run(session: ScanSession, frames: list[np.ndarray], limit: int = 200) -> list[ScanUpdate]:
    updates = []
    for frame in itertools.islice(itertools.cycle(frames), limit):
        updates.append(session.analyse(frame))
        if updates[-1].decision is not None:
            break
    return updates


def test_a_live_enrolled_shopper_is_matched_without_a_challenge(session, dev_faces: Path) -> None:
    updates = run(session, [_frame(_dev(dev_faces, "img2"))])
    decision = updates[-1].decision
    assert isinstance(decision, Match) and decision.customer_id == "df_A"
    assert all(u.guidance is Guidance.OK for u in updates)
    assert updates[-1].box is not None


def test_a_static_photo_cannot_pass_the_forced_challenge(session, dev_faces: Path) -> None:
    session.reset(amount_minor=50_000)  # above the challenge amount: the challenge is forced
    updates = run(session, [_frame(_dev(dev_faces, "img2"))])
    prompts = {u.guidance for u in updates}
    assert prompts & {Guidance.TURN_LEFT, Guidance.TURN_RIGHT}
    assert updates[-1].decision == Reject(Reason.CHALLENGE_FAILED)
    # the decision is sticky until reset
    assert session.analyse(_frame(_dev(dev_faces, "img2"))).decision == Reject(Reason.CHALLENGE_FAILED)


@pytest.mark.parametrize("name", ["fake_14778", "real_14739"])
def test_a_stranger_with_weak_passive_evidence_goes_to_the_pin_not_a_match(
    session, dev_faces: Path, name: str
) -> None:
    # a phone-screen spoof and a kiosk-camera photo the passive model is unsure about, of
    # people not enrolled: the PIN (checked by the ledger) is the proof, so no head turn
    photo = read_image(dev_faces / f"pourfard__benchmarks_{name}_person.jpg")
    session.reset()
    updates = run(session, [_frame(photo)])
    assert not any(u.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT) for u in updates)
    assert isinstance(updates[-1].decision, NeedPin | Reject)


def test_an_enrolled_face_with_weak_passive_evidence_is_challenged_and_a_photo_fails(
    settings, dev_faces: Path
) -> None:
    plain = build_pipeline(settings, passive=False)
    rows = []
    for n in ("14749",):
        face = plain.process(_frame(read_image(dev_faces / f"pourfard__benchmarks_real_{n}_person.jpg"))).face
        assert face is not None
        rows.append(face.embedding)
    index = TemplateIndex(["pf_c"] * len(rows), np.vstack(rows))
    session = ScanSession(
        build_pipeline(settings, gallery=index),
        build_policy(settings),
        challenge_limits(settings),
        clock=Clock(),
        rng=random.Random(1),
    )
    # Combined liveness logit -0.42 here: between the reject (-4.46) and pass (0.07) cuts.
    photo = read_image(dev_faces / "pourfard__benchmarks_real_14751_person.jpg")
    updates = run(session, [_frame(photo)])
    assert any(u.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT) for u in updates)
    assert updates[-1].decision == Reject(Reason.CHALLENGE_FAILED)


def test_the_face_changing_mid_scan_is_rejected(session, dev_faces: Path) -> None:
    a, f = _frame(_dev(dev_faces, "img2")), _frame(_dev(dev_faces, "img13"))
    updates = [session.analyse(a), session.analyse(a)]
    updates += run(session, [f])
    assert updates[-1].decision == Reject(Reason.IDENTITY_CHANGED)


def test_competing_faces_get_one_person_then_a_reject(session, dev_faces: Path) -> None:
    two = _frame(read_image(dev_faces / "facerec__examples_two_people.jpg"))
    updates = run(session, [two])
    assert updates[0].guidance is Guidance.ONE_PERSON
    assert updates[-1].decision == Reject(Reason.MULTIPLE_FACES)


def test_a_face_too_small_is_told_to_come_closer_and_never_decided_on(session, dev_faces: Path) -> None:
    tiny = _frame(_dev(dev_faces, "img2"), scale=0.12)
    updates = run(session, [tiny], limit=400)
    assert updates[0].guidance is Guidance.MOVE_CLOSER
    assert updates[-1].decision == Reject(Reason.TIMEOUT)


def test_no_face_asks_the_shopper_to_look(session) -> None:
    u = session.analyse(np.zeros((480, 640, 3), np.uint8))
    assert u.guidance is Guidance.LOOK_AT_CAMERA and u.box is None and u.decision is None


def test_reset_forgets_the_previous_shopper(session, dev_faces: Path) -> None:
    run(session, [_frame(_dev(dev_faces, "img13"))])
    session.reset()
    updates = run(session, [_frame(_dev(dev_faces, "img2"))])
    assert isinstance(updates[-1].decision, Match) and updates[-1].decision.customer_id == "df_A"


# --- the challenge followed by a live shopper (scripted pipeline results) ---------------


def _face_result(
    yaw: float,
    *,
    liveness: float = 0.0,
    masked: bool = False,
    embedding: np.ndarray | None = None,
    best: float = 0.8,
) -> FrameResult:
    lm = ARCFACE_TEMPLATE.copy() * 2.0 + np.array([200.0, 100.0])
    lm[2, 0] += yaw * (lm[1, 0] - lm[0, 0])
    det = Detection(box=(180.0, 60.0, 260.0, 300.0), landmarks=lm.astype(np.float32), score=0.9)
    emb = embedding if embedding is not None else np.eye(1, 192, 0, dtype=np.float32)[0]
    quality = Quality(
        ok=abs(yaw) < 0.35,
        problems=() if abs(yaw) < 0.35 else (Guidance.FACE_CAMERA,),
        face_px=260.0,
        sharpness=100.0,
        yaw=yaw,
        pitch=0.0,
        brightness=120.0,
    )
    face = FaceAnalysis(
        det,
        np.zeros((112, 112, 3), np.uint8),
        quality,
        emb,
        (Candidate("alice", best), Candidate("bob", 0.2)),
        liveness,
        MaskVerdict(masked, 0.9 if masked else 0.1, 0.0, 0.0),
    )
    return FrameResult(face, (), StageTimes())


class ScriptedPipeline:
    """Frames scripted by index; its gallery answers the fused probe with the last frame's
    candidates (every scripted frame carries the same embedding)."""

    liveness = mask = object()
    top_k = 5

    def __init__(self, yaw_of_frame: Callable[[int], FrameResult]) -> None:
        self.yaw_of_frame = yaw_of_frame
        self.gallery = self
        self._last: tuple[Candidate, ...] = ()

    def process(self, frame: np.ndarray) -> FrameResult:
        result = self.yaw_of_frame(int(frame[0, 0, 0]))
        self._last = result.face.candidates if result.face else ()
        return result

    def locate(self, frame: np.ndarray, *, near: object = None, retry: bool = True) -> Sighting:
        self._result = self.process(frame)
        face = self._result.face
        if face is None:
            return Sighting(frame, None, (), None, None, None, False, True, StageTimes())
        return Sighting(
            frame, face.detection, (), face.aligned, face.quality, face.mask, False, True, StageTimes()
        )

    def complete(self, sighting: Sighting, *, liveness: bool = True, view: int | None = None) -> FrameResult:
        return self._result

    def search(self, probe: np.ndarray, k: int) -> tuple[Candidate, ...]:
        return self._last[:k]

    def customer_count(self) -> int:
        return 2


def _scripted_session(settings, script, seed: int) -> ScanSession:
    return ScanSession(
        ScriptedPipeline(script),  # type: ignore[arg-type]  # a scripted stand-in for the real pipeline
        build_policy(settings),
        challenge_limits(settings),
        clock=Clock(),
        rng=random.Random(seed),
    )


def _frames(n: int) -> list[np.ndarray]:
    return [np.full((4, 4, 3), i % 256, np.uint8) for i in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_live_shopper_who_follows_the_prompt_is_decided(settings, seed: int) -> None:
    prompt: list[Guidance] = []

    def script(i: int) -> FrameResult:
        if not prompt or i < 8:
            return _face_result(0.0)
        sign = 1.0 if prompt[0] is Guidance.TURN_LEFT else -1.0
        return _face_result(sign * min(0.3, 0.06 * (i - 8)))

    s = _scripted_session(settings, script, seed)
    for frame in _frames(40):
        u = s.analyse(frame)
        if u.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT) and not prompt:
            prompt.append(u.guidance)
        if u.decision is not None:
            break
    assert prompt, "weak passive evidence (score 0.0) must bring a challenge"
    assert u.decision == Match("alice", 0.8, 0.6, 0.0, False)


def test_a_replay_turning_the_other_way_is_rejected(settings) -> None:
    prompt: list[Guidance] = []

    def script(i: int) -> FrameResult:
        if not prompt or i < 8:
            return _face_result(0.0)
        sign = -1.0 if prompt[0] is Guidance.TURN_LEFT else 1.0
        return _face_result(sign * min(0.3, 0.06 * (i - 8)))

    s = _scripted_session(settings, script, 5)
    for frame in _frames(40):
        u = s.analyse(frame)
        if u.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT) and not prompt:
            prompt.append(u.guidance)
        if u.decision is not None:
            break
    assert u.decision == Reject(Reason.CHALLENGE_FAILED)


def test_a_masked_live_shopper_goes_to_the_pin(settings) -> None:
    # 0.58 would Match an unmasked face; a masked one needs the stricter masked threshold
    s = _scripted_session(settings, lambda i: _face_result(0.0, liveness=8.0, masked=True, best=0.58), 0)
    for frame in _frames(10):
        u = s.analyse(frame)
        assert u.masked
        if u.decision is not None:
            break
    assert u.decision == NeedPin(("alice",), Reason.MASKED)


def _still_shopper(settings, more_time_at: int | None) -> tuple[int, int, object]:
    """(frame of the prompt, frame of the decision, decision) for a shopper who never turns."""
    s = _scripted_session(settings, lambda i: _face_result(0.0), 0)
    prompt_at = None
    for i, frame in enumerate(_frames(300)):
        if i == more_time_at:
            s.more_time()
        u = s.analyse(frame)
        if u.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT) and prompt_at is None:
            prompt_at = i
        if u.decision is not None:
            assert prompt_at is not None
            return prompt_at, i, u.decision
    raise AssertionError("no decision in 300 frames")


def test_more_time_restarts_the_head_turn_clock(settings) -> None:
    prompt_at, failed_at, decision = _still_shopper(settings, None)
    assert decision == Reject(Reason.CHALLENGE_FAILED)
    asked = failed_at - 2  # just before the prompt would time out
    _, later, again = _still_shopper(settings, asked)
    assert again == Reject(Reason.CHALLENGE_FAILED)
    assert later - asked >= failed_at - prompt_at - 2  # a full challenge time from the request
    _, same, _ = _still_shopper(settings, 0)  # before any challenge: nothing changes
    assert same == failed_at
