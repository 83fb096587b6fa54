"""The live camera picture with the oval guide and the face box, painted with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from checkout import say

__all__ = ["ArrowWidget", "CameraView", "FaceIcon", "camera_with_side"]


def camera_with_side(page: QBoxLayout, *, guide: bool = True) -> tuple[CameraView, QVBoxLayout]:
    """The live camera on the left (3/5) and a column for prompts and buttons on the right
    (``guide``: the face oval over the camera)."""
    row = QHBoxLayout()
    row.setSpacing(40)
    page.addLayout(row, 1)
    camera = CameraView(guide=guide)
    row.addWidget(camera, 3)
    side = QVBoxLayout()
    side.setSpacing(24)
    row.addLayout(side, 2)
    return camera, side


class CameraView(QWidget):
    """Mirrored camera image (a mirror is what people expect), a guide oval and the face box."""

    def __init__(self, *, guide: bool = True) -> None:
        super().__init__()
        self._guide = guide  # the face oval; a receipt held up needs none
        self.setMinimumSize(480, 360)
        self.setAccessibleName(say("access.camera"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._box: tuple[int, int, int, int] | None = None

    def clear(self) -> None:
        """Forget the last picture (a new scan starts dark, not with the previous shopper)."""
        self._image, self._box = None, None
        self.update()

    def set_picture(self, image: QImage) -> None:
        """A newer camera picture; the last known face box stays until the next analysis."""
        self._image = image
        self.update()

    def set_frame(self, image: QImage, box: tuple[int, int, int, int] | None) -> None:
        """Show a new frame and its face box (frame pixels)."""
        self._image, self._box = image, box
        self.update()

    def _target(self) -> QRectF:
        if self._image is None or self._image.isNull():
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#111418"))
        target = self._target()
        if self._image is not None:
            p.save()  # mirror: the shopper moves left, the picture moves left
            p.translate(target.x() + target.width(), target.y())
            p.scale(-1.0, 1.0)
            p.drawImage(QRectF(0, 0, target.width(), target.height()), self._image)
            p.restore()
        if self._guide:
            self._paint_guide(p, target)
        self._paint_box(p, target)
        p.end()

    def _paint_guide(self, p: QPainter, target: QRectF) -> None:
        h = target.height() * 0.72
        w = h * 0.74
        oval = QRectF(target.center().x() - w / 2, target.center().y() - h / 2, w, h)
        shade = QPainterPath()
        shade.addRect(target)
        hole = QPainterPath()
        hole.addEllipse(oval)
        p.fillPath(shade.subtracted(hole), QColor(17, 20, 24, 120))
        pen = QPen(QColor("#FFFFFF"), 6)
        pen.setStyle(Qt.PenStyle.SolidLine if self._box else Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(oval)

    def _paint_box(self, p: QPainter, target: QRectF) -> None:
        if self._box is None or self._image is None:
            return
        x, y, w, h = self._box
        sx = target.width() / self._image.width()
        sy = target.height() / self._image.height()
        mirrored_x = self._image.width() - (x + w)
        rect = QRectF(target.x() + mirrored_x * sx, target.y() + y * sy, w * sx, h * sy)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor("#111418"), 7))
        p.drawRoundedRect(rect, 10, 10)
        p.setPen(QPen(QColor("#FFFFFF"), 3))
        p.drawRoundedRect(rect, 10, 10)


class ArrowWidget(QWidget):
    """A large arrow pointing left or right (the challenge direction, with text beside it)."""

    def __init__(self) -> None:
        super().__init__()
        self.left = True
        self.setMinimumSize(220, 160)
        self.setAccessibleName(say("challenge.heading"))

    def point(self, left: bool, words: str = "") -> None:
        """Point left (True) or right; ``words`` say the same for a screen reader."""
        self.left = left
        if words:
            self.setAccessibleName(words)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = float(self.width()), float(self.height())
        size = min(w, h * 1.4)
        cx, cy = w / 2, h / 2
        half, shaft = size / 2, size * 0.16
        head = size * 0.42
        pts = [
            (-half, 0.0),
            (-half + head, -size * 0.34),
            (-half + head, -shaft),
            (half, -shaft),
            (half, shaft),
            (-half + head, shaft),
            (-half + head, size * 0.34),
        ]
        sign = 1.0 if self.left else -1.0
        poly = QPolygonF([QPointF(cx + sign * x, cy + y) for x, y in pts])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#0B3D91"))
        p.drawPolygon(poly)
        p.end()


class FaceIcon(QWidget):
    """The welcome screen's picture: a face oval inside scan-frame corners."""

    def __init__(self) -> None:
        super().__init__()
        self.setFixedSize(200, 200)
        self.setAccessibleName(say("access.face_icon"))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#0B3D91"), 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        w, h, c = float(self.width()), float(self.height()), 46.0
        for x, y, dx, dy in ((8, 8, 1, 1), (w - 8, 8, -1, 1), (8, h - 8, 1, -1), (w - 8, h - 8, -1, -1)):
            p.drawLine(QPointF(x, y), QPointF(x + dx * c, y))
            p.drawLine(QPointF(x, y), QPointF(x, y + dy * c))
        p.setPen(QPen(QColor("#111418"), 7))
        p.drawEllipse(QRectF(w * 0.29, h * 0.2, w * 0.42, h * 0.58))
        p.drawArc(QRectF(w * 0.41, h * 0.5, w * 0.18, h * 0.12), 200 * 16, 140 * 16)
        p.setBrush(QColor("#111418"))
        for x in (0.42, 0.58):
            p.drawEllipse(QPointF(w * x, h * 0.42), 4, 4)
        p.end()
