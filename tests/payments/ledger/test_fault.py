"""Concurrency and crash tests against real server processes (slow)."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from payments.ledger import add_customer, check_invariants, top_up
from payments.money import Money
from payments.signing import load_private_key, load_public_key, verify_response
from tests.payments.ledger.conftest import Server, World, make_world

pytestmark = pytest.mark.slow


async def _debit(
    client: httpx.AsyncClient,
    world: World,
    base: str,
    key: Any,
    terminal_id: str,
    customer_id: str,
    minor: int,
    idem: str,
) -> int | None:
    """Send one debit; the HTTP status, or None when the outcome is unknown (connection failure)."""
    from payments.ledger.bench import build_signed_request

    body = json.dumps(
        {"customer_id": customer_id, "amount": {"minor": minor, "currency": "EUR"}, "merchant_ref": idem}
    ).encode()
    request = build_signed_request(client, key, terminal_id, "POST", f"{base}/v1/debits", body, idem)
    try:
        response = await client.send(request)
    except httpx.HTTPError:
        return None
    verify_response(
        load_public_key(world.out / "ledger.pub"),
        response.status_code,
        request.headers["FacePay-Nonce"],
        response.content,
        response.headers.get("FacePay-Ledger-Signature"),
    )
    return response.status_code


def _terminals(world: World) -> list[tuple[str, Any]]:
    return [(t["id"], load_private_key(world.out / t["key_file"])) for t in world.demo["terminals"]]


def test_many_terminals_never_overdraw_one_customer(db_url: str, tmp_path: Path) -> None:
    world = make_world(db_url, tmp_path, terminals=8)
    add_customer(world.store, "c-target", "Target", None, "EUR")
    top_up(world.store, "c-target", Money(100, "EUR"))
    server = Server(world, workers=2)
    server.start()
    try:

        async def run() -> list[int | None]:
            async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
                jobs = [
                    _debit(client, world, server.url, key, tid, "c-target", 7, f"{tid}-{n}")
                    for tid, key in _terminals(world)
                    for n in range(5)
                ]
                return await asyncio.gather(*jobs)

        statuses = asyncio.run(run())
    finally:
        server.stop()
    assert statuses.count(201) == 100 // 7
    assert statuses.count(402) == len(statuses) - 100 // 7
    assert world.balance("c-target") == 100 % 7
    assert check_invariants(world.store) == []
    world.store.close()


def test_kill_9_during_load_loses_no_ack_and_charges_nothing_twice(sqlite_url: str, tmp_path: Path) -> None:
    world = make_world(sqlite_url, tmp_path, terminals=4)
    start = {c["id"]: world.balance(c["id"]) for c in world.demo["customers"]}
    server = Server(world, workers=2)
    server.start()
    terminals = _terminals(world)
    plan = [
        (
            f"kill-{secrets.token_hex(4)}-{n}",
            terminals[n % len(terminals)],
            world.demo["customers"][n % len(world.demo["customers"])]["id"],
        )
        for n in range(400)
    ]
    outcome: dict[str, int | None] = {}

    async def send_all(items: list[Any], kill_after: int | None) -> None:
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            queue = list(items)
            done = 0

            async def worker() -> None:
                nonlocal done
                while queue:
                    idem, (tid, key), cid = queue.pop(0)
                    outcome[idem] = await _debit(client, world, server.url, key, tid, cid, 3, idem)
                    done += 1
                    if kill_after is not None and done == kill_after:
                        server.kill()

            await asyncio.gather(*(worker() for _ in range(8)))

    asyncio.run(send_all(plan, kill_after=150))
    acked_before = {k for k, v in outcome.items() if v == 201}
    assert 150 <= len(acked_before) < len(plan)  # the kill interrupted the load
    server.start()
    try:
        unknown = [p for p in plan if outcome.get(p[0]) != 201]
        asyncio.run(send_all(unknown + [p for p in plan if p[0] in acked_before], kill_after=None))
    finally:
        server.stop()
    assert all(outcome[p[0]] == 201 for p in plan)
    posted = world.store.count_transfers("debit", "posted", "kill-")
    assert posted == len(plan)
    for cid, before in start.items():
        charged = sum(3 for p in plan if p[2] == cid)
        assert world.balance(cid) == before - charged
    assert check_invariants(world.store) == []
    world.store.close()
