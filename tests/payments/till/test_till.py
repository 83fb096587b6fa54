"""The till interface over a real loopback socket: a register opens, follows and cancels
sales; every answer is signed by the kiosk; forged, replayed and stale requests fail."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from payments.signing import generate_key, sign_request
from payments.till import (
    BadKioskSignature,
    SaleDesk,
    SaleResult,
    SaleStatus,
    TillClient,
    TillRefused,
    TillServer,
    TillServerConfig,
    TillUnreachable,
)
from payments.wire import json_bytes

TILL_KEY = generate_key()
KIOSK_KEY = generate_key()


@pytest.fixture
def desk() -> SaleDesk:
    return SaleDesk()


@pytest.fixture
def server(desk: SaleDesk) -> Iterator[TillServer]:
    config = TillServerConfig(
        host="127.0.0.1",
        port=0,
        tills={"till-1": TILL_KEY.public_key()},
        currency="EUR",
        max_sale_minor=50_000,
    )
    srv = TillServer(config, desk, KIOSK_KEY).start()
    yield srv
    srv.close()


@pytest.fixture
def till(server: TillServer) -> TillClient:
    return TillClient(server.url, "till-1", TILL_KEY, KIOSK_KEY.public_key())


def test_a_sale_from_open_to_approved(till: TillClient, desk: SaleDesk) -> None:
    opened = till.open_sale("R-1", 1250, "EUR")
    assert opened["status"] == "pending"
    assert till.open_sale("R-1", 1250, "EUR")["version"] == opened["version"]  # idempotent
    taken = desk.take()
    assert taken is not None and taken.sale_ref == "R-1" and taken.amount_minor == 1250

    def pay() -> None:
        time.sleep(0.3)
        desk.finish("R-1", SaleStatus.APPROVED, SaleResult("t1:abc", "face", "", "2026-12-02T10:00:00Z"))

    threading.Thread(target=pay).start()
    final = till.follow("R-1", deadline_s=10, poll_s=5)
    assert final["status"] == "approved"
    assert final["result"]["transfer_id"] == "t1:abc"
    # a finished sale keeps its first outcome
    desk.finish("R-1", SaleStatus.FAILED, SaleResult(reason="late"))
    assert till.status("R-1")["status"] == "approved"


def test_one_open_sale_at_a_time_and_references_are_not_reused(till: TillClient) -> None:
    till.open_sale("R-1", 100, "EUR")
    with pytest.raises(TillRefused) as busy:
        till.open_sale("R-2", 200, "EUR")
    assert busy.value.code == "busy"
    with pytest.raises(TillRefused) as reused:
        till.open_sale("R-1", 999, "EUR")
    assert reused.value.code == "sale_ref_reused"


def test_cancel_pending_ends_it_and_cancel_in_progress_asks_the_kiosk(
    till: TillClient, desk: SaleDesk
) -> None:
    till.open_sale("R-1", 100, "EUR")
    assert till.cancel("R-1")["status"] == "cancelled"
    assert desk.take() is None
    till.open_sale("R-2", 100, "EUR")
    desk.take()
    asked = till.cancel("R-2")
    assert asked["status"] == "in_progress" and asked["cancel_requested"] is True
    sale = desk.open_sale()
    assert sale is not None and sale.cancel_requested


@pytest.mark.parametrize(
    ("ref", "amount", "currency", "code"),
    [
        ("R 1", 100, "EUR", "malformed"),
        ("R-1", 0, "EUR", "malformed"),
        ("R-1", -5, "EUR", "malformed"),
        ("R-1", 12.5, "EUR", "malformed"),
        ("R-1", True, "EUR", "malformed"),
        ("R-1", 100, "XXX", "malformed"),
        ("R-1", 100, "USD", "wrong_currency"),
        ("R-1", 50_001, "EUR", "amount_too_large"),
    ],
)
def test_bad_sales_are_refused_with_a_reason(
    till: TillClient, ref: str, amount: object, currency: str, code: str
) -> None:
    with pytest.raises(TillRefused) as refused:
        till._call(
            "POST", "/v1/sales", json_bytes({"sale_ref": ref, "amount_minor": amount, "currency": currency})
        )
    assert refused.value.code == code


def test_forged_replayed_stale_and_unknown_requests_fail(server: TillServer, till: TillClient) -> None:
    body = json_bytes({"sale_ref": "R-1", "amount_minor": 100, "currency": "EUR"})
    url = server.url + "/v1/sales"

    def post(headers: dict[str, str], content: bytes = body) -> httpx.Response:
        return httpx.post(url, content=content, headers=headers)

    signed = sign_request(TILL_KEY, terminal_id="till-1", method="POST", path="/v1/sales", body=body)
    tampered = post(signed, body.replace(b"100", b"900"))
    assert tampered.status_code == 401 and tampered.json()["error"] == "bad_signature"
    assert post(signed).status_code == 201
    replay = post(signed)
    assert replay.status_code == 401 and replay.json()["error"] == "replay"
    old = sign_request(
        TILL_KEY,
        terminal_id="till-1",
        method="POST",
        path="/v1/sales",
        body=body,
        timestamp=int(time.time()) - 900,
    )
    assert post(old).json()["error"] == "stale"
    stranger = sign_request(generate_key(), terminal_id="till-9", method="POST", path="/v1/sales", body=body)
    assert post(stranger).json()["error"] == "unknown_till"
    impostor = sign_request(generate_key(), terminal_id="till-1", method="POST", path="/v1/sales", body=body)
    assert post(impostor).json()["error"] == "bad_signature"
    huge = httpx.post(url, content=b"x" * 10_000, headers=signed)
    assert huge.status_code == 413


def test_an_answer_not_signed_by_this_kiosk_is_not_believed(server: TillServer) -> None:
    wrong = TillClient(server.url, "till-1", TILL_KEY, generate_key().public_key())
    with pytest.raises(BadKioskSignature):
        wrong.open_sale("R-1", 100, "EUR")


def test_unknown_sale_and_gone_kiosk(server: TillServer, till: TillClient) -> None:
    with pytest.raises(TillRefused) as unknown:
        till.status("R-404")
    assert unknown.value.code == "unknown_sale"
    server.close()
    with pytest.raises(TillUnreachable):
        till.status("R-404")


def test_the_kiosk_polls_new_sales_only_when_free_and_hears_a_cancel_once(desk: SaleDesk) -> None:
    assert desk.poll(0.01) is None
    desk.open("R-7", 900, "EUR", "till-1")
    assert desk.poll(0.01, free=lambda: False) is None  # the kiosk serves someone else: it stays pending
    assert desk.get("R-7").status is SaleStatus.PENDING
    taken = desk.poll(0.01)
    assert taken is not None and taken.status is SaleStatus.IN_PROGRESS
    desk.cancel("R-7")
    told = desk.poll(0.01, free=lambda: False)
    assert told is not None and told.sale_ref == "R-7" and told.cancel_requested
    assert desk.poll(0.01) is None  # told once


def test_a_poll_wakes_when_a_sale_arrives(desk: SaleDesk) -> None:
    threading.Timer(0.05, lambda: desk.open("R-8", 100, "EUR", "till-1")).start()
    sale = desk.poll(5.0)
    assert sale is not None and sale.sale_ref == "R-8"
