"""Ed25519 signatures of ledger requests and responses (see payments/PROTOCOL.md).

Used on both sides: the terminal signs requests and verifies responses, the ledger
verifies requests and signs responses. Everything here is pure: the caller passes
the clock and the nonce source when it wants control over them.

Request message (UTF-8, lines joined by ``\\n``)::

    METHOD
    PATH?QUERY          exactly as sent on the wire
    TIMESTAMP           unix seconds, decimal
    NONCE               lowercase hex, >= 16 random bytes
    IDEMPOTENCY-KEY     empty line for GET
    SHA256-HEX(body)

Response message::

    STATUS
    NONCE               the request's nonce
    SHA256-HEX(body)

Exceptions::

    SigningError(Exception)
    ├── BadSignature        missing, malformed or wrong signature / auth headers
    └── KeyFileError        a key file that cannot be read or is the wrong kind of key
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from payments._private_file import write_private

__all__ = [
    "HEADER_IDEMPOTENCY",
    "HEADER_LEDGER_SIGNATURE",
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "HEADER_TERMINAL",
    "HEADER_TIMESTAMP",
    "NONCE_BYTES",
    "BadSignature",
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "KeyFileError",
    "RequestAuth",
    "SigningError",
    "body_digest",
    "canonical_request",
    "canonical_response",
    "generate_key",
    "load_private_key",
    "load_public_key",
    "new_nonce",
    "public_key_from_text",
    "public_key_text",
    "read_auth_headers",
    "save_private_key",
    "save_public_key",
    "sign_request",
    "sign_response",
    "verify_request",
    "verify_response",
]

HEADER_TERMINAL = "FacePay-Terminal"
HEADER_TIMESTAMP = "FacePay-Timestamp"
HEADER_NONCE = "FacePay-Nonce"
HEADER_IDEMPOTENCY = "Idempotency-Key"
HEADER_SIGNATURE = "FacePay-Signature"
HEADER_LEDGER_SIGNATURE = "FacePay-Ledger-Signature"

# 16 random bytes is the protocol minimum; 64 bytes bounds what a ledger stores per nonce.
NONCE_BYTES = 16
_NONCE = re.compile(r"[0-9a-f]{32,128}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Printable ASCII without spaces: ids and keys travel in headers and signed lines.
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")


class SigningError(Exception):
    """Base class of signing errors."""


class BadSignature(SigningError):
    """A missing, malformed or wrong signature or authentication header."""


class KeyFileError(SigningError):
    """A key file that cannot be read, or holds the wrong kind of key."""


@dataclass(frozen=True, slots=True)
class RequestAuth:
    """The verified authentication headers of one request.

    Attributes:
        terminal_id: the ``FacePay-Terminal`` header.
        timestamp: ``FacePay-Timestamp`` as unix seconds.
        nonce: ``FacePay-Nonce`` (lowercase hex).
        idempotency_key: ``Idempotency-Key`` or ``""`` when absent.
    """

    terminal_id: str
    timestamp: int
    nonce: str
    idempotency_key: str


def body_digest(body: bytes) -> str:
    """Lowercase hex SHA-256 of a raw body."""
    return hashlib.sha256(body).hexdigest()


def new_nonce() -> str:
    """A fresh request nonce: 16 random bytes as lowercase hex."""
    return secrets.token_hex(NONCE_BYTES)


def canonical_request(
    method: str, path: str, timestamp: int, nonce: str, idempotency_key: str, body: bytes
) -> bytes:
    """The exact bytes a terminal signs for one request."""
    lines = (method.upper(), path, str(timestamp), nonce, idempotency_key, body_digest(body))
    return "\n".join(lines).encode("utf-8")


def canonical_response(status: int, nonce: str, body: bytes) -> bytes:
    """The exact bytes the ledger signs for one response."""
    return f"{status}\n{nonce}\n{body_digest(body)}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadSignature(f"{what} is not base64") from None


def sign_request(
    key: Ed25519PrivateKey,
    *,
    terminal_id: str,
    method: str,
    path: str,
    body: bytes = b"",
    idempotency_key: str = "",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers that authenticate one request (terminal, timestamp, nonce, key, signature).

    ``path`` is the path with its query string exactly as it goes on the wire
    (with httpx: ``request.url.raw_path``). ``timestamp`` defaults to now and
    ``nonce`` to a fresh random one.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    nc = new_nonce() if nonce is None else nonce
    sig = key.sign(canonical_request(method, path, ts, nc, idempotency_key, body))
    headers = {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: str(ts),
        HEADER_NONCE: nc,
        HEADER_SIGNATURE: _b64(sig),
    }
    if idempotency_key:
        headers[HEADER_IDEMPOTENCY] = idempotency_key
    return headers


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    if value is None:
        raise BadSignature(f"missing header {name}")
    return value


def read_auth_headers(headers: Mapping[str, str]) -> RequestAuth:
    """Parse (not verify) the authentication headers; raises BadSignature when malformed."""
    terminal = _header(headers, HEADER_TERMINAL)
    if not _TOKEN.fullmatch(terminal):
        raise BadSignature(f"malformed {HEADER_TERMINAL}")
    ts = _header(headers, HEADER_TIMESTAMP)
    if not _TIMESTAMP.fullmatch(ts):
        raise BadSignature(f"{HEADER_TIMESTAMP} must be unix seconds")
    nonce = _header(headers, HEADER_NONCE)
    if not _NONCE.fullmatch(nonce):
        raise BadSignature(f"{HEADER_NONCE} must be 32 to 128 lowercase hex digits")
    idem = headers.get(HEADER_IDEMPOTENCY, headers.get(HEADER_IDEMPOTENCY.lower(), ""))
    if idem and not _TOKEN.fullmatch(idem):
        raise BadSignature(f"{HEADER_IDEMPOTENCY} must be 1 to 128 printable ASCII characters")
    return RequestAuth(terminal, int(ts), nonce, idem)


def verify_request(
    public_key: Ed25519PublicKey, *, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> RequestAuth:
    """Check a request's signature; return its authentication headers.

    Only the signature is checked here; the timestamp window and nonce reuse are
    the verifier's policy (the ledger keeps the nonce store).
    """
    auth = read_auth_headers(headers)
    sig = _unb64(_header(headers, HEADER_SIGNATURE), HEADER_SIGNATURE)
    message = canonical_request(method, path, auth.timestamp, auth.nonce, auth.idempotency_key, body)
    try:
        public_key.verify(sig, message)
    except InvalidSignature:
        raise BadSignature("request signature does not verify") from None
    return auth


def sign_response(key: Ed25519PrivateKey, status: int, nonce: str, body: bytes) -> str:
    """Base64 value of ``FacePay-Ledger-Signature`` for one response."""
    return _b64(key.sign(canonical_response(status, nonce, body)))


def verify_response(
    public_key: Ed25519PublicKey, status: int, nonce: str, body: bytes, signature: str | None
) -> None:
    """Raise BadSignature unless ``signature`` signs (status, nonce, body) with the ledger key."""
    if not signature:
        raise BadSignature(f"response has no {HEADER_LEDGER_SIGNATURE}")
    sig = _unb64(signature, HEADER_LEDGER_SIGNATURE)
    try:
        public_key.verify(sig, canonical_response(status, nonce, body))
    except InvalidSignature:
        raise BadSignature("response signature does not verify") from None


# --- keys -------------------------------------------------------------------


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def save_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """Write ``key`` as unencrypted PKCS8 PEM, readable by the owner only (mode 600)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_private(path, pem)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read the first PKCS8 PEM private key in ``path``; it must be Ed25519."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    end = b"-----END PRIVATE KEY-----"
    first = data[: data.find(end) + len(end)] if end in data else data
    try:
        key = serialization.load_pem_private_key(first, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} does not hold an Ed25519 private key")
    return key


def save_public_key(key: Ed25519PublicKey, path: Path) -> None:
    """Write ``key`` as SubjectPublicKeyInfo PEM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} does not hold an Ed25519 public key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key as base64 (how the ledger stores terminal keys)."""
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """Inverse of :func:`public_key_text`; also accepts a PEM text."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise KeyFileError("not a base64 raw Ed25519 public key (32 bytes)") from exc
