"""QR code of a receipt, drawn into a QImage (one small matrix-to-image function)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

__all__ = ["matrix_to_image", "qr_image"]


def matrix_to_image(matrix: list[list[bool]], module_px: int) -> QImage:
    """Black modules on white, ``module_px`` pixels each."""
    n = len(matrix)
    image = QImage(n, n, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x, y, black)
    return image.scaled(
        n * module_px,
        n * module_px,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


def qr_image(text: str, module_px: int = 5) -> QImage:
    """A QR code of ``text`` with a 2-module quiet zone."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return matrix_to_image(code.get_matrix(), module_px)
