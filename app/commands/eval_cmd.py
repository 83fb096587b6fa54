"""``facepay eval``: accuracy of the pipeline on labelled photos, as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.eval_cache import EmbeddingCache, pipeline_fingerprint
from app.eval_calibration import curve_table
from app.evaluate import EvalError, run_eval
from app.progress import Progress
from app.settings import SettingsError
from app.wiring import ModelFileError, build_pipeline, build_policy, fit_recipe
from vision import VisionError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("eval", help="measure detection and verification on labelled photos")
    p.add_argument("--images", required=True, type=Path, help="folder of photos")
    p.add_argument("--labels", type=Path, help="labels CSV (default: IMAGES/labels.csv)")
    p.add_argument("--json", action="store_true", help="print only the JSON object")
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="fit the impostor score tails on these photos and print the FPIR vs "
        "genuine-match-rate curve by gallery size (values for recognition.tail_*)",
    )
    p.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep each photo's pipeline result in DIR (a temporary folder) so "
        "re-runs take seconds; entries are keyed by file, settings and code",
    )
    p.add_argument(
        "--kiosk-windows",
        action="store_true",
        help="also show each photo as the demo's camera does (a window of jittered frames) and "
        "compare one frame with the fused window (block kiosk_windows)",
    )
    p.add_argument(
        "--letterbox",
        action="store_true",
        help="analyse each photo as the demo's camera frames it (scaled into 640x480 on a dark "
        "background): a check that no verdict keys on the photo's own size and framing",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    labels = args.labels or args.images / "labels.csv"
    if not args.images.is_dir():
        print(f"facepay eval: {args.images} is not a folder", file=sys.stderr)
        return 2
    try:
        pipeline = build_pipeline(args.settings)
        s = args.settings
        cache = (
            EmbeddingCache(
                args.cache, pipeline_fingerprint(s.models, s.vision, s.mask, s.liveness, args.letterbox)
            )
            if args.cache
            else None
        )
        report, records = run_eval(
            pipeline,
            args.images,
            labels,
            progress_factory=Progress,
            policy=build_policy(args.settings),
            recipe=fit_recipe(args.settings),
            cache=cache,
            calibrate=args.calibrate,
            framing=_letterbox() if args.letterbox else None,
        )
        report["letterbox"] = bool(args.letterbox)
        if args.kiosk_windows:
            report["kiosk_windows"] = _kiosk_windows(args, pipeline, records)
    except (EvalError, ModelFileError, SettingsError, VisionError) as exc:
        print(f"facepay eval: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(report, indent=None if args.json else 2)
    print(text)
    if not args.json:
        _summary(report)
    if args.calibrate:
        print(curve_table(report["calibration"]), file=sys.stderr)
    return 0


def _letterbox() -> Any:
    from app.demo_world import letterbox

    return letterbox


def _kiosk_windows(args: argparse.Namespace, pipeline: Any, records: Any) -> dict[str, Any] | None:
    """The ``kiosk_windows`` block: one frame against the fused window on kiosk frames."""
    import numpy as np

    from app.eval_fusion import kiosk_frames, kiosk_window_block
    from vision import read_image

    window = args.settings.liveness.window
    policy = build_policy(args.settings)

    def embed_window(record: Any) -> Any:
        image = read_image(args.images / record.label.file)
        faces = [pipeline.process(f).face for f in kiosk_frames(image, window)]
        if any(f is None for f in faces):
            return None
        return np.vstack([f.embedding for f in faces])

    return kiosk_window_block(records, embed_window, window, lambda n: policy.limits.match_limits(n, False))


def _summary(report: dict[str, object]) -> None:
    det = report["detection"]
    ver = report["verification"]
    assert isinstance(det, dict) and isinstance(ver, dict)
    lines = [f"detection: {det['found']}/{det['images']} live single-face photos (rate {det['rate']})"]
    for kind in ("unmasked", "masked_vs_unmasked", "masked_vs_masked"):
        m = ver.get(kind)
        if m:
            lines.append(
                f"{kind}: AUC {m['auc']:.4f}, EER {m['eer']:.4f}, TAR@FAR {m['tar_at_far']}"
                f" ({m['genuine_pairs']} genuine / {m['impostor_pairs']} impostor pairs)"
            )
        else:
            lines.append(f"{kind}: no pairs")
    print("\n".join(lines), file=sys.stderr)
