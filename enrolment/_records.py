"""What enrolment keeps and answers: the consent text, its records, results and errors."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONSENT_TEXT",
    "CONSENT_VERSION",
    "RETENTION_DAYS",
    "ConsentMissing",
    "ConsentRecord",
    "EnrolResult",
    "EnrolmentError",
    "ErasureReceipt",
    "NoUsablePhoto",
]

CONSENT_VERSION = "2026-11-v1"
CONSENT_TEXT = """\
facepay stores a mathematical template of your face (not your photos) so that this
shop's checkout can recognise you and charge your facepay account when you confirm.
What is stored: face templates (encrypted), your customer number and first name.
Why: only to identify you at checkout; a PIN confirms any payment the face cannot.
For how long: until you delete your enrolment, or 3 years after your last visit.
You can delete it at any time at the checkout or with the shop; payment records that
the law requires us to keep stay, without your face data.
"""
# Inactive customers' biometric data is deleted after this many days (3 years).
RETENTION_DAYS = 3 * 365


class EnrolmentError(Exception):
    """Enrolment cannot go ahead."""


class ConsentMissing(EnrolmentError):
    """The customer has not accepted the current consent text."""


class NoUsablePhoto(EnrolmentError):
    """No photo passed the quality gate."""


@dataclass(frozen=True)
class ConsentRecord:
    """A shopper's agreement to the consent text.

    Attributes:
        customer_id: who agreed.
        text_version: which consent text they saw.
        text_sha256: digest of that exact text.
        accepted_at: unix time.
        terminal_id: where.
    """

    customer_id: str
    text_version: str
    text_sha256: str
    accepted_at: float
    terminal_id: str


@dataclass(frozen=True)
class EnrolResult:
    """What enrolment kept and what it refused.

    Attributes:
        customer_id: the enrolled customer.
        templates: number of templates stored.
        used: photos that gave a template.
        refused: (photo, reason) for photos that did not.
    """

    customer_id: str
    templates: int
    used: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ErasureReceipt:
    """Proof that a customer's biometric data was erased.

    Attributes:
        subject: salted hash of the customer id (the audit never names the person).
        templates_removed: templates deleted from the gallery.
        at: unix time.
        audit_hash: hash of the audit entry recording the erasure.
    """

    subject: str
    templates_removed: int
    at: float
    audit_hash: str
