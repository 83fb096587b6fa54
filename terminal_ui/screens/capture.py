"""Enrolment pictures: the live camera, how many good pictures are kept, and what to change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from checkout import Cancel, CaptureUpdate, CaptureView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._camera import CameraView
from terminal_ui.style import label

__all__ = ["CaptureScreen"]


def kept_text(accepted: int, needed: int) -> str:
    """ "Pictures kept: 2 of 5" (or a waiting line before the first frame)."""
    return say("capture.kept", accepted=accepted, needed=needed) if needed else say("capture.starting")


class CaptureScreen(BaseScreen):
    """Shows a ``CaptureView``; frames arrive through ``show_frame`` from the camera worker."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout()
        row.setSpacing(40)
        self.page.addLayout(row, 1)
        self.camera = CameraView()
        row.addWidget(self.camera, 3)
        side = QVBoxLayout()
        side.setSpacing(24)
        row.addLayout(side, 2)
        self.heading = label(say("capture.heading"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.customer = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.kept = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.kept.setStyleSheet("font-weight: bold;")
        self.prompt = label("", "prompt", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.prompt.setMinimumHeight(140)
        for widget in (self.heading, self.customer, self.kept, self.prompt):
            side.addWidget(widget)
        side.addStretch(1)
        side.addWidget(self.action(say("ui.cancel"), Cancel()))

    def show_view(self, view: View) -> None:
        assert isinstance(view, CaptureView)
        self.customer.setText(say("ui.customer", customer=view.customer))
        self.kept.setText(kept_text(view.accepted, view.needed))
        self.prompt.setText(view.problem or say("capture.hold_still"))
        if view.needed == 0:
            self.camera.clear()

    def show_frame(self, image: QImage, update: CaptureUpdate) -> None:
        """A judged frame: picture, box, count and what to change."""
        self.camera.set_frame(image, update.box)
        self.kept.setText(kept_text(update.accepted, update.needed))
        self.prompt.setText(update.problem or say("capture.hold_still"))
