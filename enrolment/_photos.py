"""Enrolling from photos and erasing: the quality gate, the already-enrolled check, templates
in and out."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from enrolment._records import (
    CONSENT_VERSION,
    RETENTION_DAYS,
    ConsentMissing,
    EnrolResult,
    ErasureReceipt,
    NoUsablePhoto,
)
from enrolment._registry import Registry
from vision import Candidate, FrameResult, Gallery, ImageError, Pipeline, VisionError, read_image

__all__ = [
    "LivenessCheck",
    "already_enrolled",
    "enrol_photos",
    "erase_customer",
    "gate_photos",
    "image_problem",
    "retention_sweep",
    "spoof_check",
    "store_templates",
]

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
