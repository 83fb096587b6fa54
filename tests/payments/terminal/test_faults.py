"""Fault injection against a real ledger process: the network misbehaves, the terminal is killed.

After every fault, once resolved: the ledger holds each journalled debit at most once,
the journal and the ledger agree, and reconciliation says "totals agree".
"""

from __future__ import annotations

import json
import signal

import pytest

from payments import Evidence
from payments.client import Declined, LedgerUnreachable
from payments.journal import EntryState, Journal
from payments.money import Money
from payments.reconcile import Verdict
from payments.terminal import (
    Approved,
    InvalidPayment,
    NotCompleted,
    OfflineRules,
    PaymentService,
    Reason,
    StoredOffline,
)

from .conftest import TerminalKit

EUR = "EUR"
FACE = Evidence("face", score=0.81, liveness=0.97, masked=False)


def assert_books_agree(kit: TerminalKit) -> None:
    """No double charge; journal approvals are exactly the ledger's posted debits; totals agree."""
    with Journal.open(kit.journal_path, kit.terminal_id) as j:
        entries = j.entries()
    ledger = kit.ledger_transfers()
    ids = [t.transfer_id for t in ledger]
    assert len(ids) == len(set(ids))
    journal_charged = {
        e.transfer_id for e in entries if e.kind.value == "debit" and e.state == EntryState.APPROVED
    }
    ledger_charged = {t.transfer_id for t in ledger if t.kind == "debit" and t.status in ("posted", "voided")}
    assert journal_charged == ledger_charged
    assert all(e.is_final for e in entries), [(e.transfer_id, e.state) for e in entries]
    rec = kit.reconcile_today()
    assert rec.verdict == Verdict.AGREE, rec.verdict_text


def test_happy_path_one_charge(kit: TerminalKit) -> None:
    service = kit.service()
    outcome = service.pay("c-alice", Money(250, EUR), evidence=FACE)
    assert isinstance(outcome, Approved)
    assert [t.transfer_id for t in kit.posted_debits()] == [outcome.transfer_id]
    assert_books_agree(kit)


