from __future__ import annotations

import datetime as dt

import pytest

from checkout import decline_text, format_amount, format_when, short_name


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1250, "EUR", "EUR 12.50"),
        (5, "EUR", "EUR 0.05"),
        (123456789, "USD", "USD 1,234,567.89"),
        (500, "JPY", "JPY 500"),
        (1234, "KWD", "KWD 1.234"),
        (-1250, "EUR", "EUR -12.50"),
        (0, "GBP", "GBP 0.00"),
    ],
)
def test_format_amount(minor: int, currency: str, text: str) -> None:
    assert format_amount(minor, currency) == text


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Anna Kowalska", "Anna K."),
        ("anna maria kowalska", "anna K."),
        ("Cher", "Cher"),
        (None, ""),
        ("  ", ""),
    ],
)
def test_short_name_shows_first_name_and_initial_only(name: str | None, short: str) -> None:
    assert short_name(name) == short


def test_decline_text_known_and_unknown_codes() -> None:
    assert "Not enough funds" in decline_text("insufficient_funds", "x")
    assert decline_text("weird", "") == "Payment declined. No money was taken."


def test_format_when_uses_the_given_zone() -> None:
    assert format_when(0, dt.UTC) == "1970-01-01 00:00"
