"""Random event sequences: the machine never crashes, never leaves the camera running outside a
scan, never approves without the ledger saying so, and always has a way out."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from checkout import (
    SCAN_STATES,
    SPECS,
    CameraLost,
    Cancel,
    CancelSale,
    CashierChosen,
    CashierKey,
    CashierRejected,
    CashierVerified,
    CheckoutMachine,
    ChooseRefund,
    Confirm,
    CustomerNumberEntered,
    DaySummary,
    DebitApproved,
    DebitDeclined,
    LedgerUnreachable,
    LockTerminal,
    NewSale,
    OpenSale,
    PaymentLine,
    PaymentPicked,
    PaymentsListed,
    PinEntered,
    RefundDone,
    RefundFailed,
    SendDebit,
    ShowScreen,
    StartScan,
    State,
    StopScan,
    SummaryReady,
    Tick,
    UsePin,
    UserActivity,
    VoidPayment,
)
from vision import Guidance

from .conftest import MATCH, NEED_PIN_MASKED, SPOOF, STRANGER, FakeDirectory, face, no_face

SUMMARY = DaySummary(1, 100, 0, 0, "EUR", "agree")
LINES = (
    PaymentLine("t1", 1250, 1250, "EUR", "c-anna", 0.0, voidable=True),
    PaymentLine("t2", 500, 0, "EUR", "c-ben", 0.0),
)


def answers(rid: int) -> list[object]:
    return [
        DebitApproved(rid, "t", 0.0),
        DebitDeclined(rid, "wrong_pin", "", 2),
        DebitDeclined(rid, "pin_locked"),
        DebitDeclined(rid, "insufficient_funds"),
        LedgerUnreachable(rid),
        CashierVerified(rid),
        CashierRejected(rid, "pin_locked", 700.0),
        RefundDone(rid, "r", 100, "EUR"),
        RefundFailed(rid, "no"),
        SummaryReady(rid, SUMMARY),
        PaymentsListed(rid, LINES),
    ]


EVENTS = st.sampled_from(
    [
        Tick(),
        Cancel(),
        Confirm(),
        UsePin(),
        UserActivity(),
        CameraLost("x"),
        CashierKey(),
        NewSale(),
        CancelSale(),
        ChooseRefund(),
        PaymentPicked("t1"),
        PaymentPicked("t2"),
        VoidPayment(),
        OpenSale(300, "EUR"),
        LockTerminal(),
        OpenSale(1250, "EUR"),
        PinEntered("1234"),
        PinEntered("9999"),
        CustomerNumberEntered("42"),
        face(),
        no_face(),
        face(MATCH),
        face(NEED_PIN_MASKED),
        face(STRANGER),
        face(SPOOF),
        face(guidance=Guidance.TURN_LEFT),
        "answer",
        "answer",
        "answer",
        face(MATCH),
        Confirm(),
        OpenSale(99, "EUR"),
        CashierChosen("k-1"),
        CashierChosen("k-1"),
        CashierChosen(" "),
    ]
)
PAUSES = st.one_of(st.floats(0, 2), st.sampled_from([10.0, 35.0, 400.0]))
STEPS = st.lists(st.tuples(EVENTS, PAUSES, st.integers(0, 10)), min_size=30, max_size=120)


@settings(max_examples=250, deadline=None)
@given(STEPS)
def test_random_sequences_keep_the_invariants(steps: list[tuple[object, float, int]]) -> None:
    machine = CheckoutMachine(FakeDirectory(), merchant="Shop", tz=dt.UTC)
    now, camera_on, last_request = 0.0, False, 0
    machine.start(now)
    for event, dt_s, pick in steps:
        now += dt_s
        if event == "answer":
            event = answers(last_request if pick < 10 else -1)[pick]  # pick 10: a stale answer
        before = machine.state
        effects = machine.handle(event, now)  # type: ignore[arg-type]
        for effect in effects:
            last_request = getattr(effect, "request_id", last_request)
            if isinstance(effect, StartScan):
                assert not camera_on
                camera_on = True
            elif isinstance(effect, StopScan):
                assert camera_on
                camera_on = False
            elif isinstance(effect, SendDebit):
                assert machine.sale is not None and effect.amount_minor == machine.sale.amount_minor
                assert effect.pin is not None or effect.evidence.method == "face"
        assert camera_on == (machine.state in SCAN_STATES)
        if machine.state is State.APPROVED and before is not State.APPROVED:
            assert isinstance(event, DebitApproved)
        shown = [e for e in effects if isinstance(e, ShowScreen)]
        assert len(shown) <= 1
        deadline = machine.deadline
        assert (deadline is None) == (SPECS[machine.state].wait is None)
