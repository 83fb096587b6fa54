"""``facepay liveness fit``: fit the presentation-attack combiner on labelled photos.

Runs the pipeline over each ``--images`` folder (its ``labels.csv``), measures every cue of
each face, fits the combiner with the settings' recipe (cues, ridge, margins) and prints
the ``[liveness]`` settings that reproduce it, with the figures it was fitted on. Fit only
on tuning data (``faces/pad``, ``faces/dev``), never on the held-back pools.

It also prints a leave-one-source-out report over every folder given (``app.eval_liveness``):
each capture source with live faces and attacks is measured with a rule fitted on all the
other faces of all folders, which is how the shipped rule, fitted on several folders, is
tested on a source it has not seen (``facepay eval`` folds see one folder only).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from app.eval_liveness import fit_rule, leave_one_source_out
from app.evaluate import EvalError, ImageRecord, process_images, read_labels
from app.progress import Progress
from app.settings import SettingsError
from app.wiring import ModelFileError, build_pipeline, fit_recipe
from vision import VisionError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("liveness", help="fit the presentation-attack combiner")
    verbs = p.add_subparsers(dest="verb", required=True)
    fit = verbs.add_parser("fit", help="fit the combiner's weights and cuts on labelled photos")
    fit.add_argument(
        "--images",
        required=True,
        type=Path,
        action="append",
        help="folder of photos with labels.csv (repeat for several)",
    )
    fit.set_defaults(handler=run_fit)


def run_fit(args: argparse.Namespace) -> int:
    try:
        pipeline = build_pipeline(args.settings)
        records: list[ImageRecord] = []
        for folder in args.images:
            rows, _ = read_labels(folder / "labels.csv")
            records += process_images(pipeline, folder, rows, Progress(str(folder)))
    except (EvalError, ModelFileError, SettingsError, VisionError) as exc:
        print(f"facepay liveness fit: {exc}", file=sys.stderr)
        return 2
    used = [
        r
        for r in records
        if r.cues is not None and not r.step_back and (r.label.spoof or r.label.single_live)
    ]
    if not any(r.label.spoof for r in used) or all(r.label.spoof for r in used):
        print("facepay liveness fit: need live faces and attacks with a face found", file=sys.stderr)
        return 2
    matrix = np.vstack([r.cues.vector() for r in used if r.cues is not None])
    recipe = fit_recipe(args.settings)
    rule = fit_rule(matrix, [not r.label.spoof for r in used], recipe)
    out: dict[str, Any] = {
        "faces": {"live": sum(not r.label.spoof for r in used), "attacks": sum(r.label.spoof for r in used)},
        "folders": [str(f) for f in args.images],
        "settings": {
            "fusion_cues": ",".join(rule.fusion.names),
            "fusion_weights": ",".join(f"{w:g}" for w in rule.fusion.weights),
            "fusion_bias": rule.fusion.bias,
            "pass_threshold": rule.pass_threshold,
            "reject_threshold": rule.reject_threshold,
        },
    }
    out["leave_one_source_out"] = leave_one_source_out(used, args.settings.liveness.passive, recipe)
    print(json.dumps(out, indent=2))
    return 0
