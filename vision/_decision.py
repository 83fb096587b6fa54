"""What the terminal decides about the face in front of it, and what it tells the shopper.

A decision policy over a short window of per-frame results yields exactly one of
``Match``, ``NeedPin`` or ``Reject`` (``Decision``). While no decision is reached
the shopper sees one ``Guidance`` prompt at a time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "GUIDANCE_TEXT",
    "REASON_TEXT",
    "Decision",
    "Guidance",
    "Match",
    "NeedPin",
    "Reason",
    "Reject",
    "ScanUpdate",
]


class Guidance(enum.Enum):
    """One short, actionable prompt for the shopper while scanning."""

    LOOK_AT_CAMERA = "look_at_camera"
    MOVE_CLOSER = "move_closer"
    STEP_BACK = "step_back"
    FACE_CAMERA = "face_camera"
    HOLD_STILL = "hold_still"
    MORE_LIGHT = "more_light"
    LESS_LIGHT = "less_light"
    ONE_PERSON = "one_person"
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    OK = "ok"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for ``pyside6-lupdate`` (the kiosk translates it; vision never imports Qt)."""
    return text


GUIDANCE_TEXT: dict[Guidance, str] = {
    Guidance.LOOK_AT_CAMERA: QT_TRANSLATE_NOOP("Vision", "Look at the camera"),
    Guidance.MOVE_CLOSER: QT_TRANSLATE_NOOP("Vision", "Move closer"),
    Guidance.STEP_BACK: QT_TRANSLATE_NOOP("Vision", "Please step back a little"),
    Guidance.FACE_CAMERA: QT_TRANSLATE_NOOP("Vision", "Face the camera"),
    Guidance.HOLD_STILL: QT_TRANSLATE_NOOP("Vision", "Hold still"),
    Guidance.MORE_LIGHT: QT_TRANSLATE_NOOP("Vision", "Too dark: step into the light"),
    Guidance.LESS_LIGHT: QT_TRANSLATE_NOOP("Vision", "Too bright: step out of the glare"),
    Guidance.ONE_PERSON: QT_TRANSLATE_NOOP("Vision", "One person at a time, please"),
    Guidance.TURN_LEFT: QT_TRANSLATE_NOOP("Vision", "Turn your head left"),
    Guidance.TURN_RIGHT: QT_TRANSLATE_NOOP("Vision", "Turn your head right"),
    Guidance.OK: QT_TRANSLATE_NOOP("Vision", "Hold on, checking…"),
}


class Reason(enum.Enum):
    """Why the terminal did not settle for a face-only Match."""

    MASKED = "masked"
    LOW_SCORE = "low_score"
    AMBIGUOUS = "ambiguous"
    STRANGER = "stranger"
    SPOOF = "spoof"
    CHALLENGE_FAILED = "challenge_failed"
    IDENTITY_CHANGED = "identity_changed"
    MULTIPLE_FACES = "multiple_faces"
    NO_FACE = "no_face"
    TIMEOUT = "timeout"


REASON_TEXT: dict[Reason, str] = {
    Reason.MASKED: QT_TRANSLATE_NOOP("Vision", "We can't confirm you with a mask on — enter your PIN"),
    Reason.LOW_SCORE: QT_TRANSLATE_NOOP("Vision", "We couldn't confirm it's you — enter your PIN"),
    Reason.AMBIGUOUS: QT_TRANSLATE_NOOP(
        "Vision", "We couldn't tell you apart from another shopper — enter your PIN"
    ),
    Reason.STRANGER: QT_TRANSLATE_NOOP(
        "Vision", "We don't recognise this face — enter your customer number and PIN"
    ),
    Reason.SPOOF: QT_TRANSLATE_NOOP("Vision", "This doesn't look like a live face. Please ask the cashier"),
    Reason.CHALLENGE_FAILED: QT_TRANSLATE_NOOP(
        "Vision", "We couldn't verify the head movement. Please ask the cashier"
    ),
    Reason.IDENTITY_CHANGED: QT_TRANSLATE_NOOP("Vision", "A different face appeared. Please start again"),
    Reason.MULTIPLE_FACES: QT_TRANSLATE_NOOP(
        "Vision", "Several faces are in view. One person at a time, please"
    ),
    Reason.NO_FACE: QT_TRANSLATE_NOOP("Vision", "No face seen. Please ask the cashier"),
    Reason.TIMEOUT: QT_TRANSLATE_NOOP("Vision", "That took too long. Please try again"),
}


@dataclass(frozen=True)
class Match:
    """The face alone identifies one enrolled customer.

    Attributes:
        customer_id: the matched customer.
        score: cosine similarity to the customer's best template.
        margin: lead over the best other customer.
        liveness: smoothed liveness score of the window (higher is more live).
        masked: whether the face was judged masked (masked Match uses its own threshold).
    """

    customer_id: str
    score: float
    margin: float
    liveness: float
    masked: bool = False


@dataclass(frozen=True)
class NeedPin:
    """The shopper must confirm with a PIN.

    Attributes:
        candidates: customers the PIN may confirm, best first (may be empty:
            the shopper then identifies themselves).
        reason: why the face was not enough.
    """

    candidates: tuple[str, ...]
    reason: Reason


@dataclass(frozen=True)
class Reject:
    """No payment by face or PIN at this attempt (spoof, failed challenge...).

    Attributes:
        reason: why.
    """

    reason: Reason


Decision = Match | NeedPin | Reject


@dataclass(frozen=True)
class ScanUpdate:
    """What one camera frame contributed to a checkout scan, for the flow and the screen.

    Attributes:
        frame_index: index of the frame in its source.
        box: the main face's box in frame pixels (x, y, w, h), or None when no face.
        guidance: the one prompt to show now.
        masked: the main face is judged masked.
        decision: set once the policy has decided for this scan; None while still looking.
    """

    frame_index: int
    box: tuple[int, int, int, int] | None
    guidance: Guidance
    masked: bool = False
    decision: Decision | None = None
