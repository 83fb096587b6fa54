"""Enrolment and erasure at a real ledger: the face link, the shopper's PIN (only ever as a PIN
block on the wire and a scrypt hash at rest), the cashier's authorisation and the audit receipt."""

from __future__ import annotations

import itertools
import json
import secrets
from pathlib import Path

import pytest

from payments import Evidence
from payments.client import Declined
from payments.ledger import add_customer, open_store, top_up
from payments.ledger.audit import verify_chain
from payments.ledger.records import FaceLink
from payments.money import Money
from payments.pinblock import encrypt_pin, pin_context
from payments.terminal import Approved, InvalidPayment
from payments.wire import json_bytes

from .conftest import LedgerWorld, TerminalKit

CONSENT = "2026-11-v1"
_numbers = itertools.count(1)


def new_customer(world: LedgerWorld, pin: str | None = "1111", balance: int = 10_000) -> str:
    """A customer of this test alone (the session's demo customers keep their PINs)."""
    customer_id = f"c-enrol-{next(_numbers)}-{secrets.token_hex(3)}"
    store = open_store(world.db)
    try:
        add_customer(store, customer_id, "Zoe Example", pin, "EUR")
        top_up(store, customer_id, Money(balance, "EUR"))
    finally:
        store.close()
    return customer_id


def ledger_row(world: LedgerWorld, customer_id: str) -> tuple[str, str | None, FaceLink | None]:
    store = open_store(world.db)
    try:
        with store.transaction() as tx:
            customer = tx.customer(customer_id, lock=False)
            link = tx.face_link(customer_id)
        assert customer is not None
        return customer.name, customer.pin_hash, link
    finally:
        store.close()


def pay(kit: TerminalKit, customer_id: str, pin: str) -> object:
    service = kit.service()
    try:
        return service.pay(customer_id, Money(150, "EUR"), evidence=Evidence("face+pin"), pin=pin)
    finally:
        service.client.close()
        service.journal.close()


def test_enrolment_links_the_face_with_the_accounts_own_pin(
    kit: TerminalKit, ledger_world: LedgerWorld
) -> None:
    customer = new_customer(ledger_world, pin="1111")
    cashier_id, cashier_pin = ledger_world.cashier
    service = kit.service()
    record = service.enrol_customer(customer, "1111", cashier_id, cashier_pin, consent_version=CONSENT)
    assert (record.customer_id, record.cashier_id, record.consent_version) == (customer, cashier_id, CONSENT)
    assert not record.relinked and not record.pin_set
    _name, pin_hash, link = ledger_row(ledger_world, customer)
    assert pin_hash is not None and pin_hash.startswith("scrypt$") and "1111" not in pin_hash
    assert link is not None and link.terminal_id == kit.terminal_id
    assert isinstance(pay(kit, customer, "1111"), Approved)
    again = service.enrol_customer(customer, "1111", cashier_id, cashier_pin, consent_version=CONSENT)
    assert again.relinked


