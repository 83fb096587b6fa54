"""Bad input gets a clear error, is never sent, and loses nothing already journalled."""

from __future__ import annotations

import json

import pytest

from payments import Evidence
from payments.journal import Journal
from payments.money import Money
from payments.terminal import Approved, InvalidPayment

from .conftest import TerminalKit


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("12.505", "EUR", "more than 2 decimals"),
        ("1.5", "JPY", "more than 0 decimals"),
        ("-3.00", "EUR", "not a non-negative decimal"),
        ("0", "EUR", "must be positive"),
        ("0.00", "EUR", "must be positive"),
        ("1e3", "EUR", "not a non-negative decimal"),
        ("12.50", "XYZ", "unknown currency"),
    ],
)
def test_bad_amounts_are_refused_before_anything_is_sent(
    kit: TerminalKit, amount: str, currency: str, message: str
) -> None:
    run = kit.cli("pay", "--customer", "c-alice", "--amount", amount, "--currency", currency)
    assert run.returncode == 2
    assert message in run.stderr
    assert kit.proxy.forwarded == 0
    assert kit.ledger_transfers() == []


def test_other_currency_than_the_terminal_is_refused(kit: TerminalKit) -> None:
    service = kit.service()
    with pytest.raises(InvalidPayment, match="takes EUR, not USD"):
        service.pay("c-alice", Money(100, "USD"), evidence=Evidence("face"))
    with pytest.raises(InvalidPayment, match="not an id"):
        service.pay("c alice; drop", Money(100, "EUR"), evidence=Evidence("face"))
    with pytest.raises(InvalidPayment, match="4 to 12 digits"):
        service.pay("c-alice", Money(100, "EUR"), evidence=Evidence("face"), pin="12ab")
    assert service.journal.entries() == []


def test_refund_above_the_original_is_refused_and_changes_nothing(kit: TerminalKit) -> None:
    service = kit.service()
    sale = service.pay("c-dave", Money(1000, "EUR"), evidence=Evidence("face"))
    assert isinstance(sale, Approved)
    cashier, pin = kit.world.cashier
    with pytest.raises(InvalidPayment, match="exceeds what is left"):
        service.refund(sale.transfer_id, Money(1001, "EUR"), cashier_id=cashier, cashier_pin=pin)
    first = service.refund(sale.transfer_id, Money(600, "EUR"), cashier_id=cashier, cashier_pin=pin)
    assert isinstance(first, Approved)
    with pytest.raises(InvalidPayment, match=r"left of .* \(4.00 EUR\)"):
        service.refund(sale.transfer_id, Money(401, "EUR"), cashier_id=cashier, cashier_pin=pin)
    with pytest.raises(InvalidPayment, match="not a payment of this terminal"):
        service.refund("tx_unknown", Money(1, "EUR"), cashier_id=cashier, cashier_pin=pin)
    run = kit.cli(
        "refund", "--transfer", sale.transfer_id, "--amount", "5.00", "--cashier", cashier, stdin=pin + "\n"
    )
    assert run.returncode == 2 and "exceeds what is left" in run.stderr
    assert [t.amount.minor for t in kit.ledger_transfers() if t.kind == "refund"] == [600]


def test_wrong_cashier_pin_is_a_decline(kit: TerminalKit) -> None:
    service = kit.service()
    sale = service.pay("c-dave", Money(200, "EUR"), evidence=Evidence("face"))
    cashier, pin = kit.world.cashier
    wrong = "0000" if pin != "0000" else "1111"
    run = kit.cli(
        "refund", "--transfer", sale.transfer_id, "--cashier", cashier, "--json", stdin=wrong + "\n"
    )
    assert run.returncode == 1
    assert json.loads(run.stdout)["code"] == "wrong_pin"


def test_corrupt_journal_is_reported_and_kept(kit: TerminalKit) -> None:
    garbage = b"\x00garbage that is not SQLite\x00" * 50
    kit.journal_path.write_bytes(garbage)
    run = kit.cli("pay", "--customer", "c-alice", "--amount", "1.00")
    assert run.returncode == 2
    assert "not a readable facepay journal" in run.stderr and "left untouched" in run.stderr
    assert kit.journal_path.read_bytes() == garbage
    assert kit.proxy.forwarded == 0


def test_journal_of_another_terminal_is_refused_and_kept(kit: TerminalKit) -> None:
    with Journal.open(kit.journal_path, "t-someone-else"):
        pass
    before = kit.journal_path.read_bytes()
    for args in (
        ("pay", "--customer", "c-alice", "--amount", "1.00"),
        ("journal", "recover"),
        ("reconcile",),
    ):
        run = kit.cli(*args)
        assert run.returncode == 2, args
        assert "journal of terminal 't-someone-else'" in run.stderr
    assert kit.journal_path.read_bytes() == before
    assert kit.proxy.forwarded == 0
