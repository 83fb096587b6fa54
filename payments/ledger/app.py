"""The ledger's ASGI application (Starlette), served by uvicorn.

Every response, errors included, is JSON and carries ``FacePay-Ledger-Signature``
over (status, request nonce, SHA-256 of the body). Handlers call the store
directly on the event loop: each worker holds one database connection and its
transactions are short, so a worker gains nothing from threads; throughput comes
from running several workers (``facepay ledger serve --workers K``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from payments.ledger.errors import ErrorCode, LedgerKeyError
from payments.ledger.keys import default_key_path, load_ledger_keys
from payments.ledger.service import MAX_BODY_BYTES, Ledger, Reply, Request
from payments.ledger.store import open_store
from payments.signing import HEADER_LEDGER_SIGNATURE, sign_response

__all__ = ["ENV_DB", "ENV_KEY", "create_app", "create_app_from_env"]

log = logging.getLogger(__name__)

ENV_DB = "FACEPAY_LEDGER_DB"
ENV_KEY = "FACEPAY_LEDGER_KEY"


def _request(http: HttpRequest, body: bytes) -> Request:
    scope = http.scope
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    path = raw_path.decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        path = f"{path}?{query}"
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    return Request(http.method, path, headers, body, dict(http.query_params))


async def _read_body(http: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (nothing more is read)."""
    declared = http.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in http.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(ledger: Ledger) -> Starlette:
    """The ASGI app serving ``ledger``."""
    signing_key = ledger.keys.signing

    def respond(reply: Reply) -> Response:
        headers = {HEADER_LEDGER_SIGNATURE: sign_response(signing_key, reply.status, reply.nonce, reply.body)}
        if reply.replayed:
            headers["Idempotent-Replayed"] = "true"
        if reply.timings:
            headers["Server-Timing"] = ", ".join(f"{k};dur={v:.3f}" for k, v in reply.timings.items())
        return Response(reply.body, reply.status, headers, media_type="application/json")

    def endpoint(action: str):  # type: ignore[no-untyped-def]
        async def handle(http: HttpRequest) -> Response:
            body = await _read_body(http)
            req = _request(http, body or b"")
            if body is None:
                return respond(ledger.error_reply(req, ErrorCode.BODY_TOO_LARGE))
            return respond(ledger.handle(action, req, http.path_params))

        return handle

    def public(what: str):  # type: ignore[no-untyped-def]
        async def handle(http: HttpRequest) -> Response:
            return respond(ledger.public_info(_request(http, b""), what))

        return handle

    async def http_error(http: HttpRequest, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(status, ErrorCode.INTERNAL)
        return respond(ledger.error_reply(_request(http, b""), code))

    async def crash(http: HttpRequest, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", http.method, http.url.path, exc_info=exc)
        return respond(ledger.error_reply(_request(http, b""), ErrorCode.INTERNAL))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        ledger.store.close()

    routes = [
        Route("/v1/health", public("health"), methods=["GET"]),
        Route("/v1/keys", public("keys"), methods=["GET"]),
        Route("/v1/debits", endpoint("debit"), methods=["POST"]),
        Route("/v1/refunds", endpoint("refund"), methods=["POST"]),
        Route("/v1/voids", endpoint("void"), methods=["POST"]),
        Route("/v1/captures", endpoint("capture"), methods=["POST"]),
        Route("/v1/transfers", endpoint("list_transfers"), methods=["GET"]),
        Route("/v1/transfers/{transfer_id}", endpoint("get_transfer"), methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={HTTPException: http_error, Exception: crash})


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers: the database URL and key file come from the environment."""
    url = os.environ.get(ENV_DB)
    if not url:
        raise LedgerKeyError(f"{ENV_DB} is not set")
    key_text = os.environ.get(ENV_KEY)
    key_path = Path(key_text) if key_text else default_key_path(url)
    if key_path is None:
        raise LedgerKeyError(f"{ENV_KEY} is not set and {url} has no default key file")
    return create_app(Ledger(open_store(url), load_ledger_keys(key_path)))
