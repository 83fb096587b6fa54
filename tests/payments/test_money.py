"""Money: integer minor units, strict parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.money import CurrencyMismatch, InvalidAmount, Money, UnknownCurrency


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "EUR", 1250),
        ("12.5", "EUR", 1250),
        ("12", "EUR", 1200),
        ("0.01", "EUR", 1),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0", "EUR", 0),
    ],
)
def test_parse(text: str, currency: str, minor: int) -> None:
    assert Money.parse(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    "text",
    ["12.505", "-1", "-0.01", "1e3", " 12", "12 ", "", ".5", "01.00", "1,00", "12.", "+1", "NaN", "1" * 40],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse(text, "EUR")


def test_yen_has_no_decimals() -> None:
    with pytest.raises(InvalidAmount):
        Money.parse("1.5", "JPY")


@pytest.mark.parametrize("code", ["XYZ", "eur", "", "EURO"])
def test_unknown_currency(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        Money(1, code)
    with pytest.raises(UnknownCurrency):
        Money.parse("1.00", code)


def test_minor_must_be_int() -> None:
    with pytest.raises(InvalidAmount):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money(True, "EUR")


def test_from_json_is_exact() -> None:
    assert Money.from_json({"minor": 5, "currency": "EUR"}) == Money(5, "EUR")
    for bad in (
        {"minor": "5", "currency": "EUR"},
        {"minor": 5},
        {"minor": 5, "currency": "EUR", "x": 1},
        [5],
        {"minor": 5.0, "currency": "EUR"},
    ):
        with pytest.raises(InvalidAmount):
            Money.from_json(bad)


def test_arithmetic_and_mismatch() -> None:
    assert Money(150, "EUR") + Money(50, "EUR") == Money(200, "EUR")
    assert Money(150, "EUR") - Money(200, "EUR") == Money(-50, "EUR")
    assert Money(1, "EUR") < Money(2, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") + Money(1, "USD")


def test_format() -> None:
    assert Money(1250, "EUR").format() == "12.50"
    assert Money(-5, "EUR").format() == "-0.05"
    assert str(Money(1500, "JPY")) == "1500 JPY"


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_format_parse_round_trip(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert Money.parse(money.format(), currency) == money
