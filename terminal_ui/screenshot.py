"""Screenshots of the kiosk (``QWidget.grab``), for the headless demo and the docs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

__all__ = ["save_screenshot"]


def save_screenshot(widget: QWidget, path: Path) -> Path:
    """Render ``widget`` (after pending layout and paint events) to a PNG at ``path``."""
    QCoreApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write screenshot {path}")
    return path
