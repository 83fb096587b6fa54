"""A terminal keeps the ledger's signed audit head from the answers that posted its money; kept
outside the ledger's database, it catches an audit log cut behind the ledger's back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from payments import Evidence
from payments.client import LedgerClient
from payments.journal import Journal
from payments.money import Money
from payments.terminal import Approved, PaymentService
from tests.payments.ledger.conftest import REPO, Server, World, raw_execute


def _verify(world: World, anchors: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "app.cli",
        "ledger",
        "audit-verify",
        "--db",
        world.url,
        "--ledger-key",
        str(world.key_path),
        "--anchors",
        str(anchors),
    ]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_journal_keeps_the_signed_head_that_catches_a_cut_tail(
    world: World, server: Server, tmp_path: Path
) -> None:
    client = LedgerClient.from_files(
        server.url, world.terminal_id, world.out / "terminal.key", world.out / "ledger.pub"
    )
    journal = Journal.open(tmp_path / "journal.db", world.terminal_id)
    service = PaymentService(client, journal, currency="EUR")
    try:
        assert journal.audit_anchor() is None
        for _ in range(2):
            paid = service.pay(world.customer()["id"], Money(100, "EUR"), evidence=Evidence("face"))
            assert isinstance(paid, Approved)
        kept = journal.audit_anchor()
        assert kept is not None
        anchor = json.loads(kept)
        assert anchor["seq"] == world.store.audit_head()[0]  # the head after the last debit
    finally:
        client.close()
        journal.close()
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(kept + "\n", encoding="utf-8")
    ok = _verify(world, anchors)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # someone with write access drops the last debit's audit line and moves the head back
    raw_execute(world.url, "DELETE FROM audit WHERE seq >= ?", (anchor["seq"],))
    raw_execute(
        world.url,
        "UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit), "
        "hash = (SELECT hash FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)) WHERE id = 1",
    )
    cut = _verify(world, anchors)
    assert cut.returncode == 1 and "is gone" in cut.stdout, cut.stdout
