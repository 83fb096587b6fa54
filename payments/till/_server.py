"""The kiosk's till interface: a small authenticated HTTP server on the shop's LAN side.

Stdlib ``ThreadingHTTPServer`` on its own thread (the kiosk's GUI never waits on it).
Every request is signed by the till exactly as a terminal signs ledger requests
(:mod:`payments.signing`); every answer is signed with the terminal's key so the till
can prove what the kiosk said. See ``payments/till/TILL.md``.
"""

from __future__ import annotations

import http.server
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from payments.money import UnknownCurrency, exponent
from payments.signing import (
    HEADER_NONCE,
    BadSignature,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    sign_response,
    verify_request,
)
from payments.till._desk import Busy, RefReused, SaleDesk, UnknownSale
from payments.wire import ID_PATTERN, WireError, json_bytes, loads_strict

__all__ = ["HEADER_TERMINAL_SIGNATURE", "TillServer", "TillServerConfig"]

log = logging.getLogger(__name__)

HEADER_TERMINAL_SIGNATURE = "FacePay-Terminal-Signature"
# Requests older or newer than this are refused (the same window the ledger uses).
MAX_CLOCK_SKEW_S = 300
# A sale request is a few hundred bytes; anything much larger is not one.
MAX_BODY_BYTES = 4096
# Longest long poll a till may ask for.
MAX_WAIT_S = 30.0


@dataclass(frozen=True)
class TillServerConfig:
    """How the till interface listens and whom it trusts.

    Attributes:
        host: listen address (loopback or the shop LAN address of the kiosk).
        port: TCP port (0 picks a free one).
        tills: till id -> its Ed25519 public key.
        currency: the kiosk's currency; a sale in another is refused.
        max_sale_minor: largest amount a till may open.
    """

    host: str
    port: int
    tills: Mapping[str, Ed25519PublicKey]
    currency: str
    max_sale_minor: int


