"""The ledger's ASGI application (Starlette), served by uvicorn.

Every response, errors included, is JSON and carries ``FacePay-Ledger-Signature``
over (status, request nonce, SHA-256 of the body). The event loop authenticates
and parses requests; their store work goes to one committer thread per worker,
which holds the worker's database connection. While the committer waits for a
commit to reach the disk (the GIL is released), the loop admits the next
requests, and the committer runs everything that queued up meanwhile in its next
transaction (group commit, up to ``store.max_batch`` requests, each in its own
savepoint). A reply is sent only after the commit that made it durable.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from payments.ledger.errors import ErrorCode, LedgerKeyError
from payments.ledger.integrity import IntegrityWatch
from payments.ledger.keys import default_key_path, load_ledger_keys
from payments.ledger.limits import ServerLimits
from payments.ledger.receipts import receipt_page
from payments.ledger.service import MAX_BODY_BYTES, Ledger, Pending, Reply, Request
from payments.ledger.store import open_store
from payments.signing import HEADER_LEDGER_SIGNATURE, sign_response
from payments.wire import AUDIT_ANCHOR_HEADER

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


class _Gone(Exception):
    """The client went away (or its connection was closed for a read timeout) mid-body."""


async def _read_body(http: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (nothing more is read)."""
    declared = http.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in http.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        raise _Gone from None
    return b"".join(chunks)


_Job = tuple[Pending, "asyncio.Future[Reply]"]


