"""Enrolled templates, encrypted at rest, searched 1:N with one matrix product.

Each template row is sealed with AES-GCM (256-bit key, fresh 96-bit nonce, the
customer id, kind and model id bound in as associated data), so a row moved to
another customer or edited fails to open. The key lives outside the database
(its life: ``vision._gallery_key``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from numpy.typing import NDArray

from vision._errors import GalleryError, GalleryKeyError

__all__ = ["Candidate", "Gallery", "TemplateIndex"]

_CHECK = b"facepay-gallery-key-check"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS templates (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    model_id TEXT NOT NULL,
    dim INTEGER NOT NULL,
    nonce BLOB NOT NULL,
    sealed BLOB NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS templates_customer ON templates(customer_id);
"""


@dataclass(frozen=True)
class Candidate:
    """One customer returned by a 1:N search.

    Attributes:
        customer_id: the enrolled customer.
        score: cosine similarity of the probe to the customer's best template.
    """

    customer_id: str
    score: float


class TemplateIndex:
    """An in-memory matrix of L2-normalised templates grouped by customer.

    ``search`` is one matrix-vector product, a per-customer max (``reduceat`` over
    rows sorted by customer) and a partial sort for the top k.
    """

    def __init__(self, customer_ids: list[str], templates: NDArray[np.float32]) -> None:
        if len(customer_ids) != len(templates):
            raise ValueError("one customer id per template row")
        order = np.argsort(np.asarray(customer_ids, dtype=object), kind="stable")
        ids = [customer_ids[i] for i in order]
        self._matrix = np.ascontiguousarray(templates[order], dtype=np.float32)
        starts = ([0] if ids else []) + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]]
        self._starts = np.asarray(starts, dtype=np.int64)
        self._owners = [ids[i] for i in starts]
        self._one_per_customer = len(self._owners) == len(ids)

    @classmethod
    def synthetic(cls, n: int, dim: int, seed: int = 0) -> TemplateIndex:
        """``n`` random unit templates, one per customer (for benchmarks)."""
        rng = np.random.default_rng(seed)
        m = rng.standard_normal((n, dim), dtype=np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        index = cls.__new__(cls)
        index._matrix = m
        index._starts = np.arange(n, dtype=np.int64)
        index._owners = [f"c{i}" for i in range(n)]
        index._one_per_customer = True
        return index

    def __len__(self) -> int:
        return int(self._matrix.shape[0])

    @property
    def customers(self) -> int:
        return len(self._owners)

    def customer_count(self) -> int:
        """Customers a search ranks: the gallery size the Match threshold is set for."""
        return len(self._owners)

    def search(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]:
        if not len(self):
            return ()
        scores = self._matrix @ probe.astype(np.float32, copy=False)
        per_customer = scores if self._one_per_customer else np.maximum.reduceat(scores, self._starts)
        k = min(k, per_customer.shape[0])
        top = np.argpartition(-per_customer, k - 1)[:k]
        top = top[np.argsort(-per_customer[top])]
        return tuple(Candidate(self._owners[i], float(per_customer[i])) for i in top)


class Gallery:
    """Templates per customer in an encrypted SQLite store, searchable 1:N.

    ``kind`` separates ordinary templates (``"face"``) from variants a policy may
    add (for example ``"masked"``); a search looks at one kind.
    """

    def __init__(self, path: Path | str, key: bytes, *, model_id: str) -> None:
        self._aead = AESGCM(key)
        self._model_id = model_id
        self._path = str(path)
        try:
            self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            self._db.executescript(_SCHEMA)
            if self._path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise GalleryError(f"cannot open gallery {self._path}: {exc}") from exc
        self._check_key()
        self._indices: dict[str, TemplateIndex] = {}

    def _check_key(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE name='check'").fetchone()
        if row is None:
            nonce = os.urandom(12)
            sealed = nonce + self._aead.encrypt(nonce, _CHECK, b"check")
            self._db.execute("INSERT INTO meta VALUES ('check', ?)", (sealed,))
            return
        blob = bytes(row[0])
        try:
            self._aead.decrypt(blob[:12], blob[12:], b"check")
        except InvalidTag as exc:
            raise GalleryKeyError(
                f"the gallery key does not open {self._path} (wrong key, or the store was "
                "written with another key)"
            ) from exc

    def _aad(self, customer_id: str, kind: str) -> bytes:
        return f"{customer_id}\x1f{kind}\x1f{self._model_id}".encode()

    def add(self, customer_id: str, templates: NDArray[np.float32], *, kind: str = "face") -> int:
        """Store templates (rows) for a customer; returns how many were stored."""
        rows = np.atleast_2d(np.asarray(templates, dtype=np.float32))
        if not customer_id:
            raise GalleryError("a template needs a customer id")
        now = time.time()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for row in rows:
                nonce = os.urandom(12)
                sealed = self._aead.encrypt(nonce, row.tobytes(), self._aad(customer_id, kind))
                self._db.execute(
                    "INSERT INTO templates (customer_id, kind, model_id, dim, nonce, sealed, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (customer_id, kind, self._model_id, row.shape[0], nonce, sealed, now),
                )
        self._indices.pop(kind, None)
        return int(rows.shape[0])

    def remove(self, customer_id: str) -> int:
        """Delete every template of a customer; returns how many were deleted."""
        with self._db:
            cur = self._db.execute("DELETE FROM templates WHERE customer_id = ?", (customer_id,))
        self._indices.clear()
        return int(cur.rowcount)

    def customers(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT customer_id FROM templates ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return int(self._db.execute("SELECT COUNT(*) FROM templates").fetchone()[0])
        q = "SELECT COUNT(*) FROM templates WHERE kind = ?"
        return int(self._db.execute(q, (kind,)).fetchone()[0])

    def templates(self, kind: str = "face") -> tuple[list[str], NDArray[np.float32]]:
        """Decrypt every template of one kind for this model."""
        rows = self._db.execute(
            "SELECT customer_id, dim, nonce, sealed FROM templates WHERE kind = ? AND model_id = ?"
            " ORDER BY id",
            (kind, self._model_id),
        ).fetchall()
        ids: list[str] = []
        vecs: list[NDArray[np.float32]] = []
        for customer_id, dim, nonce, sealed in rows:
            try:
                raw = self._aead.decrypt(bytes(nonce), bytes(sealed), self._aad(customer_id, kind))
            except InvalidTag as exc:
                raise GalleryKeyError(
                    f"a template of customer {customer_id} does not decrypt: the row was altered or moved"
                ) from exc
            ids.append(customer_id)
            vecs.append(np.frombuffer(raw, dtype=np.float32, count=dim))
        dim = vecs[0].shape[0] if vecs else 0
        return ids, (np.vstack(vecs) if vecs else np.zeros((0, dim), dtype=np.float32))

    def index(self, kind: str = "face") -> TemplateIndex:
        if kind not in self._indices:
            ids, matrix = self.templates(kind)
            self._indices[kind] = TemplateIndex(ids, matrix)
        return self._indices[kind]

    def customer_count(self, kind: str = "face") -> int:
        """Customers with templates of ``kind`` for this model (the searched gallery's size)."""
        return self.index(kind).customers

    def search(self, probe: NDArray[np.float32], k: int = 3, kind: str = "face") -> tuple[Candidate, ...]:
        """The ``k`` best customers for ``probe``, best first."""
        return self.index(kind).search(probe, k)

    def rotate_key(self, new_key: bytes) -> int:
        """Re-encrypt every template (and the key check) under ``new_key`` in one
        transaction; returns the number of templates re-encrypted. No re-enrolment."""
        new = AESGCM(new_key)
        rows = self._db.execute(
            "SELECT id, customer_id, kind, model_id, nonce, sealed FROM templates"
        ).fetchall()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for row_id, customer_id, kind, model_id, nonce, sealed in rows:
                aad = f"{customer_id}\x1f{kind}\x1f{model_id}".encode()
                try:
                    plain = self._aead.decrypt(bytes(nonce), bytes(sealed), aad)
                except InvalidTag as exc:
                    raise GalleryKeyError(f"template {row_id} does not decrypt; rotation aborted") from exc
                fresh = os.urandom(12)
                self._db.execute(
                    "UPDATE templates SET nonce = ?, sealed = ? WHERE id = ?",
                    (fresh, new.encrypt(fresh, plain, aad), row_id),
                )
            check_nonce = os.urandom(12)
            self._db.execute(
                "UPDATE meta SET value = ? WHERE name = 'check'",
                (check_nonce + new.encrypt(check_nonce, _CHECK, b"check"),),
            )
        self._aead = new
        self._indices.clear()
        return len(rows)

    def close(self) -> None:
        self._db.close()
