"""Presentation-attack cues of one frame: what a screen or a paper in front of the camera
leaves in the picture, measured on the face and the context around it.

Every cue is computed on crops resampled to a fixed size relative to the face box, so none
of them depends on the frame's pixel size or on file properties (tests resize frames and
check the cues barely move). Each cue follows a published method or project:

- ``model``: the passive anti-spoof network (MiniFASNetV2-SE, Minivision's Silent-Face-Anti-
  Spoofing architecture, weights trained on CelebA-Spoof by face-antispoof-onnx), fed the
  1.5x context crop its training used (``antispoof_crop``). Logit ``real - spoof``.
- ``model_wide``: the same network on a wider view: six views (``wide_views``) at 2x the
  face box and 10% smaller and larger, each padded at the frame edge once by mirroring and
  once with black, their logits averaged. The wider view shows what holds the face (a
  phone's edge, fingers, a card border) and is the context-based cue of Komulainen et al.
  (below) read by the network itself; averaging the two paddings keeps a face near the
  frame edge from being judged on invented context (a mirrored copy of the face beside it)
  alone, and averaging three scales steadies a logit that moves by several units when the
  box moves by a few pixels. Test-time augmentation in the sense of Simonyan and Zisserman
  (ICLR 2015, multi-crop and multi-scale evaluation). A kiosk scan takes one view per
  frame in turn and averages its window of six frames (``vision._liveness``).
- ``moire``: peakiness of the high-frequency spectrum of the face: a display's pixel grid
  beating with the camera's sensor grid makes isolated spectral peaks (Garcia and de
  Queiroz, "Face-spoofing 2D-detection based on Moire-pattern analysis", IEEE TIFS 2015;
  Patel, Han and Jain, "Live face video vs. spoof face video: use of moire patterns to
  detect replay video attacks", ICB 2015).
- ``sharpness``: high- over mid-frequency energy of the face; a re-captured picture has lost
  its finest detail (the blurriness feature of Wen, Han and Jain, "Face spoof detection with
  image distortion analysis", IEEE TIFS 2015, "IDA").
- ``glare``: share of specular pixels (bright, unsaturated) in the context crop: a glossy
  screen or photo reflects room lights (IDA's specular-reflection feature).
- ``edges``: long straight edges around, not on, the face: the bezel of a phone or monitor,
  the border of a print or ID card (Komulainen, Hadid and Pietikainen, "Context based face
  anti-spoofing", BTAS 2013: the spoofing medium is visible in the scene).
- ``bezel``: how many sides of the face (left, right, above, below) are framed by a long
  straight edge running parallel to that side, half a face to 1.3 faces from its centre: the
  outline of a phone, tablet, monitor, card or print held around a face. The contextual cue
  of Komulainen et al. (below) reduced to the geometry of a frame: where ``edges`` sums every
  long line in the scene (a door or a shelf counts too), ``bezel`` counts only lines that
  box the face in, tolerating a held phone's tilt (35 degrees). Lines come from the
  probabilistic Hough transform (Matas, Galambos and Kittler, CVIU 2000) on Canny edges,
  with the face's own ellipse blanked.
- ``colour``: chromatic diversity of the face in HSV (IDA's chromatic-moment and colour-
  diversity features: a display or printer reproduces a narrower gamut).
- ``face_frac``: face width over frame width. A kiosk frames a shopper at arm's length; a
  face that fills the frame leaves the model no context (the shopper is asked to step back).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import astuple, dataclass, fields

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._detector import Detection, as_bgr

__all__ = ["CUE_NAMES", "PadCues", "context_crop", "measure_cues"]

# Face box resampled to this square before the frequency cues (a fixed size: scale-free).
FACE_SIDE = 128
# Context around the face for glare and edges: this many face widths, resampled to CONTEXT_SIDE.
CONTEXT_SCALE = 3.0
CONTEXT_SIDE = 192
# An edge must span at least this share of the context crop to count as a bezel or border.
MIN_EDGE_SHARE = 0.3
# The bezel cue's crop: CONTEXT_SCALE face sizes resampled to BEZEL_SIDE (a face is 96 px).
# Its geometry is in face sizes: a framing line lies BEZEL_NEAR to BEZEL_FAR faces from the
# face's centre, is at least BEZEL_MIN_LENGTH faces long, within BEZEL_TILT_DEG of the side it
# frames, and overlaps the face along that side. First choices from a phone held up to a
# camera, not tuned (`facepay eval`'s leave-one-source-out report measures them).
BEZEL_SIDE = 288
BEZEL_NEAR = 0.5
BEZEL_FAR = 1.3
BEZEL_MIN_LENGTH = 0.6
BEZEL_TILT_DEG = 35.0


@dataclass(frozen=True)
class PadCues:
    """Cue values of one face in one frame (higher is more like a live face for none in
    particular: the combiner learns each sign).

    Attributes:
        model: anti-spoof logit ``real - spoof`` on the 1.5x context crop.
        model_wide: mean anti-spoof logit over the wide views (or the one view asked for).
        moire: log ratio of the strongest to the median high-frequency spectral residual.
        sharpness: log ratio of high- to mid-frequency energy of the face.
        glare: share of specular (bright, unsaturated) pixels in the context crop.
        edges: summed length of long straight edges off the face, in context-crop sides.
        bezel: sides of the face (0 to 4) framed by a parallel straight edge close to it.
        colour: standard deviation of hue-weighted chroma over the face.
        face_frac: face width over frame width.
    """

    model: float
    model_wide: float
    moire: float
    sharpness: float
    glare: float
    edges: float
    bezel: float
    colour: float
    face_frac: float

    def vector(self) -> NDArray[np.float64]:
        return np.asarray(astuple(self), dtype=np.float64)


CUE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PadCues))


def _square(
    bgr: NDArray[np.uint8], box: tuple[float, float, float, float], scale: float, side: int
) -> NDArray[np.uint8]:
    """A square of ``scale`` face sizes around the box centre, resampled to ``side`` pixels;
    outside the frame is black (context that is not there is not invented)."""
    x, y, w, h = box
    half = max(w, h) * scale / 2.0
    cx, cy = x + w / 2.0, y + h / 2.0
    src = np.array([[cx - half, cy - half], [cx + half, cy - half], [cx - half, cy + half]], dtype=np.float32)
    dst = np.array([[0, 0], [side, 0], [0, side]], dtype=np.float32)
    m = cv2.getAffineTransform(src, dst)
    interp = cv2.INTER_AREA if 2 * half > side else cv2.INTER_LINEAR
    out: NDArray[np.uint8] = cv2.warpAffine(
        bgr,
        m,
        (side, side),
        flags=interp,  # type: ignore[assignment]
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return out


def context_crop(frame: NDArray[np.uint8], det: Detection) -> NDArray[np.uint8]:
    """The scene around the face (``CONTEXT_SCALE`` face widths), ``CONTEXT_SIDE`` square."""
    return _square(as_bgr(frame), det.box, CONTEXT_SCALE, CONTEXT_SIDE)


def _spectrum_cues(face_grey: NDArray[np.float32]) -> tuple[float, float]:
    """(moire, sharpness) of a FACE_SIDE square grey face."""
    g = face_grey - float(face_grey.mean())
    win = np.outer(np.hanning(FACE_SIDE), np.hanning(FACE_SIDE)).astype(np.float32)
    mag = np.abs(np.fft.fftshift(np.fft.fft2(g * win))) + 1e-6
    logm = np.log(mag)
    yy, xx = np.mgrid[:FACE_SIDE, :FACE_SIDE]
    r = np.hypot(yy - FACE_SIDE / 2, xx - FACE_SIDE / 2) / (FACE_SIDE / 2)
    bins = np.minimum((r * 32).astype(np.int64), 40)
    radial = np.bincount(bins.ravel(), logm.ravel()) / np.maximum(np.bincount(bins.ravel()), 1)
    residual = logm - radial[bins]
    band = (r >= 0.35) & (r <= 0.95)
    res = residual[band]
    moire = float(np.percentile(res, 99.9) - np.median(res))
    power = mag**2
    high = float(power[(r >= 0.5) & (r <= 0.95)].mean())
    mid = float(power[(r >= 0.1) & (r < 0.3)].mean())
    return moire, float(np.log(high / mid))


def _glare(context: NDArray[np.uint8]) -> float:
    hsv = cv2.cvtColor(context, cv2.COLOR_BGR2HSV)
    s, v = hsv[..., 1].astype(np.int32), hsv[..., 2].astype(np.int32)
    seen = v > 0  # black = outside the frame
    if not seen.any():
        return 0.0
    specular = (v >= 235) & (s <= 40)
    return float(specular.sum() / seen.sum())


def _edges(context: NDArray[np.uint8]) -> float:
    grey = cv2.cvtColor(context, cv2.COLOR_BGR2GRAY)
    grey = np.asarray(cv2.GaussianBlur(grey, (3, 3), 0), dtype=np.uint8)
    edge = np.asarray(cv2.Canny(grey, 50, 150), dtype=np.uint8)
    # Blank the face itself (the middle third) and the frame border (black padding edges).
    c0, c1 = CONTEXT_SIDE // 3, 2 * CONTEXT_SIDE // 3
    edge[c0:c1, c0:c1] = 0
    inside = (grey > 0).astype(np.uint8)
    inside_e = np.asarray(cv2.erode(inside, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    edge = edge * inside_e
    lines = cv2.HoughLinesP(
        edge, 1, np.pi / 180, threshold=40, minLineLength=int(MIN_EDGE_SHARE * CONTEXT_SIDE), maxLineGap=4
    )
    if lines is None:
        return 0.0
    seg = lines.reshape(-1, 4).astype(np.float64)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    return float(length.sum() / CONTEXT_SIDE)


def _face_ellipse() -> NDArray[np.bool_]:
    """The face's own ellipse in the bezel crop (its edges are the face, not a frame)."""
    face, c = BEZEL_SIDE / CONTEXT_SCALE, BEZEL_SIDE / 2.0
    yy, xx = np.mgrid[:BEZEL_SIDE, :BEZEL_SIDE]
    inside: NDArray[np.bool_] = ((xx - c) / (0.42 * face)) ** 2 + ((yy - c) / (0.5 * face)) ** 2 < 1.0
    return inside


