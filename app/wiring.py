"""Composition root helpers: build model sessions and vision objects from Settings.

Sessions are created here, once, and passed into the vision wrappers; nothing is
loaded at import time.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2

from app.eval_liveness import FitRecipe
from app.settings import Settings, SettingsError
from models import Manifest, ModelSpec, ModelUnavailable, load_manifest, resolve
from vision import (
    GALLERY_KEY_ENV,
    ChallengeLimits,
    DecisionPolicy,
    Embedder,
    FrameBudget,
    Gallery,
    ImpostorTail,
    LivenessModel,
    MaskDetector,
    PadFusion,
    Pipeline,
    PolicyLimits,
    ScanSession,
    Searchable,
    YuNetDetector,
    gallery_key_place,
    load_key,
    open_gallery_key,
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
    "model_path",
    "ort_session",
    "pad_fusion",
    "policy_limits",
]

log = logging.getLogger(__name__)


class ModelFileError(RuntimeError):
    """A model file is missing from the model directory."""


def model_path(settings: Settings, model_id: str, manifest: Manifest | None = None) -> tuple[ModelSpec, Path]:
    """The manifest entry and verified file (sha256 checked once per process) of a model."""
    manifest = manifest or load_manifest()
    spec = manifest.get(model_id)
    where = settings.models.derived_dir if spec.derived else settings.models.dir
    try:
        path = resolve(manifest, where, model_id)
    except ModelUnavailable as exc:
        raise ModelFileError(
            f"{exc} (model directory {where}; "
            + (
                "run `facepay models quantize`)"
                if spec.derived
                else "set FACEPAY_MODEL_DIR or run `facepay models fetch`)"
            )
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


def build_embedder(
    settings: Settings, manifest: Manifest | None = None, *, model_id: str | None = None
) -> Embedder:
    """The recogniser named in Settings (or ``model_id``), fed as its manifest entry says: any
    ArcFace-style 112x112 model (MobileFaceNet, SFace, ...) is a manifest entry, not new code."""
    spec, path = model_path(settings, model_id or settings.models.recogniser, manifest)
    if spec.wrapper != "arcface112":
        raise ModelFileError(f"no wrapper {spec.wrapper!r} for recogniser {spec.id}")
    return Embedder(
        _model_session(settings, path),
        model_id=spec.id,
        mean=float(spec.input.get("mean", 127.5)),
        std=float(spec.input.get("std", 128.0)),
        rgb=str(spec.input.get("colour", "RGB")).upper() == "RGB",
    )


def build_liveness(settings: Settings) -> LivenessModel:
    spec, path = model_path(settings, settings.models.antispoof)
    if spec.wrapper != "minifasnet":
        raise ModelFileError(f"no wrapper {spec.wrapper!r} for anti-spoof model {spec.id}")
    return LivenessModel(
        _model_session(settings, path),
        model_id=spec.id,
        fusion=pad_fusion(settings),
        wide_scale=settings.liveness.wide_scale,
        wide_jitter=settings.liveness.wide_jitter,
    )


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


def challenge_limits(settings: Settings) -> ChallengeLimits:
    """``settings.liveness.challenge`` with the prompts ``challenge_closer`` allows."""
    lv = settings.liveness
    kinds = ("left", "right", "closer") if lv.challenge_closer else ("left", "right")
    return replace(lv.challenge, kinds=kinds)


def impostor_tails(settings: Settings) -> tuple[ImpostorTail, ImpostorTail | None]:
    """The calibrated unmasked and masked impostor tails, floored at the lowest Match threshold
    (masked None without any data)."""
    r = settings.recognition
    unmasked = replace(r.match_tail, floor=r.match_threshold)
    masked = replace(r.masked_tail, floor=r.match_threshold) if r.masked_tail.comparisons > 0 else None
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
        liveness=settings.liveness.passive,
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
        settings.vision.quality,
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
    return gallery_key_place(settings.payments.gallery_key_file, settings.payments.data_dir / "gallery.key")


def gallery_key(settings: Settings) -> bytes:
    """The gallery key: ``FACEPAY_GALLERY_KEY`` or the key file (created, mode 600; a rotation
    that stopped halfway finished)."""
    if os.environ.get(GALLERY_KEY_ENV):
        return load_key(None)
    return open_gallery_key(
        gallery_key_path(settings), _gallery_store(settings), model_id=settings.models.recogniser
    )


def open_gallery(settings: Settings) -> Gallery:
    settings.payments.data_dir.mkdir(parents=True, exist_ok=True)
    return Gallery(_gallery_store(settings), gallery_key(settings), model_id=settings.models.recogniser)


def _gallery_store(settings: Settings) -> Path:
    return settings.payments.data_dir / "gallery.db"
