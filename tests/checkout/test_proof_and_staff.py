"""The account holder's proof at enrolment, erasure on the shopper's PIN, and staff sign-in as
people: each new state's path, its time-out and its cancel, and the kiosk's slow-down of
repeated wrong staff PINs."""

from __future__ import annotations

import datetime as dt

import pytest

from checkout import (
    Cancel,
    CashierChosen,
    CashierKey,
    CashierRejected,
    CashierVerified,
    CashierView,
    CheckoutMachine,
    Confirm,
    Consent,
    CustomerNumberEntered,
    EnrolmentFailed,
    EnrolShopper,
    EraseShopper,
    ErasureFailed,
    NameEntered,
    PinEntered,
    PinView,
    SendEnrolment,
    SendErasure,
    StaffThrottle,
    StaffView,
    State,
    UseCode,
    UsePin,
    VerifyCashier,
)

from .conftest import TIMEOUTS, Driver, FakeDirectory
from .test_enrolment_flow import CODE, frame

CONSENT = Consent("test-v1", "We store a face template.")
THROTTLE = StaffThrottle(free_tries=1, wait_s=10.0, wait_max_s=40.0, window_s=900.0)


def machine(*, consent: Consent | None = CONSENT, cashiers: tuple[str, ...] = ()) -> Driver:
    m = CheckoutMachine(
        FakeDirectory(),
        merchant="Corner Shop",
        timeouts=TIMEOUTS,
        tz=dt.UTC,
        consent=consent,
        cashiers=cashiers,
        throttle=THROTTLE,
    )
    d = Driver(m)
    d.effects.extend(m.start(d.now))
    return d


def sign_in(d: Driver, cashier: str = "1001", pin: str = "9999") -> None:
    d.send(CashierKey())
    d.send(CashierChosen(cashier))
    d.send(PinEntered(pin))
    d.send(CashierVerified(d.machine.request_id))
    assert d.state is State.CASHIER


@pytest.fixture
def desk() -> Driver:
    d = machine()
    sign_in(d)
    return d


# --- enrolment: the account holder's proof -------------------------------------------


def test_the_accounts_own_pin_is_the_proof_and_no_new_pin_is_asked(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("200001"))
    assert desk.state is State.ENROL_PROOF
    desk.send(PinEntered("4321"))
    desk.send(Confirm())
    desk.send(NameEntered("Anna K"))
    desk.send(frame(3))
    assert desk.state is State.ENROL_PROCESSING  # straight to the ledger: the PIN is not changed
    sent = desk.last(SendEnrolment)
    assert isinstance(sent, SendEnrolment)
    assert (sent.customer_id, sent.pin, sent.code, sent.name) == ("200001", "4321", None, "Anna K")
    assert desk.machine._enrol.proof_pin is None


def test_a_wrong_customer_number_gets_the_ledgers_refusal_and_stores_nothing(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("200001"))  # the cashier mistyped: someone else's account
    desk.send(PinEntered("1111"))  # the shopper's own PIN is not that account's
    desk.send(Confirm())
    desk.send(NameEntered("Anna K"))
    desk.send(frame(3))
    rid = desk.machine.request_id
    desk.send(EnrolmentFailed(rid, "wrong_pin", "wrong PIN for this account", attempts_left=4))
    assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
    assert desk.view.notice == (
        "Enrolment refused: wrong PIN for account 200001 (4 tries left). Nothing was stored."
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("face_enrolled", "This face is already enrolled as customer 200001. Nothing was stored."),
        (
            "bad_enrolment_code",
            "Enrolment refused: the enrolment code is wrong, used or expired. "
            "Ask for a new code. Nothing was stored.",
        ),
        (
            "proof_required",
            "Enrolment refused: account 42 has no PIN yet. The shopper needs an "
            "enrolment code from the shop. Nothing was stored.",
        ),
        (
            "pin_locked",
            "Enrolment refused: the PIN of account 42 is locked for 12 more minutes. Nothing was stored.",
        ),
        (
            "too_many_pin_attempts",
            "Enrolment refused: too many wrong PINs at this terminal, paused for 12 "
            "more minutes. Nothing was stored.",
        ),
    ],
)
def test_each_refusal_says_why_and_that_nothing_was_stored(desk: Driver, code: str, expected: str) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(PinEntered("1357"))
    desk.send(Confirm())
    desk.send(NameEntered("Anna K"))
    desk.send(frame(3))
    message = "This face is already enrolled as customer 200001." if code == "face_enrolled" else ""
    desk.send(EnrolmentFailed(desk.machine.request_id, code, message, retry_after_s=700.0))
    assert isinstance(desk.view, CashierView) and desk.view.notice == expected


