"""Unknown outcomes against a real ledger process: the shopper is told the truth, and any charge
is reversed automatically.

Each fault ends with the shopper's balance as before, every journal entry closed, the
ledger's debit ``voided`` by a reversal of the terminal (no cashier) and reconciliation
"totals agree". At no point is the shopper told "not charged" while a debit is posted.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from payments import Evidence
from payments.client import LedgerClient
from payments.journal import EntryKind, EntryState, Journal
from payments.money import Money
from payments.reconcile import Verdict
from payments.signing import generate_key, save_public_key
from payments.terminal import NotCompleted, PaymentService, Reason, reason_message

from .conftest import TerminalKit
from .test_faults import assert_books_agree

EUR = "EUR"
FACE = Evidence("face", score=0.81, liveness=0.97, masked=False)
UNKNOWN_TEXT = (
    "We could not confirm this payment. If you were charged, the money will be returned automatically."
)


def assert_told_unknown(outcome: object) -> None:
    assert isinstance(outcome, NotCompleted), outcome
    assert outcome.reason == Reason.OUTCOME_UNKNOWN
    assert outcome.message == UNKNOWN_TEXT
    assert "not been charged" not in outcome.message and "not sent" not in outcome.message


def assert_reversed(kit: TerminalKit, debit_id: str) -> None:
    """The debit is voided at the ledger by one reversal of this terminal, which the journal holds."""
    ledger = {t.transfer_id: t for t in kit.ledger_transfers()}
    assert ledger[debit_id].status == "voided"
    (reversal,) = [t for t in ledger.values() if t.kind == "void" and t.original_transfer_id == debit_id]
    assert reversal.cashier_id is None and reversal.amount == ledger[debit_id].amount
    with Journal.open(kit.journal_path, kit.terminal_id) as j:
        (entry,) = [e for e in j.related(debit_id) if e.is_reversal]
        assert entry.transfer_id == reversal.transfer_id and entry.state == EntryState.APPROVED
        assert entry.idempotency_key == reversal.idempotency_key
        assert j.get(debit_id).state == EntryState.APPROVED and j.get(debit_id).abandoned


def test_answer_dropped_after_commit_is_unknown_then_reversed(any_kit: TerminalKit) -> None:
    kit = any_kit
    before = kit.world.balance("c-alice")
    kit.proxy.fault("reset", times=10)  # every answer lost after the ledger committed
    service = kit.service()
    outcome = service.pay("c-alice", Money(725, EUR), evidence=FACE)
    assert_told_unknown(outcome)
    assert isinstance(outcome, NotCompleted)
    entry = service.journal.get(outcome.transfer_id)
    assert entry.state == EntryState.UNKNOWN and entry.abandoned  # journalled before the shopper was told
    assert kit.world.balance("c-alice") == before - 725  # the ledger did charge
    kit.proxy.clear()
    report = service.recover()
    assert [e.transfer_id for e in report.reversed] == [outcome.transfer_id]
    assert report.still_open == () and report.needs_attention == ()
    assert kit.world.balance("c-alice") == before
    assert_reversed(kit, outcome.transfer_id)
    assert_books_agree(kit)
    rec = kit.reconcile_today()
    assert rec.journal_totals[EUR].net == Money(0, EUR) and rec.journal_totals[EUR].voids == (1, 725)
    again = service.recover()  # nothing left to do, nothing sent twice
    assert again.resolved == () and again.reversed == ()
    assert len([t for t in kit.ledger_transfers() if t.kind == "void"]) == 1


def test_wrong_ledger_pub_never_concludes_not_charged(any_kit: TerminalKit, tmp_path: Path) -> None:
    kit = any_kit
    wrong_pub = tmp_path / "wrong-ledger.pub"
    save_public_key(generate_key().public_key(), wrong_pub)
    before = kit.world.balance("c-bob")
    with Journal.open(kit.journal_path, kit.terminal_id) as journal:
        wrong = LedgerClient.from_files(
            kit.proxy.url, kit.terminal_id, kit.key_file, wrong_pub, timeout_s=2.0
        )
        # Even past the time after which an absent debit could be closed, nothing unverified closes it.
        service = PaymentService(wrong, journal, currency=EUR, backoff_s=(0.01,), abandon_after_s=0.0)
        outcome = service.pay("c-bob", Money(410, EUR), evidence=FACE)
        assert_told_unknown(outcome)
        assert isinstance(outcome, NotCompleted)
        assert kit.world.balance("c-bob") == before - 410
        for _ in range(3):
            report = service.recover()
            assert [e.transfer_id for e in report.still_open] == [outcome.transfer_id]
            assert journal.get(outcome.transfer_id).state == EntryState.UNKNOWN
        wrong.close()
        # ledger.pub put right: recovery finds the debit posted and reverses it.
        right = PaymentService(kit.client(), journal, currency=EUR, backoff_s=(0.01,), abandon_after_s=0.0)
        report = right.recover()
        assert [e.transfer_id for e in report.reversed] == [outcome.transfer_id]
        right.client.close()
    assert kit.world.balance("c-bob") == before
    assert_reversed(kit, outcome.transfer_id)
    assert_books_agree(kit)


def test_reversal_with_unverifiable_answers_is_retried_with_its_key(kit: TerminalKit) -> None:
    before = kit.world.balance("c-carol")
    kit.proxy.fault("bad_signature", times=10)
    service = kit.service()
    outcome = service.pay("c-carol", Money(333, EUR), evidence=FACE)
    assert_told_unknown(outcome)
    assert isinstance(outcome, NotCompleted)
    # The read-back and the reversal's first send answer with bad signatures too: it stays open.
    kit.proxy.sequence("pass", "bad_signature")
    first = service.recover()
    (reversal,) = [e for e in first.still_open if e.is_reversal]
    assert reversal.state == EntryState.UNKNOWN and reversal.attempts == 1
    assert kit.world.balance("c-carol") == before  # the ledger did reverse it ...
    second = service.recover()  # ... and the retry with the same key is answered from its record
    assert [e.transfer_id for e in second.reversed] == [outcome.transfer_id]
    assert service.journal.get(reversal.transfer_id).attempts == 2
    assert kit.world.balance("c-carol") == before
    assert_reversed(kit, outcome.transfer_id)
    assert_books_agree(kit)


def test_declined_debit_whose_answer_was_lost_is_closed_as_not_charged(kit: TerminalKit) -> None:
    pin = kit.world.customer_pin("c-dave")
    wrong = "9999" if pin != "9999" else "8888"
    before = kit.world.balance("c-dave")
    service = kit.service()
    service.client.pin_key()  # fetched while the ledger answers
    kit.proxy.fault("reset", times=10)
    outcome = service.pay("c-dave", Money(250, EUR), evidence=Evidence("pin"), pin=wrong)
    assert_told_unknown(outcome)
    assert isinstance(outcome, NotCompleted)
    kit.proxy.clear()
    report = service.recover()
    entry = service.journal.get(outcome.transfer_id)
    assert entry.state == EntryState.DECLINED and entry.decline_code == "wrong_pin"  # signed read-back
    assert report.reversed == () and not [e for e in service.journal.entries() if e.is_reversal]
    assert kit.world.balance("c-dave") == before
    assert_books_agree(kit)


def test_connection_refused_is_not_sent_and_never_reversed(kit: TerminalKit) -> None:
    kit.proxy.down()
    service = kit.service()
    outcome = service.pay("c-erin", Money(120, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted) and outcome.reason == Reason.OFFLINE_DISABLED
    assert "not sent" in outcome.message
    kit.proxy.up()
    assert service.recover().resolved == ()
    assert not [e for e in service.journal.entries() if e.is_reversal]
    assert_books_agree(kit)


def test_no_not_completed_message_claims_not_charged() -> None:
    """Only a ledger-signed answer (a Refused) may say nothing was charged."""
    for reason in Reason:
        assert "charged" not in reason_message(reason).replace("If you were charged", "")


# --- the terminal killed at each step of a reversal (kill -9 of `facepay journal recover`) -----


@pytest.mark.slow
@pytest.mark.parametrize(
    "crashes",
    [
        ("before_journal_update",),  # read back: posted, not yet journalled
        ("after_journal_write",),  # the reversal journalled, nothing sent
        ("after_send",),  # the reversal committed, its answer unchecked
        ("after_journal_write", "before_journal_update"),  # its answer checked, not yet journalled
    ],
    ids=lambda c: "+".join(c),
)
def test_terminal_killed_during_reversal_then_money_back(kit: TerminalKit, crashes: tuple[str, ...]) -> None:
    before = kit.world.balance("c-frank")
    kit.proxy.fault("reset", times=10)
    pay = kit.cli("pay", "--customer", "c-frank", "--amount", "3.15", "--json")
    assert pay.returncode == 3, pay.stdout + pay.stderr
    told = json.loads(pay.stdout)
    assert told["reason"] == "outcome_unknown" and told["message"] == UNKNOWN_TEXT
    debit_id = told["transfer_id"]
    kit.proxy.clear()
    assert kit.world.balance("c-frank") == before - 315
    for point in crashes:
        run = kit.cli("journal", "recover", crash_at=point)
        assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr
    recover = kit.cli("journal", "recover", "--json")
    assert recover.returncode == 0, recover.stdout + recover.stderr
    assert [e["transfer_id"] for e in json.loads(recover.stdout)["reversed"]] == [debit_id]
    assert kit.world.balance("c-frank") == before
    assert_reversed(kit, debit_id)
    again = kit.cli("journal", "recover", "--json")  # a second recovery changes nothing
    assert json.loads(again.stdout)["resolved"] == []
    listed = json.loads(kit.cli("journal", "list", "--json").stdout)
    debit = next(e for e in listed if e["transfer_id"] == debit_id)
    assert debit["reversed_by"]["state"] == "approved" and debit["abandoned"]
    (rev,) = [e for e in listed if e["reversal"]]
    assert rev["kind"] == "void" and rev["original_transfer_id"] == debit_id and rev["state"] == "approved"
    text = kit.cli("journal", "list").stdout
    assert "reversal" in text and f"[reverses {debit_id}]" in text
    rec = kit.cli("reconcile", "--json")
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert json.loads(rec.stdout)["verdict"] == Verdict.AGREE.value
    assert_books_agree(kit)
    with Journal.open(kit.journal_path, kit.terminal_id) as j:
        assert {e.kind for e in j.entries()} == {EntryKind.DEBIT, EntryKind.VOID}


def test_open_reversal_is_outstanding(kit: TerminalKit) -> None:
    kit.proxy.fault("reset", times=10)
    service = kit.service()
    outcome = service.pay("c-alice", Money(99, EUR), evidence=FACE)
    assert isinstance(outcome, NotCompleted)
    kit.proxy.sequence("pass", "reset")  # the read-back answers; the reversal's answer is lost
    report = service.recover()
    (reversal,) = report.still_open
    assert reversal.is_reversal and reversal.original_transfer_id == outcome.transfer_id
    listed = json.loads(kit.cli("journal", "outstanding", "--json", through_proxy=False).stdout)
    assert [o["transfer_id"] for o in listed["outstanding"]] == [reversal.transfer_id]
    assert listed["outstanding"][0]["reversal"] is True
    rec = kit.reconcile_today()
    assert rec.verdict != Verdict.AGREE  # not settled until the reversal is confirmed
    service.recover()
    assert_reversed(kit, outcome.transfer_id)
    assert_books_agree(kit)
