"""Group commit: several requests in one store transaction behave as if each had its own,
and the bench drives a real server with signed debits and checks the books."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from payments.ledger import Ledger, Pending, Reply, Request, check_invariants
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
