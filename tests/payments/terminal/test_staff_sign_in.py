"""Cashiers as people against a real ledger, through the kiosk's adapter: each cashier signs in
with their own id and PIN; a cashier locked by wrong PINs is told so (with the time left when the
ledger gives it) while another cashier of the shop still signs in; an unknown id is refused."""

from __future__ import annotations

import itertools
import secrets

from app.adapters import LedgerPayments
from checkout import Declined, SignedIn
from payments.ledger import add_cashier, open_store

from .conftest import LedgerWorld, TerminalKit

_numbers = itertools.count(1)


def new_cashier(world: LedgerWorld, pin: str) -> str:
    """A cashier of the demo shop for this test alone (locking it harms no other test)."""
    cashier_id = f"k-{next(_numbers)}-{secrets.token_hex(3)}"
    store = open_store(world.db)
    try:
        add_cashier(store, cashier_id, "Kim Example", str(world.demo["merchant"]["id"]), pin)
    finally:
        store.close()
    return cashier_id


def test_each_cashier_signs_in_as_themself_and_a_lockout_locks_only_them(kit: TerminalKit) -> None:
    mine, other = new_cashier(kit.world, "2580"), new_cashier(kit.world, "3691")
    payments = LedgerPayments(kit.service(), models={})
    assert payments.verify_cashier(mine, "2580") == SignedIn(mine)
    assert payments.cashier() == (mine, "2580")
    answers = [payments.verify_cashier(mine, "0000") for _ in range(5)]
    assert all(isinstance(a, Declined) for a in answers) and payments.cashier() is None
    assert [a.code for a in answers if isinstance(a, Declined)][-1] == "pin_locked"
    locked = payments.verify_cashier(mine, "2580")  # the right PIN while locked
    assert isinstance(locked, Declined) and locked.code == "pin_locked"
    assert locked.retry_after_s is not None and 0 < locked.retry_after_s <= 15 * 60  # shown in minutes
    assert payments.verify_cashier(other, "3691") == SignedIn(other)  # the shop is not locked out
    unknown = payments.verify_cashier("k-nobody", "3691")
    assert isinstance(unknown, Declined) and unknown.code == "unknown_cashier"
