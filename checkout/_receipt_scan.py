"""A receipt held to the camera: which of today's payments its QR code names, or why none.

The QR code carries the link the result screen and the paper receipt show
(``payments.receipts.receipt_url``: ``<base>/r/<transfer_id>?s=<token>``, the token this
terminal's Ed25519 signature over the transfer id). Only a token this terminal signed opens
it, so a receipt of another terminal, or one whose id or token was changed, picks nothing;
a receipt that opens still picks only one of today's payments with something left.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checkout.ports import PaymentLine
from payments.receipts import token_opens
from payments.wire import ID_PATTERN

__all__ = ["ReceiptCheck", "ReceiptVerdict", "check_receipt"]

# The whole link, nothing before or after: any host and path prefix, then /r/<id>?s=<token>.
_LINK = re.compile(
    r"https?://[^\s/?#]+(?:/[^\s?#]*)?/r/"
    + f"(?P<transfer>{ID_PATTERN.pattern})"
    + r"\?s=(?P<token>[A-Za-z0-9_-]+)"
)


class ReceiptVerdict(enum.Enum):
    """What a QR code read off a receipt means for the refund."""

    PICKED = "picked"  # one of today's payments with something left to refund
    NOT_A_RECEIPT = "not_a_receipt"  # not a receipt link at all
    NOT_OURS = "not_ours"  # a receipt link this terminal did not sign (another terminal's, or altered)
    NOT_TODAY = "not_today"  # signed here, but not among today's payments
    NOTHING_LEFT = "nothing_left"  # today's, but refunded or voided in full


@dataclass(frozen=True)
class ReceiptCheck:
    """The verdict on one QR code.

    Attributes:
        verdict: what it means.
        line: the payment it names (PICKED and NOTHING_LEFT), else None.
    """

    verdict: ReceiptVerdict
    line: PaymentLine | None = None


def check_receipt(
    text: str, key: Ed25519PublicKey | None, payments: tuple[PaymentLine, ...] | None
) -> ReceiptCheck:
    """The verdict on ``text`` read off a QR code, given this terminal's public ``key`` and
    today's ``payments``."""
    found = _LINK.fullmatch(text.strip())
    if found is None:
        return ReceiptCheck(ReceiptVerdict.NOT_A_RECEIPT)
    transfer_id, token = found["transfer"], found["token"]
    if key is None or not token_opens(key, transfer_id, token):
        return ReceiptCheck(ReceiptVerdict.NOT_OURS)
    line = next((p for p in payments or () if p.transfer_id == transfer_id), None)
    if line is None:
        return ReceiptCheck(ReceiptVerdict.NOT_TODAY)
    if line.left_minor <= 0:
        return ReceiptCheck(ReceiptVerdict.NOTHING_LEFT, line)
    return ReceiptCheck(ReceiptVerdict.PICKED, line)
