"""Active liveness challenge: turn the head, shown with an arrow AND words, over the live camera."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.flow import Cancel, ChallengeView, View
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._camera import ArrowWidget, camera_with_side
from terminal_ui.style import label
from vision import GUIDANCE_TEXT, Guidance, ScanUpdate

__all__ = ["ChallengeScreen"]


class ChallengeScreen(BaseScreen):
    """Shows a ``ChallengeView``; frames arrive through ``show_frame``."""

    def __init__(self) -> None:
        super().__init__()
        self.camera, side = camera_with_side(self.page)
        self.heading = label("One more check", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.arrow = ArrowWidget()
        self.prompt = label("", "prompt", align=Qt.AlignmentFlag.AlignCenter)
        self.hint = label("Slowly, then look back at the camera", "muted",
                          align=Qt.AlignmentFlag.AlignLeft)
        for widget in (self.heading, self.arrow, self.prompt, self.hint):
            side.addWidget(widget)
        side.addStretch(1)
        side.addWidget(self.action("Cancel", Cancel()))

    def show_view(self, view: View) -> None:
        assert isinstance(view, ChallengeView)
        self._point(view.direction)

    def _point(self, direction: Guidance) -> None:
        if direction in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT):
            self.arrow.point(direction is Guidance.TURN_LEFT)
            self.prompt.setText(GUIDANCE_TEXT[direction])

    def show_frame(self, image: QImage, update: ScanUpdate) -> None:
        """A new analysed frame."""
        self.camera.set_frame(image, update.box)
        self._point(update.guidance)
