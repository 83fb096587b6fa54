"""Group commit: several requests in one store transaction behave as if each had its own,
and the bench drives a real server with signed debits and checks the books."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from payments.ledger import Ledger, Pending, Reply, Request, check_invariants, verify_chain
from payments.ledger.bench import run_bench
from payments.signing import sign_request
from tests.payments.ledger.conftest import Server, World, debit_body


def _admit(
    world: World, ledger: Ledger, payload: dict[str, Any], idem: str, nonce: str | None = None
) -> Pending:
    body = json.dumps(payload).encode()
    headers = sign_request(
        world.terminal_key,
        terminal_id=world.terminal_id,
        method="POST",
        path="/v1/debits",
        body=body,
        idempotency_key=idem,
        nonce=nonce,
    )
    req = Request("POST", "/v1/debits", {k.lower(): v for k, v in headers.items()}, body, {})
    admitted = ledger.admit("debit", req, {})
    assert isinstance(admitted, Pending)
    return admitted


def test_a_batch_keeps_every_rule_of_one_transaction_per_request(world: World) -> None:
    ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0)
    cid = world.customer()["id"]
    before = world.balance(cid)
    nonce = secrets.token_hex(16)
    batch = [
        _admit(world, ledger, debit_body(cid, 100), "b-1", nonce),
        _admit(world, ledger, debit_body(cid, 100), "b-1", nonce),  # replayed nonce: refused
        _admit(world, ledger, debit_body(cid, 200), "b-2"),
        _admit(world, ledger, debit_body(cid, 200), "b-2"),  # same key and body: stored reply
        _admit(world, ledger, debit_body(cid, 999), "b-2"),  # same key, other body: mismatch
        _admit(world, ledger, debit_body(cid, before * 10), "b-3"),  # declined, recorded
    ]
    replies = ledger.run_batch(batch)
    assert all(isinstance(r, Reply) for r in replies)
    statuses = [r.status for r in replies if isinstance(r, Reply)]
    assert statuses == [201, 401, 201, 201, 409, 422]
    second, replay = replies[2], replies[3]
    assert isinstance(second, Reply) and isinstance(replay, Reply)
    assert replay.replayed and replay.body == second.body
    assert world.balance(cid) == before - 300
    assert check_invariants(world.store) == []


def test_a_request_that_raises_is_undone_alone(world: World) -> None:
    ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0)
    cid = world.customer()["id"]
    before = world.balance(cid)
    good = _admit(world, ledger, debit_body(cid, 50), "ok-1")
    bad = _admit(world, ledger, debit_body(cid, 70), "bad-1")

    def explode(tx: Any, now: float, at: str) -> Any:
        bad.work(tx, now, at)  # moves money, then fails: the savepoint must undo it
        raise RuntimeError("bug")

    broken = Pending(bad.action, bad.auth, bad.terminal, bad.request_hash, explode, True, 0.0)
    replies = ledger.run_batch([broken, good])
    assert isinstance(replies[0], RuntimeError)
    assert isinstance(replies[1], Reply) and replies[1].status == 201
    assert world.balance(cid) == before - 50
    assert check_invariants(world.store) == []


def test_http_replies_are_signed_and_served_through_the_committer(world: World, server: Server) -> None:
    result = asyncio.run(
        run_bench(server.url, world.out / "terminal.key", terminals=4, requests=40, timeout_s=60)
    )
    assert (result.acknowledged, result.errors, result.invariants_ok) == (40, 0, True)
    assert result.client_verify_us > 0 and result.server_db_ms > 0


def test_bench_over_two_client_processes(world: World, server: Server) -> None:
    result = asyncio.run(
        run_bench(
            server.url, world.out / "terminal.key", terminals=4, requests=30, timeout_s=60, client_procs=2
        )
    )
    assert (result.acknowledged, result.errors, result.invariants_ok) == (30, 0, True)
    assert result.client_procs == 2 and result.requests == 30


def test_a_statement_that_fails_inside_a_batch_is_undone_with_its_request_alone(world: World) -> None:
    """On PostgreSQL the statements are pipelined, so a failure shows later (here at COMMIT):
    the batch is undone and run again one request per transaction."""
    ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0)
    cid = world.customer()["id"]
    before = world.balance(cid)
    first = _admit(world, ledger, debit_body(cid, 40), "dup-1")
    clash = _admit(world, ledger, debit_body(cid, 70), "dup-2")
    last = _admit(world, ledger, debit_body(cid, 50), "dup-3")
    replies = ledger.run_batch([first])
    assert isinstance(replies[0], Reply) and replies[0].status == 201
    taken = json.loads(replies[0].body)["transfer_id"]

    def reuse_an_id(tx: Any, now: float, at: str) -> Any:
        outcome = clash.work(tx, now, at)
        stored = tx.transfer(taken, lock=False)
        tx.insert_transfer(stored)  # a primary key that exists: the database refuses it
        return outcome

    broken = Pending(clash.action, clash.auth, clash.terminal, clash.request_hash, reuse_an_id, True, 0.0)
    replies = ledger.run_batch([broken, last])
    assert [r.status for r in replies if isinstance(r, Reply)] == [503, 201]
    assert world.balance(cid) == before - 40 - 50
    again = _admit(world, ledger, debit_body(cid, 70), "dup-4")
    broken_last = Pending(
        again.action, again.auth, again.terminal, again.request_hash, reuse_an_id, True, 0.0
    )
    more = _admit(world, ledger, debit_body(cid, 30), "dup-5")
    replies = ledger.run_batch([more, broken_last])  # the failure is the batch's last statement
    assert [r.status for r in replies if isinstance(r, Reply)] == [201, 503]
    assert world.balance(cid) == before - 40 - 50 - 30
    assert check_invariants(world.store) == []
    assert world.store.transfer(taken) is not None


def test_a_batch_of_debits_writes_each_line_of_the_audit_chain(world: World) -> None:
    """Audit lines and balances are written once per transaction: the chain and the books must
    read as if every request had written its own."""
    ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0)
    cid = world.customer()["id"]
    before = world.balance(cid)
    seq0, _ = world.store.audit_head()
    batch = [_admit(world, ledger, debit_body(cid, 10 + n), f"chain-{n}") for n in range(20)]
    replies = ledger.run_batch(batch)
    assert all(isinstance(r, Reply) and r.status == 201 for r in replies)
    anchors = [r.anchor for r in replies if isinstance(r, Reply)]
    assert len(set(anchors)) == 20 and all(anchors)
    seq, _ = world.store.audit_head()
    assert seq == seq0 + 20
    assert world.balance(cid) == before - sum(10 + n for n in range(20))
    lines, findings = verify_chain(world.store.audit_entries(), world.store.audit_head())
    assert findings == [] and lines == seq
    assert check_invariants(world.store) == []


def test_workers_running_batches_over_the_same_rows_never_deadlock(world: World) -> None:
    """Two workers (two connections) commit batches that lock the same customers in opposite
    orders: the audit head, taken first by every write transaction, orders them."""
    from concurrent.futures import ThreadPoolExecutor

    from payments.ledger import open_store

    ids = [world.customer(n)["id"] for n in range(3)]
    before = {cid: world.balance(cid) for cid in ids}
    ledgers = [Ledger(open_store(world.url), world.keys, terminal_cache_s=0.0) for _ in range(2)]

    def worker(w: int) -> list[int]:
        order = ids if w == 0 else ids[::-1]
        statuses: list[int] = []
        for round_ in range(6):
            batch = [
                _admit(world, ledgers[w], debit_body(cid, 1), f"w{w}-{round_}-{cid}-{k}")
                for k in range(2)
                for cid in order
            ]
            statuses += [r.status for r in ledgers[w].run_batch(batch) if isinstance(r, Reply)]
        return statuses

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(worker, range(2)))
    finally:
        for ledger in ledgers:
            ledger.store.close()
    assert [len(r) for r in results] == [36, 36]
    assert {s for r in results for s in r} == {201}
    assert {cid: before[cid] - world.balance(cid) for cid in ids} == dict.fromkeys(ids, 24)
    lines, findings = verify_chain(world.store.audit_entries(), world.store.audit_head())
    assert findings == [] and lines == world.store.audit_head()[0]
    assert check_invariants(world.store) == []
