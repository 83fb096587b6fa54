"""The kiosk's refunds against a real ledger process: any payment of the day, partial amounts,
a void, and a refunded payment refused at once with the reason (not after a 30 s wait)."""

from __future__ import annotations

from app.adapters import LedgerPayments
from checkout import Declined, Evidence, Refunded, RefundFailed, SendRefund, answer
from payments.money import Money
from payments.reconcile import Verdict
from payments.terminal import Approved

from .conftest import LedgerWorld, TerminalKit


def kiosk_payments(kit: TerminalKit, world: LedgerWorld) -> LedgerPayments:
    payments = LedgerPayments(kit.service(), models={})
    assert not isinstance(payments.verify_cashier(*world.cashier), Declined)
    return payments


def test_refund_any_payment_of_the_day_in_parts_then_nothing_left(
    kit: TerminalKit, ledger_world: LedgerWorld
) -> None:
    payments = kiosk_payments(kit, ledger_world)
    customers = [str(c["id"]) for c in ledger_world.demo["customers"]][:2]
    for customer, amount in zip(customers, (700, 450), strict=True):
        pin = ledger_world.customer_pin(customer)
        paid = payments.pay(customer, amount, "EUR", pin, Evidence("pin"), allow_offline=False)
        assert not isinstance(paid, Declined), paid
    lines = payments.todays_payments()
    assert [(p.customer_id, p.amount_minor, p.left_minor) for p in lines] == [
        (customers[1], 450, 450),  # newest first
        (customers[0], 700, 700),
    ]
    first = lines[1].transfer_id  # not the last payment
    part = payments.refund(first, 300)
    assert isinstance(part, Refunded) and part.amount_minor == 300
    left = {p.transfer_id: p for p in payments.todays_payments()}[first]
    assert (left.left_minor, left.voidable) == (400, False)
    assert isinstance(payments.refund(first, 400), Refunded)
    assert {p.transfer_id: p for p in payments.todays_payments()}[first].left_minor == 0
    # an answer with the reason, not None (which left "Please wait" until the 30 s time-out)
    again = answer(payments, SendRefund(9, first, 100))
    assert again == RefundFailed(9, "nothing left to refund")
    voided = payments.refund(lines[0].transfer_id, 450, void=True)
    assert isinstance(voided, Refunded) and voided.voided
    assert payments.todays_payments()[0].left_minor == 0
    assert kit.reconcile_today().verdict is Verdict.AGREE
    payments.service.client.close()
    payments.service.journal.close()


def test_a_refund_above_what_is_left_is_refused_by_the_terminal(
    kit: TerminalKit, ledger_world: LedgerWorld
) -> None:
    payments = kiosk_payments(kit, ledger_world)
    customer = str(ledger_world.demo["customers"][0]["id"])
    service = payments.service
    paid = service.pay(
        customer, Money(500, "EUR"), evidence=Evidence("pin"), pin=ledger_world.customer_pin(customer)
    )
    assert isinstance(paid, Approved)
    refused = payments.refund(paid.transfer_id, 501)
    assert isinstance(refused, Declined) and refused.code == "invalid_refund" and "exceeds" in refused.message
    service.client.close()
    service.journal.close()
