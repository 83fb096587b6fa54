"""Random days of debits, refunds, crashes and outages: the books always agree after recovery.

A crash here stops the terminal's code dead at a crash point (an exception no code of
the terminal catches, so nothing after it runs, as with kill -9); the service is then
rebuilt from the journal file, as a restarted terminal would. Real kill -9 runs are in
test_faults.py.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import Evidence
from payments.journal import EntryKind, EntryState, Journal
from payments.money import Money
from payments.reconcile import Verdict
from payments.terminal import Approved, InvalidPayment, OfflineRules, PaymentService

from .conftest import LedgerWorld, Proxy, new_terminal


class Crash(BaseException):
    """The terminal stops here."""


CUSTOMERS = ["c-alice", "c-bob", "c-carol", "c-dave", "c-erin", "c-frank"]
POINTS = ["after_journal_write", "after_send", "before_journal_update"]
FAULTS = ["down", "drop", "reset", "error_500", "unsigned_500", "bad_signature"]

pay = st.tuples(st.just("pay"), st.sampled_from(CUSTOMERS), st.integers(1, 500))
refund = st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100))
outage = st.tuples(st.just("outage"), st.sampled_from(FAULTS), st.integers(1, 4))
crash = st.tuples(st.just("crash"), st.sampled_from(POINTS), st.integers(0, 1))
recover = st.tuples(st.just("recover"), st.just(0), st.just(0))
operations = st.lists(st.one_of(pay, pay, outage, outage, refund, crash, recover), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def shared_proxy(ledger_world: LedgerWorld):
    p = Proxy(ledger_world.port, ledger_world.signing_key)
    yield p
    p.close()


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=operations, store_and_forward=st.booleans())
def test_random_days_reconcile_after_recovery(
    ledger_world: LedgerWorld,
    shared_proxy: Proxy,
    tmp_path_factory: pytest.TempPathFactory,
    ops: list[tuple[str, object, int]],
    store_and_forward: bool,
) -> None:
    kit = new_terminal(ledger_world, shared_proxy, Path(tmp_path_factory.mktemp("prop")))
    rules = OfflineRules(store_and_forward, floor_minor=300, exposure_minor=600)
    cashier, cashier_pin = ledger_world.cashier
    shared_proxy.clear()
    shared_proxy.up()
    armed: list[str] = []

    def crash_point(name: str) -> None:
        if armed and armed[0] == name:
            armed.clear()
            raise Crash(name)

    def fresh() -> PaymentService:
        return kit.service(rules, timeout_s=1.0, attempts=2)

    service = fresh()
    shown_approved: set[str] = set()
    with (
        mock.patch("payments._outbox.crash_point", crash_point),
        mock.patch("payments.client.crash_point", crash_point),
    ):
        for op, arg, n in ops:
            try:
                if op == "pay":
                    outcome = service.pay(str(arg), Money(n, "EUR"), evidence=Evidence("face"))
                    if isinstance(outcome, Approved):
                        shown_approved.add(outcome.transfer_id)
                elif op == "refund":
                    sales = [
                        e
                        for e in service.journal.entries()
                        if e.kind == EntryKind.DEBIT and e.state == EntryState.APPROVED
                    ]
                    if sales:
                        sale = sales[int(str(arg)) % len(sales)]
                        amount = Money(max(1, sale.amount.minor * n // 100), "EUR")
                        # More than is left is refused before anything is sent.
                        with contextlib.suppress(InvalidPayment):
                            service.refund(
                                sale.transfer_id, amount, cashier_id=cashier, cashier_pin=cashier_pin
                            )
                elif op == "outage":
                    if arg == "down":
                        shared_proxy.down()
                    else:
                        shared_proxy.up()
                        shared_proxy.fault(str(arg), times=n)
                elif op == "crash":
                    armed[:] = [str(arg)]
                elif op == "recover":
                    shared_proxy.up()
                    service.recover()
            except Crash:
                service.client.close()
                service.journal.close()
                service = fresh()  # the terminal restarts from its journal
        armed.clear()

    # The ledger comes back; recovery runs until nothing is open.
    shared_proxy.up()
    shared_proxy.clear()
    service.client.close()
    service.journal.close()
    final = PaymentService(
        kit.client(),
        Journal.open(kit.journal_path, kit.terminal_id),
        currency="EUR",
        rules=rules,
        abandon_after_s=0.0,
    )
    report = final.recover()
    assert report.still_open == ()
    entries = final.journal.entries()
    ledger = kit.ledger_transfers()
    ids = [t.transfer_id for t in ledger]
    assert len(ids) == len(set(ids)), "a transfer recorded twice"
    assert {e.transfer_id for e in entries} >= set(ids), "a ledger transfer the journal does not know"
    charged = {t.transfer_id for t in ledger if t.kind == "debit" and t.status in ("posted", "voided")}
    approved = {
        e.transfer_id for e in entries if e.kind == EntryKind.DEBIT and e.state == EntryState.APPROVED
    }
    assert charged == approved
    assert shown_approved <= charged, "the shopper saw 'approved' for a debit the ledger did not post"
    for debit in (t for t in ledger if t.kind == "debit"):
        refunded = sum(
            t.amount.minor
            for t in ledger
            if t.kind == "refund" and t.original_transfer_id == debit.transfer_id
        )
        assert refunded <= debit.amount.minor
    rec = kit.reconcile_today()
    assert rec.verdict == Verdict.AGREE, rec.verdict_text
    final.client.close()
    final.journal.close()
