"""The shopper's receipt page, served by the ledger host at ``/r/<transfer_id>?s=<token>``.

The token is the terminal's signature over the transfer id (:mod:`payments.receipts`):
only someone shown the receipt can open it. The page holds what a paper receipt holds -
shop, terminal, time, amount, how it was paid, the references - and no shopper data.
Every answer is signed by the ledger like its API answers (``FacePay-Ledger-Signature``
over status, an empty nonce and the body); ``?format=json`` gives the same facts as JSON.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from payments.ledger.records import TransferKind, TransferStatus
from payments.ledger.store import LedgerStore
from payments.receipts import token_opens
from payments.signing import public_key_from_text
from payments.wire import ID_PATTERN, json_bytes

__all__ = ["ReceiptPage", "receipt_page"]


@dataclass(frozen=True)
class ReceiptPage:
    """One answer of the receipt endpoint.

    Attributes:
        status: HTTP status.
        body: the page (HTML or JSON).
        media_type: its content type.
    """

    status: int
    body: bytes
    media_type: str


_NOT_FOUND = "No receipt here. Check the link, or ask the shop for a copy."


def _method(evidence_text: str) -> str:
    """How the shopper paid, from the debit's evidence (``method``: face, face+pin, pin)."""
    try:
        evidence = json.loads(evidence_text or "{}")
    except ValueError:
        return ""
    method = str(evidence.get("method", "")) if isinstance(evidence, dict) else ""
    return {"face": "face", "face+pin": "face + PIN", "pin": "PIN", "operator": "cashier"}.get(method, "")


def receipt_page(store: LedgerStore, transfer_id: str, token: str, *, as_json: bool) -> ReceiptPage:
    """The receipt of ``transfer_id`` if ``token`` opens it, else a 404 that tells nothing."""
    transfer = store.transfer(transfer_id) if ID_PATTERN.fullmatch(transfer_id) else None
    terminal = store.terminal(transfer.terminal_id) if transfer and transfer.terminal_id else None
    if (
        transfer is None
        or terminal is None
        or transfer.kind != TransferKind.DEBIT
        or not token_opens(public_key_from_text(terminal.public_key), transfer_id, token)
    ):
        return _page(404, {"error": "not_found", "message": _NOT_FOUND}, as_json)
    merchant = store.merchant(transfer.merchant_id or "")
    facts: dict[str, object] = {
        "shop": merchant.name if merchant else (transfer.merchant_id or ""),
        "terminal": transfer.terminal_id or "",
        "time_utc": transfer.created_at,
        "amount": str(transfer.amount),
        "amount_minor": transfer.amount.minor,
        "currency": transfer.amount.currency,
        "paid_by": _method(transfer.evidence),
        "status": {
            TransferStatus.POSTED: "paid",
            TransferStatus.PENDING: "authorised, not yet captured",
            TransferStatus.VOIDED: "cancelled (nothing charged)",
            TransferStatus.DECLINED: "declined (nothing charged)",
        }.get(transfer.status, transfer.status),
        "sale_ref": transfer.merchant_ref,
        "transfer_id": transfer.transfer_id,
    }
    return _page(200, facts, as_json)


def _page(status: int, facts: dict[str, object], as_json: bool) -> ReceiptPage:
    if as_json:
        return ReceiptPage(status, json_bytes(facts), "application/json")
    if status != 200:
        body = f"<p>{html.escape(str(facts['message']))}</p>"
        title = "Receipt not found"
    else:
        rows = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(str(facts[key]))}</td></tr>"
            for key, label in (
                ("shop", "Shop"),
                ("time_utc", "Time (UTC)"),
                ("amount", "Amount"),
                ("status", "Status"),
                ("paid_by", "Paid by"),
                ("sale_ref", "Sale"),
                ("terminal", "Terminal"),
                ("transfer_id", "Reference"),
            )
            if facts.get(key)
        )
        body = f"<h1>{html.escape(str(facts['shop']))}</h1><table>{rows}</table>"
        title = "Receipt"
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:30em;margin:2em auto;"
        "padding:0 1em}th{text-align:left;padding-right:1em;color:#555}</style></head>"
        f"<body>{body}<p><small>Issued by the facepay ledger; this page is signed "
        "(FacePay-Ledger-Signature).</small></p></body></html>"
    )
    return ReceiptPage(status, page.encode("utf-8"), "text/html; charset=utf-8")
