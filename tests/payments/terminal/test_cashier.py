"""A cashier signs in with their PIN; the ledger checks it and counts failures."""

from __future__ import annotations

from .conftest import TerminalKit


def test_cashier_pin_is_checked_by_the_ledger(kit: TerminalKit) -> None:
    cashier_id, pin = kit.world.cashier
    wrong = "0000" if pin != "0000" else "1111"
    service = kit.service()
    try:
        assert service.verify_cashier(cashier_id, pin) is True
        assert service.verify_cashier(cashier_id, wrong) is False
        assert service.verify_cashier(cashier_id, "12") is False  # not a PIN: never sent
        assert service.verify_cashier("k-nobody", pin) is False
        assert service.verify_cashier(cashier_id, pin) is True  # one wrong try does not lock
    finally:
        service.client.close()
        service.journal.close()
