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

import numpy as np
from numpy.typing import NDArray

from vision._challenge import Challenge, ChallengeLimits, ChallengeStatus, Observation
from vision._decision import Decision, Guidance, Reason, Reject, ScanUpdate
from vision._detector import Detection
from vision._gallery import Candidate
from vision._pipeline import FaceAnalysis, FrameResult, Pipeline
from vision._policy import DecisionPolicy, FrameEvidence, fused_embedding

__all__ = ["ScanSession"]

# Another face at least this fraction of the main face's area competes for the camera.
CROWD_AREA_RATIO = 0.4
# Frames in a row with competing faces before the scan is rejected.
CROWD_FRAMES = 15
# Seconds from the first frame to a decision before the scan gives up.
PATIENCE_S = 20.0


class ScanSession:
    """Stateful per shopper; not thread-safe (one per vision worker).

    The pipeline must carry the liveness and mask stages and a gallery; the clock (seconds,
    monotonic) and the RNG that draws the challenge are injected so tests control both.
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
    ) -> None:
        if pipeline.liveness is None or pipeline.mask is None or pipeline.gallery is None:
            raise ValueError("a ScanSession needs a pipeline with liveness, mask and a gallery")
        self.pipeline = pipeline
        self.policy = policy
        self.challenge_limits = challenge
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

    @property
    def challenge(self) -> Challenge | None:
        return self._challenge

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
        result = self.pipeline.process(frame)
        face = result.face
        guidance = self._step(result, now)
        return ScanUpdate(
            self._index,
            _int_box(face.detection) if face else None,
            guidance,
            masked=bool(face and face.mask and face.mask.masked),
            decision=self._decision,
        )

    def _step(self, result: FrameResult, now: float) -> Guidance:
        face = result.face
        if face is None:
            if self._challenge is not None:
                self._settle_challenge(self._challenge.tick(now))
            return self._timeout(now, Guidance.LOOK_AT_CAMERA)
        if _competing(face.detection, result.others):
            self._crowd += 1
            if self._crowd >= self._crowd_limit:
                self._decide(Reject(Reason.MULTIPLE_FACES))
            return self._timeout(now, Guidance.ONE_PERSON)
        self._crowd = 0
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
        self._window.append(FrameEvidence.of(face))
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
