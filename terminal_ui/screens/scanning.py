"""Scanning: the live camera at camera rate, an oval guide, the face box and one short prompt."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from checkout import Cancel, ScanView, UsePin, View, said, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._camera import camera_with_side
from terminal_ui.style import label
from vision import GUIDANCE_TEXT, Guidance, ScanUpdate

__all__ = ["ScanScreen", "prompt_for"]

# While masked and undecided the shopper gets a calm heads-up rather than "look at the camera".


def prompt_for(update: ScanUpdate | None) -> str:
    """The one prompt to show for an update."""
    if update is None:
        return said(GUIDANCE_TEXT[Guidance.LOOK_AT_CAMERA], "Vision")
    if update.masked and update.guidance is not Guidance.OK:
        return say("scan.masked")
    return said(GUIDANCE_TEXT[update.guidance], "Vision")


class ScanScreen(BaseScreen):
    """Shows a ``ScanView``; frames arrive through ``show_frame`` straight from the camera worker."""

    def __init__(self) -> None:
        super().__init__()
        self.camera, side = camera_with_side(self.page)
        self.amount = label("", "amount", align=Qt.AlignmentFlag.AlignLeft)
        self.paying = label(say("scan.paying"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.prompt = label("", "prompt", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.prompt.setMinimumHeight(140)
        for widget in (self.paying, self.amount, self.prompt):
            side.addWidget(widget)
        side.addStretch(1)
        side.addWidget(self.action(say("scan.use_pin"), UsePin()))
        side.addWidget(self.action(say("ui.cancel"), Cancel()))

    def show_view(self, view: View) -> None:
        assert isinstance(view, ScanView)
        self.amount.setText(view.amount)
        self.prompt.setText(prompt_for(None))
        self.camera.clear()

    def show_frame(self, image: QImage, update: ScanUpdate) -> None:
        """A new analysed frame: picture, box and the prompt for it."""
        self.camera.set_frame(image, update.box)
        self.prompt.setText(prompt_for(update))

    def on_other_key(self, text: str) -> bool:
        if text == "p":
            self.send(UsePin())
            return True
        return False
