"""``facepay demo``: a local ledger, demo customers enrolled from photos, and the kiosk."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from app.demo_world import DemoError, DemoWorld, build_world, camera_video, ledger_process
from app.main import TerminalIdentity, has_display, run_kiosk

__all__ = ["register"]


def _default_photos() -> Path | None:
    env = os.environ.get("FACEPAY_DEMO_PHOTOS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / ".." / "shared" / "faces" / "dev"
    for candidate in (
        here,
        Path.cwd().parent / "shared" / "faces" / "dev",
        Path.cwd() / ".." / "shared" / "faces" / "dev",
    ):
        if (candidate / "labels.csv").is_file():
            return candidate.resolve()
    return None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="a full payment without hardware (local ledger, photo camera)")
    p.add_argument(
        "--photos",
        type=Path,
        help="labelled photo folder (file,identity,masked,spoof); "
        "default: $FACEPAY_DEMO_PHOTOS or ../shared/faces/dev",
    )
    p.add_argument("--workdir", type=Path, help="keep the demo world here (default: a temporary folder)")
    p.add_argument("--headless", action="store_true", help="run the scripted sequence without a display")
    p.add_argument("--screenshots", type=Path, help="save a PNG of every screen passed into this folder")
    p.add_argument("--repeats", type=int, default=3, help="face payments timed for the median (default 3)")
    p.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="headless: time as many face payments again while N CPU-burning processes run "
        "(as facepay bench --load); default 0",
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    code = _run(args)
    if "PySide6" in sys.modules:
        # Everything is closed and flushed; skip interpreter finalisation, where PySide6's
        # garbage collection can abort the process after a successful run.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _log_to_file(path: Path) -> None:
    """The demo's output is a short account for a person: library and INFO lines go to a log
    file; only errors also reach the terminal."""
    root = logging.getLogger()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(formatter)
    root.addHandler(to_file)
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.setLevel(logging.ERROR)
    to_terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(to_terminal)


def _run(args: argparse.Namespace) -> int:
    photos = args.photos or _default_photos()
    if photos is None or not (photos / "labels.csv").is_file():
        print(
            "facepay demo: no demo photos; point --photos (or FACEPAY_DEMO_PHOTOS) at a folder "
            "with labels.csv (file,identity,masked,spoof)",
            file=sys.stderr,
        )
        return 2
    if args.load < 0 or args.repeats < 1:
        print("facepay demo: --load takes 0 or more, --repeats 1 or more", file=sys.stderr)
        return 2
    headless = args.headless or not has_display()
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="facepay-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not getattr(args, "verbose", False):
        _log_to_file(workdir / "demo.log")
    try:
        print(
            f"facepay demo: building the demo world in {workdir} from {photos} (log: {workdir}/demo.log)",
            file=sys.stderr,
        )
        world = build_world(args.settings, photos, workdir)
        with ledger_process(workdir) as url:
            print(f"facepay demo: ledger running at {url}", file=sys.stderr)
            if headless:
                return _scripted(args, world, url)
            video = camera_video(world.face_shopper.probe, workdir / "camera.mkv", seconds=6.0)
            _print_world(world)
            identity = TerminalIdentity(url, world.terminal_id, world.key_file, workdir / "ledger.pub")
            return run_kiosk(world.settings, identity, str(video), windowed=True)
    except DemoError as exc:
        print(f"facepay demo: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _print_world(world: DemoWorld) -> None:
    print(f"cashier PIN: {world.cashier_pin} (F2 opens the cashier menu)")
    for p in world.people:
        print(f"customer {p.customer_id} {p.name}: PIN {p.pin}")


def _scripted(args: argparse.Namespace, world: DemoWorld, url: str) -> int:
    from app.demo import run_scripted  # Qt is loaded only for the scripted run

    results, figures = run_scripted(world, url, args.screenshots, repeats=args.repeats, load=args.load)
    ok = all(r.ok for r in results)
    if args.json:
        print(json.dumps({"ok": ok, "steps": [r.__dict__ for r in results], **figures}, indent=2))
    else:
        print("facepay demo (headless): the kiosk ran a scripted checkout sequence")
        for r in results:
            mark = "ok  " if r.ok else "FAIL"
            print(f"  [{mark}] {r.name}: {r.detail}")
            if r.screens:
                print(f"         screens: {' -> '.join(r.screens)}")
        print(
            f"  first camera frame with the shopper -> approved: {figures.get('face_to_approved_s')} s "
            f"(median {figures.get('face_to_approved_median_s')} s)"
        )
        turn = figures.get("head_turn") or {}
        if turn.get("added_s") is not None:
            print(
                f"  with the head turn (a sale at the challenge amount): {turn['face_to_approved_s']} s "
                f"(median {turn['face_to_approved_median_s']} s): the turn adds {turn['added_s']} s, "
                f"{turn['shopper_reaction_s']} s of it the scripted shopper's reaction and "
                f"{turn['shopper_turn_s']} s the turn itself"
            )
        print(f"  longest GUI-thread stall during checkouts: {figures.get('longest_gui_stall_ms')} ms")
        loaded = figures.get("loaded")
        if loaded:
            print(
                f"  under --load {loaded['processes']}: first frame -> approved "
                f"{loaded['face_to_approved_s']} s (median {loaded['face_to_approved_median_s']} s), "
                f"longest GUI stall {loaded['longest_gui_stall_ms']} ms"
            )
        if args.screenshots:
            print(f"  screenshots: {args.screenshots}")
        print("all steps behaved as expected" if ok else "SOME STEPS FAILED")
    return 0 if ok else 1
