"""The ledger's request handling, independent of HTTP plumbing.

One authenticated request runs as one store transaction: claim the nonce, look up
the idempotency key, do the work (or decline it), store the response under the
key, append the audit line, commit. Slow or CPU-heavy steps (signature checks,
PIN decryption, scrypt) happen before the transaction so the write lock is held
for database statements only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from payments.ledger.audit import canonical_json
from payments.ledger.errors import ErrorCode, StoreConflict, StoreError
from payments.ledger.keys import LedgerKeys
from payments.ledger.pins import LockoutPolicy, hash_pin, verify_pin
from payments.ledger.records import (
    Cashier,
    Customer,
    FaceLink,
    StoredResponse,
    Terminal,
    Transfer,
    TransferKind,
    TransferStatus,
)
from payments.ledger.store import LedgerStore, LedgerTx
from payments.money import InvalidAmount, Money, MoneyError
from payments.pinblock import PIN_ALG, PinBlockError, decrypt_pin, pin_context, pin_public_key_text
from payments.signing import (
    BadSignature,
    Ed25519PublicKey,
    RequestAuth,
    public_key_from_text,
    public_key_text,
    read_auth_headers,
    verify_request,
)

__all__ = [
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
# Largest single transfer, minor units (1,000,000.00 in a two-decimal currency): above is absurd at a POS.
MAX_AMOUNT_MINOR = 100_000_000
# Requests whose timestamp is further than this from the ledger clock are stale (protocol: 300 s).
TIMESTAMP_WINDOW_S = 300
# A nonce must be remembered as long as a request carrying it could still be fresh.
NONCE_RETENTION_S = 2 * TIMESTAMP_WINDOW_S + 60
# How often (per process) expired nonces are deleted.
NONCE_PURGE_EVERY_S = 60.0
# How long a terminal row is cached per process: disabling a terminal takes effect within this.
TERMINAL_CACHE_S = 1.0
# A transaction that lost a race is run again this many times before answering 503.
TX_ATTEMPTS = 10
# Largest listing answer; a client narrows the date range when "truncated" is true.
MAX_LISTING = 5000

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def iso_time(ts: float) -> str:
    """ISO 8601 UTC with microseconds, e.g. ``2024-05-01T12:00:00.123456Z`` (sorts as text)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the ledger sees it.

    Attributes:
        method: upper-case HTTP method.
        path: path and query string exactly as sent (the signed form).
        headers: header names in lower case.
        body: raw body bytes.
        query: decoded query parameters.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP response before signing.

    Attributes:
        status: HTTP status code.
        body: exact body bytes.
        nonce: the request nonce the response signature covers ("" when none).
        replayed: True when this is a stored idempotent response.
        timings: milliseconds spent per phase (auth, db) for the Server-Timing header.
    """

    status: int
    body: bytes
    nonce: str = ""
    replayed: bool = False
    timings: Mapping[str, float] = field(default_factory=dict)


Work = Callable[[LedgerTx, float, str], "_Outcome"]


@dataclass(frozen=True, slots=True)
class Pending:
    """An authenticated request whose store work is ready to run (see :meth:`Ledger.admit`).

    Attributes:
        action: debit, refund, void, capture, get_transfer or list_transfers.
        auth: the verified authentication headers.
        terminal: the terminal that signed the request.
        request_hash: SHA-256 of method, path and body (the idempotency fingerprint).
        work: what to do inside the transaction.
        idempotent: True for POST (an Idempotency-Key is required and the response stored).
        auth_ms: milliseconds spent authenticating.
    """

    action: str
    auth: RequestAuth
    terminal: Terminal
    request_hash: str
    work: Work
    idempotent: bool
    auth_ms: float


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: int
    payload: Mapping[str, Any]
    audit: Mapping[str, Any]

    @property
    def code(self) -> str:
        err = self.payload.get("error")
        return str(err["code"]) if isinstance(err, dict) else str(self.payload.get("status", "ok"))


def _error(code: ErrorCode, message: str | None = None, **audit: Any) -> _Outcome:
    return _Outcome(code.status, {"error": {"code": code.value, "message": message or code.message}}, audit)


def _decline(code: ErrorCode, transfer: Transfer, **extra: Any) -> _Outcome:
    payload = {"error": {"code": code.value, "message": code.message}, "transfer_id": transfer.transfer_id,
               **extra}
    return _Outcome(code.status, payload, _audit_of(transfer))


def _transfer_id(body: _Body) -> str:
    """The client's transfer id, or a fresh one."""
    return body.text("transfer_id", required=False, pattern=_ID) or f"tr_{secrets.token_hex(12)}"


