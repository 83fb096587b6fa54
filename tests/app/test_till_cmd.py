"""``facepay till`` against a real till interface on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from payments.signing import generate_key, load_public_key, save_public_key
from payments.till import SaleDesk, SaleResult, SaleStatus, TillServer, TillServerConfig


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[TillServer, list[str]]]:
    assert main(["till", "keygen", str(tmp_path)]) == 0
    terminal = generate_key()
    save_public_key(terminal.public_key(), tmp_path / "terminal.pub")
    config = TillServerConfig(
        "127.0.0.1", 0, {"till-1": load_public_key(tmp_path / "till.pub")}, "EUR", max_sale_minor=10_000
    )
    server = TillServer(config, SaleDesk(), terminal).start()
    flags = [
        "--kiosk",
        server.url,
        "--key",
        str(tmp_path / "till.key"),
        "--kiosk-pub",
        str(tmp_path / "terminal.pub"),
    ]
    yield server, flags
    server.close()


def test_sale_waits_for_the_signed_result(
    kiosk: tuple[TillServer, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    server, flags = kiosk

    def shopper_pays() -> None:
        while (sale := server.desk.take()) is None:
            time.sleep(0.05)
        server.desk.finish(sale.sale_ref, SaleStatus.APPROVED, SaleResult("lane-1:x", "face"))

    threading.Thread(target=shopper_pays, daemon=True).start()
    assert main(["till", "sale", *flags, "--ref", "R-7", "--amount", "12.50"]) == 0
    out = capsys.readouterr().out
    assert "sale R-7: 12.50 EUR approved (transfer lane-1:x, face)" in out
    assert main(["till", "status", *flags, "R-7"]) == 0


def test_refusals_are_one_line_with_the_reason(
    kiosk: tuple[TillServer, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, flags = kiosk
    assert main(["till", "sale", *flags, "--ref", "R-1", "--amount", "999.99"]) == 2
    assert "amount_too_large" in capsys.readouterr().err
    assert main(["till", "sale", *flags, "--ref", "R-1", "--amount", "twelve"]) == 2
    assert main(["till", "sale", *flags, "--ref", "R-2", "--amount", "1.00", "--no-wait"]) == 0
    assert main(["till", "cancel", *flags, "R-2"]) == 0
    assert "cancelled" in capsys.readouterr().out
    assert main(["till", "sale", *flags, "--ref", "R-3", "--amount", "1.00", "--key", "/nonexistent"]) == 2


def test_a_gone_kiosk_is_exit_3(tmp_path: Path, kiosk: tuple[TillServer, list[str]]) -> None:
    server, flags = kiosk
    server.close()
    assert main(["till", "status", *flags, "R-1"]) == 3
