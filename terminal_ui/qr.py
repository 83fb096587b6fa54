"""QR code of a receipt, drawn into a QImage (one small matrix-to-image function)."""

from __future__ import annotations

import numpy as np
import qrcode
from PySide6.QtGui import QImage

__all__ = ["matrix_to_image", "qr_fitting", "qr_image"]

# Smallest module drawn on screen: at 4 px OpenCV's detector missed a receipt link on a 1280x800
# screenshot that it read at 5 px; a phone at arm's length needs the larger modules too.
MIN_MODULE_PX = 5


def matrix_to_image(matrix: list[list[bool]], module_px: int) -> QImage:
    """Black modules on white, ``module_px`` pixels each (built in numpy: one QImage call rather
    than a ``setPixel`` call per module)."""
    dark = np.asarray(matrix, dtype=bool)
    grey = np.where(dark, 0, 255).astype(np.uint8)
    pixels = np.ascontiguousarray(np.kron(grey, np.ones((module_px, module_px), np.uint8)))
    h, w = pixels.shape
    return QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def qr_image(text: str, module_px: int = 5) -> QImage:
    """A QR code of ``text`` with a 2-module quiet zone."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return matrix_to_image(code.get_matrix(), module_px)


def qr_fitting(text: str, side_px: int) -> QImage:
    """A QR code of ``text`` in whole modules, as large as fits in ``side_px`` (at least
    ``MIN_MODULE_PX`` per module, so a long text may come out larger than asked). A screen
    is never torn or stained: the lowest error correction keeps the modules few and large."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    return matrix_to_image(matrix, max(MIN_MODULE_PX, side_px // len(matrix)))
