"""Formatting for the shopper: amounts, names, decline reasons (from the wording table), times."""

from __future__ import annotations

import datetime as dt

from checkout._wording import TEXT, say
from payments.money import CURRENCY_EXPONENTS

__all__ = ["DECLINE_TEXT", "decline_text", "format_amount", "format_when", "short_name"]


def format_amount(amount_minor: int, currency: str) -> str:
    """``(1250, "EUR") -> "EUR 12.50"``; thousands grouped, minor digits per ISO 4217
    (``payments.money``; an unlisted code shows two)."""
    exp = CURRENCY_EXPONENTS.get(currency, 2)
    sign = "-" if amount_minor < 0 else ""
    whole, minor = divmod(abs(amount_minor), 10**exp)
    text = f"{whole:,}" + (f".{minor:0{exp}d}" if exp else "")
    return f"{currency} {sign}{text}"


def short_name(full_name: str | None) -> str:
    """First name and the initial of the last: "Anna Kowalska" -> "Anna K."; "" when unknown."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0].upper()}."


# Ledger decline codes the shopper sees in plain words; others show the ledger's message.
DECLINE_TEXT: dict[str, str] = {
    key.removeprefix("decline."): text
    for key, text in TEXT.items()
    if key.startswith("decline.") and key not in ("decline.other", "decline.plain")
}


def decline_text(code: str, message: str) -> str:
    """The shopper-facing sentence for a ledger decline."""
    if code in DECLINE_TEXT:
        return DECLINE_TEXT[code]
    if not message:
        return say("decline.plain")
    return say("decline.other", message=message.rstrip("."))


def format_when(epoch_s: float, tz: dt.tzinfo | None = None) -> str:
    """Local date and time of a posting for the receipt ("2026-11-29 14:05")."""
    return dt.datetime.fromtimestamp(epoch_s, tz).strftime("%Y-%m-%d %H:%M")
