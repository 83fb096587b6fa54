"""Money: integer minor units plus an ISO 4217 currency code. Never a float.

Amounts are parsed strictly: ``"12.50"`` in EUR is 1250 minor units; ``"12.505"``
(more decimals than the currency has), ``"-1"``, ``"1e3"``, ``" 12"`` and unknown
currencies are errors, never silently rounded or accepted.

Exceptions::

    MoneyError(ValueError)          anything that is not a valid amount of money
    ├── UnknownCurrency             a code missing from CURRENCY_EXPONENTS
    ├── InvalidAmount               text or minor units that are not an acceptable amount
    └── CurrencyMismatch            arithmetic between two currencies
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "CURRENCY_EXPONENTS",
    "CurrencyMismatch",
    "InvalidAmount",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "exponent",
]

# ISO 4217 minor-unit exponents of the currencies a terminal may be configured for, and the
# only such table (the flow's wording formats amounts with it too). Deliberately an explicit
# list: an unlisted code is refused rather than guessed.
CURRENCY_EXPONENTS: Mapping[str, int] = {
    "AUD": 2,
    "BHD": 3,
    "BIF": 0,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DJF": 0,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "GNF": 0,
    "HKD": 2,
    "HUF": 2,
    "INR": 2,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "MXN": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PLN": 2,
    "PYG": 0,
    "RON": 2,
    "RWF": 0,
    "SEK": 2,
    "SGD": 2,
    "TND": 3,
    "TRY": 2,
    "UGX": 0,
    "USD": 2,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "ZAR": 2,
}

_DECIMAL = re.compile(r"(?P<whole>0|[1-9][0-9]*)(?:\.(?P<frac>[0-9]+))?")
# Text longer than this is not an amount anyone means (also bounds int() work).
_MAX_TEXT = 32


class MoneyError(ValueError):
    """Anything that is not a valid amount of money."""


class UnknownCurrency(MoneyError):
    """A currency code that is not in :data:`CURRENCY_EXPONENTS`."""


class InvalidAmount(MoneyError):
    """Text or minor units that are not an acceptable amount."""


class CurrencyMismatch(MoneyError):
    """Arithmetic or comparison between two different currencies."""


def exponent(currency: str) -> int:
    """Number of decimal places of ``currency`` (EUR -> 2, JPY -> 0)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise UnknownCurrency(f"unknown currency {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency.

    Attributes:
        minor: amount in the currency's minor units (cents for EUR); may be negative
            for balances, never for a parsed amount.
        currency: ISO 4217 code, upper case, one of :data:`CURRENCY_EXPONENTS`.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise InvalidAmount(f"minor units must be an integer, not {type(self.minor).__name__}")
        exponent(self.currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a plain decimal such as ``"12.50"``; strict about everything."""
        places = exponent(currency)
        if not isinstance(text, str) or len(text) > _MAX_TEXT:
            raise InvalidAmount(f"not an amount: {text!r}")
        match = _DECIMAL.fullmatch(text)
        if match is None:
            raise InvalidAmount(f"not a non-negative decimal amount: {text!r}")
        frac = match.group("frac") or ""
        if len(frac) > places:
            raise InvalidAmount(f"{text!r} has more than {places} decimals for {currency}")
        return cls(int(match.group("whole")) * 10**places + int(frac.ljust(places, "0") or "0"), currency)

    @classmethod
    def from_json(cls, obj: object) -> Money:
        """Read ``{"minor": int, "currency": str}`` exactly (no extra keys, no floats, no bools)."""
        if not isinstance(obj, dict) or set(obj) != {"minor", "currency"}:
            raise InvalidAmount('an amount is an object {"minor": int, "currency": str}')
        minor, currency = obj["minor"], obj["currency"]
        if type(minor) is not int:
            raise InvalidAmount("amount.minor must be an integer")
        if not isinstance(currency, str):
            raise UnknownCurrency("amount.currency must be a string")
        return cls(minor, currency)

    def to_json(self) -> dict[str, int | str]:
        """The wire form ``{"minor": int, "currency": str}``."""
        return {"minor": self.minor, "currency": self.currency}

    def format(self) -> str:
        """Plain decimal text: ``Money(1250, "EUR").format() == "12.50"``."""
        places = exponent(self.currency)
        sign = "-" if self.minor < 0 else ""
        whole, frac = divmod(abs(self.minor), 10**places)
        return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"

    def __str__(self) -> str:
        return f"{self.format()} {self.currency}"

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor
