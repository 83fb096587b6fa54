"""Composition root helpers: build model sessions and vision objects from Settings.

Sessions are created here, once, and passed into the vision wrappers; nothing is
loaded at import time.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2

from app.eval_liveness import FitRecipe
from app.settings import Settings, SettingsError
from models import Manifest, ModelSpec, ModelUnavailable, load_manifest, resolve
from vision import (
    ChallengeLimits,
    DecisionPolicy,
    Embedder,
    FrameBudget,
    Gallery,
    ImpostorTail,
    LivenessLimits,
    LivenessModel,
    MaskDetector,
    PadFusion,
    Pipeline,
    PolicyLimits,
    QualityLimits,
    ScanSession,
    Searchable,
    YuNetDetector,
)

__all__ = [
    "ModelFileError",
    "build_detector",
    "build_embedder",
    "build_liveness",
    "build_mask",
    "build_pipeline",
    "build_policy",
    "build_scan_session",
    "challenge_limits",
    "fit_recipe",
    "frame_budget",
    "impostor_tails",
    "liveness_limits",
    "model_path",
    "ort_session",
    "pad_fusion",
    "policy_limits",
    "quality_limits",
]

log = logging.getLogger(__name__)


class ModelFileError(RuntimeError):
    """A model file is missing from the model directory."""


def model_path(settings: Settings, model_id: str, manifest: Manifest | None = None) -> tuple[ModelSpec, Path]:
    """The manifest entry and verified file (sha256 checked once per process) of a model."""
    manifest = manifest or load_manifest()
    spec = manifest.get(model_id)
    try:
        path = resolve(manifest, settings.models.dir, model_id)
    except ModelUnavailable as exc:
        raise ModelFileError(
            f"{exc} (model directory {settings.models.dir}; "
            "set FACEPAY_MODEL_DIR or run `facepay models fetch`)"
        ) from exc
    return spec, path


def ort_session(path: Path, threads: int, *, spin: bool = True) -> Any:
    """An onnxruntime CPU session; the only place model thread settings are applied
    (with ``build_detector`` for OpenCV's pool)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def _model_session(settings: Settings, path: Path) -> Any:
    return ort_session(path, settings.models.threads, spin=settings.models.spin)


def _detector_model_id() -> str:
    for spec in load_manifest().models:
        if spec.task == "detector":
            return spec.id
    raise ModelFileError("the model manifest has no detector")


def build_detector(settings: Settings, *, max_side: int | None = None) -> YuNetDetector:
    _, path = model_path(settings, _detector_model_id())
    cv2.setNumThreads(settings.models.threads)  # process-wide: YuNet runs in OpenCV's pool
    v = settings.vision
    return YuNetDetector(
        path,
        score=v.det_score,
        nms=v.det_nms,
        max_side=max_side or v.det_max_side,
        retry_side=v.det_retry_side,
        floor=settings.mask.recovery_score,
    )


def build_embedder(settings: Settings, manifest: Manifest | None = None) -> Embedder:
    """The recogniser named in Settings, fed as its manifest entry says: any ArcFace-style
    112x112 model (MobileFaceNet, SFace, ...) is a manifest entry, not new code."""
    spec, path = model_path(settings, settings.models.recogniser, manifest)
    if spec.wrapper != "arcface112":
        raise ModelFileError(f"no wrapper {spec.wrapper!r} for recogniser {spec.id}")
    return Embedder(
        _model_session(settings, path),
        model_id=spec.id,
        mean=float(spec.input.get("mean", 127.5)),
        std=float(spec.input.get("std", 128.0)),
        rgb=str(spec.input.get("colour", "RGB")).upper() == "RGB",
    )


def quality_limits(settings: Settings) -> QualityLimits:
    v = settings.vision
    return QualityLimits(
        min_face_px=v.min_face_px,
        min_sharpness=v.min_sharpness,
        max_yaw=v.max_yaw,
        max_pitch=v.max_pitch,
        min_brightness=v.min_brightness,
        max_brightness=v.max_brightness,
    )


def build_liveness(settings: Settings) -> LivenessModel:
    spec, path = model_path(settings, settings.models.antispoof)
    if spec.wrapper != "minifasnet":
        raise ModelFileError(f"no wrapper {spec.wrapper!r} for anti-spoof model {spec.id}")
    return LivenessModel(_model_session(settings, path), model_id=spec.id, fusion=pad_fusion(settings))


def fit_recipe(settings: Settings) -> FitRecipe:
    """How the presentation-attack combiner is fitted (``facepay liveness fit``, eval)."""
    lv = settings.liveness
    fusion = pad_fusion(settings)
    return FitRecipe(
        fusion.names if fusion else ("model",), lv.fit_l2, lv.fit_pass_margin, lv.fit_reject_margin
    )


def pad_fusion(settings: Settings) -> PadFusion | None:
    """The presentation-attack combiner of ``settings.liveness`` (None: the model alone)."""
    lv = settings.liveness
    names = tuple(n.strip() for n in lv.fusion_cues.split(",") if n.strip())
    if not names:
        return None
    try:
        weights = tuple(float(w) for w in lv.fusion_weights.split(",") if w.strip())
        return PadFusion(names, weights, lv.fusion_bias)
    except ValueError as exc:
        raise SettingsError(
            f"liveness.fusion_cues = {lv.fusion_cues!r} and fusion_weights = "
            f"{lv.fusion_weights!r} do not fit together (one weight per cue, "
            f"cues among model, moire, sharpness, glare, edges, colour, "
            f"face_frac): {exc}"
        ) from exc


def build_mask(settings: Settings) -> MaskDetector:
    return MaskDetector(settings.mask.threshold, settings.mask.max_saturation)


def liveness_limits(settings: Settings) -> LivenessLimits:
    lv = settings.liveness
    return LivenessLimits(
        pass_threshold=lv.pass_threshold, reject_threshold=lv.reject_threshold, window=lv.window
    )


def challenge_limits(settings: Settings) -> ChallengeLimits:
    lv = settings.liveness
    kinds = ("left", "right", "closer") if lv.challenge_closer else ("left", "right")
    return ChallengeLimits(
        timeout_s=lv.challenge_timeout_s,
        yaw=lv.challenge_yaw,
        start_yaw=lv.challenge_start_yaw,
        closer_ratio=lv.challenge_closer_ratio,
        same_face_similarity=lv.same_face_similarity,
        kinds=kinds,
        min_parallax=lv.challenge_min_parallax,
    )


def impostor_tails(settings: Settings) -> tuple[ImpostorTail, ImpostorTail | None]:
    """The calibrated unmasked and masked impostor tails (masked None without any data)."""
    r = settings.recognition
    unmasked = ImpostorTail(
        anchor=r.tail_anchor,
        anchor_rate=r.tail_anchor_rate,
        scale=r.tail_scale,
        inflation=r.tail_inflation,
        comparisons=r.tail_comparisons,
        floor=r.match_threshold,
    )
    masked = None
    if r.masked_tail_comparisons > 0:
        masked = ImpostorTail(
            anchor=r.masked_tail_anchor,
            anchor_rate=r.masked_tail_anchor_rate,
            scale=r.masked_tail_scale,
            inflation=r.masked_tail_inflation,
            comparisons=r.masked_tail_comparisons,
            floor=r.match_threshold,
        )
    return unmasked, masked


def policy_limits(settings: Settings) -> PolicyLimits:
    r = settings.recognition
    unmasked, masked = impostor_tails(settings)
    return PolicyLimits(
        match_tail=unmasked,
        masked_tail=masked,
        target_fpir=r.target_fpir,
        candidate_threshold=r.candidate_threshold,
        match_margin=r.match_margin,
        masked_candidate_threshold=r.masked_candidate_threshold,
        liveness=liveness_limits(settings),
        challenge_amount_minor=settings.liveness.challenge_amount_minor,
        max_candidates=r.pin_candidates,
    )


def build_policy(settings: Settings) -> DecisionPolicy:
    return DecisionPolicy(policy_limits(settings))


def build_pipeline(
    settings: Settings,
    *,
    gallery: Searchable | None = None,
    det_max_side: int | None = None,
    passive: bool = True,
) -> Pipeline:
    """The per-frame pipeline; ``passive`` adds the mask and liveness stages (the kiosk,
    ``facepay eval`` and ``facepay bench`` all run them)."""
    return Pipeline(
        build_detector(settings, max_side=det_max_side),
        build_embedder(settings),
        quality_limits(settings),
        gallery=gallery,
        top_k=settings.recognition.top_k,
        liveness=build_liveness(settings) if passive else None,
        mask=build_mask(settings) if passive else None,
        concurrent=settings.models.concurrent,
    )


def frame_budget(settings: Settings) -> FrameBudget:
    """The work a kiosk scan may skip (``vision.FrameBudget``)."""
    v = settings.vision
    return FrameBudget(
        track_every=v.track_every,
        track_grow=v.track_grow,
        retry_every=v.retry_every,
        skip_unneeded=v.skip_unneeded,
        liveness_margin=v.liveness_hold,
    )


def build_scan_session(
    settings: Settings,
    gallery: Searchable,
    *,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> ScanSession:
    """The kiosk's ``FaceAnalyser``: the full pipeline over ``gallery``, the policy and the
    challenge, with the real clock and a system RNG unless others are passed in."""
    return ScanSession(
        build_pipeline(settings, gallery=gallery),
        build_policy(settings),
        challenge_limits(settings),
        clock=clock,
        rng=rng if rng is not None else random.SystemRandom(),
        budget=frame_budget(settings),
    )


def gallery_key_path(settings: Settings) -> Path:
    """``payments.gallery_key_file``; a kiosk set up before it existed keeps using the
    ``<data_dir>/gallery.key`` it has (``facepay doctor`` says to move it)."""
    path = settings.payments.gallery_key_file
    legacy = settings.payments.data_dir / "gallery.key"
    if not path.exists() and legacy.exists():
        return legacy
    return path


def gallery_key(settings: Settings) -> bytes:
    """The gallery key: ``FACEPAY_GALLERY_KEY`` or the key file (created, mode 600)."""
    import base64
    import os

    from vision import generate_key, load_key

    if os.environ.get("FACEPAY_GALLERY_KEY"):
        return load_key(None)
    path = gallery_key_path(settings)
    staged = path.with_suffix(".key.new")
    if staged.exists() and path.exists():
        # A rotation stopped after writing the new key: whichever key opens the store wins.
        return _pick_key(settings, path, staged)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(base64.b64encode(generate_key()).decode("ascii"))
        log.info("created a new gallery key at %s", path)
    return load_key(path, env={})


def open_gallery(settings: Settings) -> Gallery:
    settings.payments.data_dir.mkdir(parents=True, exist_ok=True)
    return Gallery(
        settings.payments.data_dir / "gallery.db", gallery_key(settings), model_id=settings.models.recogniser
    )


def _pick_key(settings: Settings, current: Path, staged: Path) -> bytes:
    import os

    from vision import GalleryKeyError, load_key

    for candidate in (current, staged):
        key = load_key(candidate, env={})
        try:
            Gallery(
                settings.payments.data_dir / "gallery.db", key, model_id=settings.models.recogniser
            ).close()
        except GalleryKeyError:
            continue
        if candidate == staged:
            os.replace(staged, current)
        else:
            staged.unlink()
        return key
    raise GalleryKeyError("neither gallery.key nor gallery.key.new opens the gallery")
