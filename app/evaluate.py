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

from vision import ImageError, Pipeline, VisionError, read_image
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
    """

    file: str
    identity: str
    masked: bool
    spoof: bool

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
    """

    label: LabelRow
    error: str | None
    faces: int
    det_score: float
    embedding: NDArray[np.float32] | None
    quality_ok: bool
    ms: float


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
            raise EvalError(f"labels {path} lack column(s) {', '.join(missing)}; "
                            f"need at least {','.join(REQUIRED_COLUMNS)}")
        rows: list[LabelRow] = []
        errors: list[dict[str, str]] = []
        for line, raw in enumerate(reader, start=2):
            try:
                file, identity = (raw["file"] or "").strip(), (raw["identity"] or "").strip()
                if not file or not identity:
                    raise ValueError(f"line {line}: empty file or identity")
                rows.append(LabelRow(file, identity, _flag(raw["masked"] or "", "masked", line),
                                     _flag(raw["spoof"] or "", "spoof", line)))
            except ValueError as exc:
                errors.append({"file": str(raw.get("file", "")), "error": str(exc)})
    return rows, errors


def process_images(pipeline: Pipeline, images: Path, rows: list[LabelRow],
                   progress: Callable[[int, int], None] | None = None) -> list[ImageRecord]:
    out: list[ImageRecord] = []
    for i, row in enumerate(rows):
        t0 = time.perf_counter()
        try:
            frame = read_image(images / row.file)
            result = pipeline.process(frame)
        except (ImageError, VisionError) as exc:
            out.append(ImageRecord(row, str(exc), 0, 0.0, None, False, 0.0))
        else:
            face = result.face
            out.append(ImageRecord(
                row, None, result.faces, face.detection.score if face else 0.0,
                face.embedding if face else None, bool(face and face.quality.ok),
                (time.perf_counter() - t0) * 1000.0))
        if progress is not None:
            progress(i + 1, len(rows))
    return out


def detection_block(records: list[ImageRecord]) -> dict[str, Any]:
    live = [r for r in records if r.error is None and r.label.single_live]
    found = [r for r in live if r.faces > 0]
    multi = {r.label.file: r.faces for r in records
             if r.error is None and r.label.identity == "unknown_multi"}
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
    }


def verification_block(records: list[ImageRecord],
                       progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    usable = [r for r in records if r.embedding is not None and r.label.pairable]
    if not usable:
        return {k: None for k in ("unmasked", "masked_vs_unmasked", "masked_vs_masked")}
    emb = np.vstack([r.embedding for r in usable if r.embedding is not None])
    scores = pair_scores(emb, [r.label.identity for r in usable],
                         [r.label.masked for r in usable], progress=progress)
    block: dict[str, Any] = {}
    for kind, ps in scores.items():
        m = verification_metrics(ps.genuine, ps.impostor)
        block[kind] = dataclasses.asdict(m) if m is not None else None
    block["images"] = len(usable)
    block["identities"] = len({r.label.identity for r in usable})
    return block


def run_eval(pipeline: Pipeline, images: Path, labels: Path,
             progress_factory: Callable[[str], Callable[[int, int], None]] | None = None
             ) -> tuple[dict[str, Any], list[ImageRecord]]:
    """Run the whole evaluation; returns the JSON-ready report and the per-image records."""
    rows, row_errors = read_labels(labels)
    t0 = time.perf_counter()
    records = process_images(pipeline, images, rows,
                             progress_factory("images") if progress_factory else None)
    elapsed = time.perf_counter() - t0
    errors = row_errors + [{"file": r.label.file, "error": r.error} for r in records if r.error]
    report: dict[str, Any] = {
        "images_dir": str(images),
        "labels": str(labels),
        "rows": len(rows) + len(row_errors),
        "errors": {"count": len(errors), "items": errors},
        "detection": detection_block(records),
        "verification": verification_block(
            records, progress_factory("pairs") if progress_factory else None),
        "timing": {
            "images_per_s": round(len(rows) / elapsed, 2) if elapsed > 0 else None,
            "median_ms_per_image": round(float(np.median([r.ms for r in records if r.ms > 0])), 2)
            if any(r.ms > 0 for r in records) else None,
        },
    }
    return report, records
