"""The shopper's receipt page at the ledger host: opens only with the terminal's token,
shows what a paper receipt shows, and is signed by the ledger."""

from __future__ import annotations

import json

import httpx

from payments.receipts import receipt_token, receipt_url, token_opens
from payments.signing import generate_key, load_public_key, verify_response
from tests.payments.ledger.conftest import Server, World, debit_body
from tests.payments.ledger.test_http import Terminal


def test_receipt_opens_with_the_terminal_token_only(world: World, server: Server) -> None:
    t = Terminal(world, server)
    customer = world.customer()
    posted = t.send("POST", "/v1/debits", json.dumps(debit_body(customer["id"], 1250)).encode(), "rcpt-1")
    assert posted.status_code == 201
    transfer_id = posted.json()["transfer_id"]
    token = receipt_token(world.terminal_key, transfer_id)
    assert token_opens(world.terminal_key.public_key(), transfer_id, token)
    url = receipt_url(server.url, transfer_id, token)
    assert len(url) < 200  # fits a QR code a phone reads from a screen

    page = httpx.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    ledger_pub = load_public_key(world.out / "ledger.pub")
    verify_response(ledger_pub, 200, "", page.content, page.headers["FacePay-Ledger-Signature"])
    text = page.text
    assert "12.50" in text and transfer_id in text and "sale-1" in text
    assert customer["id"] not in text and str(customer.get("name", "@@")) not in text

    facts = httpx.get(url + "&format=json").json()
    assert facts["amount_minor"] == 1250 and facts["status"] == "paid" and facts["transfer_id"] == transfer_id

    other = generate_key()
    for bad in (
        f"{server.url}/r/{transfer_id}",
        f"{server.url}/r/{transfer_id}?s=",
        receipt_url(server.url, transfer_id, receipt_token(other, transfer_id)),
        receipt_url(server.url, transfer_id, token[:10] + ("B" if token[10] != "B" else "C") + token[11:]),
        receipt_url(server.url, "no-such-transfer", token),
        f"{server.url}/r/%2e%2e?s={token}",
    ):
        refused = httpx.get(bad)
        assert refused.status_code == 404, bad
        assert "No receipt here" in refused.text
        assert transfer_id not in refused.text
