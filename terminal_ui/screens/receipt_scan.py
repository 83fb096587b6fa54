"""Refund by receipt: the live camera, what to hold up to it, a countdown and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from checkout import Cancel, ReceiptScanView, View, say
from terminal_ui.screens._base import BaseScreen
from terminal_ui.screens._camera import camera_with_side
from terminal_ui.screens._countdown import Countdown
from terminal_ui.style import label

__all__ = ["ReceiptScanScreen"]


class ReceiptScanScreen(BaseScreen):
    """Shows a ``ReceiptScanView``; camera pictures arrive through ``camera.set_picture``. The
    QR code is read on the camera worker's thread; the flow says what it picked."""

    def __init__(self) -> None:
        super().__init__()
        self.camera, side = camera_with_side(self.page, guide=False)
        self.heading = label(say("refund.scan_title"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.prompt = label("", "prompt", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.countdown = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        for widget in (self.heading, self.prompt, self.countdown):
            side.addWidget(widget)
        side.addStretch(1)
        side.addWidget(self.action(say("ui.cancel"), Cancel()))
        self._clock = Countdown(self, self.countdown)

    def show_countdown(self, seconds_left: Callable[[], float | None]) -> None:
        """Show the seconds ``seconds_left()`` gives while the screen is up."""
        self._clock.follow(seconds_left)

    def show_view(self, view: View) -> None:
        assert isinstance(view, ReceiptScanView)
        self.heading.setText(view.title)
        self.prompt.setText(view.prompt)
        self.camera.clear()
        self._clock.tick()
