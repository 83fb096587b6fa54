"""The store interface of the ledger and :func:`open_store` for a database URL.

Two implementations share one schema and one set of statements (``_sql.py``):
SQLite in WAL mode (``sqlite:///path``; writers serialise with ``BEGIN IMMEDIATE``)
and PostgreSQL through psycopg 3 (``postgresql://...``; every write transaction locks
the audit head row first, then customer, account and transfer rows with ``SELECT ...
FOR UPDATE``, so workers never deadlock and never overdraw, and one transaction may
carry a batch of requests whose rows it reads in one round trip: see :class:`Prefetch`).

Everything that changes money, idempotency records, nonces or the audit log
happens inside one :meth:`LedgerStore.transaction`; it commits as a whole or not
at all. Idempotency and nonces live in the database, so they hold across worker
processes and restarts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from payments.ledger.errors import StoreConfigError
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

__all__ = ["LedgerStore", "LedgerTx", "Prefetch", "open_store"]


@dataclass(frozen=True, slots=True)
class Prefetch:
    """What a batch of requests will read, named before it runs, so that a store whose every
    statement is a network round trip can read (and lock) it all in one.

    Attributes:
        nonces: (terminal id, nonce) of each request, in order: claimed at once.
        keys: (terminal id, idempotency key) whose stored responses are looked up.
        merchants: merchant ids whose accounts are locked.
        customers: customer ids whose rows and accounts are locked.
        transfers: transfer ids the requests will create (their absence is checked).
        now: the time recorded with the claimed nonces.
    """

    nonces: tuple[tuple[str, str], ...]
    keys: tuple[tuple[str, str], ...]
    merchants: tuple[str, ...]
    customers: tuple[str, ...]
    transfers: tuple[str, ...]
    now: float


class LedgerTx(Protocol):
    """What may be done inside one transaction."""

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested scope: undone on its own when the block raises, the transaction goes on."""

    def rows(self, sql: str, params: Sequence[Any] = (), *, fetch: bool = True) -> list[tuple[Any, ...]]:
        """One statement (``?`` placeholders) for a module with tables of its own (the merchant
        gallery); its rows when ``fetch`` (a SELECT or RETURNING), else an empty list."""

    def claim_nonce(self, terminal_id: str, nonce: str, now: float) -> bool:
        """Record a nonce; False when it was seen before."""

    def claim_nonce_and_find(
        self, terminal_id: str, nonce: str, now: float, key: str
    ) -> tuple[bool, StoredResponse | None]:
        """:meth:`claim_nonce`, then (when claimed and ``key`` is not empty) :meth:`find_response`:
        one round trip where the database allows it."""

    def prefetch(self, rows: Prefetch) -> None:
        """Read and lock these rows now, where that saves round trips (later calls are answered
        from what was read, as if each had run its own statement then)."""

    def purge_nonces(self, before: float) -> int:
        """Forget nonces first seen before ``before`` (older than any acceptable timestamp)."""

    def find_response(self, terminal_id: str, key: str) -> StoredResponse | None:
        """The response stored for an idempotency key."""

    def save_response(self, terminal_id: str, key: str, response: StoredResponse, at: str) -> None:
        """Store the first response to an idempotency key."""

    def customer(self, customer_id: str, *, lock: bool) -> Customer | None: ...

    def cashier(self, cashier_id: str, *, lock: bool) -> Cashier | None: ...

    def terminal(self, terminal_id: str) -> Terminal | None: ...

    def merchant(self, merchant_id: str) -> Merchant | None: ...

    def set_pin_state(self, table: str, row_id: str, failures: int, locked_until: float) -> None:
        """Update the PIN failure counter of a ``customers`` or ``cashiers`` row."""

    def lock_accounts(self, account_ids: list[str]) -> dict[str, Account]:
        """Lock the accounts (sorted order) and return them."""

    def move(self, debit_account: str, credit_account: str, minor: int) -> None:
        """Move money; the caller has checked limits under the locks."""

    def insert_transfer(self, transfer: Transfer) -> None: ...

    def transfer(self, transfer_id: str, *, lock: bool) -> Transfer | None: ...

    def set_status(self, transfer_id: str, old: str, new: str) -> bool:
        """Change a transfer's status if it is still ``old``; False otherwise."""

    def refunded_total(self, original_transfer_id: str) -> int: ...

    def append_audit(self, at: str, actor: str, action: str, outcome: str, detail: str) -> AuditEntry:
        """Append one chained audit line."""

    def add_account(self, account: Account, at: str) -> None: ...

    def add_merchant(self, merchant: Merchant, at: str) -> None: ...

    def add_customer(self, customer: Customer, at: str) -> None: ...

    def add_cashier(self, cashier: Cashier, at: str) -> None: ...

    def add_terminal(self, terminal: Terminal, at: str) -> None: ...

    def set_enabled(self, table: str, row_id: str, enabled: bool) -> bool: ...

    def face_link(self, customer_id: str) -> FaceLink | None:
        """The customer's face link (enrolment at a terminal), if any."""

    def link_face(self, link: FaceLink, pin_hash: str | None) -> None:
        """Record (or replace) a face link; with ``pin_hash``, set the customer's PIN too
        (clearing its lockout)."""

    def unlink_face(self, customer_id: str) -> bool:
        """Remove the face link; False when there was none. The account, its name, PIN and
        transfers stay."""

    def enrolment_code(self, customer_id: str) -> EnrolmentCode | None:
        """The customer's current enrolment code, if one was issued."""

    def put_enrolment_code(self, code: EnrolmentCode, at: str) -> None:
        """Store a new code for the customer (replacing any earlier one)."""

    def update_enrolment_code(self, customer_id: str, *, failures: int, used: bool) -> None:
        """Count a wrong code, or mark the code used."""

    def pin_budget(self, scope: str) -> PinBudget | None:
        """Wrong PINs counted for a terminal or merchant (locked for update)."""

    def set_pin_budget(self, budget: PinBudget) -> None:
        """Store a scope's count (insert or replace)."""

    def face_only_limit(self, merchant_id: str) -> int | None:
        """The merchant's face-only ceiling in minor units, when one was set."""

    def set_face_only_limit(self, merchant_id: str, minor: int) -> None:
        """Set the merchant's face-only ceiling (insert or replace)."""


