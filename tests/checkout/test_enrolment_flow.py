"""Enrolment and erasure in the flow: consent first, camera frames, the PIN twice, the ledger;
every step can be cancelled or times out back to the cashier's menu with nothing kept."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkout import (
    SCAN_STATES,
    SPECS,
    TRANSITIONS,
    CameraLost,
    Cancel,
    CaptureUpdate,
    CaptureUpdated,
    CaptureView,
    CashierChosen,
    CashierKey,
    CashierVerified,
    CashierView,
    CheckoutMachine,
    Confirm,
    Consent,
    ConsentView,
    CustomerNumberEntered,
    CustomerView,
    EnrolmentDone,
    EnrolmentFailed,
    EnrolShopper,
    EraseConfirmView,
    Erased,
    ErasedView,
    EraseShopper,
    ErasureDone,
    ErasureFailed,
    EventType,
    LedgerUnreachable,
    NameEntered,
    PinEntered,
    PinView,
    Screen,
    SendEnrolment,
    SendErasure,
    ShowScreen,
    StartScan,
    State,
    StopScan,
    Tick,
    UseCode,
    UsePin,
    UserActivity,
)

from .conftest import TIMEOUTS, Driver, FakeDirectory

CONSENT = Consent("test-v1", "We store a face template. Why: to pay. How long: 3 years.")
ENROL_FLOW = [
    State.ENROL_CUSTOMER,
    State.ENROL_PROOF,
    State.ENROL_CODE,
    State.ENROL_CONSENT,
    State.ENROL_NAME,
    State.ENROL_CAPTURE,
    State.ENROL_PIN,
    State.ENROL_PIN_REPEAT,
    State.ENROL_PROCESSING,
]
CODE = "4817305529"  # a one-time enrolment code (10 digits)
ERASE_FLOW = [State.ERASE_CUSTOMER, State.ERASE_CONFIRM, State.ERASE_PROCESSING, State.ERASED]
RECEIPT = Erased("abc123", 4, "f" * 64, "e" * 64)


def frame(
    accepted: int,
    problem: str = "",
    *,
    needed: int = 3,
    box: tuple[int, int, int, int] | None = (10, 10, 50, 60),
) -> CaptureUpdated:
    return CaptureUpdated(CaptureUpdate(box, accepted, needed, problem))


@pytest.fixture
def desk() -> Driver:
    """A machine with enrolment, the cashier signed in and the menu shown."""
    machine = CheckoutMachine(
        FakeDirectory(), merchant="Corner Shop", timeouts=TIMEOUTS, tz=dt.UTC, consent=CONSENT
    )
    d = Driver(machine)
    d.effects.extend(machine.start(d.now))
    d.send(CashierKey())
    d.send(CashierChosen("k-1"))
    d.send(PinEntered("9999"))
    d.send(CashierVerified(d.machine.request_id))
    assert d.state is State.CASHIER
    return d


def to_capture(d: Driver, customer: str = "42") -> None:
    """Enrolment of a new account: customer number, the enrolment code, consent, camera."""
    d.send(EnrolShopper())
    assert d.state is State.ENROL_CUSTOMER and isinstance(d.view, CustomerView)
    d.send(CustomerNumberEntered(customer))
    assert d.state is State.ENROL_PROOF
    d.send(UseCode())
    assert d.state is State.ENROL_CODE
    d.send(PinEntered(CODE))
    assert d.state is State.ENROL_CONSENT
    d.send(Confirm())
    assert d.state is State.ENROL_NAME
    d.send(NameEntered("Anna K"))
    assert d.state is State.ENROL_CAPTURE


def to_repeat(d: Driver, pin: str = "2468") -> None:
    to_capture(d)
    d.send(frame(3))
    d.send(PinEntered(pin))
    assert d.state is State.ENROL_PIN_REPEAT


def test_enrolment_path(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered(" 42 "))
    proof = desk.view
    assert isinstance(proof, PinView) and proof.title == "Account 42" and proof.code_option
    desk.send(UseCode())
    assert isinstance(desk.view, PinView) and desk.view.title == "Enrolment code"
    desk.send(PinEntered(CODE))
    view = desk.view
    assert isinstance(view, ConsentView) and desk.shown is not None and desk.shown.screen is Screen.CONSENT
    assert (view.customer, view.version, view.text) == ("42", CONSENT.version, CONSENT.text)
    assert not any(isinstance(e, StartScan) for e in desk.effects)  # no camera before consent
    desk.send(Confirm())
    assert not any(isinstance(e, StartScan) for e in desk.effects)  # nor before the name
    desk.send(NameEntered("  anna   k "))
    start = desk.last(StartScan)
    assert isinstance(start, StartScan) and start.enrol
    desk.send(frame(0, "Move closer"), 0.3)
    desk.send(frame(1), 0.3)
    assert isinstance(desk.view, CaptureView) and desk.view.accepted == 1 and desk.view.needed == 3
    desk.send(frame(1, "judged a photo or screen, not a live face"), 0.3)
    assert desk.state is State.ENROL_CAPTURE and desk.view.problem.startswith("judged a photo")
    desk.send(frame(3), 0.3)
    assert desk.state is State.ENROL_PIN and isinstance(desk.effects[-2], StopScan)
    assert isinstance(desk.view, PinView) and desk.view.title == "Choose your PIN" and not desk.view.cashier
    desk.send(PinEntered("2468"))
    assert isinstance(desk.view, PinView) and desk.view.title == "Repeat your PIN"
    desk.send(PinEntered("2468"))
    sent = desk.last(SendEnrolment)
    assert isinstance(sent, SendEnrolment) and (sent.customer_id, sent.pin, sent.code) == ("42", "2468", CODE)
    assert "2468" not in repr(sent) and CODE not in repr(sent)
    desk.send(EnrolmentDone(sent.request_id, "42", 3, pin_set=True))
    assert desk.state is State.CASHIER
    assert isinstance(desk.view, CashierView) and "Customer 42 enrolled" in desk.view.notice
    assert "new PIN set" in desk.view.notice
    ctx = desk.machine._enrol
    assert ctx.first_pin is None and ctx.code is None and ctx.proof_pin is None


def test_different_pins_start_the_pin_again(desk: Driver) -> None:
    to_repeat(desk)
    desk.send(PinEntered("1357"))
    assert desk.state is State.ENROL_PIN
    assert isinstance(desk.view, PinView) and "different" in desk.view.error
    assert not any(isinstance(e, SendEnrolment) for e in desk.effects)
    desk.send(PinEntered("1357"))
    desk.send(PinEntered("1357"))
    sent = desk.last(SendEnrolment)
    assert isinstance(sent, SendEnrolment) and sent.pin == "1357"


def test_short_pins_are_not_taken(desk: Driver) -> None:
    to_capture(desk)
    desk.send(frame(3))
    desk.send(PinEntered("12"))
    assert desk.state is State.ENROL_PIN


def test_declined_consent_stores_nothing(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(PinEntered("1357"))
    assert desk.state is State.ENROL_CONSENT
    desk.send(Cancel())
    assert desk.state is State.CASHIER
    assert isinstance(desk.view, CashierView) and "declined" in desk.view.notice
    assert not any(isinstance(e, StartScan | SendEnrolment) for e in desk.effects)


@pytest.mark.parametrize("state", ENROL_FLOW + ERASE_FLOW)
def test_every_step_times_out_back_to_the_menu(desk: Driver, state: State) -> None:
    path = ENROL_FLOW if state in ENROL_FLOW else ERASE_FLOW
    desk.send(EnrolShopper() if path is ENROL_FLOW else EraseShopper())
    steps = (
        [
            CustomerNumberEntered("42"),
            UseCode(),
            PinEntered(CODE),
            Confirm(),
            NameEntered("Anna K"),
            frame(3),
            PinEntered("2468"),
            PinEntered("2468"),
        ]
        if path is ENROL_FLOW
        else [CustomerNumberEntered("42"), Confirm(), "erased"]
    )
    for step in steps[: path.index(state)]:
        desk.send(ErasureDone(desk.machine.request_id, RECEIPT) if step == "erased" else step)  # type: ignore[arg-type]
    assert desk.state is state
    desk.tick(600)
    assert desk.state is State.CASHIER
    assert (state, EventType.TIMEOUT) in TRANSITIONS and SPECS[state].wait is not None
    if state is State.ENROL_CAPTURE:
        assert any(isinstance(e, StopScan) for e in desk.effects[-3:])
    if state is not State.ERASED:
        assert isinstance(desk.view, CashierView) and desk.view.notice


@pytest.mark.parametrize(
    "state", [s for s in ENROL_FLOW + ERASE_FLOW if s not in (State.ENROL_PROCESSING, State.ERASE_PROCESSING)]
)
def test_every_step_can_be_cancelled(state: State) -> None:
    assert TRANSITIONS[(state, EventType.CANCEL)] is State.CASHIER
    assert TRANSITIONS[(state, EventType.CASHIER_KEY)] is State.CASHIER


def test_capture_ends_when_the_shopper_walks_away_or_the_camera_goes(desk: Driver) -> None:
    to_capture(desk)
    desk.send(frame(1, box=None), 0.5)
    desk.tick(TIMEOUTS.no_face_s + 0.1)
    assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
    assert "not enough good pictures" in desk.view.notice
    to_capture(desk)
    desk.send(CameraLost("unplugged"))
    assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
    assert "camera" in desk.view.notice
    starts = sum(isinstance(e, StartScan) for e in desk.effects)
    assert starts == 2 and starts == sum(isinstance(e, StopScan) for e in desk.effects)


def test_refused_or_unreachable_enrolment(desk: Driver) -> None:
    to_repeat(desk)
    desk.send(PinEntered("2468"))
    rid = desk.machine.request_id
    desk.send(EnrolmentDone(rid - 1, "42", 3))  # stale: ignored
    assert desk.state is State.ENROL_PROCESSING
    desk.send(EnrolmentFailed(rid, "cashier_pin", "the cashier PIN was refused"))
    assert isinstance(desk.view, CashierView) and "cashier PIN was not accepted" in desk.view.notice
    assert "Nothing was stored" in desk.view.notice
    to_repeat(desk)
    desk.send(PinEntered("2468"))
    desk.send(LedgerUnreachable(desk.machine.request_id, "down"))
    assert isinstance(desk.view, CashierView) and "can't be reached" in desk.view.notice


def test_erasure_path_and_receipt(desk: Driver) -> None:
    desk.send(EraseShopper())
    assert isinstance(desk.view, CustomerView) and "Erase" in desk.view.message
    desk.send(CustomerNumberEntered("c-anna"))
    assert isinstance(desk.view, EraseConfirmView) and desk.view.name == "Anna K."
    desk.send(Confirm())
    sent = desk.last(SendErasure)
    assert isinstance(sent, SendErasure) and sent.customer_id == "c-anna"
    desk.send(ErasureDone(sent.request_id, RECEIPT))
    assert desk.state is State.ERASED and isinstance(desk.view, ErasedView)
    text = "\n".join(desk.view.lines)
    assert "templates removed: 4" in text and "f" * 16 in text and "e" * 16 in text
    desk.send(Confirm())
    assert desk.state is State.CASHIER


def test_erasure_refused(desk: Driver) -> None:
    desk.send(EraseShopper())
    desk.send(CustomerNumberEntered("77"))
    assert isinstance(desk.view, EraseConfirmView) and desk.view.name == ""
    desk.send(Confirm())
    desk.send(ErasureFailed(desk.machine.request_id, "no customer 77 here", "unknown_customer"))
    assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
    assert "no customer 77" in desk.view.notice


def test_without_an_enroller_the_menu_offers_no_enrolment(drive: Driver) -> None:
    drive.send(CashierKey())
    drive.send(CashierChosen("k-1"))
    drive.send(PinEntered("9999"))
    drive.send(CashierVerified(drive.machine.request_id))
    assert isinstance(drive.view, CashierView) and not drive.view.enrolment
    drive.send(EnrolShopper())
    drive.send(EraseShopper())
    assert drive.state is State.CASHIER


EVENTS = st.sampled_from(
    [
        Tick(),
        Cancel(),
        Confirm(),
        UserActivity(),
        CameraLost("x"),
        CashierKey(),
        EnrolShopper(),
        EraseShopper(),
        CustomerNumberEntered("42"),
        NameEntered("Anna K"),
        PinEntered("2468"),
        PinEntered("1357"),
        PinEntered("9999"),
        frame(1),
        frame(3),
        frame(0, box=None),
        "answer",
        "answer",
        UseCode(),
        PinEntered(CODE),
        UsePin(),
        CashierChosen("k-1"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(EVENTS, st.sampled_from([0.1, 1.0, 10.0, 100.0]), st.integers(0, 5)),
        min_size=20,
        max_size=80,
    )
)
def test_random_enrolment_sequences_keep_the_invariants(steps: list[tuple[object, float, int]]) -> None:
    machine = CheckoutMachine(FakeDirectory(), merchant="Shop", tz=dt.UTC, consent=CONSENT)
    now, camera_on = 0.0, False
    machine.start(now)
    for event, pause, pick in steps:
        now += pause
        if event == "answer":
            rid = machine.request_id
            event = [
                CashierVerified(rid),
                EnrolmentDone(rid, "42", 3),
                EnrolmentFailed(rid, "x"),
                ErasureDone(rid, RECEIPT),
                ErasureFailed(rid, "no"),
                LedgerUnreachable(rid),
            ][pick]
        before = machine.state
        effects = machine.handle(event, now)  # type: ignore[arg-type]
        for effect in effects:
            if isinstance(effect, StartScan):
                assert not camera_on and effect.enrol
                camera_on = True
            elif isinstance(effect, StopScan):
                camera_on = False
            elif isinstance(effect, SendEnrolment):  # never without the proof: the PIN or a code
                if effect.code is None:
                    assert before is State.ENROL_CAPTURE and effect.pin in ("2468", "1357", "9999")
                else:
                    assert before is State.ENROL_PIN_REPEAT and effect.code == CODE
        assert camera_on == (machine.state in SCAN_STATES)
        assert len([e for e in effects if isinstance(e, ShowScreen)]) <= 1
        if machine.state is State.ENROL_CAPTURE:
            assert before in (State.ENROL_NAME, State.ENROL_CAPTURE)
