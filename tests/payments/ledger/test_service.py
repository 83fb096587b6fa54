"""The ledger's rules, in process, against both stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time

import pytest

from payments.ledger import Ledger, check_invariants, top_up
from payments.money import Money
from tests.payments.ledger.conftest import Caller, World, debit_body, raw_execute


def test_debit_posts_and_moves_money(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    before = world.balance(cid)
    status, body, _ = caller.post("/v1/debits", debit_body(cid, 1250))
    assert status == 201
    assert body["status"] == "posted" and body["amount"] == {"minor": 1250, "currency": "EUR"}
    assert world.balance(cid) == before - 1250
    assert check_invariants(world.store) == []
    path = f"/v1/transfers/{body['transfer_id']}"
    status, fetched, _ = caller.call("get_transfer", "GET", path, params={"transfer_id": body["transfer_id"]})
    assert status == 200 and fetched == body


def test_same_key_same_body_replays_bytes_and_charges_once(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    before = world.balance(cid)
    payload = json.dumps(debit_body(cid, 300)).encode()
    first = caller.post("/v1/debits", payload, idem="sale-42")[2]
    again = caller.post("/v1/debits", payload, idem="sale-42")[2]
    assert (again.status, again.body) == (first.status, first.body)
    assert again.replayed and not first.replayed
    assert world.balance(cid) == before - 300


def test_same_key_other_body_is_a_mismatch(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    caller.post("/v1/debits", debit_body(cid, 300), idem="sale-43")
    before = world.snapshot()
    status, body, _ = caller.post("/v1/debits", debit_body(cid, 301), idem="sale-43")
    assert status == 409 and body["error"]["code"] == "idempotency_mismatch"
    assert world.snapshot() == before


def test_idempotency_survives_a_new_ledger_process(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    payload = json.dumps(debit_body(cid, 77)).encode()
    first = caller.post("/v1/debits", payload, idem="restart-1")[2]
    world.store.close()
    fresh = Caller(Ledger(world.store, world.keys), world.terminal_key, world.terminal_id)
    again = fresh.post("/v1/debits", payload, idem="restart-1")[2]
    assert (again.status, again.body) == (first.status, first.body)


def test_insufficient_funds_is_declined_recorded_and_moves_nothing(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    balance = world.balance(cid)
    pin = world.customer()["pin"]  # above the face-only limit the PIN comes with the debit
    status, body, _ = caller.post(
        "/v1/debits", debit_body(cid, balance + 1, pin=world.pin_block(pin, "too-much", cid)), idem="too-much"
    )
    assert status == 402 and body["error"]["code"] == "insufficient_funds"
    assert world.balance(cid) == balance
    declined = world.store.transfer(body["transfer_id"])
    assert declined is not None and declined.status == "declined"
    assert declined.decline_code == "insufficient_funds" and declined.idempotency_key == "too-much"
    status, _, _ = caller.post(
        "/v1/debits", debit_body(cid, balance, pin=world.pin_block(pin, "exact", cid)), idem="exact"
    )
    assert status == 201 and world.balance(cid) == 0


def test_pin_debit_and_lockout_after_five_wrong(world: World, caller: Caller) -> None:
    customer = world.customer(1)
    cid, pin = customer["id"], customer["pin"]
    wrong = "0000" if pin != "0000" else "1111"
    ok = caller.post("/v1/debits", debit_body(cid, 10, pin=world.pin_block(pin, "p0", cid)), idem="p0")
    assert ok[0] == 201
    codes = []
    for n in range(1, 6):
        block = world.pin_block(wrong, f"w{n}", cid)
        status, body, _ = caller.post("/v1/debits", debit_body(cid, 10, pin=block), idem=f"w{n}")
        codes.append((status, body["error"]["code"]))
    assert codes == [(422, "wrong_pin")] * 4 + [(423, "pin_locked")]
    block = world.pin_block(pin, "r1", cid)
    status, body, _ = caller.post("/v1/debits", debit_body(cid, 10, pin=block), idem="r1")
    assert (status, body["error"]["code"]) == (423, "pin_locked")
    later = Ledger(world.store, world.keys, clock=lambda: time.time() + 3600)
    late = Caller(later, world.terminal_key, world.terminal_id)
    block = world.pin_block(pin, "r2", cid)
    status, _, _ = late.post("/v1/debits", debit_body(cid, 10, pin=block), idem="r2")
    assert status == 401  # the request timestamp is now stale for a clock an hour ahead
    block = world.pin_block(pin, "r3", cid)
    status, _, _ = late.post(
        "/v1/debits", debit_body(cid, 10, pin=block), idem="r3", timestamp=int(time.time() + 3600)
    )
    assert status == 201


def test_pin_block_bound_to_another_request_is_refused(world: World, caller: Caller) -> None:
    customer = world.customer()
    cid = customer["id"]
    before = world.snapshot()
    block = world.pin_block(customer["pin"], "original-key", cid)
    status, body, _ = caller.post("/v1/debits", debit_body(cid, 10, pin=block), idem="other-key")
    assert (status, body["error"]["code"]) == (400, "bad_pin_block")
    assert world.snapshot() == before


BAD_BODIES = [
    (b"{not json", 400, "malformed"),
    (b"[]", 400, "malformed"),
    (b'{"customer_id": 5, "amount": {"minor": 1, "currency": "EUR"}, "merchant_ref": "x"}', 400, "malformed"),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": "1", "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 1.5, "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": true, "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": -100, "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 0, "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 100000000000000000000000, "currency": "EUR"}, '
        b'"merchant_ref": "x"}',
        400,
        "invalid_amount",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 100, "currency": "XYZ"}, "merchant_ref": "x"}',
        400,
        "unknown_currency",
    ),
    (b'{"customer_id": "c-alice", "amount": {"minor": 100, "currency": "EUR"}}', 400, "malformed"),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 100, "currency": "EUR"}, "merchant_ref": "x", '
        b'"surprise": 1}',
        400,
        "malformed",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": NaN, "currency": "EUR"}, "merchant_ref": "x"}',
        400,
        "malformed",
    ),
    (
        b'{"customer_id": "c-nobody", "amount": {"minor": 100, "currency": "EUR"}, "merchant_ref": "x"}',
        404,
        "unknown_customer",
    ),
    (
        b'{"customer_id": "c-alice", "amount": {"minor": 100, "currency": "USD"}, "merchant_ref": "x"}',
        422,
        "currency_mismatch",
    ),
    (b"\xff\xfe", 400, "malformed"),
]


@pytest.mark.parametrize(("raw", "status", "code"), BAD_BODIES)
def test_bad_input_gets_its_code_and_changes_no_balance(
    world: World, caller: Caller, raw: bytes, status: int, code: str
) -> None:
    before = world.snapshot()[0]
    got_status, body, _ = caller.post("/v1/debits", raw)
    assert (got_status, body["error"]["code"]) == (status, code)
    assert world.snapshot()[0] == before


def test_signature_failures(world: World, caller: Caller, ledger: Ledger) -> None:
    from payments.ledger import set_enabled
    from payments.signing import generate_key

    cid = world.customer()["id"]
    before = world.snapshot()
    body = json.dumps(debit_body(cid, 5)).encode()
    impostor = Caller(ledger, generate_key(), world.terminal_id)
    assert impostor.post("/v1/debits", body)[1]["error"]["code"] == "bad_signature"
    stranger = Caller(ledger, world.terminal_key, "t-nobody")
    assert stranger.post("/v1/debits", body)[1]["error"]["code"] == "unknown_terminal"
    old = caller.post("/v1/debits", body, timestamp=int(time.time()) - 301)
    future = caller.post("/v1/debits", body, timestamp=int(time.time()) + 301)
    assert [old[0], old[1]["error"]["code"], future[1]["error"]["code"]] == [401, "stale", "stale"]
    status, _, _ = caller.post("/v1/debits", body, idem="n1", nonce="ab" * 16)
    assert status == 201
    replay = caller.post("/v1/debits", body, idem="n2", nonce="ab" * 16)
    assert (replay[0], replay[1]["error"]["code"]) == (401, "replay")
    set_enabled(world.store, "terminal", world.terminal_id, False)
    disabled = caller.post("/v1/debits", body, idem="n3")
    assert (disabled[0], disabled[1]["error"]["code"]) == (401, "terminal_disabled")
    accounts, count = world.snapshot()
    assert count == before[1] + 1 and accounts != before[0]  # only the one good debit changed anything


def _debit(world: World, caller: Caller, minor: int, **extra: object) -> dict[str, object]:
    status, body, _ = caller.post("/v1/debits", debit_body(world.customer()["id"], minor, **extra))
    assert status == 201, body
    return body


def _cashier(world: World, idem: str, pin: str | None = None) -> dict[str, object]:
    cashier = world.demo["cashier"]
    block = world.pin_block(pin or cashier["pin"], idem, cashier["id"])
    return {"cashier_id": cashier["id"], "cashier_pin": block}


def test_refunds_partial_and_never_beyond_what_was_paid(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    start = world.balance(cid)
    debit = _debit(world, caller, 1000)
    tid = debit["transfer_id"]
    amount = {"minor": 600, "currency": "EUR"}
    ok = caller.post(
        "/v1/refunds", {"original_transfer_id": tid, "amount": amount, **_cashier(world, "r1")}, idem="r1"
    )
    assert ok[0] == 201 and ok[1]["kind"] == "refund" and ok[1]["original_transfer_id"] == tid
    assert ok[1]["cashier_id"] == world.demo["cashier"]["id"]
    over = caller.post(
        "/v1/refunds", {"original_transfer_id": tid, "amount": amount, **_cashier(world, "r2")}, idem="r2"
    )
    assert (over[0], over[1]["error"]["code"]) == (422, "over_refund")
    rest = {"minor": 400, "currency": "EUR"}
    wrong = caller.post(
        "/v1/refunds",
        {"original_transfer_id": tid, "amount": rest, **_cashier(world, "r3", pin="99999999")},
        idem="r3",
    )
    assert (wrong[0], wrong[1]["error"]["code"]) == (422, "wrong_pin")
    last = caller.post(
        "/v1/refunds", {"original_transfer_id": tid, "amount": rest, **_cashier(world, "r4")}, idem="r4"
    )
    assert last[0] == 201
    assert world.balance(cid) == start
    assert check_invariants(world.store) == []


def test_void_once_and_holds(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    start = world.balance(cid)
    debit = _debit(world, caller, 500)
    first = caller.post(
        "/v1/voids", {"original_transfer_id": debit["transfer_id"], **_cashier(world, "v1")}, idem="v1"
    )
    assert first[0] == 201 and first[1]["kind"] == "void"
    second = caller.post(
        "/v1/voids", {"original_transfer_id": debit["transfer_id"], **_cashier(world, "v2")}, idem="v2"
    )
    assert (second[0], second[1]["error"]["code"]) == (409, "not_voidable")
    assert world.store.transfer(str(debit["transfer_id"])).status == "voided"  # type: ignore[union-attr]
    assert world.balance(cid) == start
    held = _debit(world, caller, 200, hold=True)
    assert held["status"] == "pending" and world.balance(cid) == start - 200
    captured = caller.post("/v1/captures", {"transfer_id": held["transfer_id"]}, idem="c1")
    assert captured[0] == 200 and captured[1]["status"] == "posted"
    again = caller.post("/v1/captures", {"transfer_id": held["transfer_id"]}, idem="c2")
    assert again[1]["error"]["code"] == "not_capturable"
    held2 = _debit(world, caller, 300, hold=True)
    voided = caller.post(
        "/v1/voids", {"original_transfer_id": held2["transfer_id"], **_cashier(world, "v3")}, idem="v3"
    )
    assert voided[0] == 201 and world.balance(cid) == start - 200
    assert check_invariants(world.store) == []


def test_listing_shows_debits_refunds_voids_and_declines(world: World, caller: Caller) -> None:
    cid = world.customer()["id"]
    d1 = _debit(world, caller, 100)
    d2 = _debit(world, caller, 200)
    fifty = {"minor": 50, "currency": "EUR"}
    caller.post(
        "/v1/refunds",
        {"original_transfer_id": d1["transfer_id"], "amount": fifty, **_cashier(world, "r1")},
        idem="r1",
    )
    caller.post("/v1/voids", {"original_transfer_id": d2["transfer_id"], **_cashier(world, "v1")}, idem="v1")
    caller.post("/v1/debits", debit_body(cid, 10**8), idem="big")
    status, listing, _ = caller.call(
        "list_transfers",
        "GET",
        "/v1/transfers",
        query={"terminal": world.terminal_id, "from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z"},
    )
    assert status == 200 and not listing["truncated"]
    rows = {(t["kind"], t["status"]) for t in listing["transfers"]}
    assert rows == {
        ("debit", "posted"),
        ("debit", "voided"),
        ("refund", "posted"),
        ("void", "posted"),
        ("debit", "declined"),
    }
    wanted = {"amount", "created_at", "idempotency_key", "merchant_ref"}
    assert all(wanted <= set(t) for t in listing["transfers"])
    status, empty, _ = caller.call(
        "list_transfers",
        "GET",
        "/v1/transfers",
        query={"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"},
    )
    assert status == 200 and empty["transfers"] == []


def test_audit_chain_detects_edit_and_delete(world: World, caller: Caller) -> None:
    from payments.ledger import verify_audit

    for n in range(4):
        _debit(world, caller, 10 + n)
    count, findings = verify_audit(world.store)
    assert count > 4 and findings == []
    raw_execute(world.url, "UPDATE audit SET detail = ? WHERE seq = 3", ('{"forged":true}',))
    assert [f.problem for f in verify_audit(world.store)[1]] == ["edited"]
    raw_execute(world.url, "DELETE FROM audit WHERE seq = 5")
    problems = {f.problem for f in verify_audit(world.store)[1]}
    assert problems == {"edited", "missing"}


def test_audit_detects_a_deleted_tail(world: World, caller: Caller) -> None:
    from payments.ledger import verify_audit

    _debit(world, caller, 10)
    head = world.store.audit_head()[0]
    raw_execute(world.url, "DELETE FROM audit WHERE seq = ?", (head,))
    assert [f.problem for f in verify_audit(world.store)[1]] == ["truncated"]


def test_top_up_keeps_books_balanced(world: World) -> None:
    cid = world.customer()["id"]
    before = world.balance(cid)
    top_up(world.store, cid, Money.parse("12.50", "EUR"))
    assert world.balance(cid) == before + 1250
    assert check_invariants(world.store) == []
