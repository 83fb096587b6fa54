"""``facepay bench``: pipeline and gallery-search latency, as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.bench import bench_fusion, bench_gallery, bench_loaded, bench_pipeline, environment, kiosk_frames
from app.progress import Progress
from app.wiring import ModelFileError, build_pipeline
from vision import TemplateIndex, VisionError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="measure per-frame pipeline and 1:N search latency")
    p.add_argument("--images", required=True, type=Path, help="folder of photos to make frames from")
    p.add_argument("--frames", type=int, default=40, help="frames to make (default 40)")
    p.add_argument("--repeats", type=int, default=5, help="passes over the frames (default 5)")
    p.add_argument(
        "--gallery-sizes", default="1000,100000,1000000", help="synthetic gallery sizes to time search on"
    )
    p.add_argument(
        "--enrolled",
        type=int,
        default=1000,
        help="synthetic templates searched inside the per-frame pipeline",
    )
    p.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="also time the frames while N CPU-burning processes run, alternating "
        "quiet and loaded rounds in this one run (default 0: quiet only)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="quiet+loaded round pairs with --load (default 2: quiet, loaded, quiet, loaded)",
    )
    p.add_argument("--json", action="store_true", help="print only the JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.images.is_dir():
        print(f"facepay bench: {args.images} is not a folder", file=sys.stderr)
        return 2
    try:
        sizes = [int(s) for s in args.gallery_sizes.split(",") if s.strip()]
    except ValueError:
        print("facepay bench: --gallery-sizes takes whole numbers, e.g. 1000,100000", file=sys.stderr)
        return 2
    if args.load < 0 or args.rounds < 1 or args.repeats < 1 or args.frames < 1:
        print(
            "facepay bench: --load takes 0 or more; --rounds, --repeats and --frames 1 or more",
            file=sys.stderr,
        )
        return 2
    try:
        probe = build_pipeline(args.settings)
        index = TemplateIndex.synthetic(args.enrolled, probe.embedder.dim)
        pipeline = build_pipeline(args.settings, gallery=index)
    except (ModelFileError, VisionError) as exc:
        print(f"facepay bench: {exc}", file=sys.stderr)
        return 2
    frames = kiosk_frames(args.images, args.frames)
    if not frames:
        print(f"facepay bench: no readable images in {args.images}", file=sys.stderr)
        return 2
    if args.load:
        report = bench_loaded(pipeline, frames, args.repeats, args.load, args.rounds, Progress("frames"))
    else:
        report = bench_pipeline(pipeline, frames, args.repeats, Progress("frames"))
    report["gallery_search_ms"] = bench_gallery(sizes, pipeline.embedder.dim)
    report["enrolled_in_pipeline"] = args.enrolled
    report["fusion_ms"] = bench_fusion(
        index, pipeline.embedder.dim, args.settings.liveness.passive.window, args.settings.recognition.top_k
    )
    report.update(environment(args.settings.models.threads, args.settings.models.spin))
    print(json.dumps(report, indent=None if args.json else 2))
    return 0
