"""The terminal journal: a durable outbox of every debit, refund and void the terminal asks for.

An entry is written (and synced to disk) BEFORE the first byte goes to the ledger.
It carries the transfer id and idempotency key that every retry reuses, and the
exact request body, so a retry after a crash is byte for byte the first request.

States only move forward::

    intent ──> sent ──> approved | declined            (final)
                  │
                  ├──> unknown ──> approved | declined   (no answer yet; recovery resolves it)
                  └──> stored_offline ──> approved | declined   (store-and-forward)

A debit the shopper was told may not have gone through (the outcome is unknown) is
*abandoned*: never sent again, only read back. If the ledger posted it, the terminal
journals a *reversal* for it: a void entry without a cashier (``/v1/reversals``), with
its own transfer id and idempotency key, written before its first send and reused on
every retry, like any other entry. A debit's money is back once its reversal is approved.

The rule is enforced twice: in code (:data:`TRANSITIONS`) and by the UPDATE itself,
whose WHERE clause only matches a row still in an allowed previous state, so two
processes racing on one entry cannot move it backwards either.

Storage: SQLite through sqlite-utils, WAL mode with ``synchronous=FULL`` (every
commit syncs the WAL before it returns). The journal records the id of the terminal
that created it and refuses to open for another terminal. A file that is not a
facepay journal (corrupt, or some other database) is reported and never touched.

Exceptions::

    JournalError(Exception)
    ├── JournalCorrupt          the file is not a readable facepay journal (it is left as it is)
    ├── JournalWrongTerminal    the journal belongs to another terminal
    ├── JournalStorageError     sqlite3 failed (disk full, read-only, locked too long)
    └── IllegalTransition       a state change that would go backwards or skip a step
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlite_utils

from payments._evidence import Evidence
from payments._journal_file import ensure_journal_file
from payments.money import Money
from payments.wire import json_bytes, utc_now

__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "TRANSITIONS",
    "EntryKind",
    "EntryState",
    "IllegalTransition",
    "Journal",
    "JournalCorrupt",
    "JournalEntry",
    "JournalError",
    "JournalStorageError",
    "JournalWrongTerminal",
    "NewEntry",
    "utc_now",
]

SCHEMA_VERSION = "1"
# How long a writer waits for another process (the kiosk and `facepay journal recover`).
BUSY_TIMEOUT_MS = 10_000


class JournalError(Exception):
    """Base class of journal errors."""


class JournalCorrupt(JournalError):
    """The file is not a readable facepay journal; it has been left untouched."""


class JournalWrongTerminal(JournalError):
    """The journal was created by another terminal."""


class JournalStorageError(JournalError):
    """The database failed underneath the journal."""


class IllegalTransition(JournalError):
    """A state change that the journal's state machine does not allow."""


class EntryKind(StrEnum):
    """What an entry asks the ledger for."""

    DEBIT = "debit"
    REFUND = "refund"
    VOID = "void"


class EntryState(StrEnum):
    """Where an entry stands; see the module docstring for the allowed moves."""

    INTENT = "intent"
    SENT = "sent"
    UNKNOWN = "unknown"
    STORED_OFFLINE = "stored_offline"
    APPROVED = "approved"
    DECLINED = "declined"


FINAL_STATES = frozenset({EntryState.APPROVED, EntryState.DECLINED})
OPEN_STATES = frozenset(set(EntryState) - FINAL_STATES)

TRANSITIONS: Mapping[EntryState, frozenset[EntryState]] = {
    EntryState.INTENT: frozenset({EntryState.SENT}),
    EntryState.SENT: frozenset({EntryState.UNKNOWN, EntryState.STORED_OFFLINE, *FINAL_STATES}),
    EntryState.UNKNOWN: FINAL_STATES,
    EntryState.STORED_OFFLINE: FINAL_STATES,
    EntryState.APPROVED: frozenset(),
    EntryState.DECLINED: frozenset(),
}


