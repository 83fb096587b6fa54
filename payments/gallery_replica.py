"""A kiosk's replica of its merchant's gallery, and the sync that keeps it current.

The replica is one SQLite file in the kiosk's data folder (``replica.db``): the members'
templates exactly as the ledger host keeps them (sealed under the merchant's gallery key), that
key wrapped for this kiosk's X25519 box key (``gallery_box.key``, mode 600, beside it), the
feed cursor (position and head hash), the time of the last complete sync, and the problems
met. Neither file alone opens a template.

:func:`sync_replica` registers the box key once, bootstraps from snapshot pages when the
replica is new, then applies feed entries in order; each answer is signed by the ledger (the
client refuses unsigned ones) and each entry is checked before anything changes: its place
(seq right after the cursor, prev_hash equal to the head), its hash, the ledger's signature
over it and the templates' digest. A batch of entries is applied in one transaction; the first
entry that fails a check stops the sync, is recorded as a problem (``facepay doctor`` lists
it) and nothing after it is applied. After a complete sync the kiosk acknowledges its position
(a signed request): that acknowledgement is the erasure confirmation the ledger keeps.

Exceptions::

    ReplicaError(Exception)
    ├── ReplicaCorrupt       the replica file cannot be read (doctor: bootstrap again)
    └── ReplicaRefused       the ledger refused this kiosk (disabled, not registered)
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from numpy.typing import NDArray

from payments.client import BadLedgerSignature, Declined, LedgerClient, LedgerRefused
from payments.gallery_wire import (
    FEED_GENESIS,
    FeedEntry,
    FeedVerifyError,
    GalleryWireError,
    SealError,
    SnapshotPage,
    box_public_text,
    open_templates,
    unwrap_key,
    verify_entry,
    verify_snapshot,
)
from payments.wire import json_bytes

__all__ = [
    "ACK_EVERY_S",
    "BOX_KEY_FILE",
    "REPLICA_FILE",
    "GalleryClient",
    "Replica",
    "ReplicaCorrupt",
    "ReplicaError",
    "ReplicaProblem",
    "ReplicaRefused",
    "SyncReport",
    "load_box_key",
    "sync_replica",
]

log = logging.getLogger(__name__)

REPLICA_FILE = "replica.db"
# Without news, a kiosk still acknowledges its position this often: the ledger's "last sync" of
# each kiosk (erasure-status) stays current without a stored request per poll.
ACK_EVERY_S = 600.0
BOX_KEY_FILE = "gallery_box.key"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    customer_id TEXT PRIMARY KEY, enrol_id TEXT NOT NULL, model_id TEXT NOT NULL, sealed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, detail TEXT NOT NULL);
"""


_UPSERT_MEMBER = (
    "INSERT OR REPLACE INTO members (customer_id, enrol_id, model_id, sealed) VALUES (?, ?, ?, ?)"
)


class ReplicaError(Exception):
    """Base class of replica errors."""


class ReplicaCorrupt(ReplicaError):
    """The replica file cannot be read or is inconsistent."""


class ReplicaRefused(ReplicaError):
    """The ledger refused this kiosk's gallery calls (a disabled or unregistered terminal)."""


@dataclass(frozen=True, slots=True)
class ReplicaProblem:
    """A feed answer the replica refused.

    Attributes:
        at: unix time.
        kind: ``tampered``, ``replayed``, ``out_of_order``, ``other_merchant``, ``refused``.
        seq: the entry's position (0 when not about one entry).
        detail: what was wrong, for the operator.
    """

    at: float
    kind: str
    seq: int
    detail: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did.

    Attributes:
        bootstrapped: members loaded from a snapshot (0 when the replica was not new).
        applied: feed entries applied.
        erased: customers erased from the replica.
        enrolled: customers added or replaced.
        seq: the cursor afterwards.
        problem: the refused entry that stopped the sync, or None when it completed.
        acknowledged: True when this sync told the ledger this kiosk's position (it does when the
            position moved, and every ``ACK_EVERY_S`` otherwise).
    """

    bootstrapped: int
    applied: int
    erased: tuple[str, ...]
    enrolled: tuple[str, ...]
    seq: int
    problem: ReplicaProblem | None
    acknowledged: bool


def load_box_key(path: Path) -> X25519PrivateKey:
    """The kiosk's X25519 box key (PKCS8 PEM), created with mode 600 on first use."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, X25519PrivateKey):
            raise ReplicaCorrupt(f"{path} is not an X25519 private key")
        return key
    key = X25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return key


