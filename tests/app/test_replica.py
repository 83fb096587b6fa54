"""A lane's replica as the pipeline's gallery: it matches while fresh and never once stale, and
``facepay doctor`` reports what the replica refused, its age and a damaged file, with the fix."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from app.doctor import Status
from app.replica import REPLICA_MAX_AGE_S, ReplicaSearch, decide_match, open_replica
from app.replica_doctor import check_replica
from payments.gallery_replica import Replica
from payments.gallery_wire import (
    FEED_GENESIS,
    FeedEntry,
    box_public_from_text,
    entry_hash,
    new_gallery_key,
    seal_templates,
    sealed_digest,
    sign_entry,
    wrap_key,
)
from payments.signing import Ed25519PrivateKey, generate_key
from vision import Candidate

MERCHANT, TERMINAL, MODEL = "m-1", "t-1", "model-1"


def _enrolment(ledger: Ed25519PrivateKey, key: bytes, seq: int, prev: str, customer: str) -> FeedEntry:
    rng = np.random.default_rng(seq)
    t = rng.standard_normal((1, 8)).astype(np.float32)
    t /= np.linalg.norm(t)
    sealed = seal_templates(
        key, t, merchant_id=MERCHANT, customer_id=customer, enrol_id=f"e{seq}", model_id=MODEL
    )
    fields = dict(
        merchant_id=MERCHANT,
        seq=seq,
        kind="enrol",
        customer_id=customer,
        enrol_id=f"e{seq}",
        model_id=MODEL,
        digest=sealed_digest(sealed),
        at="2026-01-01T00:00:00.000000Z",
        prev_hash=prev,
    )
    h = entry_hash(**fields)  # type: ignore[arg-type]
    return FeedEntry(**fields, hash=h, signature=sign_entry(ledger, h), sealed=sealed)  # type: ignore[arg-type]


@pytest.fixture
def lane(tmp_path: Path) -> tuple[Replica, Ed25519PrivateKey, np.ndarray]:
    ledger = generate_key()
    replica = open_replica(tmp_path / "lane", TERMINAL, ledger.public_key())
    key = new_gallery_key()
    wrapped = wrap_key(
        box_public_from_text(replica.box_public()),
        key,
        merchant_id=MERCHANT,
        recipient_id=TERMINAL,
        version=1,
    )
    replica.register({"merchant_id": MERCHANT, "wrapped_key": wrapped, "key_version": 1})
    entry = _enrolment(ledger, key, 1, FEED_GENESIS, "c-alice")
    applied, problem = replica.apply([entry])
    assert problem is None and len(applied) == 1
    probe = replica.templates(MODEL)[1][0]
    return replica, ledger, probe


def test_a_fresh_replica_matches_and_a_stale_one_never_does(
    lane: tuple[Replica, Ed25519PrivateKey, np.ndarray],
) -> None:
    replica, _, probe = lane
    now = [time.time()]
    search = ReplicaSearch(replica, MODEL, clock=lambda: now[0])
    assert search.stale and search.search(probe, 3) == ()  # never synced: PIN only
    replica.mark_synced(now[0])
    search.refresh(templates=False)  # what a lane does after each sync
    assert search.search(probe, 3)[0].customer_id == "c-alice" and search.customer_count() == 1
    now[0] += REPLICA_MAX_AGE_S + 1
    assert search.stale and search.search(probe, 3) == () and search.customer_count() == 0


def test_the_match_needs_the_threshold_and_the_margin() -> None:
    cands = (Candidate("c-1", 0.8), Candidate("c-2", 0.5))
    assert decide_match(cands, (0.6, 0.1), stale=False).customer_id == "c-1"
    assert decide_match(cands, (0.85, 0.1), stale=False).reason == "stranger"
    assert (
        decide_match((Candidate("c-1", 0.8), Candidate("c-2", 0.75)), (0.6, 0.1), stale=False).customer_id
        is None
    )
    assert decide_match(cands, None, stale=False).reason == "stranger"  # calibration cannot support it
    assert decide_match(cands, (0.6, 0.1), stale=True).reason == "pin_only"


def test_doctor_lists_refused_entries_and_the_age_with_a_fix(
    lane: tuple[Replica, Ed25519PrivateKey, np.ndarray], tmp_path: Path
) -> None:
    replica, ledger, _ = lane
    folder = tmp_path / "lane"
    checks = {c.name: c for c in check_replica(folder)}
    assert checks["gallery sync"].status is Status.WARN  # never synced
    replica.mark_synced(time.time() - REPLICA_MAX_AGE_S - 60)
    forged = _enrolment(ledger, b"\0" * 32, 2, "f" * 64, "c-mallory")
    _, problem = replica.apply([forged])
    assert problem is not None and problem.kind == "out_of_order"
    checks = {c.name: c for c in check_replica(folder)}
    assert checks["gallery sync"].status is Status.FAIL and "PIN only" in checks["gallery sync"].detail
    refused = checks["gallery feed out_of_order"]
    assert refused.status is Status.FAIL and "replica reset" in refused.fix
    replica.mark_synced(time.time())
    assert {c.name: c for c in check_replica(folder)}["gallery sync"].status is Status.OK


def test_doctor_finds_a_damaged_replica_file(tmp_path: Path) -> None:
    folder = tmp_path / "lane"
    replica = open_replica(folder, TERMINAL, generate_key().public_key())
    replica.close()
    (folder / "replica.db").write_bytes(b"this is not a database" * 100)
    checks = check_replica(folder)
    assert any(c.status is Status.FAIL and "replica reset" in c.fix for c in checks)


def test_no_replica_no_findings(tmp_path: Path) -> None:
    assert check_replica(tmp_path) == []


def test_an_erased_customers_bytes_leave_the_replica_files(
    lane: tuple[Replica, Ed25519PrivateKey, np.ndarray], tmp_path: Path
) -> None:
    replica, ledger, _ = lane
    sealed = replica._db.execute("SELECT sealed FROM members").fetchone()[0]
    prev = replica.cursor[1]
    fields = dict(
        merchant_id=MERCHANT,
        seq=2,
        kind="erase",
        customer_id="c-alice",
        enrol_id="",
        model_id="",
        digest="",
        at="2026-01-01T00:00:01.000000Z",
        prev_hash=prev,
    )
    h = entry_hash(**fields)  # type: ignore[arg-type]
    erase = FeedEntry(**fields, hash=h, signature=sign_entry(ledger, h))  # type: ignore[arg-type]
    _, problem = replica.apply([erase])
    assert problem is None and replica.customers() == []
    files = b"".join(p.read_bytes() for p in (tmp_path / "lane").glob("replica.db*"))
    assert sealed.encode()[:64] not in files
