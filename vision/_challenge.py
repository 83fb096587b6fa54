"""The active liveness challenge: follow a random prompt, verified from landmark tracks.

A prompt (turn the head left, turn it right, or move closer) is drawn at random with an
injected RNG, so a replayed video cannot know it in advance. The answer is read from the
5 landmarks of successive frames: the yaw proxy of ``pose_proxies`` must move from a frontal
start by ``yaw`` in the asked direction (a flat photo turned in the hand keeps its yaw
proxy: an affine squeeze scales nose offset and eye distance alike), or the face must grow
by ``closer_ratio``. Time is passed in with every observation, never read here.

A head turn that reaches the asked yaw must also show motion parallax (``vision._motion``):
the nose tip leaves the place a flat picture's nose would take given how the eyes and mouth
corners moved. A print or screen tilted in the hand until its landmarks mimic a turn fails
as ``FLAT_PICTURE``.

It fails on: a static face (time runs out), the wrong direction (a video that does not
follow), a different face mid-challenge (embedding similarity to the session's face drops),
a flat picture tilted to mimic a turn, and slowness.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision._decision import Guidance
from vision._motion import nose_parallax
from vision._quality import pose_proxies

__all__ = ["Challenge", "ChallengeKind", "ChallengeLimits", "ChallengeStatus", "Observation"]

# Observations in a row that must show the answer: one noisy landmark frame is not a turn.
HOLD_FRAMES = 2


class ChallengeKind(enum.Enum):
    """What the shopper is asked to do (left and right are the shopper's own)."""

    TURN_LEFT = "left"
    TURN_RIGHT = "right"
    MOVE_CLOSER = "closer"


_PROMPT = {
    ChallengeKind.TURN_LEFT: Guidance.TURN_LEFT,
    ChallengeKind.TURN_RIGHT: Guidance.TURN_RIGHT,
    ChallengeKind.MOVE_CLOSER: Guidance.MOVE_CLOSER,
}


class ChallengeStatus(enum.Enum):
    """Where a challenge stands."""

    PENDING = "pending"
    PASSED = "passed"
    WRONG_DIRECTION = "wrong_direction"
    TIMED_OUT = "timed_out"
    IDENTITY_CHANGED = "identity_changed"
    FLAT_PICTURE = "flat_picture"

    @property
    def failed(self) -> bool:
        return self not in (ChallengeStatus.PENDING, ChallengeStatus.PASSED)


@dataclass(frozen=True)
class ChallengeLimits:
    """How a challenge is judged (the settings section ``liveness`` holds one as ``challenge``).

    Attributes:
        timeout_s: time allowed from the prompt to the answer.
        yaw: yaw-proxy change a head turn must reach.
        start_yaw: largest |yaw| of the frontal start.
        closer_ratio: face-width growth "move closer" needs.
        same_face_similarity: smallest embedding similarity to the session's face.
        kinds: the prompts to draw from (``left``, ``right``, ``closer``).
        min_parallax: nose parallax (eye distances) a head turn must show; 0 turns the
            check off.
    """

    timeout_s: float
    yaw: float
    start_yaw: float
    closer_ratio: float
    same_face_similarity: float
    kinds: tuple[str, ...] = ("left", "right")
    min_parallax: float = 0.0


@dataclass(frozen=True)
class Observation:
    """One frame of the tracked face during a challenge.

    Attributes:
        t: time of the frame in seconds (any monotonic origin).
        landmarks: the 5 landmarks (frame pixels).
        face_width: box width in frame pixels.
        similarity: cosine similarity of this frame's embedding to the session's face
            (None when not computed).
    """

    t: float
    landmarks: NDArray[np.float32]
    face_width: float
    similarity: float | None = None


class Challenge:
    """One prompt and its verification. Feed ``observe`` every frame with a face and
    ``tick`` every frame without one; both return the status."""

    def __init__(self, kind: ChallengeKind, limits: ChallengeLimits, started_at: float) -> None:
        self.kind = kind
        self.limits = limits
        self.started_at = started_at
        self._status = ChallengeStatus.PENDING
        self._start_yaw: float | None = None
        self._start_width: float | None = None
        self._start_landmarks: NDArray[np.float32] | None = None
        self._held = 0
        self.parallax = 0.0

    @classmethod
    def random(cls, limits: ChallengeLimits, rng: random.Random, now: float) -> Challenge:
        kinds = [ChallengeKind(k) for k in limits.kinds] or [ChallengeKind.TURN_LEFT]
        return cls(rng.choice(kinds), limits, now)

    @property
    def guidance(self) -> Guidance:
        return _PROMPT[self.kind]

    @property
    def status(self) -> ChallengeStatus:
        return self._status

    def tick(self, now: float) -> ChallengeStatus:
        if self._status is ChallengeStatus.PENDING and now - self.started_at > self.limits.timeout_s:
            self._status = ChallengeStatus.TIMED_OUT
        return self._status

    def observe(self, obs: Observation) -> ChallengeStatus:
        if self._status is not ChallengeStatus.PENDING or self.tick(obs.t).failed:
            return self._status
        if obs.similarity is not None and obs.similarity < self.limits.same_face_similarity:
            self._status = ChallengeStatus.IDENTITY_CHANGED
            return self._status
        yaw, _ = pose_proxies(obs.landmarks)
        if self._start_yaw is None:
            if abs(yaw) > self.limits.start_yaw:
                return self._status  # wait for a frontal start
            self._start_yaw, self._start_width = yaw, max(obs.face_width, 1e-6)
            self._start_landmarks = np.asarray(obs.landmarks, dtype=np.float32)
            return self._status
        progress = self._progress(yaw, obs.face_width)
        if progress <= -1.0:
            self._status = ChallengeStatus.WRONG_DIRECTION
            return self._status
        self._held = self._held + 1 if progress >= 1.0 else 0
        if self._held >= HOLD_FRAMES:
            self._status = self._judge_turn(obs)
        return self._status

    def _judge_turn(self, obs: Observation) -> ChallengeStatus:
        """A turn that reached the asked yaw: passed if it moved like a head (parallax)."""
        if self.kind is ChallengeKind.MOVE_CLOSER or self.limits.min_parallax <= 0.0:
            return ChallengeStatus.PASSED
        assert self._start_landmarks is not None
        self.parallax = nose_parallax(self._start_landmarks, obs.landmarks)
        if self.parallax < self.limits.min_parallax:
            return ChallengeStatus.FLAT_PICTURE
        return ChallengeStatus.PASSED

    def _progress(self, yaw: float, width: float) -> float:
        """Fraction of the asked movement done (negative: the opposite way)."""
        assert self._start_yaw is not None and self._start_width is not None
        if self.kind is ChallengeKind.MOVE_CLOSER:
            growth = width / self._start_width
            return (growth - 1.0) / (self.limits.closer_ratio - 1.0)
        # Turning to one's own left brings the nose towards the image right: yaw grows.
        sign = 1.0 if self.kind is ChallengeKind.TURN_LEFT else -1.0
        return sign * (yaw - self._start_yaw) / self.limits.yaw
