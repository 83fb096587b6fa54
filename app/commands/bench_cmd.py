"""``facepay bench``: pipeline and gallery-search latency, as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.bench import bench_fusion, bench_gallery, bench_loaded, bench_pipeline, environment, kiosk_frames
from app.bench_policies import bench_policies, parse_policies, policy_pipelines
from app.bench_scan import bench_scans, demo_gallery, demo_videos, read_video
from app.demo_world import DemoError
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
    p.add_argument(
        "--scan",
        action="store_true",
        help="time kiosk scans instead of photos: the demo's camera videos made from --images "
        "(a labelled folder), each frame by frame to a decision, with every stage on every frame "
        "and with the kiosk's frame budget",
    )
    p.add_argument(
        "--video",
        type=Path,
        action="append",
        default=[],
        help="with --scan: scan this video file instead of the demo's (repeatable)",
    )
    p.add_argument(
        "--kiosk-threads",
        action="store_true",
        help="with --scan: also decode the first video in real time and scale each frame onto "
        "a kiosk-sized picture on two helper threads, as the kiosk's camera and GUI do",
    )
    p.add_argument(
        "--policies",
        help="compare thread policies in this one run, frame by frame in turn, e.g. 2:seq,1:con "
        "(intra-op threads; seq: anti-spoof then recogniser, con: side by side)",
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
    if args.scan:
        return _run_scans(args)
    if args.policies:
        return _run_policies(args)
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


def _run_scans(args: argparse.Namespace) -> int:
    if not (args.images / "labels.csv").is_file():
        print(f"facepay bench --scan: {args.images} has no labels.csv (the demo people)", file=sys.stderr)
        return 2
    missing = [str(v) for v in args.video if not v.is_file()]
    if missing:
        print(f"facepay bench --scan: no such video: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        gallery = demo_gallery(args.settings, args.images, max(0, args.enrolled))
        pipeline = build_pipeline(args.settings, gallery=gallery)
        videos = (
            [read_video(v) for v in args.video] if args.video else demo_videos(args.settings, args.images)
        )
    except (ModelFileError, VisionError, DemoError) as exc:
        print(f"facepay bench --scan: {exc}", file=sys.stderr)
        return 2
    try:
        report = bench_scans(
            args.settings,
            pipeline,
            videos,
            args.repeats,
            args.load,
            args.rounds,
            Progress("scans"),
            kiosk_threads=args.kiosk_threads,
        )
    finally:
        pipeline.close()
    report["enrolled_in_pipeline"] = gallery.customer_count()
    report.update(environment(args.settings.models.threads, args.settings.models.spin))
    report["concurrent"] = args.settings.models.concurrent
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


def _run_policies(args: argparse.Namespace) -> int:
    try:
        policies = parse_policies(args.policies)
    except ValueError as exc:
        print(f"facepay bench: {exc}", file=sys.stderr)
        return 2
    try:
        probe = build_pipeline(args.settings, passive=False)
        index = TemplateIndex.synthetic(args.enrolled, probe.embedder.dim)
        pipelines = policy_pipelines(args.settings, policies, index)
    except (ModelFileError, VisionError) as exc:
        print(f"facepay bench: {exc}", file=sys.stderr)
        return 2
    frames = kiosk_frames(args.images, args.frames)
    if not frames:
        print(f"facepay bench: no readable images in {args.images}", file=sys.stderr)
        return 2
    try:
        report = bench_policies(pipelines, frames, args.repeats, args.load, args.rounds, Progress("frames"))
    finally:
        for pipeline in pipelines.values():
            pipeline.close()
    report.update(environment(args.settings.models.threads, args.settings.models.spin))
    print(json.dumps(report, indent=None if args.json else 2))
    return 0
