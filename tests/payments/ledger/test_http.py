"""The real service over loopback: `facepay ledger serve` in a subprocess, httpx, real signatures."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx

from payments.ledger import set_enabled
from payments.ledger.bench import build_signed_request
from payments.signing import load_public_key, verify_response
from tests.payments.ledger.conftest import Server, World, debit_body


class Terminal:
    def __init__(self, world: World, server: Server) -> None:
        self.world = world
        self.base = server.url
        self.client = httpx.Client(timeout=10, trust_env=False)
        self.ledger_pub = load_public_key(world.out / "ledger.pub")

    def send(self, method: str, path: str, body: bytes = b"", idem: str = "", **sign: Any) -> httpx.Response:
        request = build_signed_request(
            self.client,
            self.world.terminal_key,
            self.world.terminal_id,
            method,
            self.base + path,
            body,
            idem,
            **sign,
        )
        response = self.client.send(request)
        verify_response(
            self.ledger_pub,
            response.status_code,
            request.headers["FacePay-Nonce"],
            response.content,
            response.headers.get("FacePay-Ledger-Signature"),
        )
        return response


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_signed_round_trip_replay_and_mismatch(world: World, server: Server) -> None:
    t = Terminal(world, server)
    cid = world.customer()["id"]
    body = json.dumps(debit_body(cid, 250)).encode()
    first = t.send("POST", "/v1/debits", body, "http-1")
    assert first.status_code == 201 and first.json()["status"] == "posted"
    again = t.send("POST", "/v1/debits", body, "http-1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    other = t.send("POST", "/v1/debits", json.dumps(debit_body(cid, 251)).encode(), "http-1")
    assert (other.status_code, code(other)) == (409, "idempotency_mismatch")
    tid = first.json()["transfer_id"]
    fetched = t.send("GET", f"/v1/transfers/{tid}")
    assert fetched.json() == first.json()
    listing = t.send(
        "GET", f"/v1/transfers?terminal={world.terminal_id}&from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z"
    )
    assert [x["transfer_id"] for x in listing.json()["transfers"]] == [tid]
    assert world.balance(cid) == world.customer()["balance"]["minor"] - 250


def test_http_level_refusals(world: World, server: Server) -> None:
    t = Terminal(world, server)
    before = world.snapshot()
    huge = t.send("POST", "/v1/debits", b'{"x": "' + b"a" * 100_000 + b'"}', "huge")
    assert (huge.status_code, code(huge)) == (413, "body_too_large")
    bad_json = t.send("POST", "/v1/debits", b"{oops", "bad-json")
    assert (bad_json.status_code, code(bad_json)) == (400, "malformed")
    no_key = t.send("POST", "/v1/debits", json.dumps(debit_body(world.customer()["id"])).encode(), "")
    assert (no_key.status_code, code(no_key)) == (400, "missing_idempotency_key")
    unsigned = httpx.post(
        server.url + "/v1/debits", content=b"{}", headers={"Idempotency-Key": "u"}, trust_env=False
    )
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (401, "bad_signature")
    assert unsigned.headers["FacePay-Ledger-Signature"]
    missing = t.send("GET", "/v1/nowhere")
    assert (missing.status_code, code(missing)) == (404, "not_found")
    stale = t.send("POST", "/v1/debits", b"{}", "stale", timestamp=int(time.time()) - 1000)
    assert (stale.status_code, code(stale)) == (401, "stale")
    nonce = secrets.token_hex(16)
    body = json.dumps(debit_body(world.customer()["id"], 5)).encode()
    assert t.send("POST", "/v1/debits", body, "n-1", nonce=nonce).status_code == 201
    replay = t.send("POST", "/v1/debits", body, "n-2", nonce=nonce)
    assert (replay.status_code, code(replay)) == (401, "replay")
    set_enabled(world.store, "terminal", world.terminal_id, False)
    time.sleep(1.2)  # the server caches terminal rows for up to 1 s
    disabled = t.send("POST", "/v1/debits", body, "n-3")
    assert (disabled.status_code, code(disabled)) == (401, "terminal_disabled")
    _, count = world.snapshot()
    assert count == before[1] + 1  # only the one good debit


def test_keys_endpoint_serves_the_pin_key(world: World, server: Server) -> None:
    t = Terminal(world, server)
    keys = t.send("GET", "/v1/keys").json()
    assert keys["pin_key"] == world.demo["pin_key"]
    assert keys["pin_alg"] == "X25519-HKDF-SHA256-A256GCM"
