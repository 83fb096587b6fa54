"""Receipt links: a URL the shopper scans from the result screen, opened at the ledger host.

The link names the transfer and carries the terminal's Ed25519 signature over it, so the
ledger serves a receipt only to someone who was shown it (transfer ids cannot be walked)
and needs no new secret: it already holds every terminal's public key. The page shows
what a paper receipt shows (shop, time, amount, method, reference), never the shopper.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["receipt_token", "receipt_url", "token_opens"]

# Domain separation: a receipt token can never be mistaken for a request signature.
_DOMAIN = b"facepay-receipt-v1\n"


def receipt_token(key: Ed25519PrivateKey, transfer_id: str) -> str:
    """URL-safe base64 (no padding) of the terminal's signature over the transfer id."""
    sig = key.sign(_DOMAIN + transfer_id.encode("utf-8"))
    return base64.urlsafe_b64encode(sig).rstrip(b"=").decode("ascii")


def receipt_url(base_url: str, transfer_id: str, token: str) -> str:
    """``<base>/r/<transfer_id>?s=<token>``; the id grammar needs no escaping."""
    return f"{base_url.rstrip('/')}/r/{transfer_id}?s={token}"


def token_opens(public_key: Ed25519PublicKey, transfer_id: str, token: str) -> bool:
    """Whether ``token`` is the terminal's signature over ``transfer_id``."""
    if not 80 <= len(token) <= 90:
        return False
    try:
        sig = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        public_key.verify(sig, _DOMAIN + transfer_id.encode("utf-8"))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
