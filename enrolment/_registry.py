"""The terminal's own SQLite record of enrolled customers, consents and a hash-chained audit."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from enrolment._records import CONSENT_TEXT, CONSENT_VERSION, ConsentRecord

__all__ = ["Registry"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY, display_name TEXT NOT NULL,
    enrolled_at REAL NOT NULL, last_seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS consents (
    customer_id TEXT NOT NULL, text_version TEXT NOT NULL, text_sha256 TEXT NOT NULL,
    accepted_at REAL NOT NULL, terminal_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at REAL NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
    detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Registry:
    """The terminal's record of enrolled customers, consents and a hash-chained audit."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA synchronous=FULL")
        row = self._db.execute("SELECT value FROM meta WHERE name='salt'").fetchone()
        if row is None:
            self._salt = os.urandom(16).hex()
            self._db.execute("INSERT INTO meta VALUES ('salt', ?)", (self._salt,))
        else:
            self._salt = str(row[0])

    def subject(self, customer_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{customer_id}".encode()).hexdigest()[:24]

    def record_consent(
        self,
        customer_id: str,
        terminal_id: str,
        *,
        text: str = CONSENT_TEXT,
        version: str = CONSENT_VERSION,
        now: float | None = None,
    ) -> ConsentRecord:
        rec = ConsentRecord(
            customer_id,
            version,
            hashlib.sha256(text.encode()).hexdigest(),
            time.time() if now is None else now,
            terminal_id,
        )
        self._db.execute(
            "INSERT INTO consents VALUES (?, ?, ?, ?, ?)",
            (rec.customer_id, rec.text_version, rec.text_sha256, rec.accepted_at, rec.terminal_id),
        )
        self.audit("consent", customer_id, {"version": version})
        return rec

    def consent(self, customer_id: str) -> ConsentRecord | None:
        row = self._db.execute(
            "SELECT customer_id, text_version, text_sha256, accepted_at, terminal_id FROM consents"
            " WHERE customer_id = ? AND text_version = ? ORDER BY accepted_at DESC LIMIT 1",
            (customer_id, CONSENT_VERSION),
        ).fetchone()
        return ConsentRecord(*row) if row else None

    def upsert_customer(self, customer_id: str, display_name: str, now: float) -> None:
        self._db.execute(
            "INSERT INTO customers VALUES (?, ?, ?, ?) ON CONFLICT(customer_id) DO UPDATE SET"
            " display_name = excluded.display_name, last_seen_at = excluded.last_seen_at",
            (customer_id, display_name, now, now),
        )

    def touch(self, customer_id: str, now: float | None = None) -> None:
        """Note a visit (keeps the customer out of the retention sweep)."""
        self._db.execute(
            "UPDATE customers SET last_seen_at = ? WHERE customer_id = ?",
            (time.time() if now is None else now, customer_id),
        )

    def display_name(self, customer_id: str) -> str | None:
        row = self._db.execute(
            "SELECT display_name FROM customers WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def customers(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT customer_id FROM customers ORDER BY 1")]

    def inactive_since(self, cutoff: float) -> list[str]:
        rows = self._db.execute("SELECT customer_id FROM customers WHERE last_seen_at < ?", (cutoff,))
        return [r[0] for r in rows]

    def forget(self, customer_id: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM customers WHERE customer_id = ?", (customer_id,))
            self._db.execute("DELETE FROM consents WHERE customer_id = ?", (customer_id,))

    def audit(self, action: str, customer_id: str, detail: dict[str, object]) -> str:
        row = self._db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev = str(row[0]) if row else "0" * 64
        at = time.time()
        subject = self.subject(customer_id)
        body = json.dumps(detail, sort_keys=True)
        digest = hashlib.sha256(f"{prev}|{at!r}|{action}|{subject}|{body}".encode()).hexdigest()
        self._db.execute(
            "INSERT INTO audit (at, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (at, action, subject, body, prev, digest),
        )
        return digest

    def audit_ok(self) -> bool:
        """True when the audit chain is intact (no line edited or deleted)."""
        prev = "0" * 64
        for at, action, subject, detail, prev_hash, digest in self._db.execute(
            "SELECT at, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq"
        ):
            expect = hashlib.sha256(f"{prev}|{at!r}|{action}|{subject}|{detail}".encode()).hexdigest()
            if prev_hash != prev or digest != expect:
                return False
            prev = digest
        return True

    def close(self) -> None:
        self._db.close()
