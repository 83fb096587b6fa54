"""The till's side of the till interface: open a sale, follow it, cancel it.

Requests are signed with the till's key; every answer must carry the kiosk's signature
(terminal key) over status, the request's nonce and the body, or it is not believed.

Exceptions::

    TillError(Exception)
    ├── TillUnreachable     no answer (connection refused, time-out)
    ├── BadKioskSignature   an answer not signed by this kiosk's terminal key
    └── TillRefused         the kiosk said no (``code``: busy, sale_ref_reused, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from payments.signing import (
    HEADER_NONCE,
    BadSignature,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    sign_request,
    verify_response,
)
from payments.till._server import HEADER_TERMINAL_SIGNATURE
from payments.wire import WireError, json_bytes, loads_strict

__all__ = ["BadKioskSignature", "TillClient", "TillError", "TillRefused", "TillUnreachable"]


class TillError(Exception):
    """Something went wrong talking to the kiosk."""


class TillUnreachable(TillError):
    """No answer from the kiosk."""


class BadKioskSignature(TillError):
    """An answer that this kiosk did not sign."""


class TillRefused(TillError):
    """The kiosk refused the request."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass
class TillClient:
    """One till talking to one kiosk.

    Attributes:
        url: the kiosk's till interface, e.g. ``http://127.0.0.1:8731``.
        till_id: this till's id (registered at the kiosk).
        key: this till's private key.
        kiosk_key: the kiosk's terminal public key.
        timeout_s: per-request time-out (a long poll adds its wait).
    """

    url: str
    till_id: str
    key: Ed25519PrivateKey
    kiosk_key: Ed25519PublicKey
    timeout_s: float = 5.0

    def _call(self, method: str, path: str, body: bytes = b"", wait_s: float = 0.0) -> dict[str, Any]:
        headers = sign_request(self.key, terminal_id=self.till_id, method=method, path=path, body=body)
        headers["Content-Type"] = "application/json"
        try:
            with httpx.Client(timeout=self.timeout_s + wait_s) as http:
                answer = http.request(method, self.url.rstrip("/") + path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TillUnreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        try:
            verify_response(
                self.kiosk_key,
                answer.status_code,
                headers[HEADER_NONCE],
                answer.content,
                answer.headers.get(HEADER_TERMINAL_SIGNATURE),
            )
        except BadSignature as exc:
            raise BadKioskSignature(f"{method} {path}: {exc}") from exc
        try:
            payload = loads_strict(answer.content)
        except WireError as exc:
            raise BadKioskSignature(f"{method} {path}: signed answer is not JSON") from exc
        if not isinstance(payload, dict):
            raise BadKioskSignature(f"{method} {path}: signed answer is not an object")
        if answer.status_code >= 400:
            raise TillRefused(answer.status_code, str(payload.get("error")), str(payload.get("message")))
        return payload

    def open_sale(self, sale_ref: str, amount_minor: int, currency: str) -> dict[str, Any]:
        """Open a sale at the kiosk; the same call again returns the same sale."""
        body = json_bytes({"sale_ref": sale_ref, "amount_minor": amount_minor, "currency": currency})
        return self._call("POST", "/v1/sales", body)

    def status(self, sale_ref: str, *, after: int = 0, wait_s: float = 0.0) -> dict[str, Any]:
        """The sale; with ``wait_s`` the kiosk holds the answer until it changes past ``after``."""
        query = f"?after={after}&wait={int(wait_s)}" if wait_s > 0 else ""
        return self._call("GET", f"/v1/sales/{sale_ref}{query}", wait_s=wait_s)

    def cancel(self, sale_ref: str) -> dict[str, Any]:
        """Ask the kiosk to stop the sale (a payment already confirmed stands)."""
        return self._call("POST", f"/v1/sales/{sale_ref}/cancel")

    def follow(self, sale_ref: str, *, deadline_s: float = 300.0, poll_s: float = 25.0) -> dict[str, Any]:
        """Long-poll until the sale is final (or ``deadline_s`` passes); returns the last state."""
        import time

        end = time.monotonic() + deadline_s
        sale = self.status(sale_ref)
        while sale.get("status") in ("pending", "in_progress") and time.monotonic() < end:
            wait = max(1.0, min(poll_s, end - time.monotonic()))
            sale = self.status(sale_ref, after=int(sale.get("version", 0)), wait_s=wait)
        return sale