class _Committer:
    """The thread that runs admitted requests against the store, in batches."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._max_batch = max(1, ledger.store.max_batch)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ledger-committer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    async def submit(self, item: Pending) -> Reply:
        if self._thread is None:  # not started (no lifespan): run inline
            reply = self._ledger.run_batch([item])[0]
            if isinstance(reply, Exception):
                raise reply
            return reply
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._jobs.put((item, future))
        return await future

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            while len(batch) < self._max_batch:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._jobs.put(None)
                    break
                batch.append(more)
            try:
                replies = self._ledger.run_batch([item for item, _ in batch])
            except Exception as exc:
                log.exception("committer failed on a batch of %d", len(batch))
                replies = [exc] * len(batch)
            loop = batch[0][1].get_loop()
            loop.call_soon_threadsafe(_deliver, [future for _, future in batch], replies)


def _deliver(futures: list[asyncio.Future[Reply]], replies: list[Reply | Exception]) -> None:
    for future, reply in zip(futures, replies, strict=True):
        if future.done():  # the client went away
            continue
        if isinstance(reply, Exception):
            future.set_exception(reply)
        else:
            future.set_result(reply)


# Threads that open PIN blocks and run scrypt (hashlib releases the GIL while hashing): PIN
# traffic waits for these instead of stalling the event loop that admits face payments. One, not
# two: on the 2-core host two scrypt threads took the core the event loop needs (face debits/s
# with 6 PIN streams vs alone, `ledger bench --pin-streams 6`, medians of 3: 0.50 with two
# threads, 0.66 with one); one thread still checks several PINs a second.
PIN_THREADS = 1
# PIN requests allowed to wait for a PIN thread; past this the ledger answers 503 at once.
PIN_QUEUE = 64


class _PinWork:
    """A bounded pool for admitting requests that carry PIN blocks (slow scrypt checks)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=PIN_THREADS, thread_name_prefix="ledger-pin")
        self._waiting = 0

    @staticmethod
    def needed(body: bytes) -> bool:
        return b'"pin"' in body or b'"cashier_pin"' in body or b'"enrolment_code"' in body

    async def admit(
        self, ledger: Ledger, action: str, req: Request, params: Mapping[str, str]
    ) -> Reply | Pending:
        if self._waiting >= PIN_QUEUE:
            log.warning("PIN work queue full (%d waiting): answering 503", self._waiting)
            return ledger.error_reply(req, ErrorCode.UNAVAILABLE)
        self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, ledger.admit, action, req, params)
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def create_app(ledger: Ledger, *, server_timing: bool = False) -> Starlette:
    """The ASGI app serving ``ledger``; ``server_timing`` adds a Server-Timing header to replies."""
    signing_key = ledger.keys.signing
    committer = _Committer(ledger)
    integrity = IntegrityWatch(ledger)
    pin_work = _PinWork()

    def respond(reply: Reply) -> Response:
        headers = {HEADER_LEDGER_SIGNATURE: sign_response(signing_key, reply.status, reply.nonce, reply.body)}
        if reply.replayed:
            headers["Idempotent-Replayed"] = "true"
        if reply.anchor:
            headers[AUDIT_ANCHOR_HEADER] = reply.anchor
        if server_timing and reply.timings:
            headers["Server-Timing"] = ", ".join(f"{k};dur={v:.3f}" for k, v in reply.timings.items())
        return Response(reply.body, reply.status, headers, media_type="application/json")

    def endpoint(action: str):  # type: ignore[no-untyped-def]
        async def handle(http: HttpRequest) -> Response:
            try:
                body = await _read_body(http)
            except _Gone:
                return Response(status_code=408)  # nobody is left to read it
            req = _request(http, body or b"")
            refused = integrity.refusal(req)
            if refused is not None:
                return respond(refused)
            if body is None:
                return respond(ledger.error_reply(req, ErrorCode.BODY_TOO_LARGE))
            if pin_work.needed(body or b""):
                admitted = await pin_work.admit(ledger, action, req, http.path_params)
            else:
                admitted = ledger.admit(action, req, http.path_params)
            if isinstance(admitted, Reply):
                return respond(admitted)
            return respond(await committer.submit(admitted))

        return handle

    def public(what: str):  # type: ignore[no-untyped-def]
        async def handle(http: HttpRequest) -> Response:
            req = _request(http, b"")
            refused = integrity.refusal(req) if what == "health" else None
            return respond(refused or ledger.public_info(req, what))

        return handle

    async def receipt(http: HttpRequest) -> Response:
        page = receipt_page(
            ledger.store,
            http.path_params["transfer_id"],
            http.query_params.get("s", ""),
            as_json=http.query_params.get("format") == "json",
        )
        signature = sign_response(signing_key, page.status, "", page.body)
        headers = {HEADER_LEDGER_SIGNATURE: signature, "Cache-Control": "private, no-store"}
        return Response(page.body, page.status, headers, media_type=page.media_type)

    async def http_error(http: HttpRequest, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(status, ErrorCode.INTERNAL)
        return respond(ledger.error_reply(_request(http, b""), code))

    async def crash(http: HttpRequest, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", http.method, http.url.path, exc_info=exc)
        return respond(ledger.error_reply(_request(http, b""), ErrorCode.INTERNAL))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await integrity.check()
        integrity.start()
        committer.start()
        try:
            yield
        finally:
            await integrity.stop()
            committer.stop()
            pin_work.close()
            ledger.store.close()

    routes = [
        Route("/v1/health", public("health"), methods=["GET"]),
        Route("/v1/keys", public("keys"), methods=["GET"]),
        Route("/v1/debits", endpoint("debit"), methods=["POST"]),
        Route("/v1/refunds", endpoint("refund"), methods=["POST"]),
        Route("/v1/voids", endpoint("void"), methods=["POST"]),
        Route("/v1/captures", endpoint("capture"), methods=["POST"]),
        Route("/v1/reversals", endpoint("reverse"), methods=["POST"]),
        Route("/v1/cashiers/verify", endpoint("verify_cashier"), methods=["POST"]),
        Route("/v1/cashiers/{cashier_id}", endpoint("get_cashier"), methods=["GET"]),
        Route("/v1/enrolments", endpoint("enrol"), methods=["POST"]),
        Route("/v1/enrolments/{customer_id}/erase", endpoint("erase_enrolment"), methods=["POST"]),
        Route("/v1/gallery/kiosks", endpoint("gallery_register"), methods=["POST"]),
        Route("/v1/gallery/templates", endpoint("gallery_upload"), methods=["POST"]),
        Route("/v1/gallery/feed", endpoint("gallery_feed"), methods=["GET"]),
        Route("/v1/gallery/snapshot", endpoint("gallery_snapshot"), methods=["GET"]),
        Route("/v1/gallery/acks", endpoint("gallery_ack"), methods=["POST"]),
        Route("/v1/transfers", endpoint("list_transfers"), methods=["GET"]),
        Route("/v1/transfers/{transfer_id}", endpoint("get_transfer"), methods=["GET"]),
        Route("/r/{transfer_id}", receipt, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error, Exception: crash}
    )
    app.router.redirect_slashes = False  # every path is answered (and signed) where it was asked
    return app


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers: the database URL and key file come from the environment."""
    url = os.environ.get(ENV_DB)
    if not url:
        raise LedgerKeyError(f"{ENV_DB} is not set")
    key_text = os.environ.get(ENV_KEY)
    key_path = Path(key_text) if key_text else default_key_path(url)
    if key_path is None:
        raise LedgerKeyError(f"{ENV_KEY} is not set and {url} has no default key file")
    limits = ServerLimits.from_env()
    return create_app(Ledger(open_store(url), load_ledger_keys(key_path)), server_timing=limits.server_timing)