class LedgerStore(Protocol):
    """A ledger database.

    ``max_batch`` is how many requests one write transaction may carry (group commit);
    1 where holding one request's row locks while taking the next one's could
    deadlock against another worker (neither store here: SQLite locks the file, the
    PostgreSQL store takes the audit head before any other row).
    """

    url: str
    max_batch: int

    def create_schema(self) -> None:
        """Create the tables if they do not exist."""

    def transaction(self) -> AbstractContextManager[LedgerTx]:
        """One write transaction (retried by the caller on :class:`StoreConflict`)."""

    def terminal(self, terminal_id: str) -> Terminal | None: ...

    def customer(self, customer_id: str) -> Customer | None: ...

    def cashier(self, cashier_id: str) -> Cashier | None: ...

    def transfer(self, transfer_id: str) -> Transfer | None: ...

    def merchant(self, merchant_id: str) -> Merchant | None: ...

    def list_transfers(self, terminal_id: str, start: str, end: str, limit: int) -> list[Transfer]:
        """Transfers of a terminal with ``start <= created_at < end``, oldest first."""

    def accounts(self) -> list[Account]: ...

    def audit_entries(self) -> Iterator[AuditEntry]:
        """Every audit line in ``seq`` order."""

    def audit_head(self) -> tuple[int, str]:
        """(seq, hash) of the last line as recorded in the head row."""

    def count_transfers(self, kind: str, status: str, key_prefix: str) -> int:
        """How many transfers of a kind and status have an idempotency key with this prefix."""

    def movement_totals(self) -> list[tuple[str, str, str, int]]:
        """(debit account, credit account, status, total minor units) over every transfer that
        moved money (all but declined ones)."""

    def holds_accounts(self) -> dict[str, str]:
        """Each merchant's holds account -> its merchant account (where a capture moves the money)."""

    def integrity_problems(self) -> list[str]:
        """Damage the database engine finds in its own files (SQLite ``PRAGMA quick_check``, on a
        connection of its own); empty when sound or when the engine offers no such check."""

    def close(self) -> None: ...


def open_store(url: str) -> LedgerStore:
    """Open ``sqlite:///path`` or ``postgresql://...`` (the schema is not created here)."""
    from payments.ledger import _sql

    if url.startswith("sqlite:///"):
        return _sql.SqliteStore(url)
    if url.startswith(("postgresql://", "postgres://")):
        return _sql.PostgresStore(url)
    raise StoreConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")
