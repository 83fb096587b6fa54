"""Camera sources, detection, alignment, quality, liveness, embedding, gallery and the
per-frame pipeline. numpy, onnxruntime and OpenCV only: never Qt, httpx or payments.
"""

from vision._decision import (
    GUIDANCE_TEXT,
    REASON_TEXT,
    Decision,
    Guidance,
    Match,
    NeedPin,
    Reason,
    Reject,
    ScanUpdate,
)

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
