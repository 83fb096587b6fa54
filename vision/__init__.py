"""Camera sources, detection, alignment, quality, liveness, embedding, gallery and the
per-frame pipeline. numpy, onnxruntime and OpenCV only: never Qt, httpx or payments.
"""

from vision._align import ARCFACE_TEMPLATE, align_face, similarity_transform
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
from vision._gallery import Candidate, Gallery, TemplateIndex, generate_key, load_key
from vision._pipeline import FaceAnalysis, FrameResult, Pipeline, Searchable, StageTimes
from vision._quality import Quality, QualityLimits, assess_quality, pose_proxies
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
    "GUIDANCE_TEXT",
    "IMAGE_SUFFIXES",
    "REASON_TEXT",
    "Candidate",
    "Decision",
    "Detection",
    "Embedder",
    "FaceAnalysis",
    "Frame",
    "FrameResult",
    "FrameSource",
    "Gallery",
    "GalleryError",
    "GalleryKeyError",
    "Guidance",
    "ImageError",
    "ImageFolderSource",
    "Match",
    "ModelError",
    "NeedPin",
    "OrtSession",
    "Pipeline",
    "Quality",
    "QualityLimits",
    "Reason",
    "Reject",
    "ScanUpdate",
    "Searchable",
    "SourceError",
    "SourceLost",
    "StageTimes",
    "TemplateIndex",
    "VideoSource",
    "VisionError",
    "YuNetDetector",
    "align_face",
    "as_bgr",
    "assess_quality",
    "choose_main_face",
    "generate_key",
    "l2_normalise",
    "load_key",
    "open_source",
    "pose_proxies",
    "read_image",
    "similarity_transform",
]
