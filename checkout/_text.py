"""Formatting for the shopper: amounts, names, decline reasons (from the wording table), times.

Amounts and times go through the installed ``Localiser`` (``checkout._locale``): one
formatting function each, in the shopper's language.
"""

from __future__ import annotations

import datetime as dt

from checkout._locale import localiser
from checkout._wording import TEXT, say

__all__ = ["DECLINE_TEXT", "decline_text", "format_amount", "format_when", "short_name"]


def format_amount(amount_minor: int, currency: str) -> str:
    """An amount as the shopper's locale writes it: "EUR 12.50" (plain English), "12,50 €"
    (German); minor digits per ISO 4217."""
    return localiser().amount(amount_minor, currency)


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
        return say(f"decline.{code}")
    if not message:
        return say("decline.plain")
    return say("decline.other", message=message.rstrip("."))


def format_when(epoch_s: float, tz: dt.tzinfo | None = None) -> str:
    """Local date and time of a posting for the receipt ("2026-11-29 14:05" in plain English)."""
    return localiser().when(epoch_s, tz)