def test_ledger_down_declines_by_default_and_charges_nothing(kit: TerminalKit) -> None:
    kit.proxy.down()
    service = kit.service()
    outcome = service.pay("c-alice", Money(300, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted) and outcome.reason == Reason.OFFLINE_DISABLED
    entry = service.journal.get(outcome.transfer_id)
    # Every attempt was refused at connect: nothing can have reached the ledger.
    assert entry.state == EntryState.DECLINED and entry.decline_code == "not_delivered"
    kit.proxy.up()
    assert service.recover().still_open == ()
    assert kit.posted_debits() == []
    assert_books_agree(kit)


def test_store_and_forward_when_enabled_then_forwarded_once(kit: TerminalKit) -> None:
    rules = OfflineRules(store_and_forward=True, floor_minor=2000, exposure_minor=3000)
    service = kit.service(rules)
    kit.proxy.down()
    first = service.pay("c-bob", Money(1500, EUR), evidence=FACE)
    assert isinstance(first, StoredOffline) and first.outstanding == Money(1500, EUR)
    over_floor = service.pay("c-bob", Money(2500, EUR), evidence=FACE)
    assert isinstance(over_floor, NotCompleted) and over_floor.reason == Reason.OVER_FLOOR_LIMIT
    over_exposure = service.pay("c-bob", Money(1600, EUR), evidence=FACE)
    assert isinstance(over_exposure, NotCompleted) and over_exposure.reason == Reason.OVER_EXPOSURE_LIMIT
    pin = service.pay("c-bob", Money(100, EUR), evidence=Evidence("pin"), pin="1234")
    assert isinstance(pin, NotCompleted) and pin.reason == Reason.PIN_NEEDS_LEDGER
    waiting = service.outstanding()
    assert [o.entry.transfer_id for o in waiting] == [first.transfer_id]
    assert waiting[0].age_s >= 0
    assert service.recover().still_open == (service.journal.get(first.transfer_id),)  # still down
    kit.proxy.up()
    report = service.recover()
    assert [e.transfer_id for e in report.resolved] == [first.transfer_id]
    assert service.journal.get(first.transfer_id).state == EntryState.APPROVED
    assert service.journal.get(first.transfer_id).offline
    assert [t.transfer_id for t in kit.posted_debits()] == [first.transfer_id]
    assert service.outstanding() == []
    assert_books_agree(kit)


def test_pin_payment_never_stored_offline_even_with_pin_key_cached(kit: TerminalKit) -> None:
    rules = OfflineRules(store_and_forward=True, floor_minor=10_000, exposure_minor=10_000)
    service = kit.service(rules)
    service.client.pin_key()  # cached while the ledger was up
    kit.proxy.down()
    outcome = service.pay(
        "c-carol", Money(100, EUR), evidence=Evidence("pin"), pin=kit.world.customer_pin("c-carol")
    )
    assert isinstance(outcome, NotCompleted) and outcome.reason == Reason.PIN_NEEDS_LEDGER
    assert service.journal.get(outcome.transfer_id).state == EntryState.DECLINED
    kit.proxy.up()
    service.recover()
    assert kit.posted_debits() == []
    assert_books_agree(kit)


def test_slow_ledger_within_timeout_is_just_slow(kit: TerminalKit) -> None:
    kit.proxy.fault("delay", times=1, delay_s=0.5)
    outcome = kit.service(timeout_s=3.0).pay("c-dave", Money(420, EUR), evidence=FACE)
    assert isinstance(outcome, Approved)
    assert len(kit.posted_debits()) == 1
    assert_books_agree(kit)


def test_slow_ledger_beyond_timeout_is_read_back_then_reversed(kit: TerminalKit) -> None:
    before = kit.world.balance("c-dave")
    kit.proxy.fault("delay", times=10, delay_s=1.5)
    service = kit.service(timeout_s=0.5, attempts=2)
    outcome = service.pay("c-dave", Money(510, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted) and outcome.reason == Reason.OUTCOME_UNKNOWN
    entry = service.journal.get(outcome.transfer_id)
    assert entry.state == EntryState.UNKNOWN and entry.abandoned
    kit.proxy.clear()
    report = service.recover()
    # The ledger committed the first attempt (the second replayed it): one charge, which the
    # shopper was told was unknown, so recovery reversed it on its own.
    assert [t.transfer_id for t in kit.ledger_transfers() if t.kind == "debit"] == [outcome.transfer_id]
    assert [e.transfer_id for e in report.reversed] == [outcome.transfer_id]
    assert report.needs_attention == () and service.needs_attention() == []
    assert kit.world.balance("c-dave") == before
    assert_books_agree(kit)


@pytest.mark.parametrize("mode", ["error_500", "unsigned_500", "reset", "bad_signature"])
def test_answer_lost_after_commit_is_retried_with_the_same_key(kit: TerminalKit, mode: str) -> None:
    kit.proxy.fault(mode, times=1)
    service = kit.service()
    outcome = service.pay("c-erin", Money(333, EUR), evidence=FACE)
    assert isinstance(outcome, Approved), outcome
    entry = service.journal.get(outcome.transfer_id)
    assert entry.attempts == 2
    assert kit.proxy.forwarded == 2  # the ledger saw both attempts ...
    assert [t.transfer_id for t in kit.posted_debits()] == [outcome.transfer_id]  # ... and charged once
    assert_books_agree(kit)


def test_bad_signature_every_time_is_never_taken_as_an_answer(kit: TerminalKit) -> None:
    kit.proxy.fault("bad_signature", times=10)
    service = kit.service()
    outcome = service.pay("c-frank", Money(275, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted)  # not approved, although the ledger did post it
    assert outcome.reason == Reason.OUTCOME_UNKNOWN  # ... and not "not charged" either
    assert service.journal.get(outcome.transfer_id).state == EntryState.UNKNOWN
    assert len(kit.posted_debits()) == 1
    kit.proxy.clear()
    report = service.recover()
    assert service.journal.get(outcome.transfer_id).state == EntryState.APPROVED
    assert [e.transfer_id for e in report.reversed] == [outcome.transfer_id]
    assert kit.posted_debits() == []  # voided by the terminal's reversal
    assert_books_agree(kit)


def test_request_lost_before_the_ledger_is_declined_once_it_can_no_longer_post(kit: TerminalKit) -> None:
    kit.proxy.fault("drop", times=10)
    service = kit.service()
    outcome = service.pay("c-carol", Money(640, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted)
    assert service.journal.get(outcome.transfer_id).state == EntryState.UNKNOWN  # may have reached it
    kit.proxy.clear()
    # Read back, not resent (the shopper was told it failed): the ledger has nothing, but a
    # late attempt could still arrive within the ledger's timestamp window, so it stays open.
    assert [e.transfer_id for e in service.recover().still_open] == [outcome.transfer_id]
    assert kit.proxy.forwarded == 1  # the read-back only
    later = PaymentService(service.client, service.journal, currency=EUR, abandon_after_s=0.0)
    later.recover()
    entry = service.journal.get(outcome.transfer_id)
    assert entry.state == EntryState.DECLINED and entry.decline_code == "never_received"
    assert kit.posted_debits() == []
    assert_books_agree(kit)


def test_refund_answer_lost_is_completed_by_recovery_once(kit: TerminalKit) -> None:
    service = kit.service()
    sale = service.pay("c-alice", Money(900, EUR), evidence=FACE)
    assert isinstance(sale, Approved)
    cashier, pin = kit.world.cashier
    service.client.pin_key()  # the ledger's PIN key, fetched while it answers
    kit.proxy.fault("reset", times=10)
    refund = service.refund(sale.transfer_id, Money(400, EUR), cashier_id=cashier, cashier_pin=pin)
    assert isinstance(refund, NotCompleted) and refund.reason == Reason.PENDING
    kit.proxy.clear()
    service.recover()
    refunds = [t for t in kit.ledger_transfers() if t.kind == "refund"]
    assert [(t.transfer_id, t.amount.minor) for t in refunds] == [(refund.transfer_id, 400)]
    rec = kit.reconcile_today()
    assert rec.verdict == Verdict.AGREE and rec.journal_totals[EUR].net == Money(500, EUR)


# --- terminal killed at each step (kill -9 of a real `facepay pay` process) ----------------


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after_journal_write", "after_send", "before_journal_update"])
def test_terminal_killed_then_recovered_charges_once(kit: TerminalKit, point: str) -> None:
    run = kit.cli("pay", "--customer", "c-bob", "--amount", "1.25", crash_at=point)
    assert run.returncode == -signal.SIGKILL, run.stderr
    with Journal.open(kit.journal_path, kit.terminal_id) as j:
        (entry,) = j.entries()
    expected_state = EntryState.INTENT if point == "after_journal_write" else EntryState.SENT
    assert entry.state == expected_state
    charged_before = len(kit.posted_debits())
    assert charged_before == (0 if point == "after_journal_write" else 1)

    recover = kit.cli("journal", "recover", "--json")
    assert recover.returncode == 0, recover.stdout + recover.stderr
    resolved = json.loads(recover.stdout)["resolved"]
    assert [r["transfer_id"] for r in resolved] == [entry.transfer_id]
    assert resolved[0]["state"] == "approved"
    assert [t.transfer_id for t in kit.posted_debits()] == [entry.transfer_id]

    again = kit.cli("journal", "recover", "--json")  # a second recovery changes nothing
    assert json.loads(again.stdout)["resolved"] == []
    assert len(kit.posted_debits()) == 1
    rec = kit.cli("reconcile", "--json")
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert json.loads(rec.stdout)["verdict"] == "totals agree"
    assert_books_agree(kit)


@pytest.mark.slow
def test_terminal_killed_during_refund_then_recovered_refunds_once(kit: TerminalKit) -> None:
    sale = kit.cli("pay", "--customer", "c-carol", "--amount", "8.00", "--json")
    sale_id = json.loads(sale.stdout)["transfer_id"]
    cashier, pin = kit.world.cashier
    run = kit.cli(
        "refund",
        "--transfer",
        sale_id,
        "--amount",
        "3.00",
        "--cashier",
        cashier,
        crash_at="after_send",
        stdin=pin + "\n",
    )
    assert run.returncode == -signal.SIGKILL
    assert kit.cli("journal", "recover").returncode == 0
    refunds = [t for t in kit.ledger_transfers() if t.kind == "refund"]
    assert [t.amount.minor for t in refunds] == [300]
    assert_books_agree(kit)


def test_cashier_sign_in_is_checked_by_the_ledger(kit: TerminalKit) -> None:
    service = kit.service()
    cashier, pin = kit.world.cashier
    wrong = "0000" if pin != "0000" else "1111"
    service.verify_cashier(cashier, pin)  # signed in: no exception
    with pytest.raises(Declined) as refused:
        service.verify_cashier(cashier, wrong)
    assert refused.value.code == "wrong_pin"
    with pytest.raises(Declined) as unknown:
        service.verify_cashier("k-nobody", pin)
    assert unknown.value.code == "unknown_cashier"
    with pytest.raises(InvalidPayment):
        service.verify_cashier(cashier, "12")  # not a PIN: never sent
    service.verify_cashier(cashier, pin)  # clears the failure count
    kit.proxy.down()
    with pytest.raises(LedgerUnreachable):
        service.verify_cashier(cashier, pin)
    assert service.journal.entries() == []  # a sign-in moves nothing and journals nothing
