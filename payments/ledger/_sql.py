"""SQLite and PostgreSQL stores: one schema, one set of statements, two dialects.

Statements are written with ``?`` placeholders; the PostgreSQL store turns them
into ``%s``. Dialect differences are confined to :class:`SqliteStore` and
:class:`PostgresStore`: connecting, beginning a write transaction, row locks,
column types and error translation.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from payments._private_file import create_private
from payments.ledger.audit import GENESIS_HASH, chain_hash
from payments.ledger.errors import StoreConfigError, StoreConflict, StoreError
from payments.ledger.records import (
    Account,
    AuditEntry,
    Cashier,
    Customer,
    EnrolmentCode,
    FaceLink,
    Merchant,
    PinBudget,
    StoredResponse,
    Terminal,
    Transfer,
)
from payments.money import Money

__all__ = ["PostgresStore", "SqliteStore"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, currency TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0, min_balance BIGINT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(id),
    holds_account_id TEXT NOT NULL REFERENCES accounts(id), created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(id),
    pin_hash TEXT, pin_failures INTEGER NOT NULL DEFAULT 0, locked_until {REAL} NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cashiers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, merchant_id TEXT NOT NULL REFERENCES merchants(id),
    pin_hash TEXT NOT NULL, pin_failures INTEGER NOT NULL DEFAULT 0, locked_until {REAL} NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants(id), public_key TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfers (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL, debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,
    customer_id TEXT, merchant_id TEXT, terminal_id TEXT, cashier_id TEXT, merchant_ref TEXT NOT NULL,
    idempotency_key TEXT, original_id TEXT, decline_code TEXT, evidence TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transfers_terminal_time ON transfers (terminal_id, created_at);
CREATE INDEX IF NOT EXISTS transfers_original ON transfers (original_id);
CREATE INDEX IF NOT EXISTS transfers_idem ON transfers (idempotency_key);
CREATE TABLE IF NOT EXISTS idempotency (
    terminal_id TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
    status INTEGER NOT NULL, body {BLOB} NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (terminal_id, idem_key));
CREATE TABLE IF NOT EXISTS nonces (
    terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at {REAL} NOT NULL,
    PRIMARY KEY (terminal_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_seen ON nonces (seen_at);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS face_links (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id), merchant_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL, cashier_id TEXT NOT NULL, consent_version TEXT NOT NULL,
    linked_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id), code_hash TEXT NOT NULL, merchant_id TEXT,
    expires_at {REAL} NOT NULL, failures INTEGER NOT NULL DEFAULT 0, used INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pin_budgets (
    scope TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start {REAL} NOT NULL);
CREATE TABLE IF NOT EXISTS merchant_limits (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id), face_only_limit BIGINT NOT NULL);
"""

_TRANSFER_COLS = (
    "id, kind, status, amount_minor, currency, debit_account, credit_account, customer_id, "
    "merchant_id, terminal_id, cashier_id, merchant_ref, idempotency_key, original_id, "
    "decline_code, evidence, created_at"
)
_PIN_TABLES = {"customers", "cashiers"}
_ENABLE_TABLES = {"customers", "cashiers", "terminals"}


def _transfer(row: Sequence[Any]) -> Transfer:
    return Transfer(
        transfer_id=row[0],
        kind=row[1],
        status=row[2],
        amount=Money(int(row[3]), row[4]),
        debit_account=row[5],
        credit_account=row[6],
        customer_id=row[7],
        merchant_id=row[8],
        terminal_id=row[9],
        cashier_id=row[10],
        merchant_ref=row[11],
        idempotency_key=row[12],
        original_transfer_id=row[13],
        decline_code=row[14],
        evidence=row[15],
        created_at=row[16],
    )


def _customer(row: Sequence[Any]) -> Customer:
    return Customer(row[0], row[1], row[2], row[3], int(row[4]), float(row[5]), bool(row[6]))


def _cashier(row: Sequence[Any]) -> Cashier:
    return Cashier(row[0], row[1], row[2], row[3], int(row[4]), float(row[5]), bool(row[6]))


def _account(row: Sequence[Any]) -> Account:
    return Account(row[0], row[1], int(row[2]), row[3], None if row[4] is None else int(row[4]))


def _audit(row: Sequence[Any]) -> AuditEntry:
    return AuditEntry(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7])


