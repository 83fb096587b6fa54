"""The shopper's language as the flow sees it: one hook that translates and formats.

The flow never imports Qt. It asks the installed ``Localiser`` for every sentence
(``translate``), every amount (``amount``) and every time (``when``); the kiosk installs
one backed by Qt's translators and ``QLocale`` and swaps it when the shopper picks a
language. Without one, the flow speaks plain English with ISO codes ("EUR 12.50").
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from payments.money import CURRENCY_EXPONENTS

__all__ = ["Localiser", "PlainEnglish", "localiser", "plain_amount", "use_localiser"]


class Localiser(Protocol):
    """Translates the wording table's English and formats money and times for one language."""

    def translate(self, context: str, text: str) -> str:
        """``text`` (English, as in the wording table) in the shopper's language."""
        ...

    def amount(self, amount_minor: int, currency: str) -> str:
        """An amount in minor units, as the shopper's locale writes money."""
        ...

    def when(self, epoch_s: float, tz: dt.tzinfo | None) -> str:
        """A date and time, as the shopper's locale writes them."""
        ...


def plain_amount(amount_minor: int, currency: str) -> str:
    """``(1250, "EUR") -> "EUR 12.50"``; thousands grouped, minor digits per ISO 4217
    (``payments.money``; an unlisted code shows two)."""
    exp = CURRENCY_EXPONENTS.get(currency, 2)
    sign = "-" if amount_minor < 0 else ""
    whole, minor = divmod(abs(amount_minor), 10**exp)
    text = f"{whole:,}" + (f".{minor:0{exp}d}" if exp else "")
    return f"{currency} {sign}{text}"


class PlainEnglish:
    """The wording table as written, ISO-coded amounts, ISO dates ("2026-11-29 14:05")."""

    def translate(self, context: str, text: str) -> str:
        return text

    def amount(self, amount_minor: int, currency: str) -> str:
        return plain_amount(amount_minor, currency)

    def when(self, epoch_s: float, tz: dt.tzinfo | None) -> str:
        return dt.datetime.fromtimestamp(epoch_s, tz).strftime("%Y-%m-%d %H:%M")


_active: list[Localiser] = [PlainEnglish()]


def localiser() -> Localiser:
    """The localiser in use."""
    return _active[0]


def use_localiser(new: Localiser | None) -> None:
    """Install ``new`` for every later sentence, amount and time; None restores plain English."""
    _active[0] = new if new is not None else PlainEnglish()
