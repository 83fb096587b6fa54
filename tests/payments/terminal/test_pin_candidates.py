"""A shopper whose face ranks another customer first pays with their own PIN, against a real
ledger: the other customer's lockout counter is untouched, and two candidates with the same PIN
lead to the customer number, never to a debit of the wrong account."""

from __future__ import annotations

from payments import Evidence
from payments.ledger import open_store
from payments.money import Money
from payments.terminal import Approved, Refused

from .conftest import LedgerWorld, TerminalKit
from .test_enrolment_link import new_customer


def _failures(world: LedgerWorld, customer_id: str) -> int:
    store = open_store(world.db)
    try:
        customer = store.customer(customer_id)
        assert customer is not None
        return customer.pin_failures
    finally:
        store.close()


def _balance(world: LedgerWorld, customer_id: str) -> int:
    store = open_store(world.db)
    try:
        return {a.account_id: a.balance for a in store.accounts()}[f"cust:{customer_id}"]
    finally:
        store.close()


def test_the_pin_picks_the_shopper_among_the_faces_candidates(
    kit: TerminalKit, ledger_world: LedgerWorld
) -> None:
    look_alike = new_customer(ledger_world, pin="2468", balance=5_000)
    shopper = new_customer(ledger_world, pin="1357", balance=5_000)
    same_pin = new_customer(ledger_world, pin="1357", balance=5_000)
    service = kit.service()
    try:
        evidence = Evidence("face+pin", masked=True)
        # the face ranked the look-alike first; the shopper types their own PIN
        paid = service.pay(
            look_alike, Money(300, "EUR"), evidence=evidence, pin="1357", candidates=(look_alike, shopper)
        )
        assert isinstance(paid, Approved)
        assert _balance(ledger_world, shopper) == 4_700 and _balance(ledger_world, look_alike) == 5_000
        assert _failures(ledger_world, look_alike) == 0  # nobody's lockout counted it
        posted = kit.client(through_proxy=False).transfer(paid.transfer_id)
        assert posted is not None and posted.customer_id == shopper
        # (a PIN that fits none is refused and counted against the terminal's budget, not a
        # shopper's lockout: tests/payments/ledger/test_authz.py; the session's terminal keeps
        # its budget for the other tests here)
        # two candidates share the PIN: the customer number decides, nobody is charged now
        both = service.pay(
            shopper, Money(300, "EUR"), evidence=evidence, pin="1357", candidates=(shopper, same_pin)
        )
        assert isinstance(both, Refused) and both.code == "customer_id_required"
        assert _balance(ledger_world, shopper) == 4_700 and _balance(ledger_world, same_pin) == 5_000
        typed = service.pay(same_pin, Money(300, "EUR"), evidence=Evidence("pin"), pin="1357")
        assert isinstance(typed, Approved) and _balance(ledger_world, same_pin) == 4_700
    finally:
        service.client.close()
        service.journal.close()
