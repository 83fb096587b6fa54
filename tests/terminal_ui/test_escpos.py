"""ESC/POS receipt bytes: layout commands, a QR symbol of the link, no crash on odd input."""

from __future__ import annotations

from pathlib import Path

from terminal_ui.escpos import print_receipt, receipt_bytes

LINK = "http://127.0.0.1:8470/r/lane-1:abc?s=" + "x" * 86


def test_receipt_has_init_text_qr_and_cut() -> None:
    data = receipt_bytes(["Corner Shop", "Amount: EUR 12.50", "Date: 2026-12-02 10:15"], LINK)
    assert data.startswith(b"\x1b@")
    assert b"Corner Shop\n" in data and b"Amount: EUR 12.50\n" in data
    store = data.index(b"1P0")  # GS ( k pL pH 49 80 48 <data>: store the symbol
    assert data[store + 3 : store + 3 + len(LINK)] == LINK.encode()
    length = data[store - 2] + 256 * data[store - 1]
    assert length == len(LINK) + 3
    assert data.endswith(b"\x1dVB\x00")


def test_long_lines_wrap_and_non_latin_text_does_not_raise() -> None:
    data = receipt_bytes(["店", "x" * 100, "Käse 3,50 €"], "", width=42)
    assert data.count(b"\n") >= 4 and b"?" in data


def test_printing_to_a_missing_device_is_logged_not_raised(tmp_path: Path) -> None:
    print_receipt(tmp_path / "no" / "lp0", b"x").join(5)
    target = tmp_path / "lp0"
    print_receipt(target, b"abc").join(5)
    assert target.read_bytes() == b"abc"
