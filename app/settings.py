"""One typed, frozen ``Settings`` for the whole terminal.

Loaded once by the composition root from an optional TOML file and ``FACEPAY_*``
environment variables (environment wins), validated with messages that name the
setting, the bad value and what would be accepted. Every default is a named
constant with the reason for it; biometric thresholds carry the measurement they
came from (``facepay eval`` on ``shared/faces/dev`` unless stated otherwise).

Environment names: ``FACEPAY_<SECTION>_<FIELD>`` in upper case (for example
``FACEPAY_VISION_DET_SCORE``), plus the short aliases listed in ``field(metadata=...)``
such as ``FACEPAY_MODEL_DIR``. ``FACEPAY_CONFIG`` names the TOML file.

Exceptions::

    SettingsError(ValueError)   a file or value that cannot be used; the message says which
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KioskSettings",
    "LedgerSettings",
    "LivenessSettings",
    "MaskSettings",
    "ModelSettings",
    "PaymentSettings",
    "RecognitionSettings",
    "Settings",
    "SettingsError",
    "TillSettings",
    "VisionSettings",
    "default_config_dir",
    "default_data_dir",
    "load_settings",
]


class SettingsError(ValueError):
    """A configuration file or value that cannot be used."""


def _user_dir(env: str, fallback: str) -> Path:
    base = os.environ.get(env)
    return Path(base) / "facepay" if base else Path.home() / fallback / "facepay"


def default_data_dir() -> Path:
    """Per-user data directory (journal, gallery) when none is configured."""
    return _user_dir("XDG_DATA_HOME", ".local/share")


def default_config_dir() -> Path:
    """Per-user configuration directory (the gallery key by default: apart from the templates)."""
    return _user_dir("XDG_CONFIG_HOME", ".config")


def _default_gallery_key() -> Path:
    return default_config_dir() / "gallery.key"


def _default_model_dir() -> Path:
    return _user_dir("XDG_CACHE_HOME", ".cache") / "models"


def _doc(
    text: str,
    *,
    env: str | None = None,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"doc": text}
    if env:
        meta["env"] = env
    if lo is not None:
        meta["lo"] = lo
    if hi is not None:
        meta["hi"] = hi
    if choices is not None:
        meta["choices"] = choices
    return meta


# --- models -----------------------------------------------------------------

# Thread policy, chosen from the LOADED figures of one run each (the host was already busy:
# load average 9-13 on 2 cores), 3 runs per policy, per-frame median / p95 ms over 40 dev frames:
#   FACEPAY_MODELS_THREADS=T FACEPAY_MODELS_SPIN=S facepay bench --images ../shared/faces/dev \
#       --frames 40 --repeats 1 --rounds 2 --load 2 --gallery-sizes 1000 --json
#   threads 2, spin on  (old default): quiet 173 (156-244), loaded 335 (310-467) / p95 385-640
#   threads 2, spin off:               quiet  40 (34-42),   loaded  98 (63-176)  / p95 192-272
#   threads 1, spin on:                quiet  54 (54-54),   loaded 187 (169-204) / p95 203-281
#   threads 1, spin off (1 run):       quiet  51,           loaded 171           / p95 211
# Spinning workers take the cores the other model (and the GUI, camera, HTTP worker) need:
# with spin off two threads beat one in every run, loaded and quiet. Two threads per model.
MODEL_THREADS = 2
# Idle onnxruntime intra-op threads sleep instead of busy-waiting (figures above).
MODEL_SPIN = False


@dataclass(frozen=True)
class ModelSettings:
    """Where model files live and how onnxruntime runs them.

    Attributes:
        dir: directory holding the ONNX files named in models/manifest.json.
        threads: intra-op threads of each model (onnxruntime sessions and OpenCV's YuNet);
            measured under load, see ``MODEL_THREADS``.
        spin: whether idle intra-op threads busy-wait for work (onnxruntime
            ``session.intra_op.allow_spinning``); spinning threads burn the cores the GUI,
            camera and HTTP worker need.
        recogniser: manifest id of the face recogniser to use.
        antispoof: manifest id of the passive anti-spoof model.
    """

    dir: Path = field(
        default_factory=_default_model_dir, metadata=_doc("model directory", env="FACEPAY_MODEL_DIR")
    )
    threads: int = field(
        default=MODEL_THREADS, metadata=_doc("intra-op threads per model (onnxruntime, OpenCV)", lo=1, hi=64)
    )
    spin: bool = field(default=MODEL_SPIN, metadata=_doc("let idle onnxruntime intra-op threads spin"))
    recogniser: str = field(default="mobilefacenet-expo-192d", metadata=_doc("manifest id of the recogniser"))
    antispoof: str = field(
        default="antispoof-minifasv2se-128", metadata=_doc("manifest id of the anti-spoof model")
    )


# --- vision -----------------------------------------------------------------

# YuNet score cut: 0.6 finds every live single-face dev photo (MANIFEST.json measured_dev).
DET_SCORE = 0.6
# Detector input: the longer frame side is scaled to this before YuNet; 320 keeps a
# 640x480 frame's faces (>= 80 px at the kiosk distance) well inside YuNet's range.
DET_MAX_SIDE = 320
# When nothing is found at DET_MAX_SIDE the frame is searched again at this size (small
# images enlarged): dev pourfard 14744 (a face filling a 360x211 frame) scores 0.49 at 320 and
# 0.70 at 640.
DET_RETRY_SIDE = 640
# NMS IoU used by the reference pipeline (MANIFEST.json recommended).
DET_NMS = 0.3
# Quality gate: a face narrower than this (pixels, in the original frame) is too far.
MIN_FACE_PX = 60.0
# Variance of the Laplacian of the aligned 112x112 grey crop; below it the face is blurred.
MIN_SHARPNESS = 15.0
# Yaw/pitch proxies from landmarks (0 = frontal); above these the shopper must face the camera.
MAX_YAW = 0.35
MAX_PITCH = 0.35
# Mean grey level of the aligned crop outside this range: too dark / too bright.
MIN_BRIGHTNESS = 40.0
MAX_BRIGHTNESS = 220.0


@dataclass(frozen=True)
class VisionSettings:
    """Detector and quality-gate settings.

    Attributes:
        det_score: YuNet confidence cut.
        det_nms: NMS IoU threshold.
        det_max_side: longer side of the frame as fed to YuNet (frames are downscaled).
        det_retry_side: longer side for a second search when the first found nothing.
        min_face_px: smallest acceptable face width in frame pixels.
        min_sharpness: smallest Laplacian variance of the aligned crop.
        max_yaw: largest yaw proxy (landmark asymmetry) accepted.
        max_pitch: largest pitch proxy accepted.
        min_brightness: darkest acceptable mean grey level of the crop.
        max_brightness: brightest acceptable mean grey level of the crop.
    """

    det_score: float = field(default=DET_SCORE, metadata=_doc("YuNet score cut", lo=0.05, hi=0.99))
    det_nms: float = field(default=DET_NMS, metadata=_doc("NMS IoU", lo=0.05, hi=0.95))
    det_max_side: int = field(
        default=DET_MAX_SIDE, metadata=_doc("detector input longer side", lo=96, hi=1920)
    )
    det_retry_side: int = field(
        default=DET_RETRY_SIDE,
        metadata=_doc("detector retry size when nothing found (0: off)", lo=0, hi=4096),
    )
    min_face_px: float = field(default=MIN_FACE_PX, metadata=_doc("min face width", lo=8, hi=2000))
    min_sharpness: float = field(default=MIN_SHARPNESS, metadata=_doc("min sharpness", lo=0))
    max_yaw: float = field(default=MAX_YAW, metadata=_doc("max yaw proxy", lo=0.05, hi=1.0))
    max_pitch: float = field(default=MAX_PITCH, metadata=_doc("max pitch proxy", lo=0.05, hi=1.0))
    min_brightness: float = field(default=MIN_BRIGHTNESS, metadata=_doc("min mean grey", lo=0, hi=255))
    max_brightness: float = field(default=MAX_BRIGHTNESS, metadata=_doc("max mean grey", lo=0, hi=255))


# --- recognition ------------------------------------------------------------

# The operating point: false-positive identification rate per transaction (a stranger, or a
# shopper whose own template does not rank first, charged as someone else) at the gallery
# size in use. 1 in 10,000 checkouts; the Match threshold follows from it and the tails below.
TARGET_FPIR = 1e-4
# Unmasked impostor score tail, fitted by `facepay eval --images ../shared/faces/cal --labels
# ../shared/faces/cal/labels.csv --calibrate` (vision._fpir: exponential tail above the
# 99.9th percentile of 5,206,761 probe-vs-customer impostor scores, 3,061 probes x 1,702
# customers). Top-1 maxima measured on sampled galleries of 100, 300 and 1,000 customers
# agree with the model within 3% where >= 30 events were seen (inflation 1.026). It gives
# Match thresholds 0.700 / 0.777 / 0.855 at 100 / 1,000 / 10,000 customers for FPIR 1e-4
# (0.795 at cal's 1,702).
TAIL_ANCHOR = 0.46731
TAIL_ANCHOR_RATE = 0.00100005
TAIL_SCALE = 0.033561
TAIL_INFLATION = 1.026
TAIL_COMPARISONS = 5206761
# Masked probes (searched against ordinary templates): the same fit on dev's 25 masked
# photos, 374 comparisons with 15 customers (cal has no masked photo). Two scores above the
# anchor: far too few to fit a tail (vision._fpir.MIN_TAIL_POINTS = 100), so a masked face
# never Matches by face alone; it goes to the PIN with its candidates.
MASKED_TAIL_ANCHOR = 0.480117
MASKED_TAIL_ANCHOR_RATE = 0.00534759
MASKED_TAIL_SCALE = 0.012488
MASKED_TAIL_INFLATION = 1.0
MASKED_TAIL_COMPARISONS = 374
# Lowest Match threshold at any gallery size: even 10 customers need a clear face. 0.50 was
# the dev-calibrated threshold before gallery-size scaling (dev unmasked impostor max 0.465).
MATCH_THRESHOLD = 0.50
# Below the Match threshold but above this, the shopper is a candidate for PIN confirmation.
# 0.30 is the dev threshold at FAR 1% (MANIFEST.json tar_at_far_0.01, 0.304).
CANDIDATE_THRESHOLD = 0.30
# A Match also needs this margin over the best other customer: it guards against enrolled
# look-alikes and is not credited in the FPIR (which bounds the top score alone).
MATCH_MARGIN = 0.08
# Masked probes at or above this score are offered as PIN candidates (dev masked genuine: 0.32).
MASKED_CANDIDATE_THRESHOLD = 0.25
# Customers the PIN is checked against (k): see `facepay eval` decision.*.rank_rates.
PIN_CANDIDATES = 3
# Enrolment refuses a face whose captured templates score at or above this (median) against
# another enrolled customer: the face is already enrolled (the ledger's proof rule is what stops
# an account takeover; this catches a second enrolment of one face and a mistyped number).
# Measured on ../shared/faces/cal (LFW; 702 people with 2-4 photos enrolled from all but one,
# 1,000 people who appear once), held-out photo of an enrolled person found / strangers refused:
# 0.30: 99.1% / 100%, 0.50: 96.4% / 24.0%, 0.60: 92.2% / 1.3%, 0.65: 86.9% / 0.2%,
# 0.70: 75.6% / 0%. 0.65 lets new shoppers enrol and still catches most second enrolments.
ENROLLED_THRESHOLD = 0.65


@dataclass(frozen=True)
class RecognitionSettings:
    """1:N decision thresholds (cosine similarity of L2-normalised embeddings).

    Attributes:
        target_fpir: false-positive identification rate per transaction at the gallery size
            in use; the Match threshold is derived from it and the calibrated tail.
        match_threshold: lowest Match threshold at any gallery size.
        candidate_threshold: score at which a customer is offered for PIN confirmation.
        match_margin: required lead of the best customer over the runner-up.
        top_k: how many candidates a search returns (at least pin_candidates).
        pin_candidates: customers the face offers to the PIN check (k, at most 5).
        masked_candidate_threshold: score at which a masked probe's customer is a PIN candidate.
        tail_anchor: unmasked impostor tail: score above which it is modelled.
        tail_anchor_rate: unmasked: share of impostor comparisons at or above the anchor.
        tail_scale: unmasked: exponential scale of the tail.
        tail_inflation: unmasked: correction for probe heterogeneity (>= 1).
        tail_comparisons: unmasked: impostor comparisons behind the fit.
        masked_tail_anchor: masked impostor tail: anchor.
        masked_tail_anchor_rate: masked: share at or above the anchor.
        masked_tail_scale: masked: exponential scale.
        masked_tail_inflation: masked: heterogeneity correction.
        masked_tail_comparisons: masked: comparisons behind the fit (too few: masked faces
            always go to the PIN).
        enrolled_threshold: score against another customer at which enrolment refuses a face
            as already enrolled.
    """

    target_fpir: float = field(
        default=TARGET_FPIR, metadata=_doc("target FPIR per transaction", lo=1e-9, hi=0.5)
    )
    match_threshold: float = field(
        default=MATCH_THRESHOLD, metadata=_doc("lowest Match cosine threshold", lo=-1, hi=1)
    )
    candidate_threshold: float = field(
        default=CANDIDATE_THRESHOLD, metadata=_doc("PIN candidate threshold", lo=-1, hi=1)
    )
    match_margin: float = field(default=MATCH_MARGIN, metadata=_doc("margin over runner-up", lo=0, hi=2))
    top_k: int = field(default=5, metadata=_doc("candidates returned", lo=1, hi=100))
    pin_candidates: int = field(
        default=PIN_CANDIDATES, metadata=_doc("candidates the PIN is checked against", lo=1, hi=5)
    )
    masked_candidate_threshold: float = field(
        default=MASKED_CANDIDATE_THRESHOLD, metadata=_doc("masked PIN candidate threshold", lo=-1, hi=1)
    )
    tail_anchor: float = field(default=TAIL_ANCHOR, metadata=_doc("impostor tail anchor", lo=-1, hi=1))
    tail_anchor_rate: float = field(
        default=TAIL_ANCHOR_RATE, metadata=_doc("impostor share above the anchor", lo=1e-12, hi=1)
    )
    tail_scale: float = field(default=TAIL_SCALE, metadata=_doc("impostor tail scale", lo=1e-4, hi=1))
    tail_inflation: float = field(
        default=TAIL_INFLATION, metadata=_doc("heterogeneity correction", lo=1, hi=1000)
    )
    tail_comparisons: int = field(
        default=TAIL_COMPARISONS, metadata=_doc("impostor comparisons behind the tail", lo=0)
    )
    masked_tail_anchor: float = field(
        default=MASKED_TAIL_ANCHOR, metadata=_doc("masked impostor tail anchor", lo=-1, hi=1)
    )
    masked_tail_anchor_rate: float = field(
        default=MASKED_TAIL_ANCHOR_RATE, metadata=_doc("masked share above the anchor", lo=1e-12, hi=1)
    )
    masked_tail_scale: float = field(
        default=MASKED_TAIL_SCALE, metadata=_doc("masked impostor tail scale", lo=1e-4, hi=1)
    )
    masked_tail_inflation: float = field(
        default=MASKED_TAIL_INFLATION, metadata=_doc("masked heterogeneity correction", lo=1, hi=1000)
    )
    masked_tail_comparisons: int = field(
        default=MASKED_TAIL_COMPARISONS, metadata=_doc("masked impostor comparisons", lo=0)
    )
    enrolled_threshold: float = field(
        default=ENROLLED_THRESHOLD, metadata=_doc("already-enrolled face threshold", lo=-1, hi=1.01)
    )


# --- liveness ---------------------------------------------------------------

# Passive liveness score = the presentation-attack combiner's logit (vision._pad_fusion):
# LIVE_FUSION_BIAS + sum(weight * cue) over LIVE_FUSION_CUES; higher is more live. Fitted by
# `facepay liveness fit --images ../shared/faces/pad --images ../shared/faces/dev` (L2 1.0,
# both classes weighted equally) on 241 pad + 89 dev faces: anti-spoof model logit weight
# +0.524, bezel / card-edge length weight -1.563, bias +2.331. Sharpness, moire, glare,
# colour and face size were measured too and left out: their sign flips between capture
# sources (leave-one-source-out in `facepay eval`) or they let the dev phone replays pass.
LIVE_FUSION_CUES = "model,edges"
LIVE_FUSION_WEIGHTS = "0.524093,-1.562507"
LIVE_FUSION_BIAS = 2.331153
# At or above this the face is live without a challenge: the highest attack logit over pad
# and dev is 1.60 (a dev phone replay held close, no bezel in view) plus 0.3 margin.
LIVE_PASS = 1.9
# Below this the face is rejected outright: the lowest live logit over pad and dev is -2.06
# (a pad webcam frame) minus 0.44 margin; 0 of 201 live faces fall below it.
LIVE_REJECT = -2.5
# How `facepay liveness fit` and eval's leave-one-source-out choose the combiner and cuts:
# ridge penalty on standardised weights (1.0: the weights barely move between folds), the
# pass cut this far above the highest training attack, the reject cut this far below the
# lowest training live face (logit units; the configured cuts above use 0.3 and 0.44).
LIVE_FIT_L2 = 1.0
LIVE_FIT_PASS_MARGIN = 0.3
LIVE_FIT_REJECT_MARGIN = 0.5
# Frames of one tracked face averaged before a verdict (about 1/3 s at 15 fps).
LIVE_WINDOW = 5
# Sales at or above this amount (minor units) always need the active challenge (0: never forced).
CHALLENGE_AMOUNT_MINOR = 10000
# The shopper has this long to follow a head-turn prompt.
CHALLENGE_TIMEOUT_S = 4.0
# Yaw proxy change a head turn must reach (pose_proxies: about 0.5 at 45 degrees, so ~18 degrees).
CHALLENGE_YAW = 0.2
# A face whose yaw proxy starts further than this from frontal is not a valid start.
CHALLENGE_START_YAW = 0.15
# A head turn must also show this much nose parallax (eye distances) against the plane of
# the eyes and mouth corners: a 3-D head model turned until the yaw proxy reaches 0.2 shows
# 0.20 (tests/vision/test_motion.py), a flat picture tilted any way shows 0; half of it.
CHALLENGE_MIN_PARALLAX = 0.1
# "Move closer" passes when the face width grows by this factor.
CHALLENGE_CLOSER_RATIO = 1.25
# The face must keep at least this similarity to the session's face through the challenge:
# dev genuine pairs (different photos, poses) score 0.72 on average, impostors at most 0.48.
SAME_FACE_SIMILARITY = 0.45


@dataclass(frozen=True)
class LivenessSettings:
    """Passive liveness thresholds and the active challenge.

    Attributes:
        pass_threshold: smoothed score at or above which no challenge is needed.
        reject_threshold: smoothed score below which the face is rejected as a spoof.
        window: frames of one face averaged before a verdict.
        challenge_amount_minor: sales at or above this always need the challenge (0: never).
        challenge_timeout_s: time allowed to follow the prompt.
        challenge_yaw: yaw-proxy change a head turn must reach.
        challenge_start_yaw: largest |yaw| at the start of a turn challenge.
        challenge_closer_ratio: face-width growth a "move closer" challenge needs.
        challenge_min_parallax: nose parallax (eye distances) a head turn must show.
        challenge_closer: offer "move closer" as a challenge (off by default: a hand-held photo
            can be moved closer too, it only defeats replayed videos).
        same_face_similarity: smallest embedding similarity to the session's face.
        fusion_cues: comma-separated cues the combiner uses (names of ``vision.PadCues``);
            empty: the anti-spoof model's logit alone.
        fusion_weights: comma-separated weights, one per cue, in the cues' own units.
        fusion_bias: the combiner's intercept.
        fit_l2: ridge penalty when the combiner is fitted.
        fit_pass_margin: fitted pass cut above the highest training attack logit.
        fit_reject_margin: fitted reject cut below the lowest training live logit.
    """

    pass_threshold: float = field(default=LIVE_PASS, metadata=_doc("liveness pass cut", lo=-30, hi=30))
    reject_threshold: float = field(default=LIVE_REJECT, metadata=_doc("liveness reject cut", lo=-30, hi=30))
    window: int = field(default=LIVE_WINDOW, metadata=_doc("frames smoothed", lo=1, hi=100))
    challenge_amount_minor: int = field(
        default=CHALLENGE_AMOUNT_MINOR, metadata=_doc("amount that always needs a challenge", lo=0)
    )
    challenge_timeout_s: float = field(
        default=CHALLENGE_TIMEOUT_S, metadata=_doc("challenge time limit", lo=0.5, hi=60)
    )
    challenge_yaw: float = field(default=CHALLENGE_YAW, metadata=_doc("head-turn yaw", lo=0.05, hi=1))
    challenge_start_yaw: float = field(
        default=CHALLENGE_START_YAW, metadata=_doc("frontal start yaw", lo=0.01, hi=1)
    )
    challenge_closer_ratio: float = field(
        default=CHALLENGE_CLOSER_RATIO, metadata=_doc("move-closer growth", lo=1.05, hi=4)
    )
    challenge_min_parallax: float = field(
        default=CHALLENGE_MIN_PARALLAX, metadata=_doc("head-turn parallax", lo=0, hi=2)
    )
    challenge_closer: bool = field(default=False, metadata=_doc("offer the move-closer challenge"))
    same_face_similarity: float = field(
        default=SAME_FACE_SIMILARITY, metadata=_doc("same-face similarity", lo=-1, hi=1)
    )
    fusion_cues: str = field(default=LIVE_FUSION_CUES, metadata=_doc("cues of the PAD combiner"))
    fusion_weights: str = field(
        default=LIVE_FUSION_WEIGHTS, metadata=_doc("weights of the PAD combiner, one per cue")
    )
    fusion_bias: float = field(
        default=LIVE_FUSION_BIAS, metadata=_doc("intercept of the PAD combiner", lo=-100, hi=100)
    )
    fit_l2: float = field(default=LIVE_FIT_L2, metadata=_doc("PAD combiner ridge", lo=0, hi=1000))
    fit_pass_margin: float = field(
        default=LIVE_FIT_PASS_MARGIN, metadata=_doc("fitted pass-cut margin", lo=0, hi=30)
    )
    fit_reject_margin: float = field(
        default=LIVE_FIT_REJECT_MARGIN, metadata=_doc("fitted reject-cut margin", lo=0, hi=30)
    )


# --- mask -------------------------------------------------------------------

# Lower face judged covered at or above this confidence (logistic score of the chroma and
# brightness contrast between the mouth/chin and the brow region). Leave-one-identity-out on
# dev live photos: accuracy 0.988, 0 of 60 unmasked called masked, 1 of 25 masked missed.
MASK_THRESHOLD = 0.5
# A detection scoring between this and vision.det_score is kept only when it looks like a
# masked face (mask confidence >= MASK_THRESHOLD) with plausible landmark geometry: YuNet
# scores many masked faces 0.35-0.6 (the larger masked set behind issue 5).
MASK_RECOVERY_SCORE = 0.35
# ...and only when the mouth/chin block's median HSV saturation is at most this: dev masks
# measure 0-100, skin on cal a median of 105; it cut the unmasked cal faces called masked
# from 72 to 34 of 3,061 and kept dev's 25 of 25 masks (vision/_mask.py).
MASK_MAX_SATURATION = 110.0


@dataclass(frozen=True)
class MaskSettings:
    """Lower-face-covered detection.

    Attributes:
        threshold: mask confidence at or above which the face is treated as masked.
        recovery_score: lowest detector score a masked face is recovered from (det_score: off).
        max_saturation: most saturated lower face (HSV S, 0-255) still called masked.
    """

    threshold: float = field(default=MASK_THRESHOLD, metadata=_doc("mask confidence cut", lo=0, hi=1))
    recovery_score: float = field(
        default=MASK_RECOVERY_SCORE, metadata=_doc("masked-face recovery detector score", lo=0.05, hi=0.99)
    )
    max_saturation: float = field(
        default=MASK_MAX_SATURATION, metadata=_doc("most saturated lower face called masked", lo=0, hi=255)
    )


# --- payments ---------------------------------------------------------------


@dataclass(frozen=True)
class LedgerSettings:
    """How the terminal reaches its ledger.

    Attributes:
        url: base URL of the ledger service.
        terminal_id: this terminal's id at the ledger.
        key_file: PKCS8 PEM Ed25519 private key of this terminal (mode 600).
        ledger_pub: PEM public key the ledger signs responses with.
        timeout_s: per-request timeout.
        cashier_id: the default cashier id (first on the staff sign-in, and for the commands).
        cashier_ids: comma-separated ids of the shop's cashiers, offered as buttons on the staff
            sign-in (any cashier may still type their own id).
    """

    url: str = field(default="http://127.0.0.1:8470", metadata=_doc("ledger base URL"))
    terminal_id: str = field(default="", metadata=_doc("terminal id at the ledger"))
    key_file: Path = field(default=Path("terminal.key"), metadata=_doc("terminal private key file"))
    ledger_pub: Path = field(default=Path("ledger.pub"), metadata=_doc("ledger public key file"))
    timeout_s: float = field(default=5.0, metadata=_doc("request timeout", lo=0.1, hi=120))
    cashier_id: str = field(default="", metadata=_doc("default cashier id"))
    cashier_ids: str = field(default="", metadata=_doc("cashier ids at staff sign-in, comma-separated"))


# Largest sale the kiosk opens (till or pad), minor units: a typo of two zeros is caught before the
# shopper sees it (EUR 1,000.00; a shop selling dearer things raises it).
MAX_SALE_MINOR = 100_000


@dataclass(frozen=True)
class PaymentSettings:
    """Terminal-side payment rules.

    Attributes:
        currency: ISO 4217 code of sales at this terminal.
        data_dir: where the journal and gallery live.
        gallery_key_file: the key of the gallery's templates (mode 600), kept out of data_dir so
            a copy of the templates is not a copy of their key; ``FACEPAY_GALLERY_KEY`` overrides it.
        store_and_forward: accept face payments offline (default off: decline when offline).
        offline_floor_minor: largest single offline payment, minor units.
        offline_exposure_minor: largest total of outstanding offline payments, minor units.
        max_sale_minor: largest sale a till or the kiosk's pad may open, minor units.
    """

    currency: str = field(default="EUR", metadata=_doc("ISO 4217 currency"))
    data_dir: Path = field(default_factory=default_data_dir, metadata=_doc("journal/gallery dir"))
    gallery_key_file: Path = field(
        default_factory=_default_gallery_key, metadata=_doc("gallery key file, apart from the templates")
    )
    store_and_forward: bool = field(default=False, metadata=_doc("offline store-and-forward"))
    offline_floor_minor: int = field(default=0, metadata=_doc("offline per-payment limit", lo=0))
    offline_exposure_minor: int = field(default=0, metadata=_doc("offline total limit", lo=0))
    max_sale_minor: int = field(
        default=MAX_SALE_MINOR, metadata=_doc("largest sale a till or the pad may open", lo=1)
    )


# --- kiosk ------------------------------------------------------------------

# Time-outs of the checkout flow, in seconds. Each keeps the kiosk from hanging on a person
# or a service that has gone away.
# An open sale nobody starts paying is cancelled after this (the cashier reopens it).
SALE_OPEN_S = 300.0
# No face in front of the camera for this long while scanning: the shopper walked away.
NO_FACE_S = 8.0
# Longest scan, head-turn challenge included, before the shopper is asked to start again.
SCAN_S = 30.0
# A confirm prompt ("Pay EUR 12.50 as Anna K.?") left unanswered returns to the sale.
CONFIRM_S = 20.0
# A PIN or customer-number pad with no key pressed for this long returns to the sale.
PIN_S = 30.0
# No answer from the ledger in this time: outcome "unknown", the cashier checks (never "approved").
PROCESSING_S = 30.0
# Result screens (approved, declined, rejected) return by themselves after this.
RESULT_S = 8.0
# The cashier menu logs the cashier out when left alone this long.
CASHIER_S = 60.0
# The kiosk's own slow-down of wrong staff PINs, before the ledger locks a cashier (5 wrong in
# 15 min): a typo costs nothing; each further wrong PIN (any cashier id) doubles the wait
# before the next try, from 10 s up to 2 min, so the ledger's five tries take 70 s or more
# from one kiosk. Forgotten after the ledger's own 15-minute window.
STAFF_FREE_TRIES = 1
STAFF_WAIT_S = 10.0
STAFF_WAIT_MAX_S = 120.0
STAFF_WINDOW_S = 900.0


@dataclass(frozen=True)
class KioskSettings:
    """How the kiosk screens look and how long they wait.

    Attributes:
        merchant: shop name shown on the screens and receipts.
        fullscreen: full screen (a kiosk) or a window (development).
        shuffle_pin_pad: move the PIN pad digits on every entry, against shoulder-surfing.
        sale_open_s: an open sale nobody pays is cancelled after this.
        no_face_s: scanning with no face for this long: the shopper walked away.
        scan_s: longest scan including a challenge.
        confirm_s: unanswered confirm prompt.
        pin_s: PIN or customer-number pad with no key pressed.
        processing_s: longest wait for the ledger before the outcome is "unknown".
        result_s: result screens return by themselves after this.
        cashier_s: idle cashier menu logs out after this.
        staff_free_tries: wrong staff PINs in a row with no wait.
        staff_wait_s: wait after the first wrong staff PIN beyond those (doubles each time).
        staff_wait_max_s: longest wait between staff PIN tries.
        staff_window_s: wrong staff PINs older than this are forgotten.
    """

    merchant: str = field(default="", metadata=_doc("shop name on screens and receipts"))
    fullscreen: bool = field(default=True, metadata=_doc("full-screen kiosk window"))
    shuffle_pin_pad: bool = field(default=False, metadata=_doc("shuffle the PIN pad digits"))
    sale_open_s: float = field(default=SALE_OPEN_S, metadata=_doc("open sale time-out", lo=10, hi=86400))
    no_face_s: float = field(default=NO_FACE_S, metadata=_doc("no face while scanning", lo=1, hi=600))
    scan_s: float = field(default=SCAN_S, metadata=_doc("longest scan", lo=2, hi=600))
    confirm_s: float = field(default=CONFIRM_S, metadata=_doc("confirm prompt time-out", lo=2, hi=600))
    pin_s: float = field(default=PIN_S, metadata=_doc("PIN pad idle time-out", lo=2, hi=600))
    processing_s: float = field(default=PROCESSING_S, metadata=_doc("ledger answer time-out", lo=1, hi=600))
    result_s: float = field(default=RESULT_S, metadata=_doc("result screen time", lo=1, hi=600))
    cashier_s: float = field(default=CASHIER_S, metadata=_doc("cashier menu idle time-out", lo=5, hi=3600))
    staff_free_tries: int = field(
        default=STAFF_FREE_TRIES, metadata=_doc("wrong staff PINs without a wait", lo=0, hi=4)
    )
    staff_wait_s: float = field(default=STAFF_WAIT_S, metadata=_doc("first staff-PIN wait", lo=0, hi=600))
    staff_wait_max_s: float = field(
        default=STAFF_WAIT_MAX_S, metadata=_doc("longest staff-PIN wait", lo=0, hi=3600)
    )
    staff_window_s: float = field(
        default=STAFF_WINDOW_S, metadata=_doc("staff-PIN failure memory", lo=60, hi=86400)
    )


# --- till (the shop's register) -------------------------------------------------

# Port of the kiosk's till interface (any free port the shop's network allows).
TILL_PORT = 8731


@dataclass(frozen=True)
class TillSettings:
    """The till interface: the shop's register opens sales on the kiosk (payments/till/TILL.md).

    Attributes:
        enabled: the kiosk listens for its till (off: sales start on the kiosk's own pad).
        listen: host:port of the till interface (loopback unless the till is another machine).
        till_id: the register's id (its requests carry it).
        public_key_file: the register's public key, trusted by the kiosk.
        key_file: the register's private key (used by ``facepay till``).
        kiosk_pub: the kiosk's terminal public key (``facepay till`` believes only its answers).
    """

    enabled: bool = field(default=False, metadata=_doc("kiosk listens for its till"))
    listen: str = field(default=f"127.0.0.1:{TILL_PORT}", metadata=_doc("till interface host:port"))
    till_id: str = field(default="till-1", metadata=_doc("the register's id"))
    public_key_file: Path = field(default=Path("till.pub"), metadata=_doc("register public key (kiosk)"))
    key_file: Path = field(default=Path("till.key"), metadata=_doc("register private key (facepay till)"))
    kiosk_pub: Path = field(default=Path("terminal.pub"), metadata=_doc("kiosk public key (facepay till)"))


@dataclass(frozen=True)
class Settings:
    """Every setting of a facepay terminal, grouped by concern."""

    models: ModelSettings = field(default_factory=ModelSettings)
    vision: VisionSettings = field(default_factory=VisionSettings)
    recognition: RecognitionSettings = field(default_factory=RecognitionSettings)
    liveness: LivenessSettings = field(default_factory=LivenessSettings)
    mask: MaskSettings = field(default_factory=MaskSettings)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    till: TillSettings = field(default_factory=TillSettings)


# --- loading ----------------------------------------------------------------


def _coerce(section: str, f: dataclasses.Field[Any], raw: object, source: str) -> Any:
    name = f"{section}.{f.name}"
    hint = typing.get_type_hints(_SECTIONS[section])[f.name]
    try:
        value = _convert(hint, raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} = {raw!r} ({source}): {exc}") from exc
    lo, hi, choices = f.metadata.get("lo"), f.metadata.get("hi"), f.metadata.get("choices")
    if lo is not None and value < lo:
        raise SettingsError(f"{name} = {value!r} ({source}) is below the minimum {lo}")
    if hi is not None and value > hi:
        raise SettingsError(f"{name} = {value!r} ({source}) is above the maximum {hi}")
    if choices is not None and value not in choices:
        raise SettingsError(f"{name} = {value!r} ({source}) must be one of {', '.join(choices)}")
    return value


def _convert(hint: Any, raw: object) -> Any:
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError("expected true or false")
    if hint is int:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError("expected a whole number")
        return int(str(raw).strip()) if isinstance(raw, str) else int(raw)  # type: ignore[call-overload]
    if hint is float:
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        return float(raw)  # type: ignore[arg-type]
    if hint is Path:
        if not isinstance(raw, str | Path):
            raise ValueError("expected a path")
        return Path(raw).expanduser()
    if hint is str:
        if not isinstance(raw, str):
            raise ValueError("expected text")
        return raw
    if isinstance(hint, types.UnionType):
        raise TypeError(f"unsupported setting type {hint}")
    raise TypeError(f"unsupported setting type {hint}")


_SECTIONS: dict[str, type[Any]] = {
    f.name: typing.get_type_hints(Settings)[f.name] for f in dataclasses.fields(Settings)
}


def _env_names(section: str, f: dataclasses.Field[Any]) -> list[str]:
    names = [f"FACEPAY_{section}_{f.name}".upper()]
    if "env" in f.metadata:
        names.insert(0, f.metadata["env"])
    return names


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or ``$FACEPAY_CONFIG``) and the environment.

    Unknown sections or keys in the file are errors (a typo must not silently
    fall back to a default).
    """
    env = os.environ if env is None else env
    if path is None and env.get("FACEPAY_CONFIG"):
        path = Path(env["FACEPAY_CONFIG"])
    table: dict[str, Any] = {}
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"configuration file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"configuration file {path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(table) - set(_SECTIONS))
    if unknown:
        raise SettingsError(f"{path}: unknown section(s) {', '.join(unknown)}; known: {', '.join(_SECTIONS)}")
    sections: dict[str, Any] = {}
    for section, cls in _SECTIONS.items():
        given = table.get(section, {})
        if not isinstance(given, dict):
            raise SettingsError(f"{path}: [{section}] must be a table")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        bad = sorted(set(given) - set(fields))
        if bad:
            raise SettingsError(
                f"{path}: unknown key(s) {', '.join(bad)} in [{section}]; known: {', '.join(fields)}"
            )
        values: dict[str, Any] = {}
        for name, f in fields.items():
            if name in given:
                values[name] = _coerce(section, f, given[name], str(path))
            for var in _env_names(section, f):
                if var in env:
                    values[name] = _coerce(section, f, env[var], f"environment {var}")
                    break
        sections[section] = cls(**values)
    settings = Settings(**sections)
    _check_consistency(settings)
    return settings


def _check_consistency(s: Settings) -> None:
    r = s.recognition
    if r.candidate_threshold > r.match_threshold:
        raise SettingsError(
            f"recognition.candidate_threshold ({r.candidate_threshold}) must not exceed "
            f"recognition.match_threshold ({r.match_threshold})"
        )
    if r.top_k < r.pin_candidates:
        raise SettingsError(
            f"recognition.top_k ({r.top_k}) must be at least recognition.pin_candidates ({r.pin_candidates})"
        )
    if s.liveness.reject_threshold > s.liveness.pass_threshold:
        raise SettingsError(
            f"liveness.reject_threshold ({s.liveness.reject_threshold}) must not exceed "
            f"liveness.pass_threshold ({s.liveness.pass_threshold})"
        )
    v = s.vision
    if v.min_brightness >= v.max_brightness:
        raise SettingsError("vision.min_brightness must be below vision.max_brightness")
    if len(s.payments.currency) != 3 or not s.payments.currency.isupper():
        raise SettingsError(
            f"payments.currency = {s.payments.currency!r}: expected an ISO 4217 code such as EUR"
        )
