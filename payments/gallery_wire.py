"""The merchant gallery on the wire: its key, sealed templates, and the signed change feed.

Shared by the ledger host (``payments.ledger.gallery``) and the kiosks' replicas
(``payments.gallery_replica``); see ``docs/gallery.md`` for who can decrypt what.

- A merchant's **gallery key** (32 random bytes, AES-256-GCM) is wrapped for each
  registered kiosk's X25519 box key, and once for the ledger host's own X25519 key, the way
  PIN blocks are encrypted (ephemeral X25519, HKDF-SHA256, AES-256-GCM); the merchant and
  the recipient are bound in as associated data. The database holds only wraps.
- **Templates** are sealed by the enrolling kiosk under the gallery key before they leave
  it; the merchant, customer, enrolment id and model id are bound in as associated data.
- Every **feed entry** carries the hash of the one before it (one chain per merchant) and an
  Ed25519 signature of the ledger over its own hash; a snapshot page is signed over its
  merchant, position, head and the digest of its members.

Exceptions::

    GalleryWireError(Exception)
    ├── GalleryKeyUnwrapError   a wrapped key does not open with this private key
    ├── SealError               sealed templates that do not open or are malformed
    └── FeedVerifyError         an entry or snapshot page whose hash or signature is wrong
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from numpy.typing import NDArray

__all__ = [
    "FEED_GENESIS",
    "KEY_ALG",
    "MAX_SEALED_CHARS",
    "MAX_TEMPLATES_PER_ENROLMENT",
    "FeedEntry",
    "FeedVerifyError",
    "GalleryKeyUnwrapError",
    "GalleryWireError",
    "SealError",
    "SnapshotMember",
    "SnapshotPage",
    "box_public_from_text",
    "box_public_text",
    "entry_hash",
    "new_gallery_key",
    "open_templates",
    "seal_templates",
    "sign_entry",
    "sign_snapshot",
    "unwrap_key",
    "verify_entry",
    "verify_snapshot",
    "wrap_key",
]

KEY_ALG = "X25519-HKDF-SHA256-A256GCM"
_HKDF_INFO = b"facepay gallery key v1"
# The chain of every merchant's feed starts from this hash (entry 1's prev_hash).
FEED_GENESIS = "0" * 64
# A kiosk keeps at most this many templates per enrolment (photos x variants); it bounds the body.
MAX_TEMPLATES_PER_ENROLMENT = 10
# base64 of MAX_TEMPLATES_PER_ENROLMENT 512-d float32 templates plus header, nonce and tag: ~28 KB
# would exceed the ledger's 16 KiB body limit, so a 512-d model keeps at most 5; a 192-d one 10.
MAX_SEALED_CHARS = 14_000
_HEADER = struct.Struct("<II")  # templates, dimension


class GalleryWireError(Exception):
    """Base class of gallery key, seal and feed errors."""


class GalleryKeyUnwrapError(GalleryWireError):
    """A wrapped gallery key does not open with this private key and context."""


class SealError(GalleryWireError):
    """Sealed templates that are malformed or do not open for this customer and enrolment."""


class FeedVerifyError(GalleryWireError):
    """A feed entry or snapshot page whose hash chain or ledger signature is wrong."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str, error: type[GalleryWireError]) -> bytes:
    if not isinstance(text, str):
        raise error(f"{what} must be a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise error(f"{what} is not base64") from None


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


# --- keys ---------------------------------------------------------------------------


def new_gallery_key() -> bytes:
    """A fresh merchant gallery key."""
    return os.urandom(32)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def box_public_text(key: X25519PublicKey) -> str:
    """A kiosk's (or the ledger's) X25519 public key as base64 of its 32 raw bytes."""
    return _b64(_raw(key))


def box_public_from_text(text: object) -> X25519PublicKey:
    raw = _unb64(text, "box_key", GalleryKeyUnwrapError)
    if len(raw) != 32:
        raise GalleryKeyUnwrapError("box_key must be 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


def _wrap_context(merchant_id: str, recipient: str, version: int) -> bytes:
    return f"facepay-gallery-key-v1\n{merchant_id}\n{recipient}\n{version}".encode()


def _derive(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=_HKDF_INFO).derive(shared)


def wrap_key(
    recipient: X25519PublicKey, gallery_key: bytes, *, merchant_id: str, recipient_id: str, version: int
) -> str:
    """``gallery_key`` encrypted for ``recipient`` (a kiosk's box key, or the ledger's), as text."""
    ephemeral = X25519PrivateKey.generate()
    epk = _raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), epk, _raw(recipient))
    iv = os.urandom(12)
    ct = AESGCM(key).encrypt(iv, gallery_key, _wrap_context(merchant_id, recipient_id, version))
    return _b64(_canonical({"alg": KEY_ALG, "epk": _b64(epk), "iv": _b64(iv), "ct": _b64(ct)}))