class _Tx:
    """Statements of one open transaction (see LedgerTx)."""

    def __init__(self, store: _SqlStore, conn: Any) -> None:
        self._store = store
        self._conn = conn

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._store.execute(self._conn, sql, params)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._run(sql, params).fetchone()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._run("SAVEPOINT item")
        try:
            yield
        except BaseException:
            self._run("ROLLBACK TO SAVEPOINT item")
            self._run("RELEASE SAVEPOINT item")
            raise
        self._run("RELEASE SAVEPOINT item")

    def claim_nonce(self, terminal_id: str, nonce: str, now: float) -> bool:
        # RETURNING rather than rowcount: in PostgreSQL pipeline mode rowcount is not known yet.
        rows = self._run(
            "INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (terminal_id, nonce, now),
        ).fetchall()
        return len(rows) == 1

    def purge_nonces(self, before: float) -> int:
        return len(self._run("DELETE FROM nonces WHERE seen_at < ? RETURNING 1", (before,)).fetchall())

    def find_response(self, terminal_id: str, key: str) -> StoredResponse | None:
        row = self._one(
            "SELECT request_hash, status, body FROM idempotency WHERE terminal_id = ? AND idem_key = ?",
            (terminal_id, key),
        )
        return None if row is None else StoredResponse(row[0], int(row[1]), bytes(row[2]))

    def save_response(self, terminal_id: str, key: str, response: StoredResponse, at: str) -> None:
        self._run(
            "INSERT INTO idempotency (terminal_id, idem_key, request_hash, status, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (terminal_id, key, response.request_hash, response.status, response.body, at),
        )

    def customer(self, customer_id: str, *, lock: bool) -> Customer | None:
        row = self._one(
            "SELECT id, name, account_id, pin_hash, pin_failures, locked_until, enabled "
            "FROM customers WHERE id = ?" + self._store.lock_clause(lock),
            (customer_id,),
        )
        return None if row is None else _customer(row)

    def cashier(self, cashier_id: str, *, lock: bool) -> Cashier | None:
        row = self._one(
            "SELECT id, name, merchant_id, pin_hash, pin_failures, locked_until, enabled "
            "FROM cashiers WHERE id = ?" + self._store.lock_clause(lock),
            (cashier_id,),
        )
        return None if row is None else _cashier(row)

    def terminal(self, terminal_id: str) -> Terminal | None:
        row = self._one(
            "SELECT id, merchant_id, public_key, enabled FROM terminals WHERE id = ?", (terminal_id,)
        )
        return None if row is None else Terminal(row[0], row[1], row[2], bool(row[3]))

    def merchant(self, merchant_id: str) -> Merchant | None:
        # Merchant rows are never updated or deleted, so a row once read stays true.
        cached = self._store.merchants.get(merchant_id)
        if cached is not None:
            return cached
        row = self._one(
            "SELECT id, name, account_id, holds_account_id FROM merchants WHERE id = ?", (merchant_id,)
        )
        if row is None:
            return None
        merchant = Merchant(row[0], row[1], row[2], row[3])
        self._store.merchants[merchant_id] = merchant
        return merchant

    def set_pin_state(self, table: str, row_id: str, failures: int, locked_until: float) -> None:
        if table not in _PIN_TABLES:
            raise ValueError(f"no PIN state in {table}")
        self._run(
            f"UPDATE {table} SET pin_failures = ?, locked_until = ? WHERE id = ?",
            (failures, locked_until, row_id),
        )

    def lock_accounts(self, account_ids: list[str]) -> dict[str, Account]:
        # One statement; PostgreSQL locks the rows in ORDER BY order, so workers never deadlock.
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        rows = self._run(
            "SELECT id, kind, balance, currency, min_balance FROM accounts WHERE id IN ("
            + ", ".join("?" * len(ids))
            + ") ORDER BY id"
            + self._store.lock_clause(True),
            ids,
        ).fetchall()
        return {row[0]: _account(row) for row in rows}

    def move(self, debit_account: str, credit_account: str, minor: int) -> None:
        if debit_account == credit_account:
            return
        self._run(
            "UPDATE accounts SET balance = balance + CASE WHEN id = ? THEN ? ELSE ? END WHERE id IN (?, ?)",
            (debit_account, -minor, minor, debit_account, credit_account),
        )

    def insert_transfer(self, t: Transfer) -> None:
        self._run(
            f"INSERT INTO transfers ({_TRANSFER_COLS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                t.transfer_id,
                t.kind,
                t.status,
                t.amount.minor,
                t.amount.currency,
                t.debit_account,
                t.credit_account,
                t.customer_id,
                t.merchant_id,
                t.terminal_id,
                t.cashier_id,
                t.merchant_ref,
                t.idempotency_key,
                t.original_transfer_id,
                t.decline_code,
                t.evidence,
                t.created_at,
            ),
        )

    def transfer(self, transfer_id: str, *, lock: bool) -> Transfer | None:
        row = self._one(
            f"SELECT {_TRANSFER_COLS} FROM transfers WHERE id = ?" + self._store.lock_clause(lock),
            (transfer_id,),
        )
        return None if row is None else _transfer(row)

    def set_status(self, transfer_id: str, old: str, new: str) -> bool:
        rows = self._run(
            "UPDATE transfers SET status = ? WHERE id = ? AND status = ? RETURNING 1", (new, transfer_id, old)
        ).fetchall()
        return len(rows) == 1

    def refunded_total(self, original_transfer_id: str) -> int:
        row = self._one(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM transfers WHERE original_id = ? "
            "AND kind = 'refund' AND status = 'posted'",
            (original_transfer_id,),
        )
        return int(row[0])

    def append_audit(self, at: str, actor: str, action: str, outcome: str, detail: str) -> AuditEntry:
        head = self._one("SELECT seq, hash FROM audit_head WHERE id = 1" + self._store.lock_clause(True))
        if head is None:
            raise StoreConfigError("audit head row missing: run `facepay ledger init` on this database")
        seq, prev = int(head[0]) + 1, head[1]
        entry = AuditEntry(
            seq,
            at,
            actor,
            action,
            outcome,
            detail,
            prev,
            chain_hash(seq, at, actor, action, outcome, detail, prev),
        )
        self._run(
            "INSERT INTO audit (seq, at, actor, action, outcome, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, actor, action, outcome, detail, prev, entry.hash),
        )
        self._run("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, entry.hash))
        return entry

    def add_account(self, a: Account, at: str) -> None:
        self._run(
            "INSERT INTO accounts (id, kind, currency, balance, min_balance, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (a.account_id, a.kind, a.currency, a.balance, a.min_balance, at),
        )

    def add_merchant(self, m: Merchant, at: str) -> None:
        self._run(
            "INSERT INTO merchants (id, name, account_id, holds_account_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (m.merchant_id, m.name, m.account_id, m.holds_account_id, at),
        )

    def add_customer(self, c: Customer, at: str) -> None:
        self._run(
            "INSERT INTO customers (id, name, account_id, pin_hash, pin_failures, locked_until, "
            "enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.customer_id,
                c.name,
                c.account_id,
                c.pin_hash,
                c.pin_failures,
                c.locked_until,
                int(c.enabled),
                at,
            ),
        )

    def add_cashier(self, c: Cashier, at: str) -> None:
        self._run(
            "INSERT INTO cashiers (id, name, merchant_id, pin_hash, pin_failures, locked_until, "
            "enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.cashier_id,
                c.name,
                c.merchant_id,
                c.pin_hash,
                c.pin_failures,
                c.locked_until,
                int(c.enabled),
                at,
            ),
        )

    def add_terminal(self, t: Terminal, at: str) -> None:
        self._run(
            "INSERT INTO terminals (id, merchant_id, public_key, enabled, created_at) VALUES (?, ?, ?, ?, ?)",
            (t.terminal_id, t.merchant_id, t.public_key, int(t.enabled), at),
        )

    def set_enabled(self, table: str, row_id: str, enabled: bool) -> bool:
        if table not in _ENABLE_TABLES:
            raise ValueError(f"no enabled flag in {table}")
        return (
            len(
                self._run(
                    f"UPDATE {table} SET enabled = ? WHERE id = ? RETURNING 1", (int(enabled), row_id)
                ).fetchall()
            )
            == 1
        )

    # --- face links (enrolment at a terminal) ---------------------------------

    def face_link(self, customer_id: str) -> FaceLink | None:
        row = self._one(
            "SELECT customer_id, merchant_id, terminal_id, cashier_id, consent_version, "
            "linked_at FROM face_links WHERE customer_id = ?",
            (customer_id,),
        )
        return None if row is None else FaceLink(row[0], row[1], row[2], row[3], row[4], row[5])

    def link_face(self, link: FaceLink, pin_hash: str | None) -> None:
        self._run("DELETE FROM face_links WHERE customer_id = ?", (link.customer_id,))
        self._run(
            "INSERT INTO face_links (customer_id, merchant_id, terminal_id, cashier_id, "
            "consent_version, linked_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                link.customer_id,
                link.merchant_id,
                link.terminal_id,
                link.cashier_id,
                link.consent_version,
                link.linked_at,
            ),
        )
        if pin_hash is not None:
            self._run(
                "UPDATE customers SET pin_hash = ?, pin_failures = 0, locked_until = 0 WHERE id = ?",
                (pin_hash, link.customer_id),
            )

    def unlink_face(self, customer_id: str) -> bool:
        rows = self._run(
            "DELETE FROM face_links WHERE customer_id = ? RETURNING 1", (customer_id,)
        ).fetchall()
        return len(rows) == 1

    # --- enrolment codes, PIN budgets, merchant limits ----------------------------

    def enrolment_code(self, customer_id: str) -> EnrolmentCode | None:
        row = self._one(
            "SELECT customer_id, code_hash, merchant_id, expires_at, failures, used "
            "FROM enrolment_codes WHERE customer_id = ?" + self._store.lock_clause(True),
            (customer_id,),
        )
        return (
            None
            if row is None
            else EnrolmentCode(row[0], row[1], row[2], float(row[3]), int(row[4]), bool(row[5]))
        )

    def put_enrolment_code(self, code: EnrolmentCode, at: str) -> None:
        self._run("DELETE FROM enrolment_codes WHERE customer_id = ?", (code.customer_id,))
        self._run(
            "INSERT INTO enrolment_codes (customer_id, code_hash, merchant_id, expires_at, failures, "
            "used, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                code.customer_id,
                code.code_hash,
                code.merchant_id,
                code.expires_at,
                code.failures,
                int(code.used),
                at,
            ),
        )

    def update_enrolment_code(self, customer_id: str, *, failures: int, used: bool) -> None:
        self._run(
            "UPDATE enrolment_codes SET failures = ?, used = ? WHERE customer_id = ?",
            (failures, int(used), customer_id),
        )

    def pin_budget(self, scope: str) -> PinBudget | None:
        row = self._one(
            "SELECT scope, failures, window_start FROM pin_budgets WHERE scope = ?"
            + self._store.lock_clause(True),
            (scope,),
        )
        return None if row is None else PinBudget(row[0], int(row[1]), float(row[2]))

    def set_pin_budget(self, budget: PinBudget) -> None:
        self._run(
            "INSERT INTO pin_budgets (scope, failures, window_start) VALUES (?, ?, ?) "
            "ON CONFLICT (scope) DO UPDATE SET failures = excluded.failures, "
            "window_start = excluded.window_start",
            (budget.scope, budget.failures, budget.window_start),
        )

    def face_only_limit(self, merchant_id: str) -> int | None:
        row = self._one("SELECT face_only_limit FROM merchant_limits WHERE merchant_id = ?", (merchant_id,))
        return None if row is None else int(row[0])

    def set_face_only_limit(self, merchant_id: str, minor: int) -> None:
        self._run(
            "INSERT INTO merchant_limits (merchant_id, face_only_limit) VALUES (?, ?) "
            "ON CONFLICT (merchant_id) DO UPDATE SET face_only_limit = excluded.face_only_limit",
            (merchant_id, minor),
        )


