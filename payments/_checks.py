"""What every request of the terminal checks before anything is journalled or sent, and its ids.

Exceptions::

    PaymentError(Exception)
    └── InvalidPayment(ValueError)  refused before anything is journalled: amount zero or
                                    negative, wrong currency, malformed PIN or customer id,
                                    unknown original, refund above what is left of it
"""

from __future__ import annotations

import secrets

from payments.money import Money
from payments.pinblock import valid_pin
from payments.wire import ID_PATTERN

__all__ = [
    "ENROLMENT_CODE_DIGITS",
    "InvalidPayment",
    "PaymentError",
    "check_amount",
    "check_id",
    "check_pin",
    "new_ids",
    "new_key",
]

# The one-time enrolment code the ledger operator issues (``ledger issue-enrolment-code``).
ENROLMENT_CODE_DIGITS = 10


class PaymentError(Exception):
    """Base class of payment service errors."""


class InvalidPayment(PaymentError, ValueError):
    """A request refused before anything was journalled or sent."""


def check_amount(amount: Money, currency: str) -> None:
    if not isinstance(amount, Money):
        raise InvalidPayment("the amount must be Money")
    if amount.currency != currency:
        raise InvalidPayment(f"this terminal takes {currency}, not {amount.currency}")
    if amount.minor <= 0:
        raise InvalidPayment(f"the amount must be positive, not {amount}")


def check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidPayment(f"{what} {value!r} is not an id (letters, digits, _.:- up to 64)")


def check_pin(pin: str, message: str) -> None:
    if not valid_pin(pin):
        raise InvalidPayment(message)


def new_key() -> str:
    """A fresh idempotency key."""
    return f"ik_{secrets.token_hex(16)}"


def new_ids(terminal_id: str) -> tuple[str, str]:
    """A fresh (transfer id, idempotency key). The ledger accepts only transfer ids in the
    terminal's own namespace (``<terminal id>:tx_<hex>``), at most 64 characters."""
    hex_chars = min(24, 64 - len(terminal_id) - 4)
    if hex_chars < 16:
        raise InvalidPayment(
            f"terminal id {terminal_id!r} is too long to name transfers (at most 44 characters)"
        )
    return f"{terminal_id}:tx_{secrets.token_hex(hex_chars // 2)}", new_key()