def _predecessors(state: EntryState) -> list[str]:
    return sorted(s.value for s, nxt in TRANSITIONS.items() if state in nxt)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What the terminal is about to ask the ledger, as it goes into the journal.

    Attributes:
        transfer_id: the id the terminal chose for the transfer.
        idempotency_key: the key every attempt of this request carries.
        kind: debit, refund or void.
        amount: the amount (for a void, the amount of the debit it cancels).
        customer_id: the customer charged or refunded.
        merchant_ref: the merchant's reference (sale number).
        request_body: the exact bytes sent on every attempt.
        evidence: a debit's :class:`Evidence` (a refund's or void's reason as JSON), never an image.
        pin_used: the request carries an encrypted PIN (never stored offline).
        original_transfer_id: for refunds, voids and reversals, the debit they undo.
        cashier_id: the cashier who authorised a refund or void (None for a reversal); for a
            debit, who opened the sale (a cashier, or ``till:<id>``), None when not known.
    """

    transfer_id: str
    idempotency_key: str
    kind: EntryKind
    amount: Money
    customer_id: str
    merchant_ref: str
    request_body: bytes
    evidence: Evidence | Mapping[str, Any] = field(default_factory=dict)
    pin_used: bool = False
    original_transfer_id: str | None = None
    cashier_id: str | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journalled request and where it stands.

    Attributes:
        seq: order of creation in this journal.
        transfer_id: the terminal's transfer id.
        idempotency_key: the key every attempt carried.
        kind: debit, refund or void.
        amount: amount of the request.
        customer_id: the customer.
        merchant_ref: the merchant's reference.
        evidence_json: canonical JSON of the evidence.
        pin_used: the request carried an encrypted PIN.
        original_transfer_id: the debit a refund or void refers to.
        cashier_id: the authorising cashier of a refund or void; who opened a debit's sale.
        state: see :class:`EntryState`.
        ledger_transfer_id: the id the ledger gave the transfer (once known).
        ledger_status: the ledger's status of it (posted, pending, declined, ...).
        decline_code: the ledger's error code for a declined entry.
        message: the ledger's message, or the last transport error.
        attempts: how many times the request went out.
        abandoned: the shopper was told the outcome is unknown (or that the payment did
            not go through), so recovery reads it back instead of sending it again, and
            reverses it if the ledger posted it.
        offline: it was accepted offline (store-and-forward) at some point.
            (A reversal is a void with no cashier: see :attr:`is_reversal`.)
        last_attempt_at: when the last attempt went out (UTC), None before the first.
        created_at: when the intent was written (UTC, ISO 8601).
        updated_at: last change.
        request_body: the exact request bytes (dropped once a PIN entry is final).
    """

    seq: int
    transfer_id: str
    idempotency_key: str
    kind: EntryKind
    amount: Money
    customer_id: str
    merchant_ref: str
    evidence_json: str
    pin_used: bool
    original_transfer_id: str | None
    cashier_id: str | None
    state: EntryState
    ledger_transfer_id: str | None
    ledger_status: str | None
    decline_code: str | None
    message: str | None
    attempts: int
    abandoned: bool
    offline: bool
    last_attempt_at: str | None
    created_at: str
    updated_at: str
    request_body: bytes | None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_reversal(self) -> bool:
        """The terminal's own reversal of an abandoned debit: a void no cashier authorised."""
        return self.kind == EntryKind.VOID and self.cashier_id is None

    @property
    def label(self) -> str:
        """The kind as operators read it: debit, refund, void or reversal."""
        return "reversal" if self.is_reversal else self.kind.value

    @property
    def evidence(self) -> dict[str, Any]:
        value = json.loads(self.evidence_json)
        return value if isinstance(value, dict) else {}


_STATES_SQL = ", ".join(f"'{s.value}'" for s in EntryState)
_KINDS_SQL = ", ".join(f"'{k.value}'" for k in EntryKind)
_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ({_KINDS_SQL})),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    merchant_ref TEXT NOT NULL,
    evidence TEXT NOT NULL,
    pin_used INTEGER NOT NULL CHECK (pin_used IN (0, 1)),
    original_transfer_id TEXT,
    cashier_id TEXT,
    state TEXT NOT NULL CHECK (state IN ({_STATES_SQL})),
    ledger_transfer_id TEXT,
    ledger_status TEXT,
    decline_code TEXT,
    message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    abandoned INTEGER NOT NULL DEFAULT 0 CHECK (abandoned IN (0, 1)),
    offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1)),
    last_attempt_at TEXT,
    request_body BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX entries_state ON entries (state);
