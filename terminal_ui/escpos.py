"""Paper receipts for ESC/POS printers (the command set most receipt printers speak).

Pure bytes: :func:`receipt_bytes` lays out the receipt lines and a QR code of the receipt
link; :func:`print_receipt` appends them to a printer device (``/dev/usb/lp0``) or a file,
on a background thread, so a jammed or missing printer never holds up the kiosk.
Commands used: ESC @ (initialise), ESC a (align), GS ! (character size), ESC E (bold),
GS ( k function 165/167/169/180/181 (QR model 2: model, module size, error level, store,
print) and GS V 66 (feed and partial cut).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

__all__ = ["print_receipt", "receipt_bytes"]

log = logging.getLogger(__name__)

ESC, GS = b"\x1b", b"\x1d"
# Printers take the QR payload as bytes in their code page; keep it short and ASCII.
MAX_QR_BYTES = 700


def _text(line: str) -> bytes:
    # Code page 437 is every ESC/POS printer's default; what it lacks prints as "?".
    return line.encode("cp437", errors="replace") + b"\n"


def _qr(data: str, module: int = 6) -> bytes:
    payload = data.encode("ascii", errors="replace")[:MAX_QR_BYTES]
    store_len = len(payload) + 3

    def fn(code: int, *args: int) -> bytes:
        body = bytes([49, code, *args])
        return GS + b"(k" + bytes([len(body) % 256, len(body) // 256]) + body

    return (
        fn(65, 50, 0)  # model 2
        + fn(67, module)  # module size in dots
        + fn(69, 49)  # error correction M
        + GS
        + b"(k"
        + bytes([store_len % 256, store_len // 256, 49, 80, 48])
        + payload
        + fn(81, 48)  # print the stored symbol
    )


def receipt_bytes(lines: Sequence[str], qr_text: str = "", *, width: int = 42) -> bytes:
    """The receipt: first line large and centred (the shop), the rest left, then the QR."""
    out = bytearray(ESC + b"@")
    if lines:
        out += ESC + b"a\x01" + GS + b"!\x11" + _text(lines[0][: width // 2]) + GS + b"!\x00"
        out += ESC + b"a\x00"
        for line in lines[1:]:
            while len(line) > width:
                out += _text(line[:width])
                line = "  " + line[width:]
            out += _text(line)
    if qr_text:
        out += ESC + b"a\x01" + _qr(qr_text) + b"\n" + _text("Scan for your receipt")
    out += b"\n\n" + GS + b"V\x42\x00"
    return bytes(out)


def print_receipt(device: Path, data: bytes) -> threading.Thread:
    """Append ``data`` to ``device`` on a daemon thread; failures are logged, not raised."""

    def write() -> None:
        try:
            with open(device, "ab", buffering=0) as fh:
                fh.write(data)
        except OSError as exc:
            log.warning("receipt printer %s: %s (the screen and QR code still show it)", device, exc)

    thread = threading.Thread(target=write, name="facepay-printer", daemon=True)
    thread.start()
    return thread