class _Nonces:
    """Nonces seen within the clock window: a replayed request is refused."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def fresh(self, nonce: str, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {n: t for n, t in self._seen.items() if now - t < 2 * MAX_CLOCK_SKEW_S}
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


class TillServer:
    """Serves the till protocol over ``desk`` until :meth:`close`."""

    def __init__(self, config: TillServerConfig, desk: SaleDesk, terminal_key: Ed25519PrivateKey) -> None:
        self.config = config
        self.desk = desk
        self._key = terminal_key
        self._nonces = _Nonces()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 10
            server_version = "facepay-till"
            sys_version = ""

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def log_message(self, format: str, *args: object) -> None:
                log.debug("till %s: " + format, self.client_address[0], *args)

        self._httpd = http.server.ThreadingHTTPServer((config.host, config.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="facepay-till", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self._httpd.server_port}"

    def start(self) -> TillServer:
        self._thread.start()
        log.info("till interface listening on %s", self.url)
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    # --- one request ---------------------------------------------------------------

    def _answer(
        self, h: http.server.BaseHTTPRequestHandler, status: int, payload: object, nonce: str
    ) -> None:
        body = json_bytes(payload)
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.send_header(HEADER_TERMINAL_SIGNATURE, sign_response(self._key, status, nonce, body))
        h.end_headers()
        h.wfile.write(body)

    def _error(
        self, h: http.server.BaseHTTPRequestHandler, status: int, code: str, message: str, nonce: str
    ) -> None:
        self._answer(h, status, {"error": code, "message": message}, nonce)

    def _handle(self, h: http.server.BaseHTTPRequestHandler, method: str) -> None:
        headers = {k: v for k, v in h.headers.items()}
        nonce = headers.get(HEADER_NONCE, "")
        try:
            length = int(h.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            h.close_connection = True
            self._error(h, 413, "too_large", f"a request body is at most {MAX_BODY_BYTES} bytes", nonce)
            return
        body = h.rfile.read(length) if length else b""
        till_id = headers.get("FacePay-Terminal", "")
        public = self.config.tills.get(till_id)
        if public is None:
            self._error(h, 401, "unknown_till", "this till is not registered at this kiosk", nonce)
            return
        try:
            auth = verify_request(public, method=method, path=h.path, headers=headers, body=body)
        except BadSignature as exc:
            self._error(h, 401, "bad_signature", str(exc), nonce)
            return
        now = time.time()
        if abs(now - auth.timestamp) > MAX_CLOCK_SKEW_S:
            self._error(h, 401, "stale", "request time is more than 300 s off the kiosk's clock", nonce)
            return
        if not self._nonces.fresh(auth.nonce, now):
            self._error(h, 401, "replay", "this request was already received", nonce)
            return
        try:
            status, payload = self._route(method, h.path, body, till_id)
        except _Refusal as exc:
            self._error(h, exc.status, exc.code, exc.message, nonce)
            return
        self._answer(h, status, payload, nonce)

    def _route(self, method: str, raw_path: str, body: bytes, till_id: str) -> tuple[int, object]:
        parts = urlsplit(raw_path)
        segments = [s for s in parts.path.split("/") if s]
        if segments[:2] != ["v1", "sales"]:
            raise _Refusal(404, "not_found", "no such endpoint")
        if method == "POST" and len(segments) == 2:
            return self._open(body, till_id)
        if len(segments) < 3 or not ID_PATTERN.fullmatch(segments[2]):
            raise _Refusal(404, "not_found", "no such endpoint")
        ref = segments[2]
        try:
            if method == "GET" and len(segments) == 3:
                query = parse_qs(parts.query)
                after = _number(query, "after", 0)
                wait = min(float(_number(query, "wait", 0)), MAX_WAIT_S)
                sale = self.desk.wait(ref, after, wait) if wait > 0 else self.desk.get(ref)
                return 200, sale.to_json()
            if method == "POST" and segments[3:] == ["cancel"]:
                return 200, self.desk.cancel(ref).to_json()
        except UnknownSale as exc:
            raise _Refusal(404, "unknown_sale", str(exc)) from None
        raise _Refusal(404, "not_found", "no such endpoint")

    def _open(self, body: bytes, till_id: str) -> tuple[int, object]:
        try:
            obj = loads_strict(body)
        except WireError as exc:
            raise _Refusal(400, "malformed", str(exc)) from None
        if not isinstance(obj, dict) or set(obj) != {"sale_ref", "amount_minor", "currency"}:
            raise _Refusal(400, "malformed", "a sale is {sale_ref, amount_minor, currency}")
        ref, amount, currency = obj["sale_ref"], obj["amount_minor"], obj["currency"]
        if not isinstance(ref, str) or not ID_PATTERN.fullmatch(ref):
            raise _Refusal(400, "malformed", "sale_ref: 1-64 letters, digits, '_', '.', ':' or '-'")
        if not isinstance(currency, str):
            raise _Refusal(400, "malformed", "currency must be an ISO 4217 code")
        try:
            exponent(currency)
        except UnknownCurrency:
            raise _Refusal(400, "malformed", f"unknown currency {currency!r}") from None
        if currency != self.config.currency:
            raise _Refusal(409, "wrong_currency", f"this kiosk takes {self.config.currency}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise _Refusal(400, "malformed", "amount_minor must be a positive whole number")
        if amount > self.config.max_sale_minor:
            raise _Refusal(
                409, "amount_too_large", f"the largest sale is {self.config.max_sale_minor} minor units"
            )
        try:
            sale, new = self.desk.open(ref, amount, currency, till_id)
        except Busy as exc:
            raise _Refusal(409, "busy", str(exc)) from None
        except RefReused as exc:
            raise _Refusal(409, "sale_ref_reused", str(exc)) from None
        return (201 if new else 200), sale.to_json()


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _number(query: Mapping[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise _Refusal(400, "malformed", f"{name} must be a whole number") from None
    if value < 0:
        raise _Refusal(400, "malformed", f"{name} must not be negative")
    return value
