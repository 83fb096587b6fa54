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
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vision import Candidate, FrameResult, Gallery, ImageError, Pipeline, VisionError, read_image

__all__ = [
    "CONSENT_TEXT",
    "CONSENT_VERSION",
    "ConsentMissing",
    "ConsentRecord",
    "EnrolResult",
    "EnrolmentError",
    "ErasureReceipt",
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


_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY, display_name TEXT NOT NULL,
    enrolled_at REAL NOT NULL, last_seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS consents (
    customer_id TEXT NOT NULL, text_version TEXT NOT NULL, text_sha256 TEXT NOT NULL,
    accepted_at REAL NOT NULL, terminal_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at REAL NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
    detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Registry:
    """The terminal's record of enrolled customers, consents and a hash-chained audit."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA synchronous=FULL")
        row = self._db.execute("SELECT value FROM meta WHERE name='salt'").fetchone()
        if row is None:
            self._salt = os.urandom(16).hex()
            self._db.execute("INSERT INTO meta VALUES ('salt', ?)", (self._salt,))
        else:
            self._salt = str(row[0])

    def subject(self, customer_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{customer_id}".encode()).hexdigest()[:24]

    def record_consent(
        self,
        customer_id: str,
        terminal_id: str,
        *,
        text: str = CONSENT_TEXT,
        version: str = CONSENT_VERSION,
        now: float | None = None,
    ) -> ConsentRecord:
        rec = ConsentRecord(
            customer_id,
            version,
            hashlib.sha256(text.encode()).hexdigest(),
            time.time() if now is None else now,
            terminal_id,
        )
        self._db.execute(
            "INSERT INTO consents VALUES (?, ?, ?, ?, ?)",
            (rec.customer_id, rec.text_version, rec.text_sha256, rec.accepted_at, rec.terminal_id),
        )
        self.audit("consent", customer_id, {"version": version})
        return rec

    def consent(self, customer_id: str) -> ConsentRecord | None:
        row = self._db.execute(
            "SELECT customer_id, text_version, text_sha256, accepted_at, terminal_id FROM consents"
            " WHERE customer_id = ? AND text_version = ? ORDER BY accepted_at DESC LIMIT 1",
            (customer_id, CONSENT_VERSION),
        ).fetchone()
        return ConsentRecord(*row) if row else None

    def upsert_customer(self, customer_id: str, display_name: str, now: float) -> None:
        self._db.execute(
            "INSERT INTO customers VALUES (?, ?, ?, ?) ON CONFLICT(customer_id) DO UPDATE SET"
            " display_name = excluded.display_name, last_seen_at = excluded.last_seen_at",
            (customer_id, display_name, now, now),
        )

    def touch(self, customer_id: str, now: float | None = None) -> None:
        """Note a visit (keeps the customer out of the retention sweep)."""
        self._db.execute(
            "UPDATE customers SET last_seen_at = ? WHERE customer_id = ?",
            (time.time() if now is None else now, customer_id),
        )

    def display_name(self, customer_id: str) -> str | None:
        row = self._db.execute(
            "SELECT display_name FROM customers WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def customers(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT customer_id FROM customers ORDER BY 1")]

    def inactive_since(self, cutoff: float) -> list[str]:
        rows = self._db.execute("SELECT customer_id FROM customers WHERE last_seen_at < ?", (cutoff,))
        return [r[0] for r in rows]

    def forget(self, customer_id: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM customers WHERE customer_id = ?", (customer_id,))
            self._db.execute("DELETE FROM consents WHERE customer_id = ?", (customer_id,))

    def audit(self, action: str, customer_id: str, detail: dict[str, object]) -> str:
        row = self._db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev = str(row[0]) if row else "0" * 64
        at = time.time()
        subject = self.subject(customer_id)
        body = json.dumps(detail, sort_keys=True)
        digest = hashlib.sha256(f"{prev}|{at!r}|{action}|{subject}|{body}".encode()).hexdigest()
        self._db.execute(
            "INSERT INTO audit (at, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (at, action, subject, body, prev, digest),
        )
        return digest

    def audit_ok(self) -> bool:
        """True when the audit chain is intact (no line edited or deleted)."""
        prev = "0" * 64
        for at, action, subject, detail, prev_hash, digest in self._db.execute(
            "SELECT at, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq"
        ):
            expect = hashlib.sha256(f"{prev}|{at!r}|{action}|{subject}|{detail}".encode()).hexdigest()
            if prev_hash != prev or digest != expect:
                return False
            prev = digest
        return True

    def close(self) -> None:
        self._db.close()


LivenessCheck = Callable[[object], str | None]


def image_problem(result: FrameResult, liveness: LivenessCheck | None = None) -> str | None:
    """Why one analysed image cannot give a template (None when it can): exactly one face,
    passing the quality gate, and live when a liveness check is given (it returns None for live
    or a reason)."""
    face = result.face
    if face is None:
        return "no face found"
    if result.others:
        return f"{result.faces} faces: one person per photo"
    if not face.quality.ok:
        return "quality: " + ", ".join(p.value for p in face.quality.problems)
    if liveness is not None:
        return liveness(result)
    return None


def spoof_check(reject_below: float) -> LivenessCheck:
    """A liveness check refusing faces the anti-spoof model does not clearly judge live (score
    below ``reject_below``; enrolment uses the policy's pass threshold, stricter than its reject
    threshold: on ../shared/faces/dev every spoof photo with a face scores below it, the live
    enrolment photos above). Images without a score pass."""

    def check(result: object) -> str | None:
        face = getattr(result, "face", None)
        score = getattr(face, "liveness", None)
        if score is not None and score < reject_below:
            return "judged a photo or screen, not a live face"
        return None

    return check


def gate_photos(
    pipeline: Pipeline, photos: Sequence[Path], *, liveness: LivenessCheck | None = None
) -> tuple[list[NDArray[np.float32]], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(templates, photos used, (photo, reason) refused): the quality gate over photos."""
    used: list[str] = []
    refused: list[tuple[str, str]] = []
    templates: list[NDArray[np.float32]] = []
    for photo in photos:
        try:
            result = pipeline.process(read_image(photo))
        except (ImageError, VisionError) as exc:
            refused.append((photo.name, str(exc)))
            continue
        problem = image_problem(result, liveness)
        if problem is not None or result.face is None:
            refused.append((photo.name, problem or "no face found"))
        else:
            used.append(photo.name)
            templates.append(result.face.embedding)
    return templates, tuple(used), tuple(refused)


def already_enrolled(
    gallery: Gallery,
    templates: Sequence[NDArray[np.float32]],
    customer_id: str,
    threshold: float,
    *,
    k: int = 3,
) -> Candidate | None:
    """The other customer this face is already enrolled as, or None.

    Every captured template is searched; a customer other than ``customer_id`` counts when
    their median score over the templates reaches ``threshold`` (the candidate threshold: a
    face close enough to be offered for PIN confirmation must not be linked to a second
    account). The median keeps one odd frame from deciding either way.
    """
    if not templates or not len(gallery.index()):
        return None
    scores: dict[str, list[float]] = {}
    for template in templates:
        for cand in gallery.search(template, k=k + 1):
            if cand.customer_id != customer_id:
                scores.setdefault(cand.customer_id, []).append(cand.score)
    best: Candidate | None = None
    for other, found in scores.items():
        found += [-1.0] * (len(templates) - len(found))  # not in this template's top k: no match
        median = float(np.median(found))
        if median >= threshold and (best is None or median > best.score):
            best = Candidate(other, median)
    return best


def store_templates(
    gallery: Gallery,
    registry: Registry,
    customer_id: str,
    display_name: str,
    templates: Sequence[NDArray[np.float32]],
    *,
    now: float | None = None,
) -> int:
    """Write gated templates to the encrypted gallery; needs a consent of the current version."""
    if registry.consent(customer_id) is None:
        raise ConsentMissing(f"customer {customer_id} has not accepted consent text {CONSENT_VERSION}")
    if not templates:
        raise NoUsablePhoto(f"no usable image for {customer_id}")
    gallery.add(customer_id, np.vstack(list(templates)))
    registry.upsert_customer(customer_id, display_name, time.time() if now is None else now)
    registry.audit("enrol", customer_id, {"templates": len(templates)})
    return len(templates)


def enrol_photos(
    pipeline: Pipeline,
    gallery: Gallery,
    registry: Registry,
    customer_id: str,
    display_name: str,
    photos: Sequence[Path],
    *,
    liveness: LivenessCheck | None = None,
    now: float | None = None,
) -> EnrolResult:
    """Enrol a customer from photos; needs a consent of the current version on record.

    Each photo must show exactly one face that passes the quality gate (and the
    liveness check, when given: it returns None for live or a reason). Raw images
    are never stored.
    """
    if registry.consent(customer_id) is None:
        raise ConsentMissing(f"customer {customer_id} has not accepted consent text {CONSENT_VERSION}")
    templates, used, refused = gate_photos(pipeline, photos, liveness=liveness)
    if not templates:
        raise NoUsablePhoto(
            f"no usable photo for {customer_id}: " + "; ".join(f"{n}: {r}" for n, r in refused)
        )
    count = store_templates(gallery, registry, customer_id, display_name, templates, now=now)
    return EnrolResult(customer_id, count, used, refused)


def erase_customer(gallery: Gallery, registry: Registry, customer_id: str) -> ErasureReceipt:
    """Remove every template, the consent and the face link of a customer."""
    removed = gallery.remove(customer_id)
    registry.forget(customer_id)
    digest = registry.audit("erase", customer_id, {"templates_removed": removed})
    return ErasureReceipt(registry.subject(customer_id), removed, time.time(), digest)


def retention_sweep(
    gallery: Gallery, registry: Registry, *, now: float | None = None, days: int = RETENTION_DAYS
) -> list[ErasureReceipt]:
    """Erase the biometric data of customers not seen for ``days``."""
    cutoff = (time.time() if now is None else now) - days * 86400.0
    return [erase_customer(gallery, registry, c) for c in registry.inactive_since(cutoff)]