def unwrap_key(
    private: X25519PrivateKey, wrapped: str, *, merchant_id: str, recipient_id: str, version: int
) -> bytes:
    """The gallery key inside ``wrapped``; :class:`GalleryKeyUnwrapError` when it does not open."""
    try:
        obj = json.loads(_unb64(wrapped, "wrapped key", GalleryKeyUnwrapError))
    except ValueError:
        raise GalleryKeyUnwrapError("the wrapped key is not a key object") from None
    if not isinstance(obj, dict) or obj.get("alg") != KEY_ALG:
        raise GalleryKeyUnwrapError(f"the wrapped key is not {KEY_ALG}")
    epk = _unb64(obj.get("epk"), "epk", GalleryKeyUnwrapError)
    iv = _unb64(obj.get("iv"), "iv", GalleryKeyUnwrapError)
    ct = _unb64(obj.get("ct"), "ct", GalleryKeyUnwrapError)
    if len(epk) != 32 or len(iv) != 12:
        raise GalleryKeyUnwrapError("the wrapped key has fields of the wrong size")
    try:
        key = _derive(
            private.exchange(X25519PublicKey.from_public_bytes(epk)), epk, _raw(private.public_key())
        )
        plain = AESGCM(key).decrypt(iv, ct, _wrap_context(merchant_id, recipient_id, version))
    except (InvalidTag, ValueError):
        raise GalleryKeyUnwrapError(
            f"the gallery key of {merchant_id} does not open with this key (wrapped for another kiosk?)"
        ) from None
    if len(plain) != 32:
        raise GalleryKeyUnwrapError("the gallery key is not 32 bytes")
    return plain


# --- templates ------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    """One AES-GCM context per gallery key (opening 100k templates built 100k contexts)."""
    return AESGCM(key)


def _seal_context(merchant_id: str, customer_id: str, enrol_id: str, model_id: str) -> bytes:
    return f"facepay-gallery-templates-v1\n{merchant_id}\n{customer_id}\n{enrol_id}\n{model_id}".encode()


def seal_templates(
    key: bytes,
    templates: NDArray[np.float32],
    *,
    merchant_id: str,
    customer_id: str,
    enrol_id: str,
    model_id: str,
) -> str:
    """Rows of ``templates`` sealed under the gallery key, as base64 text."""
    rows = np.ascontiguousarray(np.atleast_2d(templates), dtype=np.float32)
    if not 1 <= rows.shape[0] <= MAX_TEMPLATES_PER_ENROLMENT:
        raise SealError(f"an enrolment has 1 to {MAX_TEMPLATES_PER_ENROLMENT} templates")
    plain = _HEADER.pack(rows.shape[0], rows.shape[1]) + rows.tobytes()
    nonce = os.urandom(12)
    aad = _seal_context(merchant_id, customer_id, enrol_id, model_id)
    return _b64(nonce + _aead(key).encrypt(nonce, plain, aad))


def open_templates(
    key: bytes, sealed: str, *, merchant_id: str, customer_id: str, enrol_id: str, model_id: str
) -> NDArray[np.float32]:
    """The templates (one per row) inside ``sealed``; :class:`SealError` when they do not open."""
    blob = _unb64(sealed, "sealed", SealError)
    if len(blob) < 12 + 16 + _HEADER.size:
        raise SealError("sealed templates are too short")
    try:
        plain = _aead(key).decrypt(
            blob[:12], blob[12:], _seal_context(merchant_id, customer_id, enrol_id, model_id)
        )
    except InvalidTag:
        raise SealError(
            f"the templates of {customer_id} do not open (altered, moved or another key)"
        ) from None
    count, dim = _HEADER.unpack_from(plain)
    if len(plain) != _HEADER.size + 4 * count * dim or count == 0:
        raise SealError("sealed templates have the wrong length")
    return np.frombuffer(plain, dtype=np.float32, offset=_HEADER.size).reshape(count, dim)


