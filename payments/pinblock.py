"""PIN blocks: a PIN encrypted on the terminal for the ledger only (see payments/PROTOCOL.md).

X25519 with a fresh ephemeral key per PIN, HKDF-SHA256 to a 256-bit key, AES-256-GCM.
The associated data binds the block to one request intent: the terminal id, the
request's idempotency key and the customer or cashier the PIN is for. A block
copied into another request, for another person, or altered in any bit does not
decrypt. The idempotency key is bound rather than the per-attempt nonce because a
retry must resend the first attempt's body byte for byte (with a fresh nonce).

The PIN is padded to a fixed length before encryption so that the ciphertext does
not reveal how many digits it has.

Exceptions::

    PinBlockError(ValueError)
    ├── MalformedPinBlock       not a PIN object of this version, or a PIN that is not 4-12 digits
    └── PinDecryptError         does not decrypt with this key and context (tampered or misbound)
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "PIN_ALG",
    "MalformedPinBlock",
    "PinBlockError",
    "PinDecryptError",
    "X25519PrivateKey",
    "X25519PublicKey",
    "decrypt_pin",
    "encrypt_pin",
    "generate_pin_key",
    "pin_context",
    "pin_public_key_from_text",
    "pin_public_key_text",
    "valid_pin",
]

PIN_ALG = "X25519-HKDF-SHA256-A256GCM"
_VERSION = 1
_HKDF_INFO = b"facepay pin v1"
_PAD_TO = 12
_MIN_DIGITS = 4


class PinBlockError(ValueError):
    """Base class of PIN block errors."""


class MalformedPinBlock(PinBlockError):
    """Not a PIN object of this version, or a PIN that is not 4 to 12 digits."""


class PinDecryptError(PinBlockError):
    """The block does not decrypt with this key and context."""


def valid_pin(pin: str) -> bool:
    """True when ``pin`` is 4 to 12 ASCII digits."""
    return isinstance(pin, str) and _MIN_DIGITS <= len(pin) <= _PAD_TO and pin.isascii() and pin.isdigit()


def pin_context(terminal_id: str, idempotency_key: str, subject_id: str) -> bytes:
    """Associated data binding a PIN block to one request intent and one person."""
    return f"facepay-pin-v1\n{terminal_id}\n{idempotency_key}\n{subject_id}".encode()


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _derive(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=_HKDF_INFO).derive(shared)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encrypt_pin(ledger_key: X25519PublicKey, pin: str, *, context: bytes) -> dict[str, object]:
    """Encrypt ``pin`` for the ledger; returns the JSON PIN object of the protocol."""
    if not valid_pin(pin):
        raise MalformedPinBlock("a PIN is 4 to 12 digits")
    ephemeral = X25519PrivateKey.generate()
    epk = _raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(ledger_key), epk, _raw(ledger_key))
    iv = os.urandom(12)
    ct = AESGCM(key).encrypt(iv, pin.ljust(_PAD_TO).encode("ascii"), context)
    return {"v": _VERSION, "alg": PIN_ALG, "epk": _b64(epk), "iv": _b64(iv), "ct": _b64(ct)}


def _field(obj: Mapping[str, object], name: str, size: int | None) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise MalformedPinBlock(f"PIN object field {name!r} must be a base64 string")
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise MalformedPinBlock(f"PIN object field {name!r} is not base64") from None
    if size is not None and len(data) != size:
        raise MalformedPinBlock(f"PIN object field {name!r} must be {size} bytes")
    return data


def decrypt_pin(ledger_key: X25519PrivateKey, block: object, *, context: bytes) -> str:
    """Recover the PIN digits from a PIN object (ledger side)."""
    if not isinstance(block, dict) or set(block) != {"v", "alg", "epk", "iv", "ct"}:
        raise MalformedPinBlock("a PIN object has exactly the keys v, alg, epk, iv, ct")
    if block["v"] != _VERSION or block["alg"] != PIN_ALG:
        raise MalformedPinBlock(f"unsupported PIN object version/alg (expected v=1, {PIN_ALG})")
    epk, iv, ct = _field(block, "epk", 32), _field(block, "iv", 12), _field(block, "ct", _PAD_TO + 16)
    try:
        shared = ledger_key.exchange(X25519PublicKey.from_public_bytes(epk))
    except ValueError:
        raise PinDecryptError("PIN block does not decrypt") from None
    key = _derive(shared, epk, _raw(ledger_key.public_key()))
    try:
        plain = AESGCM(key).decrypt(iv, ct, context)
    except InvalidTag:
        raise PinDecryptError("PIN block does not decrypt with this key and context") from None
    pin = plain.decode("ascii", errors="replace").rstrip(" ")
    if not valid_pin(pin):
        raise MalformedPinBlock("decrypted PIN is not 4 to 12 digits")
    return pin


def generate_pin_key() -> X25519PrivateKey:
    """A fresh ledger PIN-decryption key."""
    return X25519PrivateKey.generate()


def pin_public_key_text(key: X25519PublicKey) -> str:
    """Raw 32-byte X25519 public key as base64 (as served by ``GET /v1/keys``)."""
    return _b64(_raw(key))


def pin_public_key_from_text(text: str) -> X25519PublicKey:
    """Inverse of :func:`pin_public_key_text`; also accepts a PEM text."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
            if not isinstance(key, X25519PublicKey):
                raise MalformedPinBlock("not an X25519 public key")
            return key
        return X25519PublicKey.from_public_bytes(base64.b64decode(text.encode("ascii"), validate=True))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise MalformedPinBlock("not an X25519 public key") from exc
