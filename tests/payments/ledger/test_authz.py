"""Only the right party moves money or identity: each defect of the trust review, against a real
ledger process (SQLite and PostgreSQL), and the authorization table tried role by role."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from payments.ledger import (
    add_cashier,
    add_customer,
    add_merchant,
    add_terminal,
    check_invariants,
    issue_enrolment_code,
    top_up,
)
from payments.ledger.bench import build_signed_request
from payments.money import Money
from payments.pinblock import encrypt_pin, pin_context, pin_public_key_from_text
from payments.signing import (
    Ed25519PrivateKey,
    generate_key,
    load_public_key,
    public_key_text,
    verify_response,
)
from tests.payments.ledger.conftest import REPO, Server, World, debit_body


@dataclass
class Party:
    """A terminal (and optionally its cashier) talking to the real server."""

    world: World
    server: Server
    key: Ed25519PrivateKey
    terminal_id: str
    cashier: tuple[str, str] | None = None

    def send(
        self, method: str, path: str, payload: dict[str, Any] | bytes | None = None, idem: str | None = None
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode() if payload else b""
        idem = idem if idem is not None else ("" if method == "GET" else secrets.token_hex(8))
        with httpx.Client(timeout=30, trust_env=False) as client:
            request = build_signed_request(
                client, self.key, self.terminal_id, method, self.server.url + path, body, idem
            )
            response = client.send(request)
        verify_response(
            load_public_key(self.world.out / "ledger.pub"),
            response.status_code,
            request.headers["FacePay-Nonce"],
            response.content,
            response.headers.get("FacePay-Ledger-Signature"),
        )
        return response

    def block(self, digits: str, idem: str, subject: str) -> dict[str, object]:
        key = pin_public_key_from_text(self.world.demo["pin_key"])
        return encrypt_pin(key, digits, context=pin_context(self.terminal_id, idem, subject))

    def with_cashier(self, payload: dict[str, Any], idem: str) -> dict[str, Any]:
        assert self.cashier is not None
        cid, pin = self.cashier
        return {**payload, "cashier_id": cid, "cashier_pin": self.block(pin, idem, cid)}


def code_of(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


Parties = tuple[Party, Party]


@pytest.fixture
def parties(world: World, server: Server) -> Iterator[Parties]:
    """Merchant A (the demo world, EUR) and merchant B (EUR) with a terminal and a cashier each."""
    add_merchant(world.store, "m-b", "Shop B", "EUR")
    key_b = generate_key()
    add_terminal(world.store, "t-b", "m-b", public_key_text(key_b.public_key()))
    add_cashier(world.store, "k-b", "Cashier B", "m-b", "246810")
    cashier = world.demo["cashier"]
    a = Party(world, server, world.terminal_key, world.terminal_id, (cashier["id"], cashier["pin"]))
    b = Party(world, server, key_b, "t-b", ("k-b", "246810"))
    yield a, b


def _books_balance(world: World) -> None:
    assert check_invariants(world.store) == []


def _debit(
    party: Party, customer_id: str, minor: int, pin: str | None = None, **extra: Any
) -> httpx.Response:
    idem = secrets.token_hex(8)
    body = debit_body(customer_id, minor, **extra)
    if pin is not None:
        body["pin"] = party.block(pin, idem, customer_id)
    return party.send("POST", "/v1/debits", body, idem)


# --- defect 1: books stop balancing ------------------------------------------------------


def test_a_debit_in_another_currency_is_refused_and_books_balance(world: World, parties: Parties) -> None:
    a, _ = parties
    add_customer(world.store, "c-usd", "Dollar Shopper", "1357", "USD")
    top_up(world.store, "c-usd", Money(10_000, "USD"))
    body = debit_body("c-usd", 500)
    body["amount"]["currency"] = "USD"
    r = a.send("POST", "/v1/debits", body)
    assert (r.status_code, code_of(r)) == (422, "currency_mismatch")
    assert world.balance("c-usd") == 10_000
    _books_balance(world)


# --- defect 2: account takeover through enrolment -------------------------------------------


def _enrol(party: Party, customer_id: str, pin: str, code: str | None = None) -> httpx.Response:
    idem = secrets.token_hex(8)
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "consent_version": "v1",
        "pin": party.block(pin, idem, customer_id),
    }
    if code is not None:
        body["enrolment_code"] = party.block(code, idem, customer_id + "#code")
    return party.send("POST", "/v1/enrolments", party.with_cashier(body, idem), idem)


def test_another_merchant_cannot_take_over_an_account_by_enrolling_it(world: World, parties: Parties) -> None:
    a, b = parties
    shopper = world.customer()
    new_pin = "0000" if shopper["pin"] != "0000" else "1111"
    r = _enrol(b, shopper["id"], new_pin)
    assert (r.status_code, code_of(r)) == (422, "wrong_pin")
    assert _debit(a, shopper["id"], 100, new_pin).status_code == 422  # B's PIN does not pay at A
    assert _debit(a, shopper["id"], 100, shopper["pin"]).status_code == 201  # the shopper's own still does
    r = _enrol(b, shopper["id"], new_pin, code="1234567890")
    assert (r.status_code, code_of(r)) == (422, "bad_enrolment_code")
    # With the account's own PIN the shopper may enrol at B too; the PIN stays as it was.
    r = _enrol(b, shopper["id"], shopper["pin"])
    assert r.status_code == 201 and r.json()["pin_set"] is False
    _books_balance(world)


def test_a_new_account_needs_a_one_time_code_which_works_once(world: World, parties: Parties) -> None:
    a, _ = parties
    add_customer(world.store, "c-new", "New Shopper", None, "EUR")
    r = _enrol(a, "c-new", "4321")
    assert (r.status_code, code_of(r)) == (403, "proof_required")
    code = issue_enrolment_code(world.store, "c-new", merchant_id="m-demo")
    r = _enrol(a, "c-new", "4321", code)
    assert r.status_code == 201 and r.json()["pin_set"] is True
    again = _enrol(a, "c-new", "9876", code)
    assert (again.status_code, code_of(again)) == (422, "bad_enrolment_code")
    top_up(world.store, "c-new", Money(1_000, "EUR"))
    assert _debit(a, "c-new", 100, "4321").status_code == 201


def test_a_code_issued_for_one_merchant_is_refused_at_another(world: World, parties: Parties) -> None:
    _, b = parties
    add_customer(world.store, "c-new2", "New Shopper", None, "EUR")
    code = issue_enrolment_code(world.store, "c-new2", merchant_id="m-demo")
    r = _enrol(b, "c-new2", "4321", code)
    assert (r.status_code, code_of(r)) == (422, "bad_enrolment_code")


# --- defect 3: erasure by anyone ---------------------------------------------------------------


def test_erasure_needs_proof_and_keeps_the_account_and_its_pin(world: World, parties: Parties) -> None:
    a, b = parties
    shopper = world.customer()
    assert _enrol(a, shopper["id"], shopper["pin"]).status_code == 201
    path = f"/v1/enrolments/{shopper['id']}/erase"
    r = b.send("POST", path, {})
    assert (r.status_code, code_of(r)) == (404, "unknown_customer")  # B learns nothing of A's shopper
    idem = secrets.token_hex(8)
    r = b.send("POST", path, b.with_cashier({}, idem), idem)
    assert (r.status_code, code_of(r)) == (404, "unknown_customer")  # B's cashier is not A's
    r = a.send("POST", path, {})
    assert (r.status_code, code_of(r)) == (403, "proof_required")
    idem = secrets.token_hex(8)
    r = a.send("POST", path, {"pin": a.block(shopper["pin"], idem, shopper["id"])}, idem)
    assert r.status_code == 200 and r.json()["was_linked"] is True
    assert _debit(a, shopper["id"], 100, shopper["pin"]).status_code == 201  # the PIN still pays


# --- defect 4 (ledger side): a terminal reverses its own debit ------------------------------------


def test_a_terminal_reverses_its_own_debit_once_and_no_one_elses(world: World, parties: Parties) -> None:
    a, b = parties
    shopper = world.customer()
    before = world.balance(shopper["id"])
    debit = _debit(a, shopper["id"], 700)
    tid = debit.json()["transfer_id"]
    assert b.send("POST", "/v1/reversals", {"original_transfer_id": tid}).status_code == 404
    r = a.send("POST", "/v1/reversals", {"original_transfer_id": tid})
    assert r.status_code == 201 and r.json()["kind"] == "void" and r.json()["cashier_id"] is None
    assert world.balance(shopper["id"]) == before
    again = a.send("POST", "/v1/reversals", {"original_transfer_id": tid})
    assert (again.status_code, code_of(again)) == (409, "not_voidable")
    _books_balance(world)


# --- defect 5: PIN guessing across accounts ----------------------------------------------------------


def test_one_terminal_cannot_try_pins_across_many_accounts(world: World, parties: Parties) -> None:
    a, _ = parties
    for n in range(12):
        add_customer(world.store, f"c-g{n}", f"Guess {n}", f"{5000 + n}", "EUR")
    codes = [code_of(_debit(a, f"c-g{n}", 100, "0001")) for n in range(12)]
    assert codes[:10] == ["wrong_pin"] * 10
    assert codes[10:] == ["too_many_pin_attempts"] * 2
    r = _debit(a, "c-g11", 100, "5011")  # even the right PIN waits for the window
    assert r.status_code == 429 and r.json()["retry_after_s"] > 0


# --- defect 6: cashier lockout ------------------------------------------------------------------------


def test_cashier_lockout_says_how_long_and_the_operator_can_unlock(world: World, parties: Parties) -> None:
    a, _ = parties
    cid, right = a.cashier or ("", "")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        idem = secrets.token_hex(8)
        body = {"cashier_id": cid, "cashier_pin": a.block(wrong, idem, cid)}
        r = a.send("POST", "/v1/cashiers/verify", body, idem)
    assert r.status_code == 423 and 0 < r.json()["retry_after_s"] <= 900
    cmd = [sys.executable, "-m", "app.cli", "ledger", "unlock-cashier", "--db", world.url, "--id", cid]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    idem = secrets.token_hex(8)
    r = a.send(
        "POST", "/v1/cashiers/verify", {"cashier_id": cid, "cashier_pin": a.block(right, idem, cid)}, idem
    )
    assert r.status_code == 200


# --- face-only ceiling and the PIN candidates ------------------------------------------------------------


def test_above_the_face_only_limit_the_ledger_wants_the_pin(world: World, parties: Parties) -> None:
    a, _ = parties
    shopper = world.customer()
    r = _debit(a, shopper["id"], 10_001)
    assert (r.status_code, code_of(r)) == (422, "pin_required")
    assert _debit(a, shopper["id"], 10_000).status_code == 201
    assert _debit(a, shopper["id"], 10_001, shopper["pin"]).status_code == 201


def _candidate_debit(party: Party, candidates: list[str], pin: str) -> httpx.Response:
    idem = secrets.token_hex(8)
    body = {
        "candidates": candidates,
        "amount": {"minor": 300, "currency": "EUR"},
        "merchant_ref": "sale-c",
        "evidence": {"masked": True},
        "pin": party.block(pin, idem, ",".join(candidates)),
    }
    return party.send("POST", "/v1/debits", body, idem)


def test_the_pin_chooses_among_the_face_candidates(world: World, parties: Parties) -> None:
    a, _ = parties
    for cid, pin in (("c-k1", "2468"), ("c-k2", "1357"), ("c-k3", "1357")):
        add_customer(world.store, cid, cid, pin, "EUR")
        top_up(world.store, cid, Money(1_000, "EUR"))
    r = _candidate_debit(a, ["c-k1", "c-k2"], "1357")  # the face ranked c-k1 first; the PIN is c-k2's
    assert r.status_code == 201 and r.json()["customer_id"] == "c-k2"
    assert world.balance("c-k1") == 1_000 and world.balance("c-k2") == 700
    r = _candidate_debit(a, ["c-k1", "c-k2"], "9999")
    assert (r.status_code, code_of(r)) == (422, "wrong_pin")
    assert world.store.customer("c-k1").pin_failures == 0  # type: ignore[union-attr]
    r = _candidate_debit(a, ["c-k2", "c-k3"], "1357")
    assert (r.status_code, code_of(r)) == (409, "customer_id_required")
    assert world.balance("c-k2") == 700 and world.balance("c-k3") == 1_000
    _books_balance(world)


# --- defect 7: strict parsing, no redirects ---------------------------------------------------------


def test_strict_parsing_and_every_path_answered_signed(world: World, parties: Parties) -> None:
    a, _ = parties
    cid = world.customer()["id"]
    twice = (
        f'{{"customer_id": "{cid}", "amount": {{"minor": 100, "currency": "EUR"}}, '
        '"amount": {"minor": 99999, "currency": "EUR"}, "merchant_ref": "x"}'
    ).encode()
    r = a.send("POST", "/v1/debits", twice)
    assert (r.status_code, code_of(r)) == (400, "malformed")
    r = a.send("GET", f"/v1/transfers?terminal={a.terminal_id}&from=9999-12-31T23:59:59-23:59")
    assert (r.status_code, code_of(r)) == (400, "malformed")
    r = a.send("POST", "/v1/debits/", debit_body(cid, 100))
    assert r.status_code == 404  # answered and signed (send() verified it), not redirected
    _books_balance(world)


# --- the authorization table, role by role ----------------------------------------------------------


def _table_rows() -> list[tuple[str, str, bool]]:
    """(actor, action, allowed) rows of the table in payments/PROTOCOL.md."""
    text = (Path(__file__).resolve().parents[3] / "payments" / "PROTOCOL.md").read_text(encoding="utf-8")
    rows = []
    section = text.split("## Authorization", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[2] in ("yes", "no"):
            rows.append((cells[1], cells[0].strip("`"), cells[2] == "yes"))
    return rows


def test_the_protocol_has_an_authorization_table_with_every_action() -> None:
    from payments.ledger.service import ACTIONS

    rows = _table_rows()
    assert {action for _, action, _ in rows} >= set(ACTIONS)


def test_every_role_tries_every_money_and_identity_action(world: World, parties: Parties) -> None:
    """Each (actor, action) row of the table, tried: allowed rows succeed, refused rows change nothing."""
    a, b = parties
    shopper = world.customer()
    seed = _debit(a, shopper["id"], 500).json()["transfer_id"]
    tried: dict[tuple[str, str], bool] = {}

    def attempt(actor: str, action: str) -> bool:
        party = a if actor.startswith("own") else b
        cashier = actor.endswith("cashier")
        idem = secrets.token_hex(8)
        if action == "debit":
            return _debit(party, shopper["id"], 100).status_code == 201
        if action in ("refund", "void"):
            fresh = _debit(a, shopper["id"], 200).json()["transfer_id"]
            body: dict[str, Any] = {"original_transfer_id": fresh}
            if action == "refund":
                body["amount"] = {"minor": 100, "currency": "EUR"}
            body = party.with_cashier(body, idem) if cashier else body
            return party.send("POST", f"/v1/{action}s", body, idem).status_code == 201
        if action == "reverse":
            fresh = _debit(a, shopper["id"], 100).json()["transfer_id"]
            return party.send("POST", "/v1/reversals", {"original_transfer_id": fresh}).status_code == 201
        if action == "erase_enrolment":
            _enrol(a, shopper["id"], shopper["pin"])
            body = party.with_cashier({}, idem) if cashier else {}
            return party.send("POST", f"/v1/enrolments/{shopper['id']}/erase", body, idem).status_code == 200
        if action == "get_transfer":
            return party.send("GET", f"/v1/transfers/{seed}").status_code == 200
        raise AssertionError(action)

    for actor, action, allowed in _table_rows():
        if action in ("debit", "refund", "void", "reverse", "erase_enrolment", "get_transfer") and actor in (
            "own terminal",
            "own terminal + cashier",
            "other terminal",
            "other terminal + cashier",
        ):
            tried[(actor, action)] = attempt(actor, action)
            assert tried[(actor, action)] is allowed, (actor, action)
    assert len(tried) >= 10
    _books_balance(world)


def test_no_existence_oracle_for_transfer_ids_across_merchants(world: World, parties: Parties) -> None:
    a, b = parties
    shopper = world.customer()
    theirs = _debit(a, shopper["id"], 100, transfer_id=f"{a.terminal_id}:tx_0001").json()["transfer_id"]
    assert theirs == f"{a.terminal_id}:tx_0001"
    for guess in (theirs, "tx_0001", "anything"):  # B cannot even ask about A's namespace
        r = _debit(b, shopper["id"], 100, transfer_id=guess)
        assert (r.status_code, code_of(r)) == (400, "malformed"), guess
    mine = _debit(b, shopper["id"], 100, transfer_id="t-b:tx_0001")
    assert mine.status_code == 201 and mine.json()["transfer_id"] == "t-b:tx_0001"
    again = _debit(b, shopper["id"], 100, transfer_id="t-b:tx_0001")
    assert (again.status_code, code_of(again)) == (409, "duplicate_transfer_id")  # its own, once
    _books_balance(world)


def test_a_terminal_reads_only_its_own_merchants_cashiers(world: World, parties: Parties) -> None:
    a, b = parties
    assert a.cashier is not None
    mine = a.send("GET", f"/v1/cashiers/{a.cashier[0]}")
    assert mine.status_code == 200 and mine.json() == {"cashier_id": a.cashier[0], "enabled": True}
    theirs = b.send("GET", f"/v1/cashiers/{a.cashier[0]}")  # another merchant's terminal
    assert (theirs.status_code, code_of(theirs)) == (404, "unknown_cashier")
    nobody = a.send("GET", "/v1/cashiers/k-nobody")
    assert (nobody.status_code, code_of(nobody)) == (404, "unknown_cashier")
    assert "pin" not in json.dumps(mine.json())
