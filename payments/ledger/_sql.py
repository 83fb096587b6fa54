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
from dataclasses import replace
from pathlib import Path
from typing import Any

from payments._private_file import create_private
from payments.ledger.audit import GENESIS_HASH, chain_hash
from payments.ledger.errors import BatchBroken, StoreConfigError, StoreConflict, StoreError
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
from payments.ledger.store import Prefetch
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

    # Rows per multi-row INSERT (17 parameters each: far below PostgreSQL's 65,535 per statement).
    ROWS_PER_INSERT = 1000

    def __init__(self, store: _SqlStore, conn: Any) -> None:
        self._store = store
        self._conn = conn
        # The audit head as this transaction last left it (read, under lock, on first use).
        self._head: tuple[int, str] | None = None
        # Audit lines and balance changes made so far, written by flush() just before COMMIT
        # (a batch of debits writes its audit lines in one statement and each account once).
        self._audit_rows: list[AuditEntry] = []
        self._deltas: dict[str, int] = {}
        self._face_limits: dict[str, int | None] = {}
        # What prefetch() read, answered from here; rows this transaction changes are dropped
        # (read again), never edited here. Nonces: True while claimed and not yet handed out.
        self._nonces: dict[tuple[str, str], bool] = {}
        self._responses: dict[tuple[str, str], StoredResponse | None] = {}
        self._customers: dict[str, Customer] = {}
        self._absent_transfers: set[str] = set()
        self._accounts: dict[str, Account] = {}
        # Requests run in this transaction so far (each in its savepoint scope).
        self.items = 0
        self._head_query: Any = None
        # Where statements are pipelined: new transfers and stored responses, written many per
        # statement before anything reads their table again (and at the latest before COMMIT).
        self._new_transfers: list[tuple[Any, ...]] = []
        self._new_responses: list[tuple[Any, ...]] = []

    def _state(self) -> tuple[Any, ...]:
        return (
            self._head,
            len(self._audit_rows),
            dict(self._deltas),
            dict(self._face_limits),
            dict(self._nonces),
            dict(self._responses),
            dict(self._customers),
            set(self._absent_transfers),
        )

    def _restore(self, state: tuple[Any, ...]) -> None:
        self._head, rows, self._deltas, self._face_limits = state[0], state[1], state[2], state[3]
        del self._audit_rows[rows:]
        self._nonces, self._responses, self._customers, self._absent_transfers = state[4:8]

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._store.execute(self._conn, sql, params)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._run(sql, params).fetchone()

    def rows(self, sql: str, params: Sequence[Any] = (), *, fetch: bool = True) -> list[tuple[Any, ...]]:
        """Run one statement of a module with tables of its own; its rows when ``fetch``."""
        cur = self._run(sql, params)
        return [tuple(r) for r in cur.fetchall()] if fetch else []

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undoes the database statements and the buffered audit lines and balance changes.

        Where statements are pipelined (PostgreSQL), a failed statement shows at some later
        read or at COMMIT, maybe inside another request's scope, so any exception there is
        :class:`BatchBroken`: the whole transaction is undone and its requests run again, one
        per transaction, where each one's failure is its own.
        """
        self.items += 1
        if self._store.pipelined:
            # No SAVEPOINT (two statements and a subtransaction per request): a failure of any
            # kind undoes the batch, which runs again one request per transaction.
            try:
                yield
            except Exception as exc:
                raise BatchBroken(f"{type(exc).__name__}: {exc}") from exc
            return
        kept = self._state()
        self._run("SAVEPOINT item")
        try:
            yield
        except BaseException:
            self._restore(kept)
            self._run("ROLLBACK TO SAVEPOINT item")
            self._run("RELEASE SAVEPOINT item")
            raise
        self._run("RELEASE SAVEPOINT item")

    def prefetch(self, rows: Prefetch) -> None:
        if not self._store.pipelined:
            return  # every statement is a function call away: nothing to save
        nonces = list(dict.fromkeys(rows.nonces))
        keys = list(dict.fromkeys(k for k in rows.keys if k[1]))
        accounts: set[str] = set()
        for merchant_id in rows.merchants:
            merchant = self.merchant(merchant_id)
            if merchant is not None:
                accounts |= {merchant.account_id, merchant.holds_account_id}
        customers = sorted(set(rows.customers))
        transfers = sorted(set(rows.transfers))
        # All statements go out together; the first fetch waits for all of them (one round trip).
        claimed = self._run(
            "INSERT INTO nonces (terminal_id, nonce, seen_at) SELECT * FROM unnest(?::text[], ?::text[], "
            "?::double precision[]) ON CONFLICT DO NOTHING RETURNING terminal_id, nonce",
            ([t for t, _ in nonces], [n for _, n in nonces], [rows.now] * len(nonces)),
        )
        stored = self._run(
            "SELECT terminal_id, idem_key, request_hash, status, body FROM idempotency "
            "WHERE (terminal_id, idem_key) IN (SELECT * FROM unnest(?::text[], ?::text[]))",
            ([t for t, _ in keys], [k for _, k in keys]),
        )
        people = self._run(
            "SELECT id, name, account_id, pin_hash, pin_failures, locked_until, enabled FROM customers "
            "WHERE id = ANY(?) ORDER BY id FOR UPDATE",
            (customers,),
        )
        existing = self._run("SELECT id FROM transfers WHERE id = ANY(?)", (transfers,))
        locked = self._run(
            "SELECT id, kind, balance, currency, min_balance FROM accounts WHERE id = ANY(?) OR id IN "
            "(SELECT account_id FROM customers WHERE id = ANY(?)) ORDER BY id FOR UPDATE",
            (sorted(accounts), customers),
        )
        limits = self._run(
            "SELECT merchant_id, face_only_limit FROM merchant_limits WHERE merchant_id = ANY(?)",
            (list(rows.merchants),),
        )
        got = {(r[0], r[1]) for r in claimed.fetchall()}
        self._nonces.update({k: k in got for k in nonces})
        self._responses.update(dict.fromkeys(keys))
        for r in stored.fetchall():
            self._responses[(r[0], r[1])] = StoredResponse(r[2], int(r[3]), bytes(r[4]))
        self._customers.update({r[0]: _customer(r) for r in people.fetchall()})
        self._absent_transfers.update(set(transfers) - {r[0] for r in existing.fetchall()})
        self._accounts.update({r[0]: _account(r) for r in locked.fetchall()})
        self._face_limits.update(dict.fromkeys(rows.merchants))
        self._face_limits.update({r[0]: int(r[1]) for r in limits.fetchall()})

    def send_head_lock(self) -> None:
        """Send the statement that locks the audit head; its answer is read by lock_head()
        (pipelined: the statements sent after it run after it, so it is still the first lock)."""
        self._head_query = self._run(
            "SELECT seq, hash FROM audit_head WHERE id = 1" + self._store.lock_clause(True)
        )

    def lock_head(self) -> tuple[int, str]:
        """Lock the audit head row and remember it (the first lock of a PostgreSQL write
        transaction: see :meth:`PostgresStore.first_locks`)."""
        if self._head is None:
            if self._head_query is None:
                self.send_head_lock()
            query, self._head_query = self._head_query, None
            head = query.fetchone()
            if head is None:
                raise StoreConfigError("audit head row missing: run `facepay ledger init` on this database")
            self._head = int(head[0]), str(head[1])
        return self._head

    def flush(self) -> None:
        """Write the buffered rows, balance changes and audit lines (called once, before COMMIT)."""
        self._write_new_rows()
        if self._deltas:
            moved = sorted((k, v) for k, v in self._deltas.items() if v)
            if moved:
                self._store.add_to_balances(self._conn, moved)
            self._deltas = {}
        if self._audit_rows:
            rows = [
                (e.seq, e.at, e.actor, e.action, e.outcome, e.detail, e.prev_hash, e.hash)
                for e in self._audit_rows
            ]
            self._store.insert_audit_rows(self._conn, rows)
            last = self._audit_rows[-1]
            self._run("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (last.seq, last.hash))
            self._audit_rows = []

    def claim_nonce(self, terminal_id: str, nonce: str, now: float) -> bool:
        # RETURNING rather than rowcount: in PostgreSQL pipeline mode rowcount is not known yet.
        rows = self._run(
            "INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (terminal_id, nonce, now),
        ).fetchall()
        return len(rows) == 1

    def claim_nonce_and_find(
        self, terminal_id: str, nonce: str, now: float, key: str
    ) -> tuple[bool, StoredResponse | None]:
        if (terminal_id, nonce) in self._nonces:
            claimed, self._nonces[terminal_id, nonce] = self._nonces[terminal_id, nonce], False
            if not claimed:
                return False, None
            if not key:
                return True, None
            if (terminal_id, key) in self._responses:
                return True, self._responses[terminal_id, key]
            return True, self.find_response(terminal_id, key)
        if not self._store.writes_in_ctes:
            if not self.claim_nonce(terminal_id, nonce, now):
                return False, None
            return True, self.find_response(terminal_id, key) if key else None
        self._write_new_rows()
        row = self._one(
            "WITH claimed AS (INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT (SELECT COUNT(*) FROM claimed), i.request_hash, i.status, i.body "
            "FROM (SELECT 1) AS one LEFT JOIN idempotency AS i ON i.terminal_id = ? AND i.idem_key = ?",
            (terminal_id, nonce, now, terminal_id, key),
        )
        if int(row[0]) != 1:
            return False, None
        if not key or row[1] is None:
            return True, None
        return True, StoredResponse(row[1], int(row[2]), bytes(row[3]))

    def purge_nonces(self, before: float) -> int:
        return len(self._run("DELETE FROM nonces WHERE seen_at < ? RETURNING 1", (before,)).fetchall())

    def find_response(self, terminal_id: str, key: str) -> StoredResponse | None:
        self._write_new_rows()
        row = self._one(
            "SELECT request_hash, status, body FROM idempotency WHERE terminal_id = ? AND idem_key = ?",
            (terminal_id, key),
        )
        return None if row is None else StoredResponse(row[0], int(row[1]), bytes(row[2]))

    def save_response(self, terminal_id: str, key: str, response: StoredResponse, at: str) -> None:
        row = (terminal_id, key, response.request_hash, response.status, response.body, at)
        self._responses[terminal_id, key] = response
        if self._store.pipelined:
            self._new_responses.append(row)
            return
        self._run(
            "INSERT INTO idempotency (terminal_id, idem_key, request_hash, status, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            row,
        )

    def _write_new_rows(self) -> None:
        """Write the buffered transfers and stored responses, many rows per statement."""
        for table, columns, rows in (
            ("transfers", _TRANSFER_COLS, self._new_transfers),
            (
                "idempotency",
                "terminal_id, idem_key, request_hash, status, body, created_at",
                self._new_responses,
            ),
        ):
            for start in range(0, len(rows), self.ROWS_PER_INSERT):
                chunk = rows[start : start + self.ROWS_PER_INSERT]
                marks = "(" + ", ".join("?" * len(chunk[0])) + ")"
                self._run(
                    f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([marks] * len(chunk)),
                    [value for row in chunk for value in row],
                )
            rows.clear()

    def customer(self, customer_id: str, *, lock: bool) -> Customer | None:
        if customer_id in self._customers:  # prefetched, locked
            return self._customers[customer_id]
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
        if table == "customers":
            self._customers.pop(row_id, None)
        self._run(
            f"UPDATE {table} SET pin_failures = ?, locked_until = ? WHERE id = ?",
            (failures, locked_until, row_id),
        )

    def lock_accounts(self, account_ids: list[str]) -> dict[str, Account]:
        # One statement; PostgreSQL locks the rows in ORDER BY order, so workers never deadlock.
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        if all(i in self._accounts for i in ids):  # prefetched, locked
            return self._with_deltas({i: self._accounts[i] for i in ids})
        rows = self._run(
            "SELECT id, kind, balance, currency, min_balance FROM accounts WHERE id IN ("
            + ", ".join("?" * len(ids))
            + ") ORDER BY id"
            + self._store.lock_clause(True),
            ids,
        ).fetchall()
        return self._with_deltas({row[0]: _account(row) for row in rows})

    def _with_deltas(self, accounts: dict[str, Account]) -> dict[str, Account]:
        """The accounts with this transaction's moves that flush() has not written yet."""
        for account_id, account in accounts.items():
            delta = self._deltas.get(account_id, 0)
            if delta:
                accounts[account_id] = replace(account, balance=account.balance + delta)
        return accounts

    def move(self, debit_account: str, credit_account: str, minor: int) -> None:
        """Counted here, written by :meth:`flush`: a batch of debits to one merchant updates the
        merchant's row once, not once per debit. The caller holds the rows' locks."""
        if debit_account == credit_account:
            return
        self._deltas[debit_account] = self._deltas.get(debit_account, 0) - minor
        self._deltas[credit_account] = self._deltas.get(credit_account, 0) + minor

    def insert_transfer(self, t: Transfer) -> None:
        self._absent_transfers.discard(t.transfer_id)
        row = (
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
        )
        if self._store.pipelined:
            self._new_transfers.append(row)
            return
        self._run(
            f"INSERT INTO transfers ({_TRANSFER_COLS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )

    def transfer(self, transfer_id: str, *, lock: bool) -> Transfer | None:
        if transfer_id in self._absent_transfers:
            return None
        self._write_new_rows()
        row = self._one(
            f"SELECT {_TRANSFER_COLS} FROM transfers WHERE id = ?" + self._store.lock_clause(lock),
            (transfer_id,),
        )
        return None if row is None else _transfer(row)

    def set_status(self, transfer_id: str, old: str, new: str) -> bool:
        self._write_new_rows()
        rows = self._run(
            "UPDATE transfers SET status = ? WHERE id = ? AND status = ? RETURNING 1", (new, transfer_id, old)
        ).fetchall()
        return len(rows) == 1

    def refunded_total(self, original_transfer_id: str) -> int:
        self._write_new_rows()
        row = self._one(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM transfers WHERE original_id = ? "
            "AND kind = 'refund' AND status = 'posted'",
            (original_transfer_id,),
        )
        return int(row[0])

    def append_audit(self, at: str, actor: str, action: str, outcome: str, detail: str) -> AuditEntry:
        """Chain a line to the head; the lines of a transaction are written together by flush()."""
        last_seq, prev = self.lock_head()
        seq = last_seq + 1
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
        self._audit_rows.append(entry)
        self._head = seq, entry.hash
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
        if table == "customers":
            self._customers.pop(row_id, None)
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
            self._customers.pop(link.customer_id, None)
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
        # Read once per transaction: a change is a write transaction of its own, which waits for
        # this one (the audit head), so the value cannot change under it.
        if merchant_id not in self._face_limits:
            row = self._one(
                "SELECT face_only_limit FROM merchant_limits WHERE merchant_id = ?", (merchant_id,)
            )
            self._face_limits[merchant_id] = None if row is None else int(row[0])
        return self._face_limits[merchant_id]

    def set_face_only_limit(self, merchant_id: str, minor: int) -> None:
        self._run(
            "INSERT INTO merchant_limits (merchant_id, face_only_limit) VALUES (?, ?) "
            "ON CONFLICT (merchant_id) DO UPDATE SET face_only_limit = excluded.face_only_limit",
            (merchant_id, minor),
        )
        self._face_limits[merchant_id] = minor


class _SqlStore:
    """Shared statements; subclasses supply the dialect."""

    url: str
    blob_type = "BLOB"
    real_type = "REAL"
    max_batch = 1
    # Whether a WITH clause may insert (PostgreSQL): two statements become one round trip.
    writes_in_ctes = False
    # Whether statements are pipelined, their errors showing later (PostgreSQL): see savepoint().
    pipelined = False

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

    def first_locks(self, tx: _Tx) -> None:
        """Locks a write transaction takes before anything else (none: SQLite locks the file)."""

    def add_to_balances(self, conn: Any, deltas: Sequence[tuple[str, int]]) -> None:
        """Add each delta to its account's balance (rows locked by the transaction)."""
        for account_id, delta in deltas:
            self.execute(conn, "UPDATE accounts SET balance = balance + ? WHERE id = ?", (delta, account_id))

    # Audit lines per INSERT statement (8 parameters each, far below either engine's limit).
    AUDIT_ROWS_PER_INSERT = 100

    def insert_audit_rows(self, conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert chained audit lines, many per statement."""
        for start in range(0, len(rows), self.AUDIT_ROWS_PER_INSERT):
            chunk = rows[start : start + self.AUDIT_ROWS_PER_INSERT]
            self.execute(
                conn,
                "INSERT INTO audit (seq, at, actor, action, outcome, detail, prev_hash, hash) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                [value for row in chunk for value in row],
            )

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
    def _transaction(self, *, write: bool, schema: bool = False) -> Iterator[_Tx]:
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
            tx = _Tx(self, conn)
            try:
                if write and not schema:
                    self.first_locks(tx)
                yield tx
                if write:
                    tx.flush()
            except StoreError as exc:
                self._rollback_quietly(conn)
                if self.pipelined and tx.items > 1 and not isinstance(exc, BatchBroken):
                    raise BatchBroken(str(exc)) from exc
                raise
            except BaseException:
                self._rollback_quietly(conn)
                raise
            try:
                self._commit(conn)
            except Exception as exc:
                mapped = self.translate(exc)
                self._drop_connection()
                if mapped is None:
                    raise
                if self.pipelined and tx.items > 1:  # a pipelined error of one of the requests
                    raise BatchBroken(str(mapped)) from exc
                raise mapped from exc

    def _rollback_quietly(self, conn: Any) -> None:
        try:
            self._rollback(conn)
        except Exception:
            self._drop_connection()

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
        with self._transaction(write=True, schema=True) as tx:
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
    # Safe because every write transaction locks the audit head first (see first_locks);
    # 64 requests keep one transaction to a few milliseconds, as on SQLite.
    max_batch = 64
    writes_in_ctes = True
    pipelined = True
    # Plan every statement with the tables as they are now: a plan cached while the tables were
    # small kept scanning them whole (a batch's lookup of transfer ids and of stored responses
    # grew from ~0.1 to 1.3 and 0.8 ms over 10,000 debits, pg_stat_statements), and the planning
    # costs little for the dozen statements of a batch.
    PLAN_CACHE_MODE = "force_custom_plan"
    _pipeline: Any = None
    _pipeline_scope: Any = None

    def _connect(self) -> Any:
        import psycopg

        try:  # see PLAN_CACHE_MODE
            return psycopg.connect(
                self.url,
                autocommit=False,
                connect_timeout=10,
                options=f"-c plan_cache_mode={self.PLAN_CACHE_MODE}",
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc

    def _begin(self, conn: Any, write: bool) -> None:
        """psycopg opens the transaction with the first statement.

        A write transaction runs in pipeline mode: statements whose results nobody reads
        (updates, inserts) travel with the next statement that is read, and the last ones
        with COMMIT. A batch of debits takes three round trips whatever its size: the audit
        head, the prefetch (nonces, stored responses, customers, accounts, transfer ids,
        limits) and COMMIT with the buffered rows.
        """
        if write:
            self._pipeline_scope = conn.pipeline()
            self._pipeline = self._pipeline_scope.__enter__()

    def _leave_pipeline(self) -> None:
        scope, self._pipeline_scope, self._pipeline = self._pipeline_scope, None, None
        if scope is not None:
            scope.__exit__(None, None, None)

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
        self._pipeline = self._pipeline_scope = None
        super()._drop_connection()

    def lock_clause(self, lock: bool) -> str:
        return " FOR UPDATE" if lock else ""

    def first_locks(self, tx: _Tx) -> None:
        """The audit head first: every write transaction appends to the audit log, so taking
        its head row before any other lock orders all writers the same way. A transaction
        then carries many requests (group commit) and no two workers can deadlock, whatever
        rows their requests lock afterwards, in whatever order."""
        tx.send_head_lock()

    def add_to_balances(self, conn: Any, deltas: Sequence[tuple[str, int]]) -> None:
        values = ", ".join(["(?, ?::bigint)"] * len(deltas))
        self.execute(
            conn,
            "UPDATE accounts AS a SET balance = a.balance + d.delta FROM (VALUES "
            + values
            + ") AS d (id, delta) WHERE a.id = d.id",
            [value for pair in deltas for value in pair],
        )

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
