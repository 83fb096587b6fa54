"""The merchant gallery at the ledger host: sealed templates, the signed change feed, erasure proof.

One gallery per merchant. The enrolling kiosk seals a shopper's templates under the merchant's
gallery key and uploads them right after the ledger linked the face (``enrol``); the ledger keeps
them sealed (it never opens them) and appends a feed entry. An erasure deletes the templates
and appends an erasure entry; each kiosk acknowledges the feed position it applied, which is
the confirmation ``facepay ledger erasure-status`` lists. Actions (``ACTIONS`` in ``service``):

- ``gallery_register``  POST /v1/gallery/kiosks    a kiosk's X25519 box key -> the gallery key wrapped for it
- ``gallery_upload``    POST /v1/gallery/templates sealed templates of an enrolment this terminal linked
- ``gallery_feed``      GET  /v1/gallery/feed      entries after a cursor, signed one by one
- ``gallery_snapshot``  GET  /v1/gallery/snapshot  the current members, a signed page at a time
- ``gallery_ack``       POST /v1/gallery/acks      "applied up to seq N with head H" (erasure proof)

The tables live here, apart from the ledger's own schema (:func:`create_gallery_schema`, run by
``facepay ledger init``); every column is TEXT or BIGINT so SQLite and PostgreSQL share them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from payments.gallery_wire import (
    FEED_GENESIS,
    MAX_SEALED_CHARS,
    FeedEntry,
    GalleryKeyUnwrapError,
    SnapshotMember,
    box_public_from_text,
    entry_hash,
    new_gallery_key,
    sealed_digest,
    sign_entry,
    sign_snapshot,
    unwrap_key,
    wrap_key,
)
from payments.ledger._context import Context
from payments.ledger._messages import BadInput, Outcome, Request, Work, error, parse_body
from payments.ledger.errors import ErrorCode
from payments.ledger.keys import LedgerKeys
from payments.ledger.records import Terminal
from payments.ledger.store import LedgerStore, LedgerTx
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN, WireError, from_iso_time

__all__ = [
    "ERASE",
    "FEED_PAGE",
    "SNAPSHOT_PAGE",
    "UPLOAD_WINDOW_S",
    "ErasureRecord",
    "KioskConfirmation",
    "create_gallery_schema",
    "erasure_status",
    "prepare_gallery_ack",
    "prepare_gallery_feed",
    "prepare_gallery_register",
    "prepare_gallery_snapshot",
    "prepare_gallery_upload",
    "record_erasures",
]

log = logging.getLogger(__name__)

# Templates are accepted only from the terminal that linked the face, this long after the link:
# enrolment uploads right after the ledger's answer, so a stolen link cannot carry another face later.
UPLOAD_WINDOW_S = 15 * 60
# Entries per feed answer: 500 enrolments of a 192-d model with 3 templates are ~1 MB.
FEED_PAGE = 500
# Members per snapshot page (~1 KB each sealed): a page is ~2 MB and one transaction.
SNAPSHOT_PAGE = 2000
ERASE = "erase"
_LEDGER_RECIPIENT = "ledger"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS gallery_keys (
    merchant_id TEXT PRIMARY KEY, key_version BIGINT NOT NULL, wrapped_for_ledger TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gallery_kiosks (
    terminal_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, box_key TEXT NOT NULL,
    wrapped_key TEXT NOT NULL, registered_at TEXT NOT NULL, synced_seq BIGINT NOT NULL DEFAULT 0,
    synced_at TEXT, polled_at TEXT);
CREATE INDEX IF NOT EXISTS gallery_kiosks_merchant ON gallery_kiosks (merchant_id);
CREATE TABLE IF NOT EXISTS gallery_members (
    merchant_id TEXT NOT NULL, customer_id TEXT NOT NULL, enrol_id TEXT NOT NULL,
    model_id TEXT NOT NULL, sealed TEXT NOT NULL, linked_at TEXT NOT NULL, terminal_id TEXT NOT NULL,
    consent_version TEXT NOT NULL, enrolled_at TEXT NOT NULL,
    PRIMARY KEY (merchant_id, customer_id));
CREATE INDEX IF NOT EXISTS gallery_members_customer ON gallery_members (customer_id);
CREATE TABLE IF NOT EXISTS gallery_heads (
    merchant_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gallery_feed (
    merchant_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, customer_id TEXT NOT NULL,
    enrol_id TEXT NOT NULL, model_id TEXT NOT NULL, digest TEXT NOT NULL, at TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL,
    PRIMARY KEY (merchant_id, seq));
CREATE INDEX IF NOT EXISTS gallery_feed_customer ON gallery_feed (customer_id, kind);
CREATE TABLE IF NOT EXISTS gallery_erasure_acks (
    merchant_id TEXT NOT NULL, seq BIGINT NOT NULL, terminal_id TEXT NOT NULL,
    customer_id TEXT NOT NULL, confirmed_at TEXT NOT NULL,
    PRIMARY KEY (merchant_id, seq, terminal_id))
"""


