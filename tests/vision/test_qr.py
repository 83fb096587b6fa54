"""QR codes on camera frames (refund by receipt): a receipt link held up is read, through
blur, a small code and a grey frame; a frame without one reads nothing and never raises."""

from __future__ import annotations

import cv2
import numpy as np
import qrcode

from vision import QrReader, QrSighting

LINK = "https://ledger.corner-shop.example:8443/r/tr_01JDQ4Z8X3?s=" + "Ab-_" * 21 + "Ab"


def held_up(text: str, module_px: int, *, blur: int = 0) -> np.ndarray:
    """A 640x480 BGR frame: a grey desk with ``text``'s QR code in the middle."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    dark = np.asarray(code.get_matrix(), dtype=bool)
    picture = np.kron(np.where(dark, 0, 255).astype(np.uint8), np.ones((module_px, module_px), np.uint8))
    frame = np.full((480, 640), 170, np.uint8)
    h, w = picture.shape
    y, x = (480 - h) // 2, (640 - w) // 2
    frame[y : y + h, x : x + w] = picture
    blurred = cv2.GaussianBlur(frame, (0, 0), blur) if blur else frame
    return cv2.cvtColor(blurred, cv2.COLOR_GRAY2BGR)


def test_a_receipt_link_is_read_and_ends_the_scan() -> None:
    reader = QrReader()
    reader.reset()
    for module_px, blur in ((5, 0), (4, 0), (6, 1)):
        seen = reader.analyse(held_up(LINK, module_px, blur=blur))
        assert seen.text == LINK and seen.decision == LINK, (module_px, blur)


def test_grey_frames_and_frames_without_a_code() -> None:
    reader = QrReader()
    grey = cv2.cvtColor(held_up("hello", 6), cv2.COLOR_BGR2GRAY)
    assert reader.analyse(grey).text == "hello"
    empty = reader.analyse(np.full((480, 640, 3), 170, np.uint8))
    assert empty == QrSighting(2, "") and empty.decision is None
    noise = np.random.default_rng(7).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    assert reader.analyse(noise).decision is None
    reader.reset()
    assert reader.analyse(np.zeros((8, 8, 3), np.uint8)).frame_index == 1  # counted afresh