def _audit_of(t: Transfer) -> dict[str, Any]:
    return {"transfer_id": t.transfer_id, "kind": t.kind, "status": t.status, "amount": t.amount.to_json(),
            "customer_id": t.customer_id, "cashier_id": t.cashier_id,
            "original_transfer_id": t.original_transfer_id}


class _BadInput(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code




@dataclass(frozen=True)
class _Body:
    data: dict[str, Any]

    def text(self, name: str, *, required: bool = True, max_len: int = 128,
             pattern: re.Pattern[str] | None = None, default: str = "") -> str:
        if name not in self.data:
            if required:
                raise _BadInput(ErrorCode.MALFORMED, f"{name} is required")
            return default
        value = self.data[name]
        if not isinstance(value, str) or len(value) > max_len:
            raise _BadInput(ErrorCode.MALFORMED, f"{name} must be a string of at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise _BadInput(ErrorCode.MALFORMED, f"{name} must match {pattern.pattern}")
        return value

    def amount(self) -> Money:
        try:
            money = Money.from_json(self.data.get("amount"))
        except InvalidAmount as exc:
            raise _BadInput(ErrorCode.INVALID_AMOUNT, str(exc)) from None
        except MoneyError as exc:
            raise _BadInput(ErrorCode.UNKNOWN_CURRENCY, str(exc)) from None
        if not 1 <= money.minor <= MAX_AMOUNT_MINOR:
            raise _BadInput(ErrorCode.INVALID_AMOUNT, f"amount.minor must be from 1 to {MAX_AMOUNT_MINOR}")
        return money


def _parse_body(raw: bytes, allowed: set[str]) -> _Body:
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _BadInput(ErrorCode.MALFORMED, "the body is not valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise _BadInput(ErrorCode.MALFORMED, "the body must be a JSON object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _BadInput(ErrorCode.MALFORMED, f"unknown field(s): {', '.join(unknown)}")
    return _Body(data)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class Ledger:
    """Handles protocol requests against one store with the ledger's keys."""

    def __init__(self, store: LedgerStore, keys: LedgerKeys, *, clock: Callable[[], float] = time.time,
                 lockout: LockoutPolicy | None = None, terminal_cache_s: float = TERMINAL_CACHE_S) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock
        self.lockout = lockout or LockoutPolicy()
        self._terminal_cache_s = terminal_cache_s
        self._terminals: dict[str, tuple[float, Terminal | None, Ed25519PublicKey | None]] = {}
        self._last_purge = 0.0

    # --- entry points -------------------------------------------------------
    def public_info(self, req: Request, what: str) -> Reply:
        """Unauthenticated GET /v1/health and /v1/keys (still signed over any nonce given)."""
        nonce = req.headers.get("facepay-nonce", "")
        nonce = nonce if re.fullmatch(r"[0-9a-f]{32,128}", nonce) else ""
        if what == "keys":
            payload: dict[str, Any] = {
                "signing_key": public_key_text(self.keys.signing.public_key()),
                "pin_key": pin_public_key_text(self.keys.pin.public_key()), "pin_alg": PIN_ALG}
            return Reply(200, _json(payload), nonce)
        try:
            self.store.audit_head()
        except StoreError as exc:
            log.warning("health check: %s", exc)
            return Reply(503, _json(_error(ErrorCode.UNAVAILABLE).payload), nonce)
        return Reply(200, _json({"status": "ok", "time": iso_time(self.clock())}), nonce)

    def error_reply(self, req: Request, code: ErrorCode) -> Reply:
        """A signed error for requests that never reach a handler (404, 405, 413)."""
        nonce = req.headers.get("facepay-nonce", "")
        nonce = nonce if re.fullmatch(r"[0-9a-f]{32,128}", nonce) else ""
        return Reply(code.status, _json(_error(code).payload), nonce)

    def handle(self, action: str, req: Request, params: Mapping[str, str]) -> Reply:
        """Authenticate and run one of debit, refund, void, capture, get_transfer, list_transfers."""
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
        started = time.perf_counter()
        auth_or_error = self._authenticate(req)
        auth_ms = (time.perf_counter() - started) * 1000
        if isinstance(auth_or_error, Reply):
            return auth_or_error
        auth, terminal = auth_or_error
        work = self._prepare(action, auth, terminal, req, params)
        request_hash = hashlib.sha256(f"{req.method}\n{req.path}\n".encode() + req.body).hexdigest()
        return Pending(action, auth, terminal, request_hash, work, req.method == "POST", auth_ms)

    def run_batch(self, items: Sequence[Pending]) -> list[Reply | Exception]:
        """Run admitted requests in one store transaction (group commit); one reply each.

        Each request runs inside its own savepoint, so it takes effect entirely or not at
        all, exactly as if it had its own transaction; the commit makes all of them durable
        at once, and no reply leaves before it. A request that loses a race is rolled back
        to its savepoint and run again in the next transaction. A request whose work raised
        an unexpected exception gets that exception instead of a reply (the HTTP layer
        answers 500); the others are unaffected.
        """
        started = time.perf_counter()
        results: dict[int, tuple[int, bytes, bool] | Exception] = {}
        todo = list(range(len(items)))
        for attempt in range(TX_ATTEMPTS):
            if not todo:
                break
            try:
                done, todo = self._transaction_of(items, todo)
            except StoreConflict as exc:
                log.debug("transaction conflict (attempt %d): %s", attempt + 1, exc)
                time.sleep(0.001 * (attempt + 1) + secrets.randbelow(1000) / 1e6)
                continue
            except StoreError as exc:
                log.error("store failure during %s: %s", items[todo[0]].action, exc)
                break
            results.update(done)
            if todo:
                time.sleep(0.001 * (attempt + 1) + secrets.randbelow(1000) / 1e6)
        db_ms = (time.perf_counter() - started) * 1000
        replies: list[Reply | Exception] = []
        for n, item in enumerate(items):
            result = results.get(n)
            if isinstance(result, Exception):
                replies.append(result)
                continue
            if result is None:
                outcome = _error(ErrorCode.UNAVAILABLE)
                result = outcome.status, _json(outcome.payload), False
            status, body, replayed = result
            replies.append(Reply(status, body, item.auth.nonce, replayed,
                                 {"auth": item.auth_ms, "db": db_ms}))
        return replies

    def _transaction_of(self, items: Sequence[Pending], todo: list[int]
                        ) -> tuple[dict[int, tuple[int, bytes, bool] | Exception], list[int]]:
        """One transaction over ``todo``: (results of the committed ones, the ones to run again)."""
        done: dict[int, tuple[int, bytes, bool] | Exception] = {}
        again: list[int] = []
        with self.store.transaction() as tx:
            if len(todo) == 1:
                done[todo[0]] = self._run_once(tx, items[todo[0]])
                return done, again
            for n in todo:
                try:
                    with tx.savepoint():
                        done[n] = self._run_once(tx, items[n])
                except StoreConflict as exc:
                    log.debug("request lost a race inside a batch: %s", exc)
                    again.append(n)
                except StoreError:
                    raise
                except Exception as exc:
                    done[n] = exc  # the handler answers 500; the others still commit
        return done, again

    # --- authentication -----------------------------------------------------
    def _terminal(self, terminal_id: str) -> tuple[Terminal | None, Ed25519PublicKey | None]:
        now = time.monotonic()
        cached = self._terminals.get(terminal_id)
        if cached is not None and now - cached[0] < self._terminal_cache_s:
            return cached[1], cached[2]
        terminal = self.store.terminal(terminal_id)
        key = public_key_from_text(terminal.public_key) if terminal is not None else None
        if len(self._terminals) > 10_000:
            self._terminals.clear()
        self._terminals[terminal_id] = (now, terminal, key)
        return terminal, key

    def _authenticate(self, req: Request) -> tuple[RequestAuth, Terminal] | Reply:
        try:
            auth = read_auth_headers(req.headers)
        except BadSignature as exc:
            return self._refuse(req, ErrorCode.BAD_SIGNATURE, str(exc), "")
        terminal, key = self._terminal(auth.terminal_id)
        if terminal is None or key is None:
            return self._refuse(req, ErrorCode.UNKNOWN_TERMINAL, None, auth.nonce, auth.terminal_id)
        if not terminal.enabled:
            return self._refuse(req, ErrorCode.TERMINAL_DISABLED, None, auth.nonce, auth.terminal_id)
        try:
            verify_request(key, method=req.method, path=req.path, headers=req.headers, body=req.body)
        except BadSignature as exc:
            return self._refuse(req, ErrorCode.BAD_SIGNATURE, str(exc), auth.nonce, auth.terminal_id)
        if abs(self.clock() - auth.timestamp) > TIMESTAMP_WINDOW_S:
            return self._refuse(req, ErrorCode.STALE, None, auth.nonce, auth.terminal_id)
        return auth, terminal

    def _refuse(self, req: Request, code: ErrorCode, message: str | None, nonce: str,
                terminal_id: str = "") -> Reply:
        outcome = _error(code, message)
        detail = {"method": req.method, "path": req.path[:200], "terminal_id": terminal_id[:128]}
        try:
            with self.store.transaction() as tx:
                at = iso_time(self.clock())
                tx.append_audit(at, "unauthenticated", "request", f"{code.status} {code.value}",
                                canonical_json(detail))
        except StoreError as exc:
            log.warning("could not audit a refused request: %s", exc)
        return Reply(outcome.status, _json(outcome.payload), nonce)

    # --- the transaction ------------------------------------------------------
    def _run_once(self, tx: LedgerTx, item: Pending) -> tuple[int, bytes, bool]:
        action, auth, request_hash, idempotent = item.action, item.auth, item.request_hash, item.idempotent
        actor = f"terminal:{item.terminal.terminal_id}"
        now = self.clock()
        at = iso_time(now)
        if now - self._last_purge > NONCE_PURGE_EVERY_S:
            tx.purge_nonces(now - NONCE_RETENTION_S)
            self._last_purge = now
        base = {"nonce": auth.nonce, "idempotency_key": auth.idempotency_key}
        if not tx.claim_nonce(auth.terminal_id, auth.nonce, now):
            outcome = _error(ErrorCode.REPLAY)
            tx.append_audit(at, actor, action, f"{outcome.status} replay", canonical_json(base))
            return outcome.status, _json(outcome.payload), False
        if idempotent and not auth.idempotency_key:
            outcome = _error(ErrorCode.MISSING_IDEMPOTENCY_KEY)
            tx.append_audit(at, actor, action, f"{outcome.status} {outcome.code}", canonical_json(base))
            return outcome.status, _json(outcome.payload), False
        if idempotent:
            stored = tx.find_response(auth.terminal_id, auth.idempotency_key)
            if stored is not None:
                if stored.request_hash != request_hash:
                    outcome = _error(ErrorCode.IDEMPOTENCY_MISMATCH)
                    tx.append_audit(at, actor, action, f"{outcome.status} {outcome.code}",
                                    canonical_json(base))
                    return outcome.status, _json(outcome.payload), False
                tx.append_audit(at, actor, action, f"{stored.status} replayed", canonical_json(base))
                return stored.status, stored.body, True
        outcome = item.work(tx, now, at)
        body = _json(outcome.payload)
        if idempotent and outcome.status < 500:
            tx.save_response(auth.terminal_id, auth.idempotency_key,
                             StoredResponse(request_hash, outcome.status, body), at)
        tx.append_audit(at, actor, action, f"{outcome.status} {outcome.code}",
                        canonical_json({**base, **outcome.audit}))
        return outcome.status, body, False

    # --- preparing work (outside the transaction) -----------------------------
    def _prepare(self, action: str, auth: RequestAuth, terminal: Terminal, req: Request,
                 params: Mapping[str, str]) -> Work:
        try:
            if action == "debit":
                return self._prepare_debit(auth, terminal, req.body)
            if action == "refund":
                return self._prepare_refund(auth, terminal, req.body)
            if action == "void":
                return self._prepare_void(auth, terminal, req.body)
            if action == "capture":
                return self._prepare_capture(terminal, req.body)
            if action == "verify_cashier":
                return self._prepare_verify_cashier(auth, terminal, req.body)
            if action == "enrol":
                return self._prepare_enrol(auth, terminal, req.body)
            if action == "erase_enrolment":
                return self._prepare_erase(auth, terminal, params.get("customer_id", ""), req.body)
            if action == "get_transfer":
                return self._prepare_get(terminal, params.get("transfer_id", ""))
            if action == "list_transfers":
                return self._prepare_list(terminal, req.query)
        except _BadInput as exc:
            outcome = _error(exc.code, str(exc))
            return lambda tx, now, at: outcome
        raise ValueError(f"unknown action {action}")

    def _pin_ok(self, block: object, auth: RequestAuth, subject_id: str, stored_hash: str | None) -> bool:
        context = pin_context(auth.terminal_id, auth.idempotency_key, subject_id)
        try:
            pin = decrypt_pin(self.keys.pin, block, context=context)
        except PinBlockError as exc:
            raise _BadInput(ErrorCode.BAD_PIN_BLOCK, str(exc)) from None
        return verify_pin(pin, stored_hash)

    def _pin_verdict(self, tx: LedgerTx, table: str, row: Customer | Cashier, pin_ok: bool,
                     now: float) -> ErrorCode | None:
        row_id = row.customer_id if isinstance(row, Customer) else row.cashier_id
        if row.locked_until > now:
            return ErrorCode.PIN_LOCKED
        if pin_ok:
            if row.pin_failures or row.locked_until:
                tx.set_pin_state(table, row_id, 0, 0.0)
            return None
        failures = row.pin_failures + 1
        if failures >= self.lockout.max_failures:
            tx.set_pin_state(table, row_id, 0, now + self.lockout.lock_seconds)
            log.warning("PIN entry locked for %s %s", table[:-1], row_id)
            return ErrorCode.PIN_LOCKED
        tx.set_pin_state(table, row_id, failures, 0.0)
        return ErrorCode.WRONG_PIN

    def _new_transfer(self, body: _Body, **fields: Any) -> Transfer:
        transfer_id = _transfer_id(body)
        return Transfer(transfer_id=transfer_id, evidence="{}", decline_code=None, **fields)

    def _prepare_debit(self, auth: RequestAuth, terminal: Terminal, raw: bytes) -> Work:
        body = _parse_body(raw, {"customer_id", "amount", "merchant_ref", "evidence", "pin", "hold",
                                 "transfer_id"})
        customer_id = body.text("customer_id", pattern=_ID)
        amount = body.amount()
        merchant_ref = body.text("merchant_ref")
        evidence = body.data.get("evidence", {})
        if not isinstance(evidence, dict):
            raise _BadInput(ErrorCode.MALFORMED, "evidence must be an object")
        hold = body.data.get("hold", False)
        if not isinstance(hold, bool):
            raise _BadInput(ErrorCode.MALFORMED, "hold must be true or false")
        draft = self._new_transfer(body, kind=TransferKind.DEBIT, status=TransferStatus.POSTED, amount=amount,
                                   debit_account="", credit_account="", customer_id=customer_id,
                                   merchant_id=terminal.merchant_id, terminal_id=terminal.terminal_id,
                                   cashier_id=None, merchant_ref=merchant_ref,
                                   idempotency_key=auth.idempotency_key, original_transfer_id=None,
                                   created_at="")
        draft = replace(draft, evidence=canonical_json(evidence))
        pin_ok: bool | None = None
        if body.data.get("pin") is not None:
            customer = self.store.customer(customer_id)
            pin_ok = self._pin_ok(body.data["pin"], auth, customer_id,
                                  customer.pin_hash if customer else None)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            customer = tx.customer(customer_id, lock=True)
            merchant = tx.merchant(terminal.merchant_id)
            if customer is None or merchant is None:
                return _error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
            if tx.transfer(draft.transfer_id, lock=False) is not None:
                return _error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=draft.transfer_id)
            credit = merchant.holds_account_id if hold else merchant.account_id
            accounts = tx.lock_accounts([customer.account_id, credit])
            account = accounts[customer.account_id]
            t = replace(draft, debit_account=customer.account_id, credit_account=credit, created_at=at)
            code: ErrorCode | None = None
            if not customer.enabled:
                code = ErrorCode.CUSTOMER_DISABLED
            elif account.currency != amount.currency:
                code = ErrorCode.CURRENCY_MISMATCH
            elif pin_ok is not None:
                code = self._pin_verdict(tx, "customers", customer, pin_ok, now)
            if code is None and account.min_balance is not None and \
                    account.balance - amount.minor < account.min_balance:
                code = ErrorCode.INSUFFICIENT_FUNDS
            if code is not None:
                declined = replace(t, status=TransferStatus.DECLINED, decline_code=code.value)
                tx.insert_transfer(declined)
                if code is ErrorCode.WRONG_PIN:  # the shopper sees how many tries are left
                    left = self.lockout.max_failures - (customer.pin_failures + 1)
                    return _decline(code, declined, attempts_left=max(left, 0))
                return _decline(code, declined)
            if hold:
                t = replace(t, status=TransferStatus.PENDING)
            tx.move(customer.account_id, credit, amount.minor)
            tx.insert_transfer(t)
            return _Outcome(201, t.to_json(), _audit_of(t))

        return work

    def _cashier_check(self, body: _Body, auth: RequestAuth) -> tuple[str, bool]:
        cashier_id = body.text("cashier_id", pattern=_ID)
        if body.data.get("cashier_pin") is None:
            raise _BadInput(ErrorCode.MALFORMED, "cashier_pin (a PIN object) is required")
        cashier = self.store.cashier(cashier_id)
        return cashier_id, self._pin_ok(body.data["cashier_pin"], auth, cashier_id,
                                        cashier.pin_hash if cashier else None)

    def _authorise_cashier(self, tx: LedgerTx, terminal: Terminal, cashier_id: str, pin_ok: bool,
                           now: float) -> _Outcome | None:
        cashier = tx.cashier(cashier_id, lock=True)
        if cashier is None or cashier.merchant_id != terminal.merchant_id or not cashier.enabled:
            return _error(ErrorCode.UNKNOWN_CASHIER, cashier_id=cashier_id)
        code = self._pin_verdict(tx, "cashiers", cashier, pin_ok, now)
        return None if code is None else _error(code, cashier_id=cashier_id)

    def _original(self, tx: LedgerTx, terminal: Terminal, transfer_id: str) -> Transfer | None:
        t = tx.transfer(transfer_id, lock=True)
        if t is None or t.merchant_id != terminal.merchant_id or t.kind != TransferKind.DEBIT:
            return None
        return t

    def _reversal_target(self, tx: LedgerTx, terminal: Terminal, cashier_id: str, pin_ok: bool, now: float,
                         original_id: str, new_id: str) -> Transfer | _Outcome:
        """The checks a refund and a void share: the cashier, the original, a fresh id."""
        refused = self._authorise_cashier(tx, terminal, cashier_id, pin_ok, now)
        if refused is not None:
            return refused
        original = self._original(tx, terminal, original_id)
        if original is None:
            return _error(ErrorCode.UNKNOWN_TRANSFER, original_transfer_id=original_id)
        if tx.transfer(new_id, lock=False) is not None:
            return _error(ErrorCode.DUPLICATE_TRANSFER_ID, transfer_id=new_id)
        return original

    def _prepare_refund(self, auth: RequestAuth, terminal: Terminal, raw: bytes) -> Work:
        body = _parse_body(raw, {"original_transfer_id", "amount", "cashier_id", "cashier_pin", "reason",
                                 "merchant_ref", "transfer_id"})
        original_id = body.text("original_transfer_id", pattern=_ID)
        amount = body.amount()
        reason = body.text("reason", required=False, max_len=256)
        merchant_ref = body.text("merchant_ref", required=False)
        cashier_id, pin_ok = self._cashier_check(body, auth)
        new_id = _transfer_id(body)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            original = self._reversal_target(tx, terminal, cashier_id, pin_ok, now, original_id, new_id)
            if isinstance(original, _Outcome):
                return original
            if original.status != TransferStatus.POSTED:
                return _error(ErrorCode.NOT_REFUNDABLE, original_transfer_id=original_id)
            if original.amount.currency != amount.currency:
                return _error(ErrorCode.CURRENCY_MISMATCH, original_transfer_id=original_id)
            refunded = tx.refunded_total(original_id)
            if refunded + amount.minor > original.amount.minor:
                left = original.amount.minor - refunded
                return _error(ErrorCode.OVER_REFUND, f"only {left} minor units are left to refund",
                              original_transfer_id=original_id, requested=amount.minor, refunded=refunded)
            return _post_reversal(tx, TransferKind.REFUND, original, amount, new_id, terminal, cashier_id,
                                  merchant_ref or original.merchant_ref, auth, reason, at)

        return work

    def _prepare_void(self, auth: RequestAuth, terminal: Terminal, raw: bytes) -> Work:
        body = _parse_body(raw, {"original_transfer_id", "cashier_id", "cashier_pin", "reason",
                                 "transfer_id"})
        original_id = body.text("original_transfer_id", pattern=_ID)
        reason = body.text("reason", required=False, max_len=256)
        cashier_id, pin_ok = self._cashier_check(body, auth)
        new_id = _transfer_id(body)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            original = self._reversal_target(tx, terminal, cashier_id, pin_ok, now, original_id, new_id)
            if isinstance(original, _Outcome):
                return original
            voidable = original.status == TransferStatus.PENDING or (
                original.status == TransferStatus.POSTED and tx.refunded_total(original_id) == 0)
            if not voidable or not tx.set_status(original_id, original.status, TransferStatus.VOIDED):
                return _error(ErrorCode.NOT_VOIDABLE, original_transfer_id=original_id,
                              status=original.status)
            return _post_reversal(tx, TransferKind.VOID, original, original.amount, new_id, terminal,
                                  cashier_id, original.merchant_ref, auth, reason, at)

        return work

    def _prepare_verify_cashier(self, auth: RequestAuth, terminal: Terminal, raw: bytes) -> Work:
        """A cashier signing in at a terminal: the PIN is checked (and counted towards the
        lockout) exactly as for a refund; nothing moves."""
        body = _parse_body(raw, {"cashier_id", "cashier_pin"})
        cashier_id, pin_ok = self._cashier_check(body, auth)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            refused = self._authorise_cashier(tx, terminal, cashier_id, pin_ok, now)
            if refused is not None:
                return refused
            return _Outcome(200, {"cashier_id": cashier_id, "verified": True},
                            {"cashier_id": cashier_id})

        return work

    def _prepare_enrol(self, auth: RequestAuth, terminal: Terminal, raw: bytes) -> Work:
        """A shopper enrolled at a terminal: link the face enrolment to the account and set the
        shopper's PIN (sent as a PIN block, kept only as a scrypt hash), authorised by a cashier."""
        body = _parse_body(raw, {"customer_id", "pin", "cashier_id", "cashier_pin", "consent_version"})
        customer_id = body.text("customer_id", pattern=_ID)
        consent_version = body.text("consent_version", max_len=64)
        if not consent_version.strip():
            raise _BadInput(ErrorCode.MALFORMED, "consent_version is required: no enrolment without consent")
        if body.data.get("pin") is None:
            raise _BadInput(ErrorCode.MALFORMED, "pin (a PIN object) is required")
        cashier_id, cashier_ok = self._cashier_check(body, auth)
        try:
            pin = decrypt_pin(self.keys.pin, body.data["pin"],
                              context=pin_context(auth.terminal_id, auth.idempotency_key, customer_id))
        except PinBlockError as exc:
            raise _BadInput(ErrorCode.BAD_PIN_BLOCK, str(exc)) from None
        pin_hash = hash_pin(pin)  # slow: before the transaction

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            refused = self._authorise_cashier(tx, terminal, cashier_id, cashier_ok, now)
            if refused is not None:
                return refused
            customer = tx.customer(customer_id, lock=True)
            if customer is None:
                return _error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
            if not customer.enabled:
                return _error(ErrorCode.CUSTOMER_DISABLED, customer_id=customer_id)
            relinked = tx.face_link(customer_id) is not None
            link = FaceLink(customer_id, terminal.merchant_id, terminal.terminal_id, cashier_id,
                            consent_version, at)
            tx.link_face(link, pin_hash)
            payload = {"customer_id": customer_id, "linked": True, "relinked": relinked, "linked_at": at,
                       "terminal_id": terminal.terminal_id, "cashier_id": cashier_id,
                       "consent_version": consent_version}
            return _Outcome(201, payload, {"customer_id": customer_id, "cashier_id": cashier_id,
                                           "consent_version": consent_version, "relinked": relinked})

        return work

    def _prepare_erase(self, auth: RequestAuth, terminal: Terminal, customer_id: str, raw: bytes) -> Work:
        """Erase a shopper's face link: the link, the PIN hash and the name go (the name becomes a
        pseudonym); the account and every transfer stay. A cashier, when named, must give their PIN;
        without one the erasure is the terminal's own (signed) request. Recorded by an audit line
        whose hash is returned as the receipt."""
        if not _ID.fullmatch(customer_id):
            raise _BadInput(ErrorCode.MALFORMED, "the path must name a customer id")
        body = _parse_body(raw or b"{}", {"cashier_id", "cashier_pin", "reason"})
        reason = body.text("reason", required=False, max_len=256)
        cashier: tuple[str, bool] | None = None
        if "cashier_id" in body.data or "cashier_pin" in body.data:
            cashier = self._cashier_check(body, auth)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            if cashier is not None:
                refused = self._authorise_cashier(tx, terminal, cashier[0], cashier[1], now)
                if refused is not None:
                    return refused
            customer = tx.customer(customer_id, lock=True)
            if customer is None:
                return _error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
            pseudonym = "erased-" + hashlib.sha256(f"{customer_id}\n{at}".encode()).hexdigest()[:12]
            was_linked = tx.unlink_face(customer_id, pseudonym)
            detail = {"customer_id": customer_id, "was_linked": was_linked, "reason": reason,
                      "cashier_id": cashier[0] if cashier else None, "terminal_id": terminal.terminal_id}
            entry = tx.append_audit(at, f"terminal:{terminal.terminal_id}", "erase-face-link", "ok",
                                    canonical_json(detail))
            payload = {"customer_id": customer_id, "erased": True, "was_linked": was_linked, "erased_at": at,
                       "audit_seq": entry.seq, "audit_hash": entry.hash}
            return _Outcome(200, payload, {"customer_id": customer_id, "was_linked": was_linked,
                                           "audit_seq": entry.seq})

        return work

    def _prepare_capture(self, terminal: Terminal, raw: bytes) -> Work:
        body = _parse_body(raw, {"transfer_id"})
        transfer_id = body.text("transfer_id", pattern=_ID)

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            original = self._original(tx, terminal, transfer_id)
            if original is None:
                return _error(ErrorCode.UNKNOWN_TRANSFER, transfer_id=transfer_id)
            merchant = tx.merchant(original.merchant_id or "")
            posted_now = merchant is not None and tx.set_status(transfer_id, TransferStatus.PENDING,
                                                                TransferStatus.POSTED)
            if merchant is None or not posted_now:
                return _error(ErrorCode.NOT_CAPTURABLE, transfer_id=transfer_id, status=original.status)
            tx.lock_accounts([original.credit_account, merchant.account_id])
            tx.move(original.credit_account, merchant.account_id, original.amount.minor)
            posted = replace(original, status=TransferStatus.POSTED)
            return _Outcome(200, posted.to_json(), _audit_of(posted))

        return work

    def _prepare_get(self, terminal: Terminal, transfer_id: str) -> Work:
        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            t = tx.transfer(transfer_id, lock=False) if _ID.fullmatch(transfer_id) else None
            if t is None or t.merchant_id != terminal.merchant_id:
                return _error(ErrorCode.UNKNOWN_TRANSFER, transfer_id=transfer_id[:64])
            return _Outcome(200, t.to_json(), {"transfer_id": transfer_id})

        return work

    def _prepare_list(self, terminal: Terminal, query: Mapping[str, str]) -> Work:
        wanted = query.get("terminal", terminal.terminal_id)
        start, end = _time_param(query, "from", None), _time_param(query, "to", None)
        now = self.clock()
        start_s = start or iso_time(datetime.fromtimestamp(now, UTC).replace(
            hour=0, minute=0, second=0, microsecond=0).timestamp())
        end_s = end or iso_time(now + 1)
        try:
            limit = min(int(query.get("limit", str(MAX_LISTING))), MAX_LISTING)
        except ValueError:
            raise _BadInput(ErrorCode.MALFORMED, "limit must be a whole number") from None
        if limit < 1:
            raise _BadInput(ErrorCode.MALFORMED, "limit must be positive")
        other = self.store.terminal(wanted) if wanted != terminal.terminal_id else terminal
        same_merchant = other is not None and other.merchant_id == terminal.merchant_id
        rows = self.store.list_transfers(wanted, start_s, end_s, limit + 1) if same_merchant else []

        def work(tx: LedgerTx, now: float, at: str) -> _Outcome:
            payload = {"terminal_id": wanted, "from": start_s, "to": end_s,
                       "transfers": [t.to_json() for t in rows[:limit]], "truncated": len(rows) > limit}
            return _Outcome(200, payload, {"listed": min(len(rows), limit), "terminal": wanted})

        return work


def _time_param(query: Mapping[str, str], name: str, default: str | None) -> str | None:
    text = query.get(name)
    if text is None:
        return default
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _BadInput(ErrorCode.MALFORMED, f"{name} must be an ISO 8601 time such as "
                                             "2024-05-01T00:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _post_reversal(tx: LedgerTx, kind: str, original: Transfer, amount: Money, new_id: str,
                   terminal: Terminal, cashier_id: str, merchant_ref: str, auth: RequestAuth, reason: str,
                   at: str) -> _Outcome:
    """Post a refund or void: a new transfer moving ``amount`` back along the original's accounts."""
    tx.lock_accounts([original.credit_account, original.debit_account])
    t = Transfer(transfer_id=new_id, kind=kind, status=TransferStatus.POSTED, amount=amount,
                 debit_account=original.credit_account, credit_account=original.debit_account,
                 customer_id=original.customer_id, merchant_id=original.merchant_id,
                 terminal_id=terminal.terminal_id, cashier_id=cashier_id, merchant_ref=merchant_ref,
                 idempotency_key=auth.idempotency_key, original_transfer_id=original.transfer_id,
                 decline_code=None, evidence=canonical_json({"reason": reason}), created_at=at)
    tx.move(t.debit_account, t.credit_account, amount.minor)
    tx.insert_transfer(t)
    return _Outcome(201, t.to_json(), _audit_of(t))