def test_no_pin_is_set_or_replaced_without_the_account_holders_proof(
    kit: TerminalKit, ledger_world: LedgerWorld
) -> None:
    from .test_enrol_e2e import issue_code

    cashier_id, cashier_pin = ledger_world.cashier
    service = kit.service()
    holder = new_customer(ledger_world, pin="1111")  # the cashier typed this number by mistake
    with pytest.raises(Declined) as info:
        service.enrol_customer(holder, "2468", cashier_id, cashier_pin, consent_version=CONSENT)
    assert info.value.code == "wrong_pin"
    assert ledger_row(ledger_world, holder)[2] is None
    assert isinstance(pay(kit, holder, "1111"), Approved)  # the holder's PIN still works

    fresh = new_customer(ledger_world, pin=None)
    with pytest.raises(Declined) as info:
        service.enrol_customer(fresh, "2468", cashier_id, cashier_pin, consent_version=CONSENT)
    assert info.value.code == "proof_required"
    with pytest.raises(Declined) as info:
        service.enrol_customer(
            fresh, "2468", cashier_id, cashier_pin, consent_version=CONSENT, enrolment_code="0123456789"
        )
    assert info.value.code == "bad_enrolment_code"
    with pytest.raises(InvalidPayment):
        service.enrol_customer(
            fresh, "2468", cashier_id, cashier_pin, consent_version=CONSENT, enrolment_code="12345"
        )
    code = issue_code(ledger_world, fresh)
    record = service.enrol_customer(
        fresh, "2468", cashier_id, cashier_pin, consent_version=CONSENT, enrolment_code=code
    )
    assert record.pin_set and ledger_row(ledger_world, fresh)[2] is not None
    assert isinstance(pay(kit, fresh, "2468"), Approved)
    with pytest.raises(Declined) as info:  # a code is used once
        service.enrol_customer(
            fresh, "1357", cashier_id, cashier_pin, consent_version=CONSENT, enrolment_code=code
        )
    assert info.value.code == "bad_enrolment_code"
    forgot = issue_code(ledger_world, holder)  # a forgotten PIN is replaced with a new code only
    assert service.enrol_customer(
        holder, "8642", cashier_id, cashier_pin, consent_version=CONSENT, enrolment_code=forgot
    ).pin_set
    assert isinstance(pay(kit, holder, "8642"), Approved)


def test_a_wrong_cashier_pin_changes_nothing(kit: TerminalKit, ledger_world: LedgerWorld) -> None:
    customer = new_customer(ledger_world, pin="1111")
    cashier_id, cashier_pin = ledger_world.cashier
    wrong = "0000" if cashier_pin != "0000" else "0001"
    with pytest.raises(Declined) as info:
        kit.service().enrol_customer(customer, "1111", cashier_id, wrong, consent_version=CONSENT)
    assert info.value.code == "wrong_pin"
    assert ledger_row(ledger_world, customer)[2] is None
    assert isinstance(pay(kit, customer, "1111"), Approved)  # the old PIN still works
    with pytest.raises(Declined) as info:
        kit.service().enrol_customer(customer, "1111", "nobody", cashier_pin, consent_version=CONSENT)
    assert info.value.code == "unknown_cashier"
    # a correct PIN afterwards resets the cashier's failure count (the session's other tests use it)
    kit.service().enrol_customer(customer, "1111", cashier_id, cashier_pin, consent_version=CONSENT)


def test_bad_enrolment_requests(kit: TerminalKit, ledger_world: LedgerWorld) -> None:
    cashier_id, cashier_pin = ledger_world.cashier
    service = kit.service()
    with pytest.raises(Declined) as info:
        service.enrol_customer("c-nobody-here", "2468", cashier_id, cashier_pin, consent_version=CONSENT)
    assert info.value.code == "unknown_customer"
    for pin in ("12", "12ab", "1234567890123"):
        with pytest.raises(InvalidPayment):
            service.enrol_customer("c-alice", pin, cashier_id, cashier_pin, consent_version=CONSENT)
    with pytest.raises(InvalidPayment):
        service.enrol_customer("c-alice", "2468", cashier_id, cashier_pin, consent_version=" ")
    customer = new_customer(ledger_world)
    client = kit.client(through_proxy=False)
    key = f"ik_{secrets.token_hex(8)}"
    pin_key = client.pin_key()

    def block(pin: str, subject: str) -> dict[str, object]:
        return encrypt_pin(pin_key, pin, context=pin_context(kit.terminal_id, key, subject))

    good = {
        "customer_id": customer,
        "consent_version": CONSENT,
        "cashier_id": cashier_id,
        "pin": block("2468", customer),
        "cashier_pin": block(cashier_pin, cashier_id),
    }
    cases = {
        "clear PIN": ({**good, "pin": "2468"}, "bad_pin_block"),
        "block of another person": ({**good, "pin": block("2468", "c-alice")}, "bad_pin_block"),
        "no consent": ({k: v for k, v in good.items() if k != "consent_version"}, "malformed"),
        "empty consent": ({**good, "consent_version": ""}, "malformed"),
        "no PIN": ({k: v for k, v in good.items() if k != "pin"}, "malformed"),
        "unknown field": ({**good, "name": "Zoe"}, "malformed"),
    }
    for n, (body, code) in enumerate(cases.values()):
        with pytest.raises(Declined) as info:
            client.enrol(json_bytes(body), f"{key}-{n}")
        assert info.value.code == code
    assert ledger_row(ledger_world, customer)[2] is None
    client.close()