_BEZEL_FACE = _face_ellipse()


def _bezel(bgr: NDArray[np.uint8], box: tuple[float, float, float, float]) -> float:
    crop = _square(bgr, box, CONTEXT_SCALE, BEZEL_SIDE)
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    edge = np.asarray(cv2.Canny(cv2.GaussianBlur(grey, (5, 5), 0), 40, 120), dtype=np.uint8)
    face = BEZEL_SIDE / CONTEXT_SCALE
    c = BEZEL_SIDE / 2.0
    edge[_BEZEL_FACE] = 0
    # Not the border of the frame itself (black outside it).
    edge = edge * np.asarray(
        cv2.erode((grey > 0).astype(np.uint8), np.ones((7, 7), np.uint8)), dtype=np.uint8
    )
    lines = cv2.HoughLinesP(
        edge, 1, np.pi / 180, threshold=30, minLineLength=int(BEZEL_MIN_LENGTH * face), maxLineGap=6
    )
    if lines is None:
        return 0.0
    sides: set[str] = set()
    for x1, y1, x2, y2 in lines.reshape(-1, 4).astype(np.float64):
        dx, dy = x2 - x1, y2 - y1
        length = float(np.hypot(dx, dy))
        off_vertical = float(np.degrees(np.arctan2(abs(dx), abs(dy))))
        distance = abs(dx * (y1 - c) - dy * (x1 - c)) / length / face
        if not BEZEL_NEAR <= distance <= BEZEL_FAR:
            continue
        if off_vertical <= BEZEL_TILT_DEG and min(y1, y2) <= c + face / 2 and max(y1, y2) >= c - face / 2:
            sides.add("left" if x1 + x2 < 2 * c else "right")
        elif (
            off_vertical >= 90.0 - BEZEL_TILT_DEG
            and min(x1, x2) <= c + face / 2
            and max(x1, x2) >= c - face / 2
        ):
            sides.add("above" if y1 + y2 < 2 * c else "below")
    return float(len(sides))