class GalleryClient(LedgerClient):
    """The ledger client with the gallery calls (``/v1/gallery/...``)."""

    def _json(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json_bytes(payload) if payload is not None else b""
        key = f"{self.terminal_id}:g{os.urandom(8).hex()}" if method == "POST" else ""
        answer = self._call(method, path, body=body, idempotency_key=key)
        if answer.status not in (200, 201) or not isinstance(answer.payload, dict):
            raise BadLedgerSignature(f"unexpected answer to {method} {path} ({answer.status})")
        return answer.payload

    def gallery_register(self, box_key: str) -> dict[str, Any]:
        return self._json("POST", "/v1/gallery/kiosks", {"box_key": box_key})

    def gallery_upload(
        self, customer_id: str, enrol_id: str, model_id: str, sealed: str, linked_at: str = ""
    ) -> dict[str, Any]:
        """Sealed templates of the enrolment this terminal just linked (``linked_at``: that link's
        time from the enrolment answer; empty: the customer's current link)."""
        payload = {"customer_id": customer_id, "enrol_id": enrol_id, "model_id": model_id, "sealed": sealed}
        if linked_at:
            payload["linked_at"] = linked_at
        return self._json("POST", "/v1/gallery/templates", payload)

    def gallery_feed(self, after: int) -> dict[str, Any]:
        return self._json("GET", f"/v1/gallery/feed?after={after}")

    def gallery_snapshot(self, after: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/gallery/snapshot?after={after}" if after else "/v1/gallery/snapshot")

    def gallery_ack(self, seq: int, head: str) -> dict[str, Any]:
        return self._json("POST", "/v1/gallery/acks", {"seq": seq, "head": head})


class Replica:
    """The kiosk's replica file (see the module docstring). Thread-safe for one writer."""

    def __init__(
        self, path: Path | str, box_key: X25519PrivateKey, ledger_key: Any, terminal_id: str
    ) -> None:
        self.path = str(path)
        self._box = box_key
        self._ledger_key = ledger_key
        self.terminal_id = terminal_id
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.executescript(_SCHEMA)
            self._db.execute("PRAGMA synchronous=FULL")
            # An erased template's bytes are overwritten, not left in a free page of the file.
            self._db.execute("PRAGMA secure_delete=ON")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise ReplicaCorrupt(f"cannot open the gallery replica {self.path}: {exc}") from exc
        self._key: bytes | None = None

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise ReplicaCorrupt(f"the gallery replica {self.path} cannot be written: {exc}") from exc

    # --- state ------------------------------------------------------------------
    def _get(self, name: str, default: str = "") -> str:
        try:
            row = self._db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise ReplicaCorrupt(f"the gallery replica {self.path} cannot be read: {exc}") from exc
        return default if row is None else str(row[0])

    @staticmethod
    def _put(db: sqlite3.Connection, name: str, value: object) -> None:
        db.execute(
            "INSERT INTO state (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, str(value)),
        )

    @property
    def merchant_id(self) -> str:
        return self._get("merchant_id")

    @property
    def registered(self) -> bool:
        return bool(self._get("wrapped_key"))

    @property
    def bootstrapped(self) -> bool:
        return self._get("bootstrapped") == "1"

    @property
    def cursor(self) -> tuple[int, str]:
        return int(self._get("seq", "0")), self._get("head", FEED_GENESIS)

    @property
    def synced_at(self) -> float | None:
        text = self._get("synced_at")
        return float(text) if text else None

    def age_s(self, now: float | None = None) -> float | None:
        """Seconds since the last complete sync (None: never synced)."""
        synced = self.synced_at
        return None if synced is None else max(0.0, (time.time() if now is None else now) - synced)

    def box_public(self) -> str:
        return box_public_text(self._box.public_key())

    def register(self, answer: dict[str, Any]) -> None:
        """Keep the wrapped gallery key of a ``gallery_register`` answer (it must open)."""
        merchant, wrapped, version = (
            answer.get("merchant_id"),
            answer.get("wrapped_key"),
            answer.get("key_version"),
        )
        if not isinstance(merchant, str) or not isinstance(wrapped, str) or not isinstance(version, int):
            raise ReplicaCorrupt("the registration answer lacks merchant_id, wrapped_key or key_version")
        current = self.merchant_id
        if current and current != merchant:
            raise ReplicaRefused(
                f"this replica belongs to merchant {current}, the ledger says {merchant}: "
                "a gallery never moves between merchants; start a new data folder"
            )
        unwrap_key(self._box, wrapped, merchant_id=merchant, recipient_id=self.terminal_id, version=version)
        with self._tx() as db:
            self._put(db, "merchant_id", merchant)
            self._put(db, "wrapped_key", wrapped)
            self._put(db, "key_version", version)
        self._key = None

    def gallery_key(self) -> bytes:
        if self._key is None:
            wrapped = self._get("wrapped_key")
            if not wrapped:
                raise ReplicaRefused("the kiosk has not registered its box key with the ledger yet")
            self._key = unwrap_key(
                self._box,
                wrapped,
                merchant_id=self.merchant_id,
                recipient_id=self.terminal_id,
                version=int(self._get("key_version", "1")),
            )
        return self._key

    # --- problems ---------------------------------------------------------------
    def _problem(self, db: sqlite3.Connection, kind: str, seq: int, detail: str) -> ReplicaProblem:
        problem = ReplicaProblem(time.time(), kind, seq, detail)
        db.execute(
            "INSERT INTO problems (at, kind, seq, detail) VALUES (?, ?, ?, ?)",
            (problem.at, kind, seq, detail),
        )
        log.warning("gallery replica refused %s (entry %d): %s", kind, seq, detail)
        return problem

    def record_problem(self, kind: str, detail: str, seq: int = 0) -> ReplicaProblem:
        with self._tx() as db:
            return self._problem(db, kind, seq, detail)

    def problems(self) -> list[ReplicaProblem]:
        rows = self._db.execute("SELECT at, kind, seq, detail FROM problems ORDER BY id").fetchall()
        return [ReplicaProblem(float(a), str(k), int(s), str(d)) for a, k, s, d in rows]

    def clear_problems(self) -> int:
        with self._tx() as db:
            return int(db.execute("DELETE FROM problems").rowcount)

    # --- changes ----------------------------------------------------------------
    def bootstrap(self, pages: Sequence[SnapshotPage]) -> int:
        """Replace every member by the snapshot's, in one transaction; the cursor becomes the
        first page's position (later pages may be newer: replaying the feed from there converges,
        since every entry sets or removes one customer's current templates)."""
        merchant = self.merchant_id
        for page in pages:
            verify_snapshot(self._ledger_key, page)
            if page.merchant_id != merchant:
                raise FeedVerifyError(f"a snapshot of merchant {page.merchant_id}, not {merchant}")
        key = self.gallery_key()
        members = [m for page in pages for m in page.members]
        for m in members:  # every template must open before the replica changes
            open_templates(
                key,
                m.sealed,
                merchant_id=merchant,
                customer_id=m.customer_id,
                enrol_id=m.enrol_id,
                model_id=m.model_id,
            )
        with self._tx() as db:
            db.execute("DELETE FROM members")
            db.executemany(
                _UPSERT_MEMBER,
                [(m.customer_id, m.enrol_id, m.model_id, m.sealed) for m in members],
            )
            self._put(db, "seq", pages[0].seq if pages else 0)
            self._put(db, "head", pages[0].head if pages else FEED_GENESIS)
            self._put(db, "bootstrapped", 1)
        return len(members)

    def _check(self, entry: FeedEntry, seq: int, head: str) -> tuple[str, str] | None:
        """(kind, detail) of what is wrong with ``entry`` as the next one after (seq, head)."""
        if entry.merchant_id != self.merchant_id:
            return "other_merchant", f"an entry of merchant {entry.merchant_id}"
        if entry.seq <= seq:
            return "replayed", f"entry {entry.seq} again (the replica is at {seq})"
        if entry.seq != seq + 1:
            return "out_of_order", f"entry {entry.seq} after {seq}: entries in between are missing"
        try:
            verify_entry(self._ledger_key, entry)
        except FeedVerifyError as exc:
            return "tampered", str(exc)
        if entry.prev_hash != head:
            return "out_of_order", f"entry {entry.seq} does not follow the replica's head (a forked feed)"
        if entry.sealed is not None:
            try:
                self._open(entry.customer_id, entry.enrol_id, entry.model_id, entry.sealed)
            except SealError as exc:
                return "tampered", str(exc)
        return None

    def _open(self, customer_id: str, enrol_id: str, model_id: str, sealed: str) -> NDArray[np.float32]:
        return open_templates(
            self.gallery_key(),
            sealed,
            merchant_id=self.merchant_id,
            customer_id=customer_id,
            enrol_id=enrol_id,
            model_id=model_id,
        )

    def apply(self, entries: Sequence[FeedEntry]) -> tuple[list[FeedEntry], ReplicaProblem | None]:
        """Apply entries in order in one transaction, up to the first one that fails a check
        (recorded as a problem, with nothing after it applied). Returns (applied, problem)."""
        applied: list[FeedEntry] = []
        problem: ReplicaProblem | None = None
        seq, head = self.cursor
        with self._tx() as db:
            for entry in entries:
                wrong = self._check(entry, seq, head)
                if wrong is not None:
                    problem = self._problem(db, wrong[0], entry.seq, wrong[1])
                    break
                if entry.kind == "erase":
                    db.execute("DELETE FROM members WHERE customer_id = ?", (entry.customer_id,))
                elif entry.sealed is not None:
                    db.execute(
                        _UPSERT_MEMBER,
                        (entry.customer_id, entry.enrol_id, entry.model_id, entry.sealed),
                    )
                # An enrolment without templates was superseded: a later entry replaces or erases it.
                seq, head = entry.seq, entry.hash
                applied.append(entry)
            self._put(db, "seq", seq)
            self._put(db, "head", head)
        if any(e.kind == "erase" for e in applied):
            self._scrub()
        return applied, problem

    def _scrub(self) -> None:
        """Fold the write-ahead log into the file and empty it: older copies of an erased
        customer's pages do not stay behind in the log."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            log.warning("replica checkpoint after an erasure failed: %s", exc)

    def ack_due(self, seq: int, now: float) -> bool:
        """True when the ledger has not heard of position ``seq`` from this kiosk yet, or not for
        :data:`ACK_EVERY_S` (each acknowledgement is a stored, audited request at the ledger)."""
        acked_seq, acked_at = int(self._get("acked_seq", "-1")), float(self._get("acked_at", "0"))
        return seq != acked_seq or now - acked_at >= ACK_EVERY_S

    def mark_acked(self, seq: int, now: float) -> None:
        with self._tx() as db:
            self._put(db, "acked_seq", seq)
            self._put(db, "acked_at", repr(now))

    def mark_synced(self, now: float) -> None:
        with self._tx() as db:
            self._put(db, "synced_at", repr(now))

    def customers(self) -> list[str]:
        return [str(r[0]) for r in self._db.execute("SELECT customer_id FROM members ORDER BY 1")]

    def forget(self, customer_id: str) -> int:
        """Delete a customer's templates here at once (an erasure the ledger could not be told of
        yet); the feed's erasure entry, when it comes, finds nothing left. Returns templates removed."""
        with self._tx() as db:
            row = db.execute(
                "SELECT sealed, enrol_id, model_id FROM members WHERE customer_id = ?", (customer_id,)
            ).fetchone()
            db.execute("DELETE FROM members WHERE customer_id = ?", (customer_id,))
        self._scrub()
        if row is None:
            return 0
        return int(self._open(customer_id, str(row[1]), str(row[2]), str(row[0])).shape[0])

    def templates(self, model_id: str) -> tuple[list[str], NDArray[np.float32]]:
        """Every member's templates for ``model_id`` (one row each, customer ids alongside)."""
        ids: list[str] = []
        blocks: list[NDArray[np.float32]] = []
        rows = self._db.execute(
            "SELECT customer_id, enrol_id, model_id, sealed FROM members WHERE model_id = ? ORDER BY 1",
            (model_id,),
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        key, merchant = self.gallery_key(), self.merchant_id
        for customer_id, enrol_id, model, sealed in rows:
            block = open_templates(
                key, sealed, merchant_id=merchant, customer_id=customer_id, enrol_id=enrol_id, model_id=model
            )
            ids.extend([customer_id] * block.shape[0])
            blocks.append(block)
        if not blocks:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.vstack(blocks)

    def integrity_problems(self) -> list[str]:
        """SQLite's own check of the file (empty when sound)."""
        try:
            rows = self._db.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [str(r[0]) for r in rows if r[0] != "ok"]


def _entries(answer: dict[str, Any]) -> list[FeedEntry]:
    raw = answer.get("entries")
    if not isinstance(raw, list):
        raise FeedVerifyError("a feed answer without entries")
    return [FeedEntry.from_json(e) for e in raw]


def sync_replica(client: GalleryClient, replica: Replica, *, now: float | None = None) -> SyncReport:
    """Register, bootstrap when new, apply the feed, acknowledge (see the module docstring).

    Raises the client's ``LedgerUnreachable`` family when the ledger cannot be reached (the
    replica keeps serving what it has) and :class:`ReplicaRefused` when the ledger refuses this
    kiosk (recorded as a problem too)."""
    try:
        return _sync(client, replica, time.time() if now is None else now)
    except (LedgerRefused, Declined) as exc:
        replica.record_problem("refused", f"the ledger refused this kiosk: {exc.code}: {exc}")
        raise ReplicaRefused(f"the ledger refused this kiosk's gallery sync: {exc.code}: {exc}") from exc


def _sync(client: GalleryClient, replica: Replica, now: float) -> SyncReport:
    if not replica.registered:
        replica.register(client.gallery_register(replica.box_public()))
    loaded = 0
    if not replica.bootstrapped:
        pages: list[SnapshotPage] = []
        after = ""
        while True:
            page = SnapshotPage.from_json(client.gallery_snapshot(after))
            pages.append(page)
            if not page.more or not page.members:
                break
            after = page.members[-1].customer_id
        try:
            loaded = replica.bootstrap(pages)
        except GalleryWireError as exc:
            refused = replica.record_problem("tampered", f"snapshot refused: {exc}")
            return SyncReport(0, 0, (), (), replica.cursor[0], refused, False)
    applied: list[FeedEntry] = []
    problem: ReplicaProblem | None = None
    while True:
        try:
            batch = _entries(client.gallery_feed(replica.cursor[0]))
        except FeedVerifyError as exc:
            problem = replica.record_problem("tampered", f"unreadable feed answer: {exc}")
            break
        done, problem = replica.apply(batch)
        applied += done
        if problem is not None or not batch:
            break
    erased = tuple(e.customer_id for e in applied if e.kind == "erase")
    enrolled = tuple(e.customer_id for e in applied if e.kind != "erase" and e.sealed is not None)
    seq, head = replica.cursor
    acknowledged = False
    if problem is None:
        if replica.ack_due(seq, now):
            client.gallery_ack(seq, head)
            replica.mark_acked(seq, now)
            acknowledged = True
        replica.mark_synced(now)
    return SyncReport(loaded, len(applied), erased, enrolled, seq, problem, acknowledged)
