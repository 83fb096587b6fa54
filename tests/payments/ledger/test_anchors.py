"""Audit anchors kept outside the database catch what the hash chain alone cannot: a tail cut
and a line rewritten by someone who recomputed every hash after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from payments.ledger import verify_audit
from payments.ledger.anchors import check_anchors, read_anchors, write_anchor
from payments.ledger.audit import chain_hash
from payments.ledger.records import AuditEntry
from tests.payments.ledger.conftest import REPO, Caller, World, debit_body, raw_execute


def _pay(caller: Caller, world: World, n: int) -> None:
    for _ in range(n):
        assert caller.post("/v1/debits", debit_body(world.customer()["id"], 100))[0] == 201


def _rehash_from(world: World, entries: list[AuditEntry], start: int) -> None:
    """What an intruder with write access does: recompute every hash from ``start`` on."""
    prev = entries[start - 2].hash if start > 1 else "0" * 64
    for e in entries[start - 1 :]:
        h = chain_hash(e.seq, e.at, e.actor, e.action, e.outcome, e.detail, prev)
        raw_execute(world.url, "UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, e.seq))
        prev = h
    raw_execute(world.url, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (entries[-1].seq, prev))


def test_a_cut_tail_passes_the_chain_but_not_the_anchors(
    world: World, caller: Caller, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    _pay(caller, world, 3)
    signed = write_anchor(world.store, world.keys, anchors)
    assert (tmp_path / "anchors.jsonl").stat().st_mode & 0o077 == 0
    raw_execute(world.url, "DELETE FROM audit WHERE seq > ?", (signed.seq - 2,))
    kept = list(world.store.audit_entries())
    raw_execute(
        world.url, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (kept[-1].seq, kept[-1].hash)
    )
    assert verify_audit(world.store)[1] == []  # the chain alone sees nothing
    found, problems = read_anchors(anchors)
    assert problems == []
    findings = check_anchors(world.store.audit_entries(), found, world.keys.signing.public_key())
    assert [f.problem for f in findings] == ["cut"]


def test_a_rehashed_rewrite_and_a_forged_anchor_are_found(
    world: World, caller: Caller, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    _pay(caller, world, 2)
    write_anchor(world.store, world.keys, anchors)
    _pay(caller, world, 1)
    entries = list(world.store.audit_entries())
    victim = entries[1]
    raw_execute(world.url, "UPDATE audit SET detail = ? WHERE seq = ?", ('{"edited":true}', victim.seq))
    _rehash_from(world, list(world.store.audit_entries()), victim.seq)
    assert verify_audit(world.store)[1] == []
    found, _ = read_anchors(anchors)
    forged = found[0].__class__(found[0].seq, "f" * 64, found[0].at, found[0].signature)
    findings = check_anchors(world.store.audit_entries(), [*found, forged], world.keys.signing.public_key())
    assert sorted(f.problem for f in findings) == ["bad-anchor", "rewritten"]


def test_audit_verify_with_anchors_exits_one_and_never_a_traceback(
    world: World, caller: Caller, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    _pay(caller, world, 2)
    base = [sys.executable, "-m", "app.cli", "ledger"]
    db = ["--db", world.url, "--ledger-key", str(world.key_path)]
    done = subprocess.run(
        [*base, "audit-anchor", *db, "--anchors", str(anchors)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    ok = subprocess.run(
        [*base, "audit-verify", *db, "--anchors", str(anchors)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "1 anchor(s)" in ok.stdout, ok.stdout + ok.stderr
    raw_execute(world.url, "DELETE FROM audit WHERE seq > 1")
    raw_execute(
        world.url, "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit WHERE seq = 1) WHERE id = 1"
    )
    anchors.write_text(anchors.read_text() + "not json\n")
    cut = subprocess.run(
        [*base, "audit-verify", *db, "--anchors", str(anchors)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cut.returncode == 1 and "is gone" in cut.stdout and "not an anchor" in cut.stdout
    assert "Traceback" not in cut.stderr