def create_gallery_schema(store: LedgerStore) -> None:
    """Create the gallery's tables if they do not exist (idempotent)."""
    with store.transaction() as tx:
        for statement in (s.strip() for s in _SCHEMA.split(";")):
            if statement:
                tx.rows(statement, fetch=False)


# --- the feed, inside a transaction -------------------------------------------------


def _append(
    tx: LedgerTx,
    keys: LedgerKeys,
    merchant_id: str,
    kind: str,
    customer_id: str,
    at: str,
    *,
    enrol_id: str = "",
    model_id: str = "",
    digest: str = "",
) -> FeedEntry:
    """Append one signed entry to the merchant's feed (the head row serialises writers)."""
    tx.rows(
        "INSERT INTO gallery_heads (merchant_id, seq, hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
        (merchant_id, FEED_GENESIS),
        fetch=False,
    )
    seq_raw, prev = tx.rows(
        "UPDATE gallery_heads SET seq = seq + 1 WHERE merchant_id = ? RETURNING seq, hash", (merchant_id,)
    )[0]
    seq = int(seq_raw)
    fields = {
        "merchant_id": merchant_id,
        "seq": seq,
        "kind": kind,
        "customer_id": customer_id,
        "enrol_id": enrol_id,
        "model_id": model_id,
        "digest": digest,
        "at": at,
        "prev_hash": str(prev),
    }
    hash_ = entry_hash(**fields)  # type: ignore[arg-type]
    signature = sign_entry(keys.signing, hash_)
    tx.rows("UPDATE gallery_heads SET hash = ? WHERE merchant_id = ?", (hash_, merchant_id), fetch=False)
    tx.rows(
        "INSERT INTO gallery_feed (merchant_id, seq, kind, customer_id, enrol_id, model_id, digest, at, "
        "prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (merchant_id, seq, kind, customer_id, enrol_id, model_id, digest, at, str(prev), hash_, signature),
        fetch=False,
    )
    return FeedEntry(
        merchant_id, seq, kind, customer_id, enrol_id, model_id, digest, at, str(prev), hash_, signature
    )


def record_erasures(
    tx: LedgerTx, keys: LedgerKeys, customer_id: str, merchant_id: str | None, at: str
) -> list[FeedEntry]:
    """Delete the customer's templates from one merchant's gallery (``merchant_id``) or from every
    gallery (None: the shopper erased their own face) and append an erasure entry to each feed."""
    if merchant_id is None:
        rows = tx.rows("SELECT merchant_id FROM gallery_members WHERE customer_id = ?", (customer_id,))
    else:
        rows = tx.rows(
            "SELECT merchant_id FROM gallery_members WHERE customer_id = ? AND merchant_id = ?",
            (customer_id, merchant_id),
        )
    entries = []
    for (merchant,) in sorted(rows):
        tx.rows(
            "DELETE FROM gallery_members WHERE merchant_id = ? AND customer_id = ?",
            (merchant, customer_id),
            fetch=False,
        )
        entries.append(_append(tx, keys, str(merchant), ERASE, customer_id, at))
    return entries


def _gallery_key(
    tx: LedgerTx, keys: LedgerKeys, merchant_id: str, fresh: bytes, at: str
) -> tuple[bytes, int]:
    """The merchant's gallery key (created from ``fresh`` the first time) and its version."""
    wrapped = wrap_key(
        keys.pin.public_key(), fresh, merchant_id=merchant_id, recipient_id=_LEDGER_RECIPIENT, version=1
    )
    tx.rows(
        "INSERT INTO gallery_keys (merchant_id, key_version, wrapped_for_ledger, created_at) "
        "VALUES (?, 1, ?, ?) ON CONFLICT DO NOTHING",
        (merchant_id, wrapped, at),
        fetch=False,
    )
    version, stored = tx.rows(
        "SELECT key_version, wrapped_for_ledger FROM gallery_keys WHERE merchant_id = ?", (merchant_id,)
    )[0]
    key = unwrap_key(
        keys.pin, str(stored), merchant_id=merchant_id, recipient_id=_LEDGER_RECIPIENT, version=int(version)
    )
    return key, int(version)


