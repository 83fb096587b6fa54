"""Slow PIN hashes (scrypt) and the lockout rule. PINs are never stored or logged in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

__all__ = [
    "MERCHANT_PIN_BUDGET",
    "PIN_BUDGET_WINDOW_S",
    "TERMINAL_PIN_BUDGET",
    "LockoutPolicy",
    "hash_pin",
    "verify_pin",
]

# scrypt cost: N=2^14, r=8 takes ~40 ms and 16 MiB per check on the 2-core ledger host;
# a 4-6 digit PIN space is small, so the slowness plus the lockout is what protects it.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16


# Wrong shopper PINs (and enrolment codes) one terminal may send across all accounts per window:
# a busy lane sees a few typos an hour; ten in 15 minutes is someone trying PINs on many accounts.
TERMINAL_PIN_BUDGET = 10
# The same across every terminal of one merchant (a shop with several lanes).
MERCHANT_PIN_BUDGET = 30
# The window those budgets count in (the shopper lockout's length).
PIN_BUDGET_WINDOW_S = 900.0


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """When PIN entry locks: per person (customer or cashier), and per terminal and merchant.

    Attributes:
        max_failures: wrong PINs in a row that lock PIN entry (the protocol says 5).
        lock_seconds: how long PIN entry stays locked.
        terminal_budget: wrong shopper PINs a terminal may send across accounts per window.
        merchant_budget: the same for all terminals of a merchant together.
        budget_window_s: the window of those budgets, seconds.
    """

    max_failures: int = 5
    lock_seconds: float = 900.0
    terminal_budget: int = TERMINAL_PIN_BUDGET
    merchant_budget: int = MERCHANT_PIN_BUDGET
    budget_window_s: float = PIN_BUDGET_WINDOW_S


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_pin(pin: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh salt (base64 fields)."""
    salt = os.urandom(_SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str | None) -> bool:
    """True when ``pin`` matches ``stored``; False for no hash or a malformed one."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(actual, expected)
