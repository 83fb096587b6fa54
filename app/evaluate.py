"""``facepay eval``: run the per-frame pipeline over labelled photos and measure it.

The labels CSV has at least ``file,identity,masked,spoof`` (extra columns are
ignored). Identities starting with ``unknown_`` are never used for pairs; pairs
are every same-identity (genuine) and different-identity (impostor) pair of live
photos whose main face was found. Bad rows and bad images are counted and listed,
never fatal.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.eval_cache import EmbeddingCache
from app.eval_calibration import calibration_block
from app.eval_fusion import fusion_block
from app.eval_liveness import FitRecipe, liveness_block
from app.eval_recognition import decision_block, mask_block
from vision import (
    DecisionPolicy,
    Guidance,
    ImageError,
    PadCues,
    Pipeline,
    VisionError,
    read_image,
)
from vision._evaluation import pair_scores, verification_metrics

__all__ = ["EvalError", "ImageRecord", "LabelRow", "read_labels", "run_eval"]

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("file", "identity", "masked", "spoof")


class EvalError(ValueError):
    """The labels file itself cannot be used (missing, unreadable, wrong columns)."""


@dataclass(frozen=True)
class LabelRow:
    """One labelled photo.

    Attributes:
        file: path relative to the images folder.
        identity: who is shown (``unknown_*``: not used for pairs).
        masked: nose and mouth covered.
        spoof: a presentation attack (photo of a photo, screen, ID card).
        source: where the photo comes from (the ``source`` column up to ``@``; may be empty).
        attack: the presentation-attack type (``attack`` column: ``replay_phone``,
            ``print``...); empty for a live face, ``spoof`` for a spoof of no stated type.
    """

    file: str
    identity: str
    masked: bool
    spoof: bool
    source: str = ""
    attack: str = ""

    @property
    def pairable(self) -> bool:
        return not self.spoof and not self.identity.startswith("unknown_")

    @property
    def single_live(self) -> bool:
        return not self.spoof and self.identity != "unknown_multi"


@dataclass(frozen=True)
class ImageRecord:
    """What the pipeline made of one labelled photo.

    Attributes:
        label: the label row.
        error: why the photo could not be used (None when it could).
        faces: number of faces detected.
        det_score: the main face's detector score (0 without a face).
        embedding: the main face's template, or None.
        quality_ok: the quality gate passed.
        ms: pipeline time for this photo.
        liveness: the main face's passive liveness score (None without a face or the stage).
        mask_confidence: the main face's mask confidence (None without a face or the stage).
        masked_pred: the mask check judged the face masked.
        recovered: the face was recovered from a low detector score as a masked face.
        source: the photo's ``source`` column, up to the ``@`` (empty when absent).
        cues: the presentation-attack cues of the main face (None without a face or the stage).
        mask_chroma: the mask check's chroma contrast (None without a face or the stage).
        mask_brightness: the mask check's brightness contrast (None without a face or the stage).
        step_back: the main face fills the frame and the kiosk would ask the shopper to step
            back before judging it.
    """

    label: LabelRow
    error: str | None
    faces: int
    det_score: float
    embedding: NDArray[np.float32] | None
    quality_ok: bool
    ms: float
    liveness: float | None = None
    mask_confidence: float | None = None
    masked_pred: bool = False
    recovered: bool = False
    source: str = ""
    cues: PadCues | None = None
    mask_chroma: float | None = None
    mask_brightness: float | None = None
    step_back: bool = False


# Fields of an ImageRecord a cache entry keeps (everything but the label, the embedding and the
# presentation-attack cues, which are measured again).
_CACHED = (
    "error",
    "faces",
    "det_score",
    "quality_ok",
    "ms",
    "liveness",
    "mask_confidence",
    "masked_pred",
    "recovered",
    "mask_chroma",
    "mask_brightness",
    "step_back",
)


def _attack(raw: dict[str, str], spoof: bool) -> str:
    text = (raw.get("attack") or "").strip()
    if not spoof:
        return ""
    return text if text and text != "live" else "spoof"


def _flag(value: str, column: str, line: int) -> bool:
    text = value.strip()
    if text in {"0", ""}:
        return False
    if text == "1":
        return True
    raise ValueError(f"line {line}: column {column} must be 0 or 1, got {value!r}")


def read_labels(path: Path) -> tuple[list[LabelRow], list[dict[str, str]]]:
    """Parse the labels CSV; returns good rows and a list of row errors."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise EvalError(f"cannot read labels {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise EvalError(
                f"labels {path} lack column(s) {', '.join(missing)}; "
                f"need at least {','.join(REQUIRED_COLUMNS)}"
            )
        rows: list[LabelRow] = []
        errors: list[dict[str, str]] = []
        for line, raw in enumerate(reader, start=2):
            try:
                file, identity = (raw["file"] or "").strip(), (raw["identity"] or "").strip()
                if not file or not identity:
                    raise ValueError(f"line {line}: empty file or identity")
                spoof = _flag(raw["spoof"] or "", "spoof", line)
                rows.append(
                    LabelRow(
                        file,
                        identity,
                        _flag(raw["masked"] or "", "masked", line),
                        spoof,
                        (raw.get("source") or "").split("@")[0].strip(),
                        _attack(raw, spoof),
                    )
                )
            except ValueError as exc:
                errors.append({"file": str(raw.get("file", "")), "error": str(exc)})
    return rows, errors


# What a photo is turned into before the analysis (None: the photo as it is).
Framing = Callable[[NDArray[np.uint8]], NDArray[np.uint8]] | None


def _analyse(pipeline: Pipeline, images: Path, row: LabelRow, framing: Framing = None) -> ImageRecord:
    t0 = time.perf_counter()
    try:
        frame = read_image(images / row.file)
        if framing is not None:
            frame = framing(frame)
        result = pipeline.process(frame)
    except (ImageError, VisionError) as exc:
        return ImageRecord(row, str(exc), 0, 0.0, None, False, 0.0)
    face = result.face
    mask = face.mask if face else None
    cues = (
        pipeline.liveness.cues(frame, face.detection)
        if face is not None and pipeline.liveness is not None
        else None
    )
    return ImageRecord(
        row,
        None,
        result.faces,
        face.detection.score if face else 0.0,
        face.embedding if face else None,
        bool(face and face.quality.ok),
        (time.perf_counter() - t0) * 1000.0,
        liveness=face.liveness if face else None,
        mask_confidence=mask.confidence if mask else None,
        masked_pred=bool(mask and mask.masked),
        recovered=bool(face and face.recovered),
        source=row.source,
        cues=cues,
        mask_chroma=mask.chroma if mask else None,
        mask_brightness=mask.brightness if mask else None,
        step_back=bool(face and Guidance.STEP_BACK in face.quality.problems),
    )


def process_images(
    pipeline: Pipeline,
    images: Path,
    rows: list[LabelRow],
    progress: Callable[[int, int], None] | None = None,
    cache: EmbeddingCache | None = None,
    framing: Framing = None,
) -> list[ImageRecord]:
    """Run the pipeline on every labelled photo, each first turned into a frame by
    ``framing`` when given (or take its result from ``cache``, whose key must then say so)."""
    out: list[ImageRecord] = []
    for i, row in enumerate(rows):
        hit = cache.get(images / row.file) if cache is not None else None
        if hit is not None:
            fields, emb = hit
            out.append(ImageRecord(label=row, embedding=emb, source=row.source, **fields))
        else:
            record = _analyse(pipeline, images, row, framing)
            if cache is not None:
                cache.put(images / row.file, {k: getattr(record, k) for k in _CACHED}, record.embedding)
            out.append(record)
        if progress is not None:
            progress(i + 1, len(rows))
    return out


def detection_block(records: list[ImageRecord]) -> dict[str, Any]:
    live = [r for r in records if r.error is None and r.label.single_live]
    found = [r for r in live if r.faces > 0]
    multi = {
        r.label.file: r.faces for r in records if r.error is None and r.label.identity == "unknown_multi"
    }
    spoof = [r for r in records if r.error is None and r.label.spoof]
    return {
        "images": len(live),
        "found": len(found),
        "rate": round(len(found) / len(live), 4) if live else None,
        "missed": sorted(r.label.file for r in live if r.faces == 0),
        "masked_images": sum(1 for r in live if r.label.masked),
        "masked_found": sum(1 for r in found if r.label.masked),
        "spoof_images": len(spoof),
        "spoof_found": sum(1 for r in spoof if r.faces > 0),
        "multi_face_images": multi,
        "several_faces_in_single_subject_images": sum(1 for r in live if r.faces > 1),
        "recovered_masked_low_score": sum(1 for r in records if r.recovered),
    }


def verification_block(
    records: list[ImageRecord], progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    usable = [r for r in records if r.embedding is not None and r.label.pairable]
    if not usable:
        return {k: None for k in ("unmasked", "masked_vs_unmasked", "masked_vs_masked")}
    emb = np.vstack([r.embedding for r in usable if r.embedding is not None])
    scores = pair_scores(
        emb, [r.label.identity for r in usable], [r.label.masked for r in usable], progress=progress
    )
    block: dict[str, Any] = {}
    for kind, ps in scores.items():
        m = verification_metrics(ps.genuine, ps.impostor)
        block[kind] = dataclasses.asdict(m) if m is not None else None
    block["images"] = len(usable)
    block["identities"] = len({r.label.identity for r in usable})
    return block


def run_eval(
    pipeline: Pipeline,
    images: Path,
    labels: Path,
    progress_factory: Callable[[str], Callable[[int, int], None]] | None = None,
    policy: DecisionPolicy | None = None,
    recipe: FitRecipe | None = None,
    cache: EmbeddingCache | None = None,
    calibrate: bool = False,
    framing: Framing = None,
) -> tuple[dict[str, Any], list[ImageRecord]]:
    """Run the whole evaluation; returns the JSON-ready report and the per-image records.

    ``recipe`` (how the presentation-attack combiner is fitted) turns on the liveness
    block's leave-one-source-out report. ``calibrate`` adds the ``calibration`` block:
    impostor tails fitted on these photos and the FPIR vs genuine-match-rate curve by
    gallery size (needs ``policy`` for its margin). ``framing`` turns each photo into the
    frame analysed (``facepay eval --letterbox``: the demo camera's 640x480 frame).
    """
    rows, row_errors = read_labels(labels)
    t0 = time.perf_counter()
    records = process_images(
        pipeline, images, rows, progress_factory("images") if progress_factory else None, cache, framing
    )
    elapsed = time.perf_counter() - t0
    errors = row_errors + [{"file": r.label.file, "error": r.error} for r in records if r.error]
    report: dict[str, Any] = {
        "images_dir": str(images),
        "labels": str(labels),
        "rows": len(rows) + len(row_errors),
        "errors": {"count": len(errors), "items": errors},
        "detection": detection_block(records),
        "verification": verification_block(records, progress_factory("pairs") if progress_factory else None),
        "timing": {
            "images_per_s": round(len(rows) / elapsed, 2) if elapsed > 0 else None,
            "median_ms_per_image": round(float(np.median([r.ms for r in records if r.ms > 0])), 2)
            if any(r.ms > 0 for r in records)
            else None,
        },
    }
    if policy is not None:
        report["liveness"] = liveness_block(records, policy.limits.liveness, recipe)
        report["mask"] = mask_block(records)
        report["decision"] = decision_block(records, policy)
        report["fusion"] = fusion_block(records)
        if calibrate:
            lim = policy.limits
            report["calibration"] = calibration_block(
                records, margin=lim.match_margin, floor=lim.match_tail.floor
            )
    return report, records


# --- the blocks live apart: liveness in app.eval_liveness, mask and decision in
# app.eval_recognition, calibration in app.eval_calibration, fusion in app.eval_fusion.


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None
