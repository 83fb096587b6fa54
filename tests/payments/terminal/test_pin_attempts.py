"""A wrong PIN tells the shopper how many tries are left; the fifth locks the PIN."""

from __future__ import annotations

from payments import Evidence
from payments.ledger.admin import add_customer, top_up
from payments.ledger.store import open_store
from payments.money import Money
from payments.terminal import Approved, Refused

from .conftest import TerminalKit


def test_wrong_pins_count_down_then_lock(kit: TerminalKit) -> None:
    store = open_store(kit.world.db)
    try:
        add_customer(store, "c-pin-countdown", "Pat", "2468", "EUR")
        top_up(store, "c-pin-countdown", Money(10_000, "EUR"))
    finally:
        store.close()
    service = kit.service()
    try:
        seen = []
        for _ in range(4):
            outcome = service.pay("c-pin-countdown", Money(100, "EUR"), evidence=Evidence("pin"), pin="1357")
            assert isinstance(outcome, Refused) and outcome.code == "wrong_pin"
            seen.append(outcome.attempts_left)
        assert seen == [4, 3, 2, 1]
        locked = service.pay("c-pin-countdown", Money(100, "EUR"), evidence=Evidence("pin"), pin="1357")
        assert isinstance(locked, Refused) and locked.code == "pin_locked" and locked.attempts_left is None
        still = service.pay("c-pin-countdown", Money(100, "EUR"), evidence=Evidence("pin"), pin="2468")
        assert isinstance(still, Refused) and still.code == "pin_locked"  # even the right PIN, for now
        assert not isinstance(still, Approved)
    finally:
        service.client.close()
        service.journal.close()