def _entry(merchant_id: str, r: tuple[object, ...]) -> FeedEntry:
    """A feed row (seq, kind, customer, enrol, model, digest, at, prev, hash, signature, sealed)."""
    kind, customer, enrol, model, digest, at, prev, hash_, signature = (str(x) for x in r[1:10])
    sealed = None if r[10] is None else str(r[10])
    seq = r[0]
    assert isinstance(seq, int)
    return FeedEntry(
        merchant_id, seq, kind, customer, enrol, model, digest, at, prev, hash_, signature, sealed
    )


def _head(tx: LedgerTx, merchant_id: str) -> tuple[int, str]:
    rows = tx.rows("SELECT seq, hash FROM gallery_heads WHERE merchant_id = ?", (merchant_id,))
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, FEED_GENESIS)


def _int_param(query: Mapping[str, str], name: str, default: int, top: int) -> int:
    text = query.get(name, str(default))
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadInput(ErrorCode.MALFORMED, f"{name} must be a whole number")
    return min(int(text), top)


# --- actions ----------------------------------------------------------------------


def prepare_gallery_register(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """A kiosk registers its X25519 box key; it gets its merchant's gallery key wrapped for it.
    Registering again (a new box key after a lost data folder) replaces the wrap."""
    body = parse_body(req.body, {"box_key"})
    box_text = body.text("box_key", max_len=64)
    try:
        box = box_public_from_text(box_text)
    except (GalleryKeyUnwrapError, ValueError):
        raise BadInput(ErrorCode.MALFORMED, "box_key must be base64 of a raw X25519 public key") from None
    fresh = new_gallery_key()
    keys = ctx.guard.keys
    merchant = terminal.merchant_id

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        key, version = _gallery_key(tx, keys, merchant, fresh, at)
        wrapped = wrap_key(box, key, merchant_id=merchant, recipient_id=terminal.terminal_id, version=version)
        tx.rows(
            "INSERT INTO gallery_kiosks (terminal_id, merchant_id, box_key, wrapped_key, registered_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (terminal_id) DO UPDATE SET "
            "merchant_id = excluded.merchant_id, box_key = excluded.box_key, "
            "wrapped_key = excluded.wrapped_key",
            (terminal.terminal_id, merchant, box_text, wrapped, at),
            fetch=False,
        )
        seq, head = _head(tx, merchant)
        payload = {
            "merchant_id": merchant,
            "terminal_id": terminal.terminal_id,
            "key_version": version,
            "wrapped_key": wrapped,
            "head_seq": seq,
            "head": head,
        }
        return Outcome(200, payload, {"merchant_id": merchant, "key_version": version})

    return work


def prepare_gallery_upload(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """Sealed templates of an enrolment this terminal linked (``POST /v1/enrolments``) in the last
    :data:`UPLOAD_WINDOW_S`: the link carries the shopper's proof, the cashier and the consent; the
    templates follow it once. A re-enrolment (a newer link) replaces the earlier templates.
    ``linked_at`` (optional) names the link the kiosk means; another one is refused."""
    body = parse_body(req.body, {"customer_id", "enrol_id", "model_id", "sealed", "linked_at"})
    customer_id = body.text("customer_id", pattern=ID_PATTERN)
    enrol_id = body.text("enrol_id", pattern=ID_PATTERN)
    model_id = body.text("model_id", max_len=128)
    sealed = body.text("sealed", max_len=MAX_SEALED_CHARS)
    named_link = body.text("linked_at", max_len=40, required=False)
    try:
        if named_link:
            from_iso_time(named_link)
    except (ValueError, WireError):
        raise BadInput(ErrorCode.MALFORMED, "linked_at must be the enrolment answer's linked_at") from None
    keys = ctx.guard.keys
    merchant = terminal.merchant_id

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        link = tx.face_link(customer_id)
        linked_at = link.linked_at if link is not None else ""
        if (
            link is None
            or link.merchant_id != merchant
            or link.terminal_id != terminal.terminal_id
            or (named_link and named_link != linked_at)
            or not 0 <= now - from_iso_time(linked_at).timestamp() <= UPLOAD_WINDOW_S
        ):
            return error(
                ErrorCode.PROOF_REQUIRED,
                "templates follow an enrolment this terminal linked in the last "
                f"{UPLOAD_WINDOW_S // 60} minutes (POST /v1/enrolments)",
                customer_id=customer_id,
            )
        current = tx.rows(
            "SELECT enrol_id, linked_at FROM gallery_members WHERE merchant_id = ? AND customer_id = ?",
            (merchant, customer_id),
        )
        if current and str(current[0][1]) == linked_at:
            return error(
                ErrorCode.PROOF_REQUIRED,
                "this enrolment's templates were uploaded already",
                customer_id=customer_id,
            )
        tx.rows(
            "DELETE FROM gallery_members WHERE merchant_id = ? AND customer_id = ?",
            (merchant, customer_id),
            fetch=False,
        )
        tx.rows(
            "INSERT INTO gallery_members (merchant_id, customer_id, enrol_id, model_id, sealed, linked_at, "
            "terminal_id, consent_version, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                merchant,
                customer_id,
                enrol_id,
                model_id,
                sealed,
                linked_at,
                terminal.terminal_id,
                link.consent_version,
                at,
            ),
            fetch=False,
        )
        kind = "reenrol" if current else "enrol"
        entry = _append(
            tx,
            keys,
            merchant,
            kind,
            customer_id,
            at,
            enrol_id=enrol_id,
            model_id=model_id,
            digest=sealed_digest(sealed),
        )
        payload = {"customer_id": customer_id, "kind": kind, "seq": entry.seq, "hash": entry.hash}
        return Outcome(201, payload, {"customer_id": customer_id, "kind": kind, "seq": entry.seq})

    return work


def prepare_gallery_feed(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """``GET /v1/gallery/feed?after=N[&limit=M]``: the merchant's entries after N, oldest first;
    an enrolment entry carries its sealed templates while they are still current."""
    after = _int_param(req.query, "after", 0, 2**62)
    limit = max(1, _int_param(req.query, "limit", FEED_PAGE, FEED_PAGE))
    merchant = terminal.merchant_id

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        rows = tx.rows(
            "SELECT f.seq, f.kind, f.customer_id, f.enrol_id, f.model_id, f.digest, f.at, f.prev_hash, "
            "f.hash, f.signature, m.sealed FROM gallery_feed f LEFT JOIN gallery_members m "
            "ON m.merchant_id = f.merchant_id AND m.customer_id = f.customer_id AND m.enrol_id = f.enrol_id "
            "AND f.kind <> 'erase' WHERE f.merchant_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?",
            (merchant, after, limit),
        )
        entries = [_entry(merchant, r) for r in rows]
        tx.rows(
            "UPDATE gallery_kiosks SET polled_at = ? WHERE terminal_id = ?",
            (at, terminal.terminal_id),
            fetch=False,
        )
        seq, head = _head(tx, merchant)
        payload = {
            "merchant_id": merchant,
            "head_seq": seq,
            "head": head,
            "entries": [e.to_json() for e in entries],
        }
        return Outcome(200, payload, {"after": after, "entries": len(entries)})

    return work


def prepare_gallery_snapshot(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """``GET /v1/gallery/snapshot[?after=CUSTOMER][&limit=N]``: a signed page of the current members."""
    after = req.query.get("after", "")
    if after and not ID_PATTERN.fullmatch(after):
        raise BadInput(ErrorCode.MALFORMED, "after must be a customer id")
    limit = max(1, _int_param(req.query, "limit", SNAPSHOT_PAGE, SNAPSHOT_PAGE))
    keys = ctx.guard.keys
    merchant = terminal.merchant_id

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        seq, head = _head(tx, merchant)
        rows = tx.rows(
            "SELECT customer_id, enrol_id, model_id, sealed FROM gallery_members "
            "WHERE merchant_id = ? AND customer_id > ? ORDER BY customer_id LIMIT ?",
            (merchant, after, limit + 1),
        )
        members = [SnapshotMember(*(str(x) for x in r)) for r in rows[:limit]]
        page = sign_snapshot(
            keys.signing,
            merchant_id=merchant,
            seq=seq,
            head=head,
            after=after,
            members=members,
            more=len(rows) > limit,
        )
        return Outcome(200, page.to_json(), {"after": after, "members": len(members), "seq": seq})

    return work


def prepare_gallery_ack(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """``POST /v1/gallery/acks {"seq": N, "head": H}``: this kiosk's replica applied the feed up to
    N, whose hash is H. Every erasure up to N is then confirmed for this kiosk."""
    body = parse_body(req.body, {"seq", "head"})
    seq = body.data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise BadInput(ErrorCode.MALFORMED, "seq must be a whole number")
    head = body.text("head", max_len=64)
    merchant = terminal.merchant_id

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        kiosk = tx.rows(
            "SELECT synced_seq FROM gallery_kiosks WHERE terminal_id = ?", (terminal.terminal_id,)
        )
        if not kiosk:
            return error(
                ErrorCode.NOT_FOUND, "this kiosk has not registered its box key (POST /v1/gallery/kiosks)"
            )
        known = tx.rows("SELECT hash FROM gallery_feed WHERE merchant_id = ? AND seq = ?", (merchant, seq))
        if (seq == 0 and head != FEED_GENESIS) or (seq > 0 and (not known or str(known[0][0]) != head)):
            return error(
                ErrorCode.MALFORMED,
                "the acknowledged position is not in this merchant's feed: bootstrap the replica again",
                seq=seq,
            )
        tx.rows(
            "UPDATE gallery_kiosks SET synced_seq = ?, synced_at = ? WHERE terminal_id = ?",
            (max(seq, int(kiosk[0][0])), at, terminal.terminal_id),
            fetch=False,
        )
        confirmed = tx.rows(
            "INSERT INTO gallery_erasure_acks (merchant_id, seq, terminal_id, customer_id, confirmed_at) "
            "SELECT merchant_id, seq, ?, customer_id, ? FROM gallery_feed "
            "WHERE merchant_id = ? AND kind = 'erase' AND seq <= ? ON CONFLICT DO NOTHING RETURNING seq",
            (terminal.terminal_id, at, merchant, seq),
        )
        payload = {"seq": seq, "confirmed_erasures": len(confirmed), "synced_at": at}
        return Outcome(200, payload, {"seq": seq, "confirmed_erasures": len(confirmed)})

    return work


# --- the operator's view ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KioskConfirmation:
    """One kiosk's answer to one erasure.

    Attributes:
        terminal_id: the kiosk.
        confirmed_at: when it acknowledged the erasure (ISO UTC), or None while it has not.
        synced_at: the last time it acknowledged any feed position (None: never).
    """

    terminal_id: str
    confirmed_at: str | None
    synced_at: str | None


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """A customer's erasure from one merchant's gallery and each kiosk's confirmation.

    Attributes:
        merchant_id: whose gallery.
        seq: the erasure entry's position in the feed.
        at: when the ledger recorded it.
        kiosks: every kiosk registered for the merchant, by terminal id.
    """

    merchant_id: str
    seq: int
    at: str
    kiosks: tuple[KioskConfirmation, ...]

    @property
    def complete(self) -> bool:
        return all(k.confirmed_at is not None for k in self.kiosks)


def erasure_status(store: LedgerStore, customer_id: str) -> list[ErasureRecord]:
    """Every erasure of the customer (per merchant) with each kiosk's confirmation time."""
    with store.transaction() as tx:
        erasures = tx.rows(
            "SELECT merchant_id, seq, at FROM gallery_feed WHERE customer_id = ? AND kind = 'erase' "
            "ORDER BY at, merchant_id",
            (customer_id,),
        )
        records = []
        for merchant, seq, at in erasures:
            kiosks = tx.rows(
                "SELECT k.terminal_id, a.confirmed_at, k.synced_at FROM gallery_kiosks k "
                "LEFT JOIN gallery_erasure_acks a ON a.terminal_id = k.terminal_id "
                "AND a.merchant_id = ? AND a.seq = ? WHERE k.merchant_id = ? ORDER BY k.terminal_id",
                (merchant, seq, merchant),
            )
            records.append(
                ErasureRecord(
                    str(merchant),
                    int(seq),
                    str(at),
                    tuple(
                        KioskConfirmation(str(t), c if c is None else str(c), s if s is None else str(s))
                        for t, c, s in kiosks
                    ),
                )
            )
        return records
