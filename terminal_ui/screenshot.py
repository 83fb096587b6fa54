"""Screenshots of the kiosk (``QWidget.grab``), for the headless demo and the docs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QWidget

from checkout import Screen

__all__ = ["ScreenRecorder", "save_screenshot"]


def save_screenshot(widget: QWidget, path: Path) -> Path:
    """Render ``widget`` (after pending layout and paint events) to a PNG at ``path``."""
    QCoreApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write screenshot {path}")
    return path


class ScreenRecorder(QObject):
    """Saves a PNG of the window each time it shows a screen: ``NN-<screen>.png`` in ``folder``.

    Connect it to ``KioskWindow.screen_shown``; the picture is taken once the event loop
    has laid the new screen out. ``saved`` lists the files written.
    """

    def __init__(self, window: QWidget, folder: Path, *, delay_ms: int = 60) -> None:
        super().__init__(window)
        self._window, self._folder, self._delay_ms = window, folder, delay_ms
        self.saved: list[Path] = []

    def on_screen(self, screen: Screen) -> None:
        """Schedule a picture of ``screen``."""
        name = f"{len(self.saved) + 1:02d}-{screen.value}.png"
        self.saved.append(self._folder / name)
        path = self.saved[-1]
        QTimer.singleShot(self._delay_ms, self, lambda: save_screenshot(self._window, path))
