"""Composition-root helpers that run beside the kiosk."""

from __future__ import annotations

import threading
from pathlib import Path

from app.main import TerminalIdentity, periodic, receipt_links
from payments.receipts import token_opens
from payments.signing import generate_key, save_private_key


def test_periodic_job_runs_until_the_block_ends_and_survives_errors() -> None:
    calls: list[int] = []
    ran_twice = threading.Event()

    def job() -> None:
        calls.append(1)
        if len(calls) >= 2:
            ran_twice.set()
        raise RuntimeError("ledger down")  # must not stop the loop

    with periodic(job, 0.01):
        assert ran_twice.wait(10)
    seen = len(calls)
    assert not ran_twice.wait(0.05) or len(calls) == seen  # stopped: no more calls
    assert len(calls) == seen


def test_receipt_links_name_the_address_phones_reach_and_open_with_the_terminal_key(tmp_path: Path) -> None:
    key = generate_key()
    save_private_key(key, tmp_path / "terminal.key")
    identity = TerminalIdentity(
        "http://10.0.0.5:8470", "lane-1", tmp_path / "terminal.key", tmp_path / "l.pub"
    )
    link = receipt_links(identity, "https://pay.corner-shop.example")("lane-1:tx_abc")
    assert link.startswith("https://pay.corner-shop.example/r/lane-1:tx_abc?s=")
    assert token_opens(key.public_key(), "lane-1:tx_abc", link.split("?s=", 1)[1])