def sealed_digest(sealed: str) -> str:
    """SHA-256 (hex) of sealed templates as sent: what a feed entry's hash covers."""
    return hashlib.sha256(sealed.encode("ascii")).hexdigest()


# --- the feed -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One change of a merchant's gallery.

    Attributes:
        merchant_id: whose gallery.
        seq: position in the merchant's feed (1, 2, ...).
        kind: ``enrol``, ``reenrol`` or ``erase``.
        customer_id: the shopper.
        enrol_id: the enrolment's id (``""`` for an erasure).
        model_id: the recogniser the templates are for (``""`` for an erasure).
        digest: SHA-256 of the sealed templates (``""`` for an erasure).
        at: ledger time, ISO UTC.
        prev_hash: hash of entry ``seq - 1`` (:data:`FEED_GENESIS` for the first).
        hash: this entry's hash (:func:`entry_hash`).
        signature: the ledger's Ed25519 signature over the hash, base64.
        sealed: the sealed templates while they are current; None for an erasure or once the
            customer was erased or enrolled again (the host keeps no superseded templates).
    """

    merchant_id: str
    seq: int
    kind: str
    customer_id: str
    enrol_id: str
    model_id: str
    digest: str
    at: str
    prev_hash: str
    hash: str
    signature: str
    sealed: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "merchant_id": self.merchant_id,
            "seq": self.seq,
            "kind": self.kind,
            "customer_id": self.customer_id,
            "enrol_id": self.enrol_id,
            "model_id": self.model_id,
            "digest": self.digest,
            "at": self.at,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "signature": self.signature,
            "sealed": self.sealed,
        }

    @classmethod
    def from_json(cls, obj: object) -> FeedEntry:
        if not isinstance(obj, Mapping):
            raise FeedVerifyError("a feed entry must be an object")
        try:
            sealed = obj.get("sealed")
            fields = {k: obj[k] for k in ("merchant_id", "kind", "customer_id", "enrol_id", "model_id")}
            fields.update({k: obj[k] for k in ("digest", "at", "prev_hash", "hash", "signature")})
            if not all(isinstance(v, str) for v in fields.values()):
                raise FeedVerifyError("feed entry fields must be strings")
            seq = obj["seq"]
            if (
                not isinstance(seq, int)
                or isinstance(seq, bool)
                or (sealed is not None and not isinstance(sealed, str))
            ):
                raise FeedVerifyError("feed entry seq must be an integer and sealed a string or null")
        except KeyError as exc:
            raise FeedVerifyError(f"a feed entry lacks {exc}") from None
        return cls(seq=seq, sealed=sealed, **fields)


KINDS = ("enrol", "reenrol", "erase")


def entry_hash(
    *,
    merchant_id: str,
    seq: int,
    kind: str,
    customer_id: str,
    enrol_id: str,
    model_id: str,
    digest: str,
    at: str,
    prev_hash: str,
) -> str:
    """The hash of one entry: SHA-256 of its canonical JSON, including the previous hash."""
    body = {
        "v": "facepay-gallery-entry-v1",
        "merchant_id": merchant_id,
        "seq": seq,
        "kind": kind,
        "customer_id": customer_id,
        "enrol_id": enrol_id,
        "model_id": model_id,
        "digest": digest,
        "at": at,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(body)).hexdigest()


def _entry_message(entry_hash_hex: str) -> bytes:
    return f"facepay-gallery-entry-v1\n{entry_hash_hex}".encode()


def sign_entry(key: Ed25519PrivateKey, entry_hash_hex: str) -> str:
    return _b64(key.sign(_entry_message(entry_hash_hex)))


def verify_entry(ledger: Ed25519PublicKey, entry: FeedEntry) -> None:
    """Raise :class:`FeedVerifyError` unless the entry's hash is its content's and the ledger signed it.

    Does not check the entry's place in the chain (the replica does, against its cursor)."""
    if entry.kind not in KINDS:
        raise FeedVerifyError(f"entry {entry.seq}: unknown kind {entry.kind!r}")
    expected = entry_hash(
        merchant_id=entry.merchant_id,
        seq=entry.seq,
        kind=entry.kind,
        customer_id=entry.customer_id,
        enrol_id=entry.enrol_id,
        model_id=entry.model_id,
        digest=entry.digest,
        at=entry.at,
        prev_hash=entry.prev_hash,
    )
    if expected != entry.hash:
        raise FeedVerifyError(f"entry {entry.seq}: its hash does not match its content (tampered)")
    try:
        ledger.verify(_unb64(entry.signature, "signature", FeedVerifyError), _entry_message(entry.hash))
    except InvalidSignature:
        raise FeedVerifyError(f"entry {entry.seq}: the ledger's signature does not verify") from None
    if entry.sealed is not None and sealed_digest(entry.sealed) != entry.digest:
        raise FeedVerifyError(f"entry {entry.seq}: the templates do not match the signed digest")


