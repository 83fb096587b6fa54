"""Camera sources, detection, alignment, quality, liveness, embedding, gallery and the
per-frame pipeline. numpy, onnxruntime and OpenCV only: never Qt, httpx or payments.
"""

from vision._align import ARCFACE_TEMPLATE, align_face, similarity_transform
from vision._challenge import (
    Challenge,
    ChallengeKind,
    ChallengeLimits,
    ChallengeStatus,
    Observation,
)
from vision._decision import (
    GUIDANCE_TEXT,
    REASON_TEXT,
    Decision,
    Guidance,
    Match,
    NeedPin,
    Reason,
    Reject,
    ScanUpdate,
)
from vision._detector import Detection, YuNetDetector, as_bgr, choose_main_face
from vision._embedder import Embedder, OrtSession, l2_normalise
from vision._errors import (
    GalleryError,
    GalleryKeyError,
    ImageError,
    ModelError,
    SourceError,
    SourceLost,
    VisionError,
)
from vision._fpir import ImpostorTail, fit_impostor_tail, sampled_top1_fpir
from vision._gallery import Candidate, Gallery, TemplateIndex
from vision._gallery_key import (
    GALLERY_KEY_ENV,
    gallery_key_place,
    generate_key,
    load_key,
    open_gallery_key,
    rotate_gallery_key,
)
from vision._liveness import (
    LivenessLimits,
    LivenessModel,
    LivenessSmoother,
    LivenessVerdict,
    antispoof_crop,
    liveness_verdict,
    wide_crops,
    wide_views,
)
from vision._mask import MaskDetector, MaskVerdict, plausible_face
from vision._migration import MigratingGallery, MigratingScanSession, MigrationCoverage, PairedEmbedder
from vision._motion import nose_parallax
from vision._pad_cues import CUE_NAMES, PadCues, context_crop, measure_cues
from vision._pad_fusion import PadFusion, fit_fusion
from vision._pipeline import FaceAnalysis, FrameResult, NearSearch, Pipeline, Searchable, Sighting, StageTimes
from vision._policy import DecisionPolicy, FrameEvidence, PolicyLimits, fused_embedding
from vision._qr import QrReader, QrSighting
from vision._quality import Quality, QualityLimits, assess_quality, face_fill, pose_proxies
from vision._session import FrameBudget, ScanSession, ScanWork
from vision._sources import (
    IMAGE_SUFFIXES,
    Frame,
    FrameSource,
    ImageFolderSource,
    VideoSource,
    open_source,
    read_image,
)

__all__ = [
    "ARCFACE_TEMPLATE",
    "CUE_NAMES",
    "GALLERY_KEY_ENV",
    "GUIDANCE_TEXT",
    "IMAGE_SUFFIXES",
    "REASON_TEXT",
    "Candidate",
    "Challenge",
    "ChallengeKind",
    "ChallengeLimits",
    "ChallengeStatus",
    "Decision",
    "DecisionPolicy",
    "Detection",
    "Embedder",
    "FaceAnalysis",
    "Frame",
    "FrameBudget",
    "FrameEvidence",
    "FrameResult",
    "FrameSource",
    "Gallery",
    "GalleryError",
    "GalleryKeyError",
    "Guidance",
    "ImageError",
    "ImageFolderSource",
    "ImpostorTail",
    "LivenessLimits",
    "LivenessModel",
    "LivenessSmoother",
    "LivenessVerdict",
    "MaskDetector",
    "MaskVerdict",
    "Match",
    "MigratingGallery",
    "MigratingScanSession",
    "MigrationCoverage",
    "ModelError",
    "NearSearch",
    "NeedPin",
    "Observation",
    "OrtSession",
    "PadCues",
    "PadFusion",
    "PairedEmbedder",
    "Pipeline",
    "PolicyLimits",
    "QrReader",
    "QrSighting",
    "Quality",
    "QualityLimits",
    "Reason",
    "Reject",
    "ScanSession",
    "ScanUpdate",
    "ScanWork",
    "Searchable",
    "Sighting",
    "SourceError",
    "SourceLost",
    "StageTimes",
    "TemplateIndex",
    "VideoSource",
    "VisionError",
    "YuNetDetector",
    "align_face",
    "antispoof_crop",
    "as_bgr",
    "assess_quality",
    "choose_main_face",
    "context_crop",
    "face_fill",
    "fit_fusion",
    "fit_impostor_tail",
    "fused_embedding",
    "gallery_key_place",
    "generate_key",
    "l2_normalise",
    "liveness_verdict",
    "load_key",
    "measure_cues",
    "nose_parallax",
    "open_gallery_key",
    "open_source",
    "plausible_face",
    "pose_proxies",
    "read_image",
    "rotate_gallery_key",
    "sampled_top1_fpir",
    "similarity_transform",
    "wide_crops",
    "wide_views",
]