CREATE INDEX entries_created ON entries (created_at);
CREATE INDEX entries_original ON entries (original_transfer_id);
"""

_COLUMNS = frozenset(
    line.split()[0] for line in _SCHEMA.split("CREATE TABLE entries (")[1].split(");")[0].strip().splitlines()
)


def _evidence_json(evidence: Evidence | Mapping[str, Any]) -> str:
    record = evidence.to_json() if isinstance(evidence, Evidence) else evidence
    return json_bytes(record).decode("utf-8")


class Journal:
    """The terminal's journal in one SQLite file. Thread-safe; several processes may share it."""

    def __init__(self, path: Path, terminal_id: str, db: sqlite_utils.Database) -> None:
        self.path = path
        self.terminal_id = terminal_id
        self._db = db
        self._lock = threading.RLock()

    # --- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, terminal_id: str) -> Journal:
        """Open the journal at ``path``, creating it (and its folder) when absent.

        Raises JournalCorrupt for a file that is not a facepay journal (left untouched)
        and JournalWrongTerminal for the journal of another terminal.
        """
        if not terminal_id:
            raise JournalError("a journal needs the terminal id (ledger.terminal_id)")
        path = Path(path)
        try:
            ensure_journal_file(path, lambda conn: cls._create(sqlite_utils.Database(conn), terminal_id))
        except (OSError, sqlite3.Error) as exc:
            raise JournalStorageError(
                f"cannot create journal {path}: {exc}; no half-made journal was left "
                "behind: fix the cause (disk space, permissions) and retry"
            ) from exc
        conn = cls._connect(path)
        try:
            db = sqlite_utils.Database(conn)
            # Checked before any pragma that writes: a file that is not ours stays byte for byte.
            owner = cls._check(db, path)
            if owner == terminal_id:
                cls._durable(conn, path)
        except JournalError:
            conn.close()
            raise
        except sqlite3.OperationalError as exc:  # disk I/O error, disk full, locked too long
            conn.close()
            raise JournalStorageError(f"cannot open journal {path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise JournalCorrupt(
                f"{path} is not a readable facepay journal ({exc}); it has been left untouched"
            ) from exc
        if owner != terminal_id:
            conn.close()
            raise JournalWrongTerminal(
                f"{path} is the journal of terminal {owner!r}, not {terminal_id!r}; "
                "use that terminal's journal or another file"
            )
        return cls(path, terminal_id, db)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            raise JournalStorageError(f"cannot open journal {path}: {exc}") from exc
        return conn

    @staticmethod
    def _durable(conn: sqlite3.Connection, path: Path) -> None:
        """WAL, and every commit synced to disk before it returns."""
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        if mode is None or str(mode[0]).lower() != "wal":
            raise JournalStorageError(f"{path}: the journal needs WAL mode (got {mode!r})")

    @staticmethod
    def _create(db: sqlite_utils.Database, terminal_id: str) -> None:
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not db.table_names():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                db.table("meta").insert_all(
                    [
                        {"key": "schema_version", "value": SCHEMA_VERSION},
                        {"key": "terminal_id", "value": terminal_id},
                        {"key": "created_at", "value": utc_now()},
                    ]
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite has rolled back already on a full disk
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _check(db: sqlite_utils.Database, path: Path) -> str:
        if not {"meta", "entries"} <= set(db.table_names()):
            raise JournalCorrupt(
                f"{path} is an SQLite file but not a facepay journal; it has been left untouched"
            )
        meta = {row["key"]: row["value"] for row in db["meta"].rows}
        if meta.get("schema_version") != SCHEMA_VERSION or not meta.get("terminal_id"):
            raise JournalCorrupt(f"{path}: unknown journal version {meta.get('schema_version')!r}")
        columns = {c.name for c in db.table("entries").columns}
        missing = sorted(_COLUMNS - columns)
        if missing:
            raise JournalCorrupt(
                f"{path}: the journal lacks column(s) {', '.join(missing)}; it has been left untouched"
            )
        check = db.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise JournalCorrupt(
                f"{path} fails SQLite's integrity check ({check!r}); it has been left untouched"
            )
        return str(meta["terminal_id"])

    def close(self) -> None:
        with self._lock:
            self._db.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _sql(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db.conn
            except sqlite3.DatabaseError as exc:
                raise JournalStorageError(f"journal {self.path}: {what} failed: {exc}") from exc

    # --- writing --------------------------------------------------------------

    def keep_anchor(self, seq: int, anchor_json: str) -> bool:
        """Store the ledger's signed audit head ``anchor_json`` (line ``seq``) when it is newer
        than the one kept; True when stored. Outside the ledger's database, it lets the merchant
        catch a cut or rewritten audit log (``facepay journal anchor``)."""
        with self._sql("keeping the audit anchor") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'audit_anchor'").fetchone()
            if row is not None and int(json.loads(row[0]).get("seq", 0)) >= seq:
                return False
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_anchor', ?)", (anchor_json,)
            )
            return True

    def audit_anchor(self) -> str | None:
        """The newest signed audit head kept (JSON), if any."""
        with self._sql("reading the audit anchor") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'audit_anchor'").fetchone()
        return None if row is None else str(row[0])

    def record_intent(self, new: NewEntry) -> JournalEntry:
        """Write a new entry in state ``intent``; durable on disk when this returns."""
        return self._insert(new, once_per_original=False)

    def record_reversal(self, new: NewEntry) -> JournalEntry:
        """Write the reversal ``new`` of debit ``new.original_transfer_id``, unless a reversal or
        a cashier void not declined of that debit is journalled already (by this or another
        process): then that entry is returned and nothing is written. Durable on disk when this
        returns."""
        if new.kind != EntryKind.VOID or new.cashier_id is not None or not new.original_transfer_id:
            raise JournalError("a reversal is a void of a debit with no cashier")
        return self._insert(new, once_per_original=True)

    def _insert(self, new: NewEntry, *, once_per_original: bool) -> JournalEntry:
        now = utc_now()
        row = {
            "transfer_id": new.transfer_id,
            "idempotency_key": new.idempotency_key,
            "kind": new.kind.value,
            "amount_minor": new.amount.minor,
            "currency": new.amount.currency,
            "customer_id": new.customer_id,
            "merchant_ref": new.merchant_ref,
            "evidence": _evidence_json(new.evidence),
            "pin_used": int(new.pin_used),
            "original_transfer_id": new.original_transfer_id,
            "cashier_id": new.cashier_id,
            "state": EntryState.INTENT.value,
            "request_body": new.request_body,
            "created_at": now,
            "updated_at": now,
        }
        with self._sql("recording an intent") as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                if once_per_original:
                    found = conn.execute(
                        "SELECT transfer_id FROM entries WHERE original_transfer_id = ? "
                        "AND kind = 'void' AND (cashier_id IS NULL OR state != 'declined') "
                        "ORDER BY seq LIMIT 1",
                        (new.original_transfer_id,),
                    ).fetchone()
                    if found is not None:
                        conn.execute("ROLLBACK")
                        return self.get(str(found[0]))
                self._db.table("entries").insert(row)
                conn.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                conn.execute("ROLLBACK")
                raise JournalError(f"transfer {new.transfer_id} or its key is journalled already") from exc
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return self.get(new.transfer_id)

    def mark(
        self,
        transfer_id: str,
        state: EntryState,
        *,
        ledger_transfer_id: str | None = None,
        ledger_status: str | None = None,
        decline_code: str | None = None,
        message: str | None = None,
        abandoned: bool = False,
    ) -> JournalEntry:
        """Move an entry to ``state``; raises IllegalTransition when that would go backwards.

        ``abandoned`` records that the shopper was told the payment did not go through
        (it is never cleared once set).
        """
        current = self.get(transfer_id)
        if state == current.state:
            return current
        if state not in TRANSITIONS[current.state]:
            raise IllegalTransition(f"{transfer_id}: {current.state} -> {state} is not allowed")
        previous = _predecessors(state)
        marks = ", ".join("?" for _ in previous)
        drop_body = state in FINAL_STATES and current.pin_used
        with self._sql("updating an entry") as conn:
            cur = conn.execute(
                "UPDATE entries SET state = ?, updated_at = ?, "
                "ledger_transfer_id = coalesce(?, ledger_transfer_id), "
                "ledger_status = coalesce(?, ledger_status), "
                "decline_code = coalesce(?, decline_code), message = coalesce(?, message), "
                "request_body = CASE WHEN ? THEN NULL ELSE request_body END, "
                "abandoned = max(abandoned, ?), "
                "offline = CASE WHEN ? = 'stored_offline' THEN 1 ELSE offline END "
                f"WHERE transfer_id = ? AND state IN ({marks})",
                (
                    state.value,
                    utc_now(),
                    ledger_transfer_id,
                    ledger_status,
                    decline_code,
                    message,
                    int(drop_body),
                    int(abandoned),
                    state.value,
                    transfer_id,
                    *previous,
                ),
            )
            changed = cur.rowcount
        if changed != 1:
            now = self.get(transfer_id)
            if now.state == state:
                return now
            raise IllegalTransition(f"{transfer_id}: {now.state} -> {state} is not allowed")
        return self.get(transfer_id)

    def begin_attempt(self, transfer_id: str) -> JournalEntry:
        """Record that an attempt is about to go out: intent -> sent, attempts + 1 (durable)."""
        with self._sql("recording an attempt") as conn:
            cur = conn.execute(
                "UPDATE entries SET attempts = attempts + 1, last_attempt_at = ?, updated_at = ?, "
                "state = CASE WHEN state = 'intent' THEN 'sent' ELSE state END "
                "WHERE transfer_id = ? AND state NOT IN ('approved', 'declined')",
                (utc_now(), utc_now(), transfer_id),
            )
            changed = cur.rowcount
        entry = self.get(transfer_id)
        if changed != 1:
            raise IllegalTransition(f"{transfer_id} is {entry.state} already; it is not sent again")
        return entry

    # --- reading --------------------------------------------------------------

    def get(self, transfer_id: str) -> JournalEntry:
        """The entry with this transfer id; KeyError when there is none."""
        found = self.find(transfer_id)
        if found is None:
            raise KeyError(transfer_id)
        return found

    def find(self, transfer_id: str) -> JournalEntry | None:
        rows = self._select("transfer_id = ?", [transfer_id])
        return rows[0] if rows else None

    def by_key(self, idempotency_key: str) -> JournalEntry | None:
        rows = self._select("idempotency_key = ?", [idempotency_key])
        return rows[0] if rows else None

    def entries(self, start: str | None = None, end: str | None = None) -> list[JournalEntry]:
        """Entries created in ``[start, end)`` (ISO UTC texts), oldest first."""
        where, params = [], []
        if start is not None:
            where.append("created_at >= ?")
            params.append(start)
        if end is not None:
            where.append("created_at < ?")
            params.append(end)
        return self._select(" AND ".join(where) or None, params)

    def open_entries(self) -> list[JournalEntry]:
        """Entries not in a final state, oldest first."""
        states = sorted(s.value for s in OPEN_STATES)
        return self._select(f"state IN ({', '.join('?' for _ in states)})", states)

    def related(self, original_transfer_id: str) -> list[JournalEntry]:
        """Refunds and voids of one debit, oldest first."""
        return self._select("original_transfer_id = ?", [original_transfer_id])

    def _select(self, where: str | None, params: Sequence[Any]) -> list[JournalEntry]:
        with self._sql("reading entries"):
            rows = list(self._db["entries"].rows_where(where, list(params), order_by="seq"))
        return [_entry(row) for row in rows]


def _entry(row: Mapping[str, Any]) -> JournalEntry:
    body = row["request_body"]
    return JournalEntry(
        seq=int(row["seq"]),
        transfer_id=row["transfer_id"],
        idempotency_key=row["idempotency_key"],
        kind=EntryKind(row["kind"]),
        amount=Money(int(row["amount_minor"]), row["currency"]),
        customer_id=row["customer_id"],
        merchant_ref=row["merchant_ref"],
        evidence_json=row["evidence"],
        pin_used=bool(row["pin_used"]),
        original_transfer_id=row["original_transfer_id"],
        cashier_id=row["cashier_id"],
        state=EntryState(row["state"]),
        ledger_transfer_id=row["ledger_transfer_id"],
        ledger_status=row["ledger_status"],
        decline_code=row["decline_code"],
        message=row["message"],
        attempts=int(row["attempts"]),
        abandoned=bool(row["abandoned"]),
        offline=bool(row["offline"]),
        last_attempt_at=row["last_attempt_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        request_body=bytes(body) if body is not None else None,
    )