# --- snapshots ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotMember:
    """One enrolled customer in a snapshot page.

    Attributes:
        customer_id: the shopper.
        enrol_id: the current enrolment.
        model_id: the recogniser the templates are for.
        sealed: the sealed templates.
    """

    customer_id: str
    enrol_id: str
    model_id: str
    sealed: str

    def to_json(self) -> dict[str, str]:
        return {
            "customer_id": self.customer_id,
            "enrol_id": self.enrol_id,
            "model_id": self.model_id,
            "sealed": self.sealed,
        }


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    """A page of a merchant's gallery as it stood at feed position ``seq``.

    Attributes:
        merchant_id: whose gallery.
        seq: the feed position the page reflects (its head).
        head: the hash of entry ``seq`` (:data:`FEED_GENESIS` at 0).
        after: the customer id the page starts after (``""`` for the first page).
        members: customers in id order.
        more: True when another page follows (ask again with ``after`` = the last id).
        signature: the ledger's Ed25519 signature over all of the above.
    """

    merchant_id: str
    seq: int
    head: str
    after: str
    members: tuple[SnapshotMember, ...]
    more: bool
    signature: str

    def to_json(self) -> dict[str, Any]:
        return {
            "merchant_id": self.merchant_id,
            "seq": self.seq,
            "head": self.head,
            "after": self.after,
            "members": [m.to_json() for m in self.members],
            "more": self.more,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, obj: object) -> SnapshotPage:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("members"), list):
            raise FeedVerifyError("a snapshot page must be an object with members")
        members = []
        for m in obj["members"]:
            if not isinstance(m, Mapping) or not all(
                isinstance(m.get(k), str) for k in ("customer_id", "enrol_id", "model_id", "sealed")
            ):
                raise FeedVerifyError("a snapshot member must have four strings")
            members.append(SnapshotMember(m["customer_id"], m["enrol_id"], m["model_id"], m["sealed"]))
        seq = obj.get("seq")
        texts = [obj.get(k) for k in ("merchant_id", "head", "after", "signature")]
        if not isinstance(seq, int) or not all(isinstance(t, str) for t in texts):
            raise FeedVerifyError("a snapshot page has a bad seq or text field")
        return cls(
            str(texts[0]),
            seq,
            str(texts[1]),
            str(texts[2]),
            tuple(members),
            obj.get("more") is True,
            str(texts[3]),
        )


def _snapshot_message(
    merchant_id: str, seq: int, head: str, after: str, members: Sequence[SnapshotMember], more: bool
) -> bytes:
    digest = hashlib.sha256(_canonical([m.to_json() for m in members])).hexdigest()
    return (
        f"facepay-gallery-snapshot-v1\n{merchant_id}\n{seq}\n{head}\n{after}\n{digest}\n{int(more)}".encode()
    )


def sign_snapshot(
    key: Ed25519PrivateKey,
    *,
    merchant_id: str,
    seq: int,
    head: str,
    after: str,
    members: Sequence[SnapshotMember],
    more: bool,
) -> SnapshotPage:
    signature = _b64(key.sign(_snapshot_message(merchant_id, seq, head, after, members, more)))
    return SnapshotPage(merchant_id, seq, head, after, tuple(members), more, signature)


def verify_snapshot(ledger: Ed25519PublicKey, page: SnapshotPage) -> None:
    message = _snapshot_message(page.merchant_id, page.seq, page.head, page.after, page.members, page.more)
    try:
        ledger.verify(_unb64(page.signature, "signature", FeedVerifyError), message)
    except InvalidSignature:
        raise FeedVerifyError("the snapshot page's ledger signature does not verify") from None
