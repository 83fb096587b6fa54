"""The ledger's request handling, independent of HTTP plumbing.

A request goes: authenticate (``_authn``) -> prepare its action (``_money``, ``_identity``,
``_reads``: parse the body, open PIN blocks, hash, all outside the transaction) -> run it in the
commit engine (``_engine``: nonce, idempotency, the work, the stored answer and the audit line,
in one transaction). Who may do what is decided in one place (``_authz``) by the table in
``payments/PROTOCOL.md``. Slow or CPU-heavy steps (signature checks, PIN decryption, scrypt)
happen before the transaction so the write lock is held for database statements only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from payments.ledger._authn import TERMINAL_CACHE_S, TIMESTAMP_WINDOW_S, Authenticator
from payments.ledger._authz import Guard
from payments.ledger._context import Context, Preparer
from payments.ledger._engine import CommitEngine
from payments.ledger._identity import prepare_enrol, prepare_erase, prepare_verify_cashier
from payments.ledger._messages import (
    MAX_AMOUNT_MINOR,
    BadInput,
    Outcome,
    Pending,
    Reply,
    Request,
    error,
)
from payments.ledger._money import (
    prepare_capture,
    prepare_debit,
    prepare_refund,
    prepare_reverse,
    prepare_void,
)
from payments.ledger._reads import prepare_get, prepare_get_cashier, prepare_list
from payments.ledger.anchors import header_text, sign_anchor
from payments.ledger.errors import ErrorCode, StoreError
from payments.ledger.gallery import (
    prepare_gallery_ack,
    prepare_gallery_feed,
    prepare_gallery_register,
    prepare_gallery_snapshot,
    prepare_gallery_upload,
)
from payments.ledger.keys import LedgerKeys
from payments.ledger.pins import LockoutPolicy
from payments.ledger.store import LedgerStore
from payments.pinblock import PIN_ALG, pin_public_key_text
from payments.signing import public_key_text
from payments.wire import iso_time, json_bytes

__all__ = [
    "ACTIONS",
    "MAX_AMOUNT_MINOR",
    "MAX_BODY_BYTES",
    "TIMESTAMP_WINDOW_S",
    "Ledger",
    "Pending",
    "Reply",
    "Request",
    "iso_time",
]

log = logging.getLogger(__name__)

# Largest request body: a debit with evidence and a PIN object is well under 2 KiB.
MAX_BODY_BYTES = 16 * 1024

# Every action a terminal may ask for, by name (the HTTP routes name them).
ACTIONS: Mapping[str, Preparer] = {
    "debit": prepare_debit,
    "refund": prepare_refund,
    "void": prepare_void,
    "reverse": prepare_reverse,
    "capture": prepare_capture,
    "verify_cashier": prepare_verify_cashier,
    "enrol": prepare_enrol,
    "erase_enrolment": prepare_erase,
    "get_transfer": prepare_get,
    "list_transfers": prepare_list,
    "gallery_register": prepare_gallery_register,
    "gallery_upload": prepare_gallery_upload,
    "gallery_feed": prepare_gallery_feed,
    "gallery_snapshot": prepare_gallery_snapshot,
    "gallery_ack": prepare_gallery_ack,
    "get_cashier": prepare_get_cashier,
}

_NONCE = re.compile(r"[0-9a-f]{32,128}")


def _request_nonce(req: Request) -> str:
    nonce = req.headers.get("facepay-nonce", "")
    return nonce if _NONCE.fullmatch(nonce) else ""


class Ledger:
    """Handles protocol requests against one store with the ledger's keys."""

    def __init__(
        self,
        store: LedgerStore,
        keys: LedgerKeys,
        *,
        clock: Callable[[], float] = time.time,
        lockout: LockoutPolicy | None = None,
        terminal_cache_s: float = TERMINAL_CACHE_S,
    ) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock
        self.lockout = lockout or LockoutPolicy()
        self._authn = Authenticator(store, clock, terminal_cache_s)
        self._engine = CommitEngine(store, clock, lambda seq, h: header_text(sign_anchor(keys, seq, h)))
        self._context = Context(store, Guard(store, keys, self.lockout), clock)

    # --- entry points -------------------------------------------------------
    def public_info(self, req: Request, what: str) -> Reply:
        """Unauthenticated GET /v1/health and /v1/keys (still signed over any nonce given)."""
        nonce = _request_nonce(req)
        if what == "keys":
            payload: dict[str, Any] = {
                "signing_key": public_key_text(self.keys.signing.public_key()),
                "pin_key": pin_public_key_text(self.keys.pin.public_key()),
                "pin_alg": PIN_ALG,
            }
            return Reply(200, json_bytes(payload), nonce)
        try:
            self.store.audit_head()
        except StoreError as exc:
            log.warning("health check: %s", exc)
            return Reply(503, json_bytes(error(ErrorCode.UNAVAILABLE).payload), nonce)
        return Reply(200, json_bytes({"status": "ok", "time": iso_time(self.clock())}), nonce)

    def error_reply(self, req: Request, code: ErrorCode) -> Reply:
        """A signed error for requests that never reach a handler (404, 405, 413)."""
        return Reply(code.status, json_bytes(error(code).payload), _request_nonce(req))

    def handle(self, action: str, req: Request, params: Mapping[str, str]) -> Reply:
        """Authenticate and run one action (see :data:`ACTIONS`)."""
        admitted = self.admit(action, req, params)
        if isinstance(admitted, Reply):
            return admitted
        reply = self.run_batch([admitted])[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def admit(self, action: str, req: Request, params: Mapping[str, str]) -> Reply | Pending:
        """Everything before the transaction: authenticate, parse, decrypt PINs.

        Returns the final reply when the request is refused here, else the work to run
        with :meth:`run_batch`.
        """
        prepare = ACTIONS.get(action)
        if prepare is None:
            raise ValueError(f"unknown action {action}")
        started = time.perf_counter()
        auth_or_error = self._authn.authenticate(req)
        auth_ms = (time.perf_counter() - started) * 1000
        if isinstance(auth_or_error, Reply):
            return auth_or_error
        auth, terminal = auth_or_error
        try:
            work = prepare(self._context, auth, terminal, req, params)
        except BadInput as exc:
            refused = error(exc.code, str(exc))

            def work(tx: object, now: float, at: str, refused: Outcome = refused) -> Outcome:
                return refused

        request_hash = hashlib.sha256(f"{req.method}\n{req.path}\n".encode() + req.body).hexdigest()
        return Pending(action, auth, terminal, request_hash, work, req.method == "POST", auth_ms)

    def run_batch(self, items: Sequence[Pending]) -> list[Reply | Exception]:
        """Run admitted requests in one store transaction (group commit); one reply each."""
        return self._engine.run_batch(items)
