"""The ledger's own keys: Ed25519 to sign responses, X25519 to decrypt PIN blocks.

Both live in one file of two PKCS8 PEM blocks (Ed25519 first), mode 600.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from payments._private_file import write_private
from payments.ledger.errors import LedgerKeyError
from payments.pinblock import X25519PrivateKey, generate_pin_key
from payments.signing import Ed25519PrivateKey, generate_key

__all__ = ["LedgerKeys", "default_key_path", "load_ledger_keys", "save_ledger_keys"]

_END = b"-----END PRIVATE KEY-----"


@dataclass(frozen=True)
class LedgerKeys:
    """The ledger's private keys.

    Attributes:
        signing: Ed25519 key for FacePay-Ledger-Signature.
        pin: X25519 key the terminals encrypt PIN blocks for.
    """

    signing: Ed25519PrivateKey
    pin: X25519PrivateKey

    @classmethod
    def generate(cls) -> LedgerKeys:
        return cls(generate_key(), generate_pin_key())


def default_key_path(db_url: str) -> Path | None:
    """``<db file>.key`` for SQLite; None for PostgreSQL (the key file must be named)."""
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///") + ".key")
    return None


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def save_ledger_keys(keys: LedgerKeys, path: Path) -> None:
    """Write both keys to ``path`` (mode 600); refuses to overwrite an existing file."""
    try:
        write_private(path, _pem(keys.signing) + _pem(keys.pin), overwrite=False)
    except FileExistsError:
        raise LedgerKeyError(f"{path} exists already; the ledger keeps its keys") from None


def load_ledger_keys(path: Path) -> LedgerKeys:
    """Read the two keys written by :func:`save_ledger_keys`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerKeyError(f"cannot read ledger key file {path}: {exc.strerror}") from exc
    blocks = [b.strip() + b"\n" + _END + b"\n" for b in data.split(_END)[:-1]]
    try:
        keys = [serialization.load_pem_private_key(b, password=None) for b in blocks]
    except (ValueError, TypeError) as exc:
        raise LedgerKeyError(f"{path} does not hold PEM private keys") from exc
    if (
        len(keys) != 2
        or not isinstance(keys[0], Ed25519PrivateKey)
        or not isinstance(keys[1], X25519PrivateKey)
    ):
        raise LedgerKeyError(f"{path} must hold an Ed25519 and then an X25519 private key")
    return LedgerKeys(keys[0], keys[1])