def test_an_enrolment_code_has_ten_digits(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(UseCode())
    desk.send(PinEntered("12345"))
    assert desk.state is State.ENROL_CODE
    assert isinstance(desk.view, PinView) and desk.view.error == "An enrolment code has 10 digits."
    desk.send(PinEntered(CODE))
    assert desk.state is State.ENROL_CONSENT


@pytest.mark.parametrize("state", [State.ENROL_PROOF, State.ENROL_CODE])
def test_proof_steps_cancel_and_time_out_to_the_menu_keeping_nothing(desk: Driver, state: State) -> None:
    for leave in (Cancel(), None):
        desk.send(EnrolShopper())
        desk.send(CustomerNumberEntered("42"))
        if state is State.ENROL_CODE:
            desk.send(UseCode())
        assert desk.state is state
        if leave is None:
            desk.tick(TIMEOUTS.pin_s - 1)
            assert desk.state is state
            desk.tick(1)
        else:
            desk.send(leave)
        assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
        assert "Nothing was stored" in desk.view.notice
        ctx = desk.machine._enrol
        assert ctx.proof_pin is None and ctx.code is None


def test_the_proof_is_forgotten_when_the_enrolment_is_abandoned(desk: Driver) -> None:
    desk.send(EnrolShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(PinEntered("1357"))
    assert desk.machine._enrol.proof_pin == "1357"
    desk.send(Cancel())  # declines consent
    assert desk.machine._enrol.proof_pin is None
    assert not any(isinstance(e, SendEnrolment) for e in desk.effects)


# --- erasure on the shopper's PIN ------------------------------------------------------


def test_erasure_on_the_shoppers_pin(desk: Driver) -> None:
    desk.send(EraseShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(UsePin())
    assert desk.state is State.ERASE_PIN
    assert isinstance(desk.view, PinView) and desk.view.title == "Account 42"
    desk.send(PinEntered("1357"))
    sent = desk.last(SendErasure)
    assert isinstance(sent, SendErasure) and (sent.customer_id, sent.pin) == ("42", "1357")
    assert "1357" not in repr(sent)
    desk.send(ErasureFailed(sent.request_id, "wrong PIN", "wrong_pin"))
    assert isinstance(desk.view, CashierView)
    assert desk.view.notice == "Erasure refused: wrong PIN for account 42. Nothing was erased."


def test_erasure_on_the_cashiers_authority_sends_no_pin(desk: Driver) -> None:
    desk.send(EraseShopper())
    desk.send(CustomerNumberEntered("42"))
    desk.send(Confirm())
    sent = desk.last(SendErasure)
    assert isinstance(sent, SendErasure) and sent.pin is None
    desk.send(ErasureFailed(sent.request_id, "", "proof_required"))
    assert isinstance(desk.view, CashierView) and "shop where the face was enrolled" in desk.view.notice


def test_erasure_pin_pad_cancels_and_times_out(desk: Driver) -> None:
    for leave in (Cancel(), None):
        desk.send(EraseShopper())
        desk.send(CustomerNumberEntered("42"))
        desk.send(UsePin())
        if leave is None:
            desk.tick(TIMEOUTS.pin_s)
        else:
            desk.send(leave)
        assert desk.state is State.CASHIER and isinstance(desk.view, CashierView)
        assert "Nothing was erased" in desk.view.notice
    assert not any(isinstance(e, SendErasure) for e in desk.effects)


# --- staff sign-in: cashiers as people --------------------------------------------------


def test_staff_sign_in_offers_the_shops_cashiers_and_takes_any_typed_id() -> None:
    d = machine(cashiers=("1001", "1002"))
    d.send(CashierKey())
    assert isinstance(d.view, StaffView) and d.view.cashiers == ("1001", "1002")
    d.send(CashierChosen("not an id!"))
    assert d.state is State.CASHIER_ID
    d.send(CashierChosen("1007"))
    assert isinstance(d.view, PinView) and d.view.cashier and d.view.title == "PIN of cashier 1007"
    d.send(PinEntered("2580"))
    verify = d.last(VerifyCashier)
    assert isinstance(verify, VerifyCashier) and (verify.cashier_id, verify.pin) == ("1007", "2580")


def test_a_locked_cashier_is_told_the_minutes_left_and_another_can_sign_in() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    d.send(PinEntered("2580"))
    d.send(CashierRejected(d.machine.request_id, "pin_locked", 11 * 60 + 5))
    assert d.state is State.CASHIER_ID and isinstance(d.view, StaffView)
    assert d.view.error == "Cashier 1001 is locked for 12 more minutes. Another cashier can sign in."
    d.tick(20)
    d.send(CashierChosen("1002"))
    d.send(PinEntered("3691"))
    d.send(CashierVerified(d.machine.request_id))
    assert d.state is State.CASHIER


def test_after_the_lockout_the_right_pin_signs_in() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    d.send(PinEntered("9999"))
    d.send(CashierRejected(d.machine.request_id, "pin_locked", 60.0))
    assert "locked for 1 more minute." in d.view.error  # type: ignore[union-attr]
    d.tick(900)  # the lockout is over; the kiosk keeps no lock of its own
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    d.send(PinEntered("9999"))
    assert d.state is State.CASHIER_VERIFYING
    d.send(CashierVerified(d.machine.request_id))
    assert d.state is State.CASHIER


def test_unknown_cashier_goes_back_to_the_id() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("9"))
    d.send(PinEntered("2580"))
    d.send(CashierRejected(d.machine.request_id, "unknown_cashier"))
    assert d.state is State.CASHIER_ID
    assert d.view == StaffView(
        (), "Pick your cashier id or type it; then your own PIN.", "No cashier 9 at this shop. Check the id."
    )


def wrong_pin(d: Driver) -> None:
    d.send(PinEntered("0000"))
    assert d.state is State.CASHIER_VERIFYING
    d.send(CashierRejected(d.machine.request_id, "wrong_pin"))
    assert d.state is State.CASHIER_LOGIN


def test_repeated_wrong_staff_pins_make_the_kiosk_wait_longer_each_time() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    wrong_pin(d)  # a typo costs nothing
    assert d.view.wait_s == 0  # type: ignore[union-attr]
    wrong_pin(d)  # the second in a row: 10 s
    assert d.view.wait_s == 10  # type: ignore[union-attr]
    assert "wait 10 s" not in d.view.error  # type: ignore[union-attr]  # the screen words it
    d.send(PinEntered("9999"), 4.0)
    assert d.state is State.CASHIER_LOGIN and not any(
        isinstance(e, VerifyCashier) for e in d.effects[-2:]
    )  # refused by the kiosk, not sent
    d.tick(1.0)
    assert d.view.wait_s == 5  # type: ignore[union-attr]  # counts down on screen
    d.tick(5.0)
    assert d.view.wait_s == 0  # type: ignore[union-attr]
    wrong_pin(d)  # third: 20 s
    assert d.view.wait_s == 20  # type: ignore[union-attr]
    d.tick(20)
    wrong_pin(d)  # fourth: 40 s (the most)
    d.tick(40)
    wrong_pin(d)
    assert d.view.wait_s == 40  # type: ignore[union-attr]
    assert d.machine.deadline == pytest.approx(d.now + 40 + TIMEOUTS.pin_s)  # the pad outlasts the wait
    d.tick(40)
    d.send(PinEntered("9999"))
    d.send(CashierVerified(d.machine.request_id))
    assert d.state is State.CASHIER
    d.send(Cancel())
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    wrong_pin(d)  # a sign-in cleared the count: free again
    assert d.view.wait_s == 0


def test_the_wait_follows_the_kiosk_not_the_cashier_id_and_fades_after_the_window() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    wrong_pin(d)
    d.send(Cancel())
    d.send(CashierChosen("1002"))  # another id does not reset it
    wrong_pin(d)
    assert d.view.wait_s == 10  # type: ignore[union-attr]
    d.tick(THROTTLE.window_s + 1)  # long after: forgotten
    d.send(CashierKey())
    d.send(CashierChosen("1002"))
    wrong_pin(d)
    assert d.view.wait_s == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("state", [State.CASHIER_ID, State.CASHIER_LOGIN])
def test_staff_sign_in_times_out_and_cancels(state: State) -> None:
    d = machine()
    d.send(CashierKey())
    if state is State.CASHIER_LOGIN:
        d.send(CashierChosen("1001"))
    d.tick(TIMEOUTS.pin_s)
    assert d.state is State.IDLE
    d.send(CashierKey())
    if state is State.CASHIER_LOGIN:
        d.send(CashierChosen("1001"))
        d.send(Cancel())
        assert d.state is State.CASHIER_ID  # back to the id: another cashier may sign in
    d.send(Cancel())
    assert d.state is State.IDLE


def test_staff_throttle_waits() -> None:
    t = StaffThrottle(free_tries=1, wait_s=10.0, wait_max_s=120.0)
    assert [t.wait_after(n) for n in range(1, 7)] == [0.0, 10.0, 20.0, 40.0, 80.0, 120.0]


def test_a_terminal_wide_pin_budget_pause_is_said_in_minutes() -> None:
    d = machine()
    d.send(CashierKey())
    d.send(CashierChosen("1001"))
    d.send(PinEntered("2580"))
    d.send(CashierRejected(d.machine.request_id, "too_many_pin_attempts", 130.0))
    assert d.state is State.CASHIER_ID
    assert d.view.error == "Too many wrong PINs at this terminal: staff sign-in is paused for 3 min."  # type: ignore[union-attr]
