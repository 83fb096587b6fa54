"""``facepay models list | verify | fetch | quantize | time``: what the model directory holds, and filling it.

``quantize`` makes the manifest's derived (int8) files from their float originals, calibrated
on aligned faces of ``--images``, into ``models.derived_dir``; ``time`` times recognisers
against each other within one run.

Exit codes: 0 all well; 1 a required model is missing or corrupt, or a fetch failed;
2 the request itself is wrong (unknown model id, unreadable manifest).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import models
from models import FetchResult, FileStatus, Manifest, ModelSpec

__all__ = ["ProgressBar", "register"]

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
# Licences are long sentences; the table shows this many characters (--json has them whole).
LICENCE_WIDTH = 40
# Faces quantisation calibrates on: activation ranges settle within a few dozen faces, and each
# costs one float inference per calibration pass.
CALIBRATION_FACES = 200
# `models time`: rounds interleave the models so a noisy, shared host slows them alike; faces
# per round keep a round under a second per model.
TIME_ROUNDS = 7
TIME_FACES = 40


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    common.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help="model manifest file (default: the one shipped with facepay)",
    )
    parser = subparsers.add_parser(
        "models",
        help="list, verify and fetch model files",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    actions.add_parser(
        "list", parents=[common], help="table of the manifest's models and their state"
    ).set_defaults(handler=run_list)
    actions.add_parser(
        "verify", parents=[common], help="check every model file's size and sha256"
    ).set_defaults(handler=run_verify)
    fetch = actions.add_parser(
        "fetch", parents=[common], help="download missing or corrupt model files and verify them"
    )
    fetch.add_argument(
        "--only",
        nargs="+",
        action="extend",
        metavar="ID",
        default=[],
        help="fetch only these model ids (optional models included)",
    )
    fetch.add_argument("--all", action="store_true", help="also fetch the optional models")
    fetch.add_argument(
        "--timeout",
        type=float,
        default=models.DEFAULT_TIMEOUT,
        help="seconds a source may stay silent before the next one is tried "
        f"(default {models.DEFAULT_TIMEOUT:g})",
    )
    fetch.set_defaults(handler=run_fetch)
    quantize = actions.add_parser(
        "quantize",
        parents=[common],
        help="make the derived int8 model files from their originals (needs the quantize extra)",
    )
    quantize.add_argument(
        "--images",
        type=Path,
        required=True,
        help="folder of face photos to calibrate on (faces are found and aligned as the kiosk does)",
    )
    quantize.add_argument(
        "--only", nargs="+", action="extend", metavar="ID", default=[], help="make only these model ids"
    )
    quantize.add_argument(
        "--max-faces",
        type=int,
        default=CALIBRATION_FACES,
        help=f"calibrate on at most this many faces (default {CALIBRATION_FACES})",
    )
    quantize.set_defaults(handler=run_quantize)
    timing = actions.add_parser(
        "time",
        parents=[common],
        help="time recognisers against each other in one run (interleaved rounds, medians, ratios)",
    )
    timing.add_argument("--images", type=Path, required=True, help="folder of face photos")
    timing.add_argument(
        "--only",
        nargs="+",
        action="extend",
        metavar="ID",
        default=[],
        help="recogniser ids, the first is the reference (default: every recogniser present)",
    )
    timing.add_argument(
        "--rounds", type=int, default=TIME_ROUNDS, help=f"interleaved rounds (default {TIME_ROUNDS})"
    )
    timing.set_defaults(handler=run_time)


# --- handlers ---------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    manifest, model_dir = loaded
    statuses = models.verify(manifest, model_dir, args.settings.models.derived_dir)
    if args.json:
        return _emit_json(
            {
                "model_dir": str(model_dir),
                "ok": _all_required_ok(statuses),
                "models": [_status_json(s) for s in statuses],
            }
        )
    rows = [("ID", "TASK", "FILE", "SIZE", "LICENCE", "STATE")]
    for s in statuses:
        state = s.state.value + (" (optional)" if s.spec.optional else "")
        rows.append(
            (
                s.spec.id,
                s.spec.task,
                s.spec.file,
                _human(s.spec.bytes),
                _clip(s.spec.licence, LICENCE_WIDTH),
                state,
            )
        )
    _out(f"model directory: {_describe_dir(model_dir)}")
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        _out("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    manifest, model_dir = loaded
    statuses = models.verify(manifest, model_dir, args.settings.models.derived_dir)
    ok = _all_required_ok(statuses)
    if args.json:
        _emit_json({"model_dir": str(model_dir), "ok": ok, "models": [_status_json(s) for s in statuses]})
        return EXIT_OK if ok else EXIT_PROBLEM
    _out(f"model directory: {_describe_dir(model_dir)}")
    for s in statuses:
        label = s.state.value.upper() if s.required and not s.ok else s.state.value
        tag = " (optional)" if s.spec.optional else ""
        line = f"{label:<10} {s.spec.id}{tag}: {s.path}"
        if not s.ok:
            line += f" {s.detail} -- fix: {s.fix}"
        _out(line)
    bad = [s.spec.id for s in statuses if s.required and not s.ok]
    if bad:
        _out(f"{len(bad)} required model(s) missing or corrupt: {', '.join(bad)}")
        return EXIT_PROBLEM
    _out("all required models verified")
    return EXIT_OK


def run_fetch(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    manifest, model_dir = loaded
    if not args.verbose:  # httpx logs every request at INFO, which would break up the bar
        logging.getLogger("httpx").setLevel(logging.WARNING)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        results = models.fetch(
            manifest,
            model_dir,
            only=args.only or None,
            include_optional=args.all,
            progress=bar,
            timeout=args.timeout,
        )
    except models.ManifestError as exc:
        return _fail(args, str(exc), EXIT_USAGE)
    except models.ModelDirError as exc:
        return _fail(
            args, f"{exc} (set FACEPAY_MODEL_DIR or [models] dir to a writable directory)", EXIT_PROBLEM
        )
    finally:
        if bar is not None:
            bar.finish()
    ok = all(r.ok for r in results)
    if args.json:
        _emit_json({"model_dir": str(model_dir), "ok": ok, "models": [_result_json(r) for r in results]})
        return EXIT_OK if ok else EXIT_PROBLEM
    for r in results:
        _out(f"{r.outcome.value if r.ok else r.outcome.value.upper():<11} {r.message}")
    return EXIT_OK if ok else EXIT_PROBLEM


def run_quantize(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    manifest, _ = loaded
    try:
        wanted = [manifest.get(i) for i in args.only] or [s for s in manifest.models if s.derived]
    except models.ManifestError as exc:
        return _fail(args, str(exc), EXIT_USAGE)
    not_derived = [s.id for s in wanted if not s.derived]
    if not_derived:
        return _fail(args, f"not made by quantisation: {', '.join(not_derived)}", EXIT_USAGE)
    if not args.images.is_dir():
        return _fail(args, f"--images {args.images} is not a folder", EXIT_USAGE)
    from app.quantize import quantize_model
    from app.wiring import ModelFileError, model_path

    try:
        crops = calibration_faces(args.settings, args.images, args.max_faces)
    except ModelFileError as exc:
        return _fail(args, str(exc), EXIT_PROBLEM)
    if len(crops) == 0:
        return _fail(args, f"no usable face in {args.images}", EXIT_USAGE)
    out_dir: Path = args.settings.models.derived_dir
    made: list[dict[str, Any]] = []
    for spec in wanted:
        try:
            source_spec, source = model_path(args.settings, spec.derived_from, manifest)
            out = quantize_model(source, spec.path(out_dir), spec, crops, source_spec=source_spec)
        except (ModelFileError, models.ModelError) as exc:
            return _fail(args, str(exc), EXIT_PROBLEM)
        sha = models.record_digest(out)
        made.append({"id": spec.id, "path": str(out), "sha256": sha, "bytes": out.stat().st_size})
    if args.json:
        return _emit_json({"ok": True, "calibration_faces": len(crops), "models": made})
    for m in made:
        _out(f"made {m['id']}: {m['path']} ({_human(m['bytes'])}, calibrated on {len(crops)} faces)")
    return EXIT_OK


def run_time(args: argparse.Namespace) -> int:
    import statistics
    import time

    from app.wiring import ModelFileError, build_embedder

    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    manifest, _ = loaded
    settings = args.settings
    if args.rounds < 1:
        return _fail(args, "--rounds must be at least 1", EXIT_USAGE)
    if not args.images.is_dir():
        return _fail(args, f"--images {args.images} is not a folder", EXIT_USAGE)
    try:
        specs = [manifest.get(i) for i in args.only] or [
            st.spec
            for st in models.verify(manifest, settings.models.dir, settings.models.derived_dir)
            if st.spec.task == "recogniser" and st.ok  # by default: the ones present
        ]
    except models.ManifestError as exc:
        return _fail(args, str(exc), EXIT_USAGE)
    if any(s.task != "recogniser" for s in specs):
        return _fail(args, "only recognisers can be timed", EXIT_USAGE)
    try:
        embedders = [build_embedder(settings, manifest, model_id=s.id) for s in specs]
        crops = calibration_faces(settings, args.images, TIME_FACES)
    except ModelFileError as exc:
        return _fail(args, str(exc), EXIT_PROBLEM)
    if len(crops) == 0:
        return _fail(args, f"no usable face in {args.images}", EXIT_USAGE)
    per_call: dict[str, list[float]] = {e.model_id: [] for e in embedders}
    for _ in range(args.rounds):
        for e in embedders:
            t0 = time.perf_counter()
            for crop in crops:
                e.embed_one(crop)
            per_call[e.model_id].append((time.perf_counter() - t0) * 1000 / len(crops))
    ref = statistics.median(per_call[embedders[0].model_id])
    rows = [
        {
            "id": model_id,
            "median_ms": round(statistics.median(ms), 3),
            "rounds_ms": [round(v, 3) for v in ms],
            "ratio_to_first": round(statistics.median(ms) / ref, 3),
        }
        for model_id, ms in per_call.items()
    ]
    if args.json:
        return _emit_json(
            {"faces": len(crops), "rounds": args.rounds, "threads": settings.models.threads, "models": rows}
        )
    _out(f"{len(crops)} faces, {args.rounds} interleaved rounds, {settings.models.threads} threads")
    for r in rows:
        _out(f"{r['id']}: {r['median_ms']:.2f} ms per face (x{r['ratio_to_first']:.2f})")
    return EXIT_OK


def calibration_faces(settings: Any, folder: Path, limit: int) -> Any:
    """Aligned 112x112 crops of the kiosk's main face in each photo of ``folder`` (sorted by
    name, at most ``limit``)."""
    import numpy as np

    from app.wiring import build_detector
    from vision import IMAGE_SUFFIXES, align_face, read_image
    from vision._pipeline import choose_shopper_face

    detector = build_detector(settings)
    crops: list[Any] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        if len(crops) >= limit:
            break
        try:
            image = read_image(path)
        except Exception:  # an unreadable photo is skipped, as eval does
            continue
        main, _ = choose_shopper_face(detector.detect(image), image.shape)
        if main is not None:
            crops.append(align_face(image, main.landmarks))
    return np.stack(crops) if crops else np.zeros((0, 112, 112, 3), np.uint8)


# --- progress bar -----------------------------------------------------------


class ProgressBar:
    """A one-line text bar (bytes done / total, percent), redrawn in place on ``stream``.

    Used as the ``progress`` callback of :func:`models.fetch`; redraws only when the
    percentage changes so a fast download does not flood the terminal.
    """

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._model: str | None = None
        self._percent = -1

    def __call__(self, spec: ModelSpec, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if spec.id != self._model:
            self.finish()
            self._model = spec.id
        elif percent == self._percent and done != 0:
            return
        self._percent = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self._stream.write(f"\r{spec.id} [{bar}] {_human(done)} / {_human(total)} {percent:3d}%")
        self._stream.flush()

    def finish(self) -> None:
        """End the current line (call once the downloads are over)."""
        if self._model is not None:
            self._stream.write("\n")
            self._stream.flush()
        self._model = None
        self._percent = -1


# --- helpers ----------------------------------------------------------------


def _load(args: argparse.Namespace) -> tuple[Manifest, Path] | int:
    try:
        manifest = models.load_manifest(args.manifest)
    except (models.ManifestError, OSError) as exc:
        return _fail(args, f"cannot read the model manifest: {exc}", EXIT_USAGE)
    model_dir: Path = args.settings.models.dir
    return manifest, model_dir


def _all_required_ok(statuses: Sequence[FileStatus]) -> bool:
    return all(s.ok for s in statuses if s.required)


def _status_json(s: FileStatus) -> dict[str, Any]:
    return {
        "id": s.spec.id,
        "task": s.spec.task,
        "file": s.spec.file,
        "path": str(s.path),
        "bytes": s.spec.bytes,
        "sha256": s.spec.sha256,
        "licence": s.spec.licence,
        "optional": s.spec.optional,
        "state": s.state.value,
        "actual_bytes": s.actual_bytes,
        "actual_sha256": s.actual_sha256,
        "detail": s.detail,
        "fix": s.fix,
    }


def _result_json(r: FetchResult) -> dict[str, Any]:
    return {
        "id": r.spec.id,
        "file": r.spec.file,
        "path": str(r.path),
        "outcome": r.outcome.value,
        "ok": r.ok,
        "source": r.source,
        "attempts": list(r.attempts),
        "message": r.message,
    }


def _describe_dir(model_dir: Path) -> str:
    return str(model_dir) if model_dir.is_dir() else f"{model_dir} (does not exist)"


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if getattr(args, "json", False):
        _emit_json({"ok": False, "error": message})
    else:
        sys.stderr.write(f"facepay models: {message}\n")
    return code


def _emit_json(obj: dict[str, Any]) -> int:
    _out(json.dumps(obj, indent=2))
    return EXIT_OK


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _human(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"