def _colour(face: NDArray[np.uint8]) -> float:
    lab = cv2.cvtColor(face, cv2.COLOR_BGR2LAB).astype(np.float32)
    a, b = lab[..., 1] - 128.0, lab[..., 2] - 128.0
    return float(np.hypot(a, b).std())


def measure_cues(
    frame: NDArray[np.uint8],
    det: Detection,
    model_score: float,
    only: Collection[str] | None = None,
    *,
    model_wide: float = 0.0,
) -> PadCues:
    """The cues of one detected face; ``model_score`` and ``model_wide`` are the anti-spoof
    logits of the frame (the network runs in ``vision._liveness``).

    ``only`` names the cues to compute (the kiosk computes just those its combiner uses);
    the others are left at 0.
    """
    want = set(CUE_NAMES if only is None else only)
    bgr = as_bgr(frame)
    moire = sharp = colour = glare = edges = bezel = 0.0
    if want & {"moire", "sharpness", "colour"}:
        face = _square(bgr, det.box, 1.0, FACE_SIDE)
        colour = _colour(face)
        moire, sharp = _spectrum_cues(cv2.cvtColor(face, cv2.COLOR_BGR2GRAY).astype(np.float32))
    if want & {"glare", "edges"}:
        context = _square(bgr, det.box, CONTEXT_SCALE, CONTEXT_SIDE)
        glare = _glare(context) if "glare" in want else 0.0
        edges = _edges(context) if "edges" in want else 0.0
    if "bezel" in want:
        bezel = _bezel(bgr, det.box)
    return PadCues(
        model=float(model_score),
        model_wide=float(model_wide),
        moire=moire,
        sharpness=sharp,
        glare=glare,
        edges=edges,
        bezel=bezel,
        colour=colour,
        face_frac=float(det.width / max(bgr.shape[1], 1)),
    )
