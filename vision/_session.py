"""``ScanSession``: one checkout scan, frame by frame, as the kiosk's ``FaceAnalyser``.

It runs the pipeline (detect, quality, mask, liveness, embed, search) on each frame, tracks
the shopper's face, shows one ``Guidance`` at a time, runs the active challenge when the
policy asks for it, and emits a decision once, in the ``ScanUpdate`` of the frame that
settles it (later frames repeat it until ``reset``).

Rejected without any model's help: the tracked face turning into another face
(embedding similarity to the first good frame drops), several faces competing for the
camera, and a scan that never gets a usable face (too small, too far) within ``patience_s``.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from vision._challenge import Challenge, ChallengeLimits, ChallengeStatus, Observation
from vision._decision import Decision, Guidance, Reason, Reject, ScanUpdate
from vision._detector import Detection
from vision._gallery import Candidate
from vision._pipeline import FaceAnalysis, NearSearch, Pipeline, Sighting
from vision._policy import DecisionPolicy, FrameEvidence, fused_embedding

__all__ = ["FrameBudget", "ScanSession", "ScanWork"]

# Another face at least this fraction of the main face's area competes for the camera.
CROWD_AREA_RATIO = 0.4
# Frames in a row with competing faces before the scan is rejected.
CROWD_FRAMES = 15
# Seconds from the first frame to a decision before the scan gives up.
PATIENCE_S = 20.0


@dataclass(frozen=True)
class FrameBudget:
    """How much of the per-frame work a scan may skip when the decision does not need it.

    ``FrameBudget()`` skips nothing: every frame is searched whole and every model runs
    (what ``facepay eval`` does to a photo). The kiosk's budget comes from Settings.vision.

    Attributes:
        track_every: the whole frame is searched at least every this many frames; in
            between, the face is looked for only near its previous box (1: never tracked).
            A frame where competing faces were seen is always followed by a whole search.
        track_grow: side of the square searched near the face, in the box's longer sides.
        retry_every: on a run of frames without a face, the detector's enlarged second
            search runs on every this many (1: on each).
        skip_unneeded: no anti-spoof and no recogniser on a frame the decision will not
            use (the quality gate failed, or competing faces), no anti-spoof during the
            challenge (only the face's identity is checked there).
        liveness_margin: once the window's mean liveness score is at least this far above
            the pass cut or below the reject cut after two or more frames, the anti-spoof
            model runs on every other frame and a skipped frame repeats the last score
            (0: on every frame).
    """

    track_every: int = 1
    track_grow: float = 2.0
    retry_every: int = 1
    skip_unneeded: bool = False
    liveness_margin: float = 0.0


@dataclass(frozen=True)
class ScanWork:
    """What a scan has run so far (since ``reset``), for ``facepay bench``.

    Attributes:
        frames: frames analysed before the decision.
        whole_searches: frames on which the whole frame was searched for faces.
        near_searches: frames on which only the tracked face's neighbourhood was searched.
        antispoof: anti-spoof model runs.
        embeddings: recogniser runs.
    """

    frames: int = 0
    whole_searches: int = 0
    near_searches: int = 0
    antispoof: int = 0
    embeddings: int = 0


class ScanSession:
    """Stateful per shopper; not thread-safe (one per vision worker).

    The pipeline must carry the liveness and mask stages and a gallery; the clock (seconds,
    monotonic) and the RNG that draws the challenge are injected so tests control both.
    ``budget`` says which work a frame may skip (default: none).
    """

    def __init__(
        self,
        pipeline: Pipeline,
        policy: DecisionPolicy,
        challenge: ChallengeLimits,
        *,
        clock: Callable[[], float],
        rng: random.Random,
        patience_s: float = PATIENCE_S,
        crowd_frames: int = CROWD_FRAMES,
        budget: FrameBudget | None = None,
    ) -> None:
        if pipeline.liveness is None or pipeline.mask is None or pipeline.gallery is None:
            raise ValueError("a ScanSession needs a pipeline with liveness, mask and a gallery")
        self.pipeline = pipeline
        self.policy = policy
        self.challenge_limits = challenge
        self.budget = budget or FrameBudget()
        self._clock = clock
        self._rng = rng
        self._patience_s = patience_s
        self._crowd_limit = crowd_frames
        self.reset()

    def reset(self, *, amount_minor: int = 0) -> None:
        """Forget the previous shopper; ``amount_minor`` decides whether the challenge is forced."""
        self.amount_minor = amount_minor
        self._index = -1
        self._started: float | None = None
        self._reference: NDArray[np.float32] | None = None
        self._window: deque[FrameEvidence] = deque(maxlen=max(1, self.policy.limits.liveness.window))
        self._challenge: Challenge | None = None
        self._live_confirmed = False
        self._crowd = 0
        self._decision: Decision | None = None
        self._track: Detection | None = None
        self._since_whole = 0
        self._empty_run = 0
        self._seen_others: tuple[Detection, ...] = ()
        self._held_last = False
        self._work = ScanWork()

    @property
    def challenge(self) -> Challenge | None:
        return self._challenge

    @property
    def work(self) -> ScanWork:
        """What this scan has run so far."""
        return self._work

    def more_time(self) -> None:
        """The shopper asked for more time: a pending challenge's clock starts again, and the
        scan's patience moves on by the time given back (nothing else changes)."""
        challenge = self._challenge
        if challenge is None or challenge.status is not ChallengeStatus.PENDING:
            return
        now = self._clock()
        given = now - challenge.started_at
        challenge.started_at = now
        if self._started is not None:
            self._started += given

    def analyse(self, frame: NDArray[np.uint8]) -> ScanUpdate:
        now = self._clock()
        self._index += 1
        if self._decision is not None:
            return ScanUpdate(self._index, None, Guidance.OK, decision=self._decision)
        if self._started is None:
            self._started = now
        sighting = self._look(frame)
        guidance = self._step(sighting, now)
        det = sighting.detection
        return ScanUpdate(
            self._index,
            _int_box(det) if det else None,
            guidance,
            masked=bool(det and sighting.mask and sighting.mask.masked),
            decision=self._decision,
        )

    def _look(self, frame: NDArray[np.uint8]) -> Sighting:
        """Locate the faces: near the tracked face when the budget allows, else the whole frame."""
        b = self.budget
        near = None
        if self._track is not None and self._since_whole + 1 < b.track_every:
            near = NearSearch(self._track.box, b.track_grow)
        sighting = self.pipeline.locate(frame, near=near, retry=self._empty_run % max(1, b.retry_every) == 0)
        if sighting.whole_frame:
            self._since_whole = 0
            self._seen_others = sighting.others
        else:
            self._since_whole += 1
            # faces outside the searched square were last seen by the whole-frame search
            sighting = replace(sighting, others=sighting.others + self._seen_others)
        det = sighting.detection
        self._empty_run = self._empty_run + 1 if det is None else 0
        self._track = det if self._trackable(sighting) else None
        self._count(
            frames=1, whole_searches=int(sighting.whole_frame), near_searches=int(not sighting.whole_frame)
        )
        return sighting

    def _trackable(self, sighting: Sighting) -> bool:
        """Whether the next frame may look only near this frame's face: not when faces
        compete for the camera (the whole frame must be watched), nor when the face is too
        small to use (it was likely found only by the enlarged search, which the near
        search does not repeat)."""
        det, quality = sighting.detection, sighting.quality
        if self.budget.track_every <= 1 or det is None or quality is None:
            return False
        if _competing(det, self._seen_others):
            return False
        return quality.face_px >= self.pipeline.limits.min_face_px

    def _complete(self, sighting: Sighting, *, liveness: bool) -> FaceAnalysis | None:
        # One view of the anti-spoof model's wide context per run, in turn: a window of
        # frames sees each view (vision._liveness.wide_views).
        result = self.pipeline.complete(sighting, liveness=liveness, view=self._work.antispoof)
        face = result.face
        if face is not None:
            self._count(antispoof=int(face.liveness is not None), embeddings=1)
        return face

    def _count(self, **more: int) -> None:
        w = self._work
        self._work = replace(w, **{k: getattr(w, k) + v for k, v in more.items()})

    def _step(self, sighting: Sighting, now: float) -> Guidance:
        det, quality = sighting.detection, sighting.quality
        lean = self.budget.skip_unneeded
        face = None if lean or det is None else self._complete(sighting, liveness=True)
        if det is None or quality is None:
            if self._challenge is not None:
                self._settle_challenge(self._challenge.tick(now))
            return self._timeout(now, Guidance.LOOK_AT_CAMERA)
        if _competing(det, sighting.others):
            self._crowd += 1
            if self._crowd >= self._crowd_limit:
                self._decide(Reject(Reason.MULTIPLE_FACES))
            return self._timeout(now, Guidance.ONE_PERSON)
        self._crowd = 0
        if lean and self._challenge is None and not quality.ok:
            return self._timeout(now, quality.problems[0])
        held = self._held_liveness() if lean and self._challenge is None else None
        if face is None:
            face = self._complete(sighting, liveness=self._challenge is None and held is None)
        assert face is not None
        similarity = self._similarity(face)
        if self._challenge is not None:
            obs = Observation(now, face.detection.landmarks, face.detection.width, similarity)
            self._settle_challenge(self._challenge.observe(obs))
            if self._challenge is not None:
                return self._timeout(now, self._challenge.guidance)
            return Guidance.OK
        if not face.quality.ok:
            return self._timeout(now, face.quality.problems[0])
        if similarity is not None and similarity < self.challenge_limits.same_face_similarity:
            self._decide(Reject(Reason.IDENTITY_CHANGED))
            return Guidance.OK
        if self._reference is None:
            self._reference = face.embedding
        evidence = FrameEvidence.of(face)
        self._held_last = held is not None
        self._window.append(evidence if held is None else replace(evidence, liveness=held))
        if len(self._window) < (self._window.maxlen or 1):
            return self._timeout(now, Guidance.OK)
        decision = self.policy.decide(
            list(self._window),
            live_confirmed=self._live_confirmed,
            amount_minor=self.amount_minor,
            fused=self._fused(),
        )
        if decision is None:
            self._challenge = Challenge.random(self.challenge_limits, self._rng, now)
            return self._challenge.guidance
        self._decide(decision)
        return Guidance.OK

    def _held_liveness(self) -> float | None:
        """The score a frame may repeat instead of running the anti-spoof model: the last
        one, when the window so far is confidently live (``margin`` above the pass cut) or
        confidently a spoof (``margin`` below the reject cut) and the last frame was measured.
        The uncertain band between the cuts is never confident: there every frame counts."""
        margin = self.budget.liveness_margin
        if len(self._window) < 2 or self._held_last or not margin > 0:
            return None
        mean = float(np.mean([f.liveness for f in self._window]))
        lim = self.policy.limits.liveness
        if lim.reject_threshold - margin <= mean < lim.pass_threshold + margin:
            return None
        return self._window[-1].liveness

    def _fused(self) -> tuple[Candidate, ...] | None:
        """The gallery's answer for the window's fused embedding (several frames, one probe)."""
        probe = fused_embedding(list(self._window))
        if probe is None or self.pipeline.gallery is None:
            return None
        return self.pipeline.gallery.search(probe, self.pipeline.top_k)

    def _similarity(self, face: FaceAnalysis) -> float | None:
        if self._reference is None:
            return None
        return float(np.dot(face.embedding, self._reference))

    def _settle_challenge(self, status: ChallengeStatus) -> None:
        if status is ChallengeStatus.PENDING:
            return
        self._challenge = None
        if status is ChallengeStatus.PASSED:
            self._live_confirmed = True
            decision = self.policy.decide(
                list(self._window), live_confirmed=True, amount_minor=self.amount_minor, fused=self._fused()
            )
            if decision is not None:
                self._decide(decision)
        elif status is ChallengeStatus.IDENTITY_CHANGED:
            self._decide(Reject(Reason.IDENTITY_CHANGED))
        else:
            self._decide(Reject(Reason.CHALLENGE_FAILED))

    def _timeout(self, now: float, guidance: Guidance) -> Guidance:
        if self._started is not None and now - self._started > self._patience_s:
            self._decide(Reject(Reason.TIMEOUT))
        return guidance

    def _decide(self, decision: Decision) -> None:
        if self._decision is None:
            self._decision = decision


def _competing(main: Detection, others: tuple[Detection, ...]) -> bool:
    return any(o.area >= CROWD_AREA_RATIO * main.area for o in others)


def _int_box(det: Detection) -> tuple[int, int, int, int]:
    x, y, w, h = det.box
    return (round(x), round(y), round(w), round(h))
