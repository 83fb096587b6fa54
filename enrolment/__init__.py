"""Shoppers' enrolment, consent and erasure on the terminal side.

Consent comes first: ``enrol`` refuses a customer without a recorded consent of the
current text version. Photos are quality-gated (exactly one face, good enough to
recognise, live where a liveness check is given); only templates are kept, in the
encrypted gallery. ``erase`` removes templates, consent and the face link and
writes an audit entry proving it without naming the customer (a salted hash).

Exceptions::

    EnrolmentError(Exception)
    ├── ConsentMissing        no consent of the current text version on record
    └── NoUsablePhoto         none of the photos passed the gate

The enrolment domain sits beside the checkout flow: plain Python over ``vision`` (the gallery,
the pipeline), never Qt, the UI or the composition root (``tests/test_layering.py``).
"""

from __future__ import annotations

from enrolment._photos import (
    LivenessCheck,
    already_enrolled,
    enrol_photos,
    erase_customer,
    gate_photos,
    image_problem,
    retention_sweep,
    spoof_check,
    store_templates,
)
from enrolment._records import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    RETENTION_DAYS,
    ConsentMissing,
    ConsentRecord,
    EnrolmentError,
    EnrolResult,
    ErasureReceipt,
    NoUsablePhoto,
)
from enrolment._registry import Registry

__all__ = [
    "CONSENT_TEXT",
    "CONSENT_VERSION",
    "RETENTION_DAYS",
    "ConsentMissing",
    "ConsentRecord",
    "EnrolResult",
    "EnrolmentError",
    "ErasureReceipt",
    "LivenessCheck",
    "NoUsablePhoto",
    "Registry",
    "already_enrolled",
    "enrol_photos",
    "erase_customer",
    "gate_photos",
    "image_problem",
    "retention_sweep",
    "spoof_check",
    "store_templates",
]
