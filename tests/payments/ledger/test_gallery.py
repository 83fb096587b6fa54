"""The merchant gallery at the ledger host: the key wrapped per kiosk, uploads bound to the
enrolment link, the signed feed a replica applies in order, erasure confirmed per kiosk
(in-process ledger over a real SQLite or PostgreSQL store)."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from payments.gallery_replica import Replica, load_box_key
from payments.gallery_wire import FeedEntry, FeedVerifyError, SnapshotPage, seal_templates, unwrap_key
from payments.ledger import Ledger, add_terminal
from payments.ledger.gallery import erasure_status
from payments.signing import generate_key, public_key_text
from tests.payments.ledger.conftest import Caller, World, raw_execute

MODEL = "mobilefacenet-test"


def _templates(seed: int, n: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, 192)).astype(np.float32)
    return np.asarray(m / np.linalg.norm(m, axis=1, keepdims=True), dtype=np.float32)


class Kiosk:
    """One kiosk of the demo merchant: a terminal key, a box key and a replica."""

    def __init__(self, world: World, ledger: Ledger, tmp: Path, terminal_id: str | None = None) -> None:
        self.world = world
        if terminal_id is None:
            key = generate_key()
            terminal_id = f"t-k{secrets.token_hex(3)}"
            merchant = world.store.terminal(world.terminal_id).merchant_id  # type: ignore[union-attr]
            add_terminal(world.store, terminal_id, merchant, public_key_text(key.public_key()))
        else:
            key = world.terminal_key
        self.caller = Caller(ledger, key, terminal_id)
        self.terminal_id = terminal_id
        folder = tmp / terminal_id
        folder.mkdir(parents=True)
        self.box = load_box_key(folder / "box.key")
        self.replica = Replica(folder / "replica.db", self.box, world.keys.signing.public_key(), terminal_id)

    def call(self, action: str, method: str, path: str, payload: Any = None, **kw: Any) -> tuple[int, Any]:
        body = json.dumps(payload).encode() if payload is not None else b""
        idem = secrets.token_hex(8) if method == "POST" else ""
        status, answer, _ = self.caller.call(action, method, path, body, idem, **kw)
        return status, answer

    def register(self) -> dict[str, Any]:
        status, answer = self.call(
            "gallery_register", "POST", "/v1/gallery/kiosks", {"box_key": self.replica.box_public()}
        )
        assert status == 200, answer
        self.replica.register(answer)
        return dict(answer)

    def enrol(self, customer: dict[str, Any]) -> str:
        idem = secrets.token_hex(8)
        cashier = self.world.demo["cashier"]
        body = {
            "customer_id": customer["id"],
            "consent_version": "v1",
            "pin": self.world.pin_block(customer["pin"], idem, customer["id"], self.terminal_id),
            "cashier_id": cashier["id"],
            "cashier_pin": self.world.pin_block(cashier["pin"], idem, cashier["id"], self.terminal_id),
        }
        status, answer, _ = self.caller.call(
            "enrol", "POST", "/v1/enrolments", json.dumps(body).encode(), idem
        )
        assert status == 201, answer
        return str(answer["linked_at"])

    def upload(self, customer_id: str, linked_at: str, seed: int, **sign: Any) -> tuple[int, Any]:
        enrol_id = f"e{secrets.token_hex(6)}"
        sealed = seal_templates(
            self.replica.gallery_key(),
            _templates(seed),
            merchant_id=self.replica.merchant_id,
            customer_id=customer_id,
            enrol_id=enrol_id,
            model_id=MODEL,
        )
        payload = {
            "customer_id": customer_id,
            "enrol_id": enrol_id,
            "model_id": MODEL,
            "sealed": sealed,
            "linked_at": linked_at,
        }
        return self.call("gallery_upload", "POST", "/v1/gallery/templates", payload, **sign)

    def feed(self, after: int | None = None) -> list[FeedEntry]:
        after = self.replica.cursor[0] if after is None else after
        status, answer = self.call(
            "gallery_feed", "GET", f"/v1/gallery/feed?after={after}", query={"after": str(after)}
        )
        assert status == 200, answer
        return [FeedEntry.from_json(e) for e in answer["entries"]]

    def sync(self) -> None:
        _, problem = self.replica.apply(self.feed())
        assert problem is None, problem
        seq, head = self.replica.cursor
        status, answer = self.call("gallery_ack", "POST", "/v1/gallery/acks", {"seq": seq, "head": head})
        assert status == 200, answer

    def erase(self, customer_id: str) -> dict[str, Any]:
        idem = secrets.token_hex(8)
        cashier = self.world.demo["cashier"]
        body = {
            "cashier_id": cashier["id"],
            "cashier_pin": self.world.pin_block(cashier["pin"], idem, cashier["id"], self.terminal_id),
        }
        status, answer, _ = self.caller.call(
            "erase_enrolment",
            "POST",
            f"/v1/enrolments/{customer_id}/erase",
            json.dumps(body).encode(),
            idem,
            params={"customer_id": customer_id},
        )
        assert status == 200, answer
        return dict(answer)


@pytest.fixture
def kiosks(world: World, ledger: Ledger, tmp_path: Path) -> list[Kiosk]:
    return [Kiosk(world, ledger, tmp_path, world.terminal_id), Kiosk(world, ledger, tmp_path)]


def test_the_gallery_key_is_wrapped_per_kiosk_and_not_in_the_database(
    world: World, kiosks: list[Kiosk]
) -> None:
    a, b = kiosks
    wa, wb = a.register(), b.register()
    key = a.replica.gallery_key()
    assert key == b.replica.gallery_key()  # one key per merchant
    with pytest.raises(Exception, match="does not open"):  # b's wrap does not open with a's box key
        unwrap_key(
            a.box, wb["wrapped_key"], merchant_id=wa["merchant_id"], recipient_id=b.terminal_id, version=1
        )
    with world.store.transaction() as tx:
        dump = repr(tx.rows("SELECT * FROM gallery_keys")) + repr(tx.rows("SELECT * FROM gallery_kiosks"))
    assert base64.b64encode(key).decode() not in dump and key.hex() not in dump


def test_an_enrolment_reaches_the_other_kiosks_replica_and_an_erasure_is_confirmed(
    world: World, kiosks: list[Kiosk]
) -> None:
    a, b = kiosks
    a.register()
    b.register()
    alice = world.customer(0)
    status, answer = a.upload(alice["id"], a.enrol(alice), seed=1)
    assert (status, answer["kind"], answer["seq"]) == (201, "enrol", 1)
    b.sync()
    ids, matrix = b.replica.templates(MODEL)
    assert ids == [alice["id"]] * 2 and np.allclose(matrix, _templates(1))
    erased = a.erase(alice["id"])
    assert erased["gallery_erasures"][0]["seq"] == 2
    [record] = erasure_status(world.store, alice["id"])
    assert {k.terminal_id: k.confirmed_at for k in record.kiosks} == {
        a.terminal_id: None,
        b.terminal_id: None,
    }
    b.sync()
    assert b.replica.customers() == []
    a.sync()
    [record] = erasure_status(world.store, alice["id"])
    assert record.complete and all(k.confirmed_at for k in record.kiosks)
    # the host keeps no template of an erased shopper, not even in the feed it serves
    assert all(e.sealed is None for e in a.feed(after=0))


def test_a_re_enrolment_replaces_the_templates_everywhere(world: World, kiosks: list[Kiosk]) -> None:
    a, b = kiosks
    a.register()
    b.register()
    alice = world.customer(0)
    a.upload(alice["id"], a.enrol(alice), seed=1)
    time.sleep(0.01)
    status, answer = b.upload(alice["id"], b.enrol(alice), seed=2)
    assert (status, answer["kind"]) == (201, "reenrol")
    fresh = Kiosk(world, b.caller.ledger, Path(a.replica.path).parent.parent)
    fresh.register()
    fresh.sync()  # replays entry 1 (superseded: no templates) then entry 2
    ids, matrix = fresh.replica.templates(MODEL)
    assert ids == [alice["id"]] * 2 and np.allclose(matrix, _templates(2))


def test_templates_follow_only_this_terminals_fresh_link(
    world: World, kiosks: list[Kiosk], ledger: Ledger
) -> None:
    a, b = kiosks
    a.register()
    b.register()
    alice, bob = world.customer(0), world.customer(1)
    linked_at = a.enrol(alice)
    status, answer = b.upload(alice["id"], linked_at, seed=1)  # another terminal's link
    assert (status, answer["error"]["code"]) == (403, "proof_required")
    status, answer = a.upload(bob["id"], linked_at, seed=1)  # no link for bob
    assert status == 403
    assert a.upload(alice["id"], linked_at, seed=1)[0] == 201
    assert a.upload(alice["id"], linked_at, seed=3)[0] == 403  # once per link
    linked = a.enrol(bob)
    late = time.time() + 16 * 60
    a.caller.ledger = Ledger(world.store, world.keys, terminal_cache_s=0.0, clock=lambda: late)
    assert a.upload(bob["id"], linked, seed=1, timestamp=int(late))[0] == 403  # too late


def test_the_replica_refuses_tampered_replayed_and_out_of_order_entries(
    world: World, kiosks: list[Kiosk]
) -> None:
    a, b = kiosks
    a.register()
    b.register()
    for n in range(3):
        c = world.customer(n)
        a.upload(c["id"], a.enrol(c), seed=n)
    entries = b.feed()
    assert [e.seq for e in entries] == [1, 2, 3]
    forged = replace(entries[0], customer_id="c-mallory")
    applied, problem = b.replica.apply([forged])
    assert applied == [] and problem is not None and problem.kind == "tampered"
    applied, problem = b.replica.apply([entries[1]])
    assert problem is not None and problem.kind == "out_of_order"
    applied, problem = b.replica.apply(entries[:2])
    assert [e.seq for e in applied] == [1, 2] and problem is None
    applied, problem = b.replica.apply([entries[0]])
    assert problem is not None and problem.kind == "replayed"
    swapped = replace(entries[2], sealed=entries[1].sealed)
    applied, problem = b.replica.apply([swapped])
    assert problem is not None and problem.kind == "tampered"
    assert b.replica.cursor[0] == 2 and len(b.replica.customers()) == 2
    assert [p.kind for p in b.replica.problems()] == ["tampered", "out_of_order", "replayed", "tampered"]


def test_an_ack_of_a_position_not_in_the_feed_is_refused(world: World, kiosks: list[Kiosk]) -> None:
    a, _ = kiosks
    a.register()
    status, answer = a.call("gallery_ack", "POST", "/v1/gallery/acks", {"seq": 5, "head": "ab" * 32})
    assert (status, answer["error"]["code"]) == (400, "malformed")


def test_a_database_row_edited_behind_the_ledgers_back_is_refused_by_the_replica(
    world: World, kiosks: list[Kiosk]
) -> None:
    a, b = kiosks
    a.register()
    b.register()
    alice, bob = world.customer(0), world.customer(1)
    a.upload(alice["id"], a.enrol(alice), seed=1)
    raw_execute(world.url, "UPDATE gallery_feed SET customer_id = ? WHERE seq = 1", (bob["id"],))
    applied, problem = b.replica.apply(b.feed())
    assert applied == [] and problem is not None and problem.kind == "tampered"


def test_a_new_kiosk_bootstraps_from_signed_snapshot_pages(
    world: World, kiosks: list[Kiosk], tmp_path: Path
) -> None:
    a, _ = kiosks
    a.register()
    for n in range(3):
        c = world.customer(n)
        a.upload(c["id"], a.enrol(c), seed=n)
    fresh = Kiosk(world, a.caller.ledger, tmp_path / "more")
    fresh.register()
    pages, after = [], ""
    while True:
        query = {"after": after, "limit": "2"} if after else {"limit": "2"}
        path = "/v1/gallery/snapshot?" + "&".join(f"{k}={v}" for k, v in query.items())
        status, answer = fresh.call("gallery_snapshot", "GET", path, query=query)
        assert status == 200, answer
        page = SnapshotPage.from_json(answer)
        pages.append(page)
        if not page.more:
            break
        after = page.members[-1].customer_id
    assert [len(p.members) for p in pages] == [2, 1]
    forged = replace(pages[1], members=(replace(pages[1].members[0], customer_id="c-mallory"),))
    with pytest.raises(FeedVerifyError):
        fresh.replica.bootstrap([pages[0], forged])
    assert fresh.replica.customers() == []  # nothing applied
    assert fresh.replica.bootstrap(pages) == 3
    assert fresh.replica.cursor[0] == 3
    fresh.sync()  # nothing after the snapshot's position
    assert len(fresh.replica.customers()) == 3


@pytest.mark.parametrize(
    ("action", "method", "path", "payload", "query"),
    [
        ("gallery_register", "POST", "/v1/gallery/kiosks", {"box_key": "not base64"}, None),
        (
            "gallery_register",
            "POST",
            "/v1/gallery/kiosks",
            {"box_key": base64.b64encode(b"x" * 31).decode()},
            None,
        ),
        ("gallery_register", "POST", "/v1/gallery/kiosks", {"box_key": "", "extra": 1}, None),
        ("gallery_ack", "POST", "/v1/gallery/acks", {"seq": -1, "head": "0" * 64}, None),
        ("gallery_ack", "POST", "/v1/gallery/acks", {"seq": True, "head": "0" * 64}, None),
        ("gallery_feed", "GET", "/v1/gallery/feed?after=-3", None, {"after": "-3"}),
        ("gallery_feed", "GET", "/v1/gallery/feed?after=1e9", None, {"after": "1e9"}),
        ("gallery_snapshot", "GET", "/v1/gallery/snapshot?after=%20x", None, {"after": " x"}),
        (
            "gallery_upload",
            "POST",
            "/v1/gallery/templates",
            {
                "customer_id": "c-1",
                "enrol_id": "e1",
                "model_id": "m",
                "sealed": "A" * 20_000,
                "linked_at": "x",
            },
            None,
        ),
        (
            "gallery_upload",
            "POST",
            "/v1/gallery/templates",
            {
                "customer_id": "c-1",
                "enrol_id": "e1",
                "model_id": "m",
                "sealed": "AAAA",
                "linked_at": "yesterday",
            },
            None,
        ),
    ],
)
def test_malformed_gallery_requests_are_refused(
    world: World, kiosks: list[Kiosk], action: str, method: str, path: str, payload: Any, query: Any
) -> None:
    status, answer = kiosks[0].call(action, method, path, payload, query=query or {})
    assert (status, answer["error"]["code"]) == (400, "malformed")


def _other_merchant_kiosk(world: World, ledger: Ledger, tmp: Path) -> Kiosk:
    from payments.ledger import add_cashier, add_merchant

    add_merchant(world.store, "m-other", "Other Shop", "EUR")
    add_cashier(world.store, "k-other", "Other Cashier", "m-other", "975310")
    key = generate_key()
    add_terminal(world.store, "t-other", "m-other", public_key_text(key.public_key()))
    kiosk = Kiosk.__new__(Kiosk)
    kiosk.world = world
    kiosk.caller = Caller(ledger, key, "t-other")
    kiosk.terminal_id = "t-other"
    (tmp / "t-other").mkdir(parents=True)
    kiosk.box = load_box_key(tmp / "t-other" / "box.key")
    kiosk.replica = Replica(
        tmp / "t-other" / "replica.db", kiosk.box, world.keys.signing.public_key(), "t-other"
    )
    return kiosk


def test_a_gallery_belongs_to_one_merchant_and_another_needs_its_own_consent(
    world: World, kiosks: list[Kiosk], ledger: Ledger, tmp_path: Path
) -> None:
    a, _ = kiosks
    other = _other_merchant_kiosk(world, ledger, tmp_path / "o")
    a.register()
    other.register()
    assert other.replica.merchant_id == "m-other" and other.replica.gallery_key() != a.replica.gallery_key()
    alice = world.customer(0)
    linked_at = a.enrol(alice)
    assert a.upload(alice["id"], linked_at, seed=1)[0] == 201
    # the other merchant sees nothing of it and cannot upload on the first merchant's link
    assert other.feed(after=0) == []
    assert other.upload(alice["id"], linked_at, seed=1)[0] == 403
    # with the shopper's own consent and proof at the other merchant: its own gallery
    idem = secrets.token_hex(8)
    body = {
        "customer_id": alice["id"],
        "consent_version": "v1",
        "pin": world.pin_block(alice["pin"], idem, alice["id"], "t-other"),
        "cashier_id": "k-other",
        "cashier_pin": world.pin_block("975310", idem, "k-other", "t-other"),
    }
    status, answer, _ = other.caller.call("enrol", "POST", "/v1/enrolments", json.dumps(body).encode(), idem)
    assert status == 201, answer
    assert other.upload(alice["id"], answer["linked_at"], seed=2)[0] == 201
    other.sync()
    a.sync()
    assert other.replica.customers() == [alice["id"]] and a.replica.customers() == [alice["id"]]
    assert [e.seq for e in a.feed(after=0)] == [1]  # the first merchant's feed did not move
    # the shopper's own PIN erases the face from every merchant's gallery
    idem = secrets.token_hex(8)
    body = {"pin": world.pin_block(alice["pin"], idem, alice["id"], a.terminal_id)}
    status, answer, _ = a.caller.call(
        "erase_enrolment",
        "POST",
        f"/v1/enrolments/{alice['id']}/erase",
        json.dumps(body).encode(),
        idem,
        params={"customer_id": alice["id"]},
    )
    assert status == 200, answer
    assert sorted(g["merchant_id"] for g in answer["gallery_erasures"]) == sorted(
        [a.replica.merchant_id, "m-other"]
    )
    a.sync()
    other.sync()
    assert a.replica.customers() == [] and other.replica.customers() == []