class _SqlStore:
    """Shared statements; subclasses supply the dialect."""

    url: str
    blob_type = "BLOB"
    real_type = "REAL"
    max_batch = 1

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._connection: Any = None
        self.merchants: dict[str, Merchant] = {}

    # --- dialect hooks ----------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, conn: Any, write: bool) -> None:
        raise NotImplementedError

    def _commit(self, conn: Any) -> None:
        raise NotImplementedError

    def _rollback(self, conn: Any) -> None:
        raise NotImplementedError

    def lock_clause(self, lock: bool) -> str:
        return ""

    def sql(self, text: str) -> str:
        return text

    def translate(self, exc: Exception) -> StoreError | None:
        raise NotImplementedError

    # --- plumbing ---------------------------------------------------------
    def _conn(self) -> Any:
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def _drop_connection(self) -> None:
        conn, self._connection = self._connection, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return conn.execute(self.sql(sql), tuple(params))
        except Exception as exc:
            mapped = self.translate(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def transaction(self) -> AbstractContextManager[_Tx]:
        """A write transaction."""
        return self._transaction(write=True)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Tx]:
        with self._lock:
            try:
                conn = self._conn()
                self._begin(conn, write)
            except Exception as exc:
                mapped = self.translate(exc)
                self._drop_connection()
                if mapped is None:
                    raise
                raise mapped from exc
            try:
                yield _Tx(self, conn)
            except BaseException:
                try:
                    self._rollback(conn)
                except Exception:
                    self._drop_connection()
                raise
            try:
                self._commit(conn)
            except Exception as exc:
                mapped = self.translate(exc)
                self._drop_connection()
                if mapped is None:
                    raise
                raise mapped from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._transaction(write=False) as tx:
            cursor = tx._run(sql, params)
            try:  # a damaged page shows while rows are fetched, not when the statement starts
                return list(cursor.fetchall())
            except Exception as exc:
                mapped = self.translate(exc)
                if mapped is None:
                    raise
                raise mapped from exc

    def create_schema(self) -> None:
        ddl = _SCHEMA.replace("{BLOB}", self.blob_type).replace("{REAL}", self.real_type)
        with self.transaction() as tx:
            for statement in (s.strip() for s in ddl.split(";")):
                if statement:
                    tx._run(statement)
            tx._run(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                (SCHEMA_VERSION,),
            )
            tx._run(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?) ON CONFLICT DO NOTHING",
                (GENESIS_HASH,),
            )

    def terminal(self, terminal_id: str) -> Terminal | None:
        with self._transaction(write=False) as tx:
            return tx.terminal(terminal_id)

    def customer(self, customer_id: str) -> Customer | None:
        with self._transaction(write=False) as tx:
            return tx.customer(customer_id, lock=False)

    def cashier(self, cashier_id: str) -> Cashier | None:
        with self._transaction(write=False) as tx:
            return tx.cashier(cashier_id, lock=False)

    def transfer(self, transfer_id: str) -> Transfer | None:
        with self._transaction(write=False) as tx:
            return tx.transfer(transfer_id, lock=False)

    def merchant(self, merchant_id: str) -> Merchant | None:
        with self._transaction(write=False) as tx:
            return tx.merchant(merchant_id)

    def list_transfers(self, terminal_id: str, start: str, end: str, limit: int) -> list[Transfer]:
        rows = self._read(
            f"SELECT {_TRANSFER_COLS} FROM transfers WHERE terminal_id = ? AND created_at >= ? "
            "AND created_at < ? ORDER BY created_at, id LIMIT ?",
            (terminal_id, start, end, limit),
        )
        return [_transfer(r) for r in rows]

    def accounts(self) -> list[Account]:
        rows = self._read("SELECT id, kind, balance, currency, min_balance FROM accounts ORDER BY id")
        return [_account(r) for r in rows]

    def audit_entries(self) -> Iterator[AuditEntry]:
        last = 0
        while True:
            rows = self._read(
                "SELECT seq, at, actor, action, outcome, detail, prev_hash, hash FROM audit "
                "WHERE seq > ? ORDER BY seq LIMIT 5000",
                (last,),
            )
            if not rows:
                return
            for row in rows:
                yield _audit(row)
            last = int(rows[-1][0])

    def audit_head(self) -> tuple[int, str]:
        rows = self._read("SELECT seq, hash FROM audit_head WHERE id = 1")
        if not rows:
            raise StoreConfigError("audit head row missing")
        return int(rows[0][0]), str(rows[0][1])

    def count_transfers(self, kind: str, status: str, key_prefix: str) -> int:
        rows = self._read(
            "SELECT COUNT(*) FROM transfers WHERE kind = ? AND status = ? AND "
            "substr(idempotency_key, 1, ?) = ?",
            (kind, status, len(key_prefix), key_prefix),
        )
        return int(rows[0][0])

    def movement_totals(self) -> list[tuple[str, str, str, int]]:
        rows = self._read(
            "SELECT debit_account, credit_account, status, SUM(amount_minor) FROM transfers "
            "WHERE status <> 'declined' GROUP BY debit_account, credit_account, status"
        )
        return [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def holds_accounts(self) -> dict[str, str]:
        rows = self._read("SELECT holds_account_id, account_id FROM merchants")
        return {str(r[0]): str(r[1]) for r in rows}

    def integrity_problems(self) -> list[str]:
        return []

    def close(self) -> None:
        with self._lock:
            self._drop_connection()


class SqliteStore(_SqlStore):
    """SQLite in WAL mode; ``BEGIN IMMEDIATE`` serialises writers across processes.

    ``synchronous=FULL`` makes every commit durable against power loss as well
    as process crashes (set ``FACEPAY_LEDGER_SQLITE_SYNC=NORMAL`` to trade that for speed).
    """

    # How long a writer waits for another process's write transaction.
    BUSY_TIMEOUT_MS = 10_000
    # BEGIN IMMEDIATE locks the whole database, so a batch never takes locks in a
    # conflicting order; 64 requests keep one transaction to a few milliseconds.
    max_batch = 64

    def __init__(self, url: str, synchronous: str | None = None) -> None:
        super().__init__(url)
        self.path = Path(url.removeprefix("sqlite:///"))
        self.synchronous = (synchronous or os.environ.get("FACEPAY_LEDGER_SQLITE_SYNC", "FULL")).upper()
        if self.synchronous not in {"FULL", "NORMAL", "EXTRA"}:
            raise StoreConfigError("FACEPAY_LEDGER_SQLITE_SYNC must be FULL, NORMAL or EXTRA")

    def _connect(self) -> sqlite3.Connection:
        if not self.path.parent.is_dir():
            raise StoreConfigError(f"directory of {self.path} does not exist")
        try:  # a new database is the owner's alone, whatever the umask (its -wal and -shm follow)
            create_private(self.path)
        except OSError as exc:
            raise StoreConfigError(f"cannot create {self.path}: {exc.strerror}") from exc
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=self.BUSY_TIMEOUT_MS / 1000
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _begin(self, conn: Any, write: bool) -> None:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    # Damage reported by quick_check beyond this many lines adds nothing an operator can use.
    INTEGRITY_LINES = 20

    def integrity_problems(self) -> list[str]:
        """``PRAGMA quick_check`` on a read-only connection of its own (the writer is not held up)."""
        if not self.path.exists():
            return [f"{self.path} does not exist"]
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=self.BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            return [f"sqlite: {exc}"]
        try:
            rows = conn.execute(f"PRAGMA quick_check({self.INTEGRITY_LINES})").fetchall()
        except sqlite3.Error as exc:
            return [f"sqlite: {exc}"]
        finally:
            conn.close()
        lines = [line for r in rows for line in str(r[0]).splitlines() if not line.startswith("*** ")]
        return [] if lines == ["ok"] else lines

    def _commit(self, conn: Any) -> None:
        conn.execute("COMMIT")

    def _rollback(self, conn: Any) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    def translate(self, exc: Exception) -> StoreError | None:
        if isinstance(exc, sqlite3.IntegrityError):
            return StoreConflict(f"sqlite: {exc}")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return StoreConflict(f"sqlite: {exc}")
        if isinstance(exc, sqlite3.Error):
            return StoreError(f"sqlite: {exc}")
        return None


class PostgresStore(_SqlStore):
    """PostgreSQL via psycopg 3, READ COMMITTED with explicit ``FOR UPDATE`` row locks."""

    blob_type = "BYTEA"
    real_type = "DOUBLE PRECISION"
    _pipeline: Any = None

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc

    def _begin(self, conn: Any, write: bool) -> None:
        """psycopg opens the transaction with the first statement.

        A write transaction runs in pipeline mode: statements whose results nobody reads
        (updates, inserts) travel with the next statement that is read, and the last ones
        with COMMIT, so a debit takes about 6 round trips instead of 16.
        """
        if write:
            self._pipeline = conn.pipeline()
            self._pipeline.__enter__()

    def _leave_pipeline(self) -> None:
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.__exit__(None, None, None)

    def _commit(self, conn: Any) -> None:
        try:
            conn.commit()
        except BaseException:
            self._abandon_pipeline()
            raise
        self._leave_pipeline()

    def _rollback(self, conn: Any) -> None:
        self._abandon_pipeline()
        conn.rollback()

    def _abandon_pipeline(self) -> None:
        """Leave pipeline mode after an error; the error itself was raised already."""
        try:
            self._leave_pipeline()
        except Exception:
            log.debug("leaving the pipeline of a failed transaction", exc_info=True)

    def _drop_connection(self) -> None:
        self._pipeline = None
        super()._drop_connection()

    def lock_clause(self, lock: bool) -> str:
        return " FOR UPDATE" if lock else ""

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def translate(self, exc: Exception) -> StoreError | None:
        import psycopg
        from psycopg import errors

        if isinstance(
            exc,
            errors.UniqueViolation
            | errors.SerializationFailure
            | errors.DeadlockDetected
            | errors.LockNotAvailable,
        ):
            return StoreConflict(f"postgresql: {exc}")
        if isinstance(exc, psycopg.OperationalError):
            return StoreError(f"postgresql: {exc}")
        if isinstance(exc, psycopg.Error):
            return StoreError(f"postgresql: {exc}")
        return None

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return super().execute(conn, sql, params)
        except StoreError:
            if getattr(conn, "broken", False) or conn.closed:
                self._connection = None
            raise