def test_erasure_removes_the_link_only(kit: TerminalKit, ledger_world: LedgerWorld) -> None:
    customer = new_customer(ledger_world, pin="2468")
    cashier_id, cashier_pin = ledger_world.cashier
    service = kit.service()
    service.enrol_customer(customer, "2468", cashier_id, cashier_pin, consent_version=CONSENT)
    paid = pay(kit, customer, "2468")
    assert isinstance(paid, Approved)
    receipt = service.erase_customer_link(
        customer, cashier_id=cashier_id, cashier_pin=cashier_pin, reason="shopper asked"
    )
    assert receipt.was_linked and receipt.customer_id == customer
    assert len(receipt.audit_hash) == 64 and receipt.audit_seq > 0
    name, pin_hash, link = ledger_row(ledger_world, customer)
    assert link is None and pin_hash is not None and name == "Zoe Example"
    assert isinstance(pay(kit, customer, "2468"), Approved)  # the account, its money and PIN stay
    kept = kit.client(through_proxy=False).transfer(paid.transfer_id)
    assert kept is not None and kept.status == "posted" and kept.customer_id == customer
    store = open_store(ledger_world.db)
    try:
        entries = list(store.audit_entries())
        _, findings = verify_chain(entries, store.audit_head())
    finally:
        store.close()
    assert findings == []
    line = next(e for e in entries if e.seq == receipt.audit_seq)
    assert line.hash == receipt.audit_hash and json.loads(line.detail)["customer_id"] == customer
    assert '"2468"' not in "".join(
        e.detail for e in entries
    )  # the PIN as a value (hex digests may hold the digits)
    with pytest.raises(Declined) as info:  # the terminal alone may not erase
        service.erase_customer_link(customer)
    assert info.value.code == "proof_required"
    second = service.erase_customer_link(customer, pin="2468")  # the shopper's own PIN may
    assert not second.was_linked


def test_erasure_refusals(kit: TerminalKit, ledger_world: LedgerWorld) -> None:
    cashier_id, cashier_pin = ledger_world.cashier
    service = kit.service()
    customer = new_customer(ledger_world, pin="2468")
    service.enrol_customer(customer, "2468", cashier_id, cashier_pin, consent_version=CONSENT)
    wrong = "0000" if cashier_pin != "0000" else "0001"
    with pytest.raises(Declined) as info:
        service.erase_customer_link(customer, cashier_id=cashier_id, cashier_pin=wrong)
    assert info.value.code == "wrong_pin"
    with pytest.raises(Declined) as info:
        service.erase_customer_link(customer, pin="1111")
    assert info.value.code == "wrong_pin"
    assert ledger_row(ledger_world, customer)[2] is not None  # nothing erased
    with pytest.raises(InvalidPayment):
        service.erase_customer_link(customer, cashier_id=cashier_id)
    with pytest.raises(InvalidPayment):
        service.erase_customer_link(customer, pin="12")
    service.verify_cashier(cashier_id, cashier_pin)  # resets the cashier's failure count


def test_protocol_documents_the_endpoints() -> None:
    text = (Path(__file__).resolve().parents[3] / "payments" / "PROTOCOL.md").read_text()
    assert "POST /v1/enrolments`" in text and "/v1/enrolments/{customer_id}/erase" in text
