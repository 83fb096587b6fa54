"""Checkout paths a shopper goes through, driven event by event with a fake clock."""

from __future__ import annotations

from checkout import (
    BusyView,
    CameraLost,
    Cancel,
    CashierChosen,
    ChallengeView,
    Confirm,
    ConfirmView,
    CustomerNumberEntered,
    CustomerView,
    DebitApproved,
    DebitDeclined,
    LedgerUnreachable,
    Outcome,
    PinEntered,
    PinView,
    ResultView,
    SaleView,
    Screen,
    SendDebit,
    StartScan,
    State,
    StopScan,
    UsePin,
)
from vision import REASON_TEXT, Guidance, Match, Reason

from .conftest import MATCH, SPOOF, STRANGER, Driver, face, no_face


def test_happy_face_path_shows_name_then_receipt(drive: Driver) -> None:
    drive.open_sale(1250)
    assert drive.view == SaleView("EUR 12.50", "Corner Shop")
    assert drive.send(Confirm())[0] == StartScan(1250)
    drive.send(face(guidance=Guidance.MOVE_CLOSER), 0.2)
    assert drive.state is State.SCANNING
    effects = drive.send(face(MATCH), 0.3)
    assert StopScan() in effects
    assert drive.shown is not None and drive.shown.screen is Screen.CONFIRM
    assert isinstance(drive.view, ConfirmView)
    assert drive.view.prompt == "Pay EUR 12.50 as Anna K.?"
    drive.send(Confirm())
    debit = drive.debit()
    assert (debit.customer_id, debit.amount_minor, debit.currency, debit.pin) == ("c-anna", 1250, "EUR", None)
    assert debit.evidence.method == "face" and debit.evidence.score == 0.71
    assert debit.allow_offline
    assert drive.view == BusyView("Processing payment", "Please wait…")
    drive.approve()
    assert drive.state is State.APPROVED
    view = drive.view
    assert isinstance(view, ResultView) and view.outcome is Outcome.APPROVED
    assert view.receipt is not None and view.message == "Thank you, Anna K."
    assert view.receipt.transfer_id == "tr-1" and view.receipt.amount == "EUR 12.50"
    assert view.receipt.when == "2027-01-15 08:00"
    assert "Transaction: tr-1" in view.receipt.text()
    assert drive.machine.sale is None


def test_pin_never_appears_in_a_repr(drive: Driver) -> None:
    drive.to_pin()
    drive.send(PinEntered("4321"))
    assert "4321" not in repr(drive.debit())
    assert "4321" not in repr(PinEntered("4321"))


def test_masked_face_goes_to_pin_with_calm_message_then_pays_best_candidate(drive: Driver) -> None:
    drive.to_pin()
    view = drive.view
    assert isinstance(view, PinView) and not view.cashier
    assert view.message == REASON_TEXT[Reason.MASKED]
    assert view.amount == "EUR 12.50"
    drive.send(PinEntered("4321"))
    debit = drive.debit()
    assert (debit.customer_id, debit.pin) == ("c-ben", "4321")
    assert debit.evidence.masked and debit.evidence.method == "face+pin"
    assert not debit.allow_offline  # a PIN can only be checked by the ledger
    drive.approve()
    assert drive.state is State.APPROVED


def test_masked_face_match_is_never_store_and_forward(drive: Driver) -> None:
    drive.scan()
    drive.send(face(Match("c-anna", 0.6, 0.2, 0.9, masked=True), masked=True))
    drive.send(Confirm())
    assert drive.debit().pin is None
    assert not drive.debit().allow_offline


def test_stranger_types_customer_number_then_pin(drive: Driver) -> None:
    drive.scan()
    drive.send(face(STRANGER))
    assert drive.state is State.CUSTOMER_ENTRY
    assert drive.view == CustomerView("EUR 12.50", REASON_TEXT[Reason.STRANGER])
    drive.send(CustomerNumberEntered("  "))  # blank: ignored
    assert drive.state is State.CUSTOMER_ENTRY
    drive.send(CustomerNumberEntered("100042"))
    assert drive.state is State.PIN_ENTRY
    drive.send(PinEntered("12"))  # too short: ignored
    assert drive.state is State.PIN_ENTRY
    drive.send(PinEntered("1234"))
    assert (drive.debit().customer_id, drive.debit().pin) == ("100042", "1234")
    assert drive.debit().evidence.method == "pin"


def test_shopper_may_choose_pin_from_sale_or_scan(drive: Driver) -> None:
    drive.open_sale()
    drive.send(UsePin())
    assert drive.state is State.CUSTOMER_ENTRY
    drive.send(Cancel())
    drive.send(Confirm())
    assert drive.send(UsePin())[0] == StopScan()
    assert drive.state is State.CUSTOMER_ENTRY


def test_wrong_pin_counts_down_then_locks(drive: Driver) -> None:
    drive.to_pin()
    for left in (4, 3, 2, 1):
        drive.send(PinEntered("0000"))
        drive.send(DebitDeclined(drive.debit().request_id, "wrong_pin", "bad", attempts_left=left))
        assert drive.state is State.PIN_ENTRY
        view = drive.view
        assert isinstance(view, PinView)
        assert view.attempts_left == left and view.error == "Wrong PIN. Please try again."
    drive.send(PinEntered("0000"))
    drive.send(DebitDeclined(drive.debit().request_id, "wrong_pin", "bad", attempts_left=0))
    assert drive.state is State.DECLINED
    view = drive.view
    assert isinstance(view, ResultView) and view.headline == "PIN locked"
    assert "PIN is locked" in view.message


def test_pin_locked_code_goes_straight_to_lockout(drive: Driver) -> None:
    drive.to_pin()
    drive.send(PinEntered("0000"))
    drive.send(DebitDeclined(drive.debit().request_id, "pin_locked"))
    assert drive.state is State.DECLINED
    assert isinstance(drive.view, ResultView) and drive.view.headline == "PIN locked"


def test_spoof_is_rejected_with_reason_and_sale_stays_open(drive: Driver) -> None:
    drive.scan()
    effects = drive.send(face(SPOOF))
    assert StopScan() in effects
    assert drive.state is State.REJECTED
    view = drive.view
    assert isinstance(view, ResultView) and view.outcome is Outcome.REJECTED
    assert view.message == REASON_TEXT[Reason.SPOOF]
    assert not any(isinstance(e, SendDebit) for e in drive.effects)
    drive.send(Confirm())
    assert drive.state is State.SALE_OPEN and drive.machine.sale is not None


def test_challenge_prompt_follows_direction_then_matches(drive: Driver) -> None:
    drive.scan()
    drive.send(face(guidance=Guidance.TURN_LEFT))
    assert drive.state is State.CHALLENGE
    assert drive.view == ChallengeView("EUR 12.50", Guidance.TURN_LEFT)
    drive.send(face(guidance=Guidance.TURN_RIGHT), 0.5)
    assert drive.view == ChallengeView("EUR 12.50", Guidance.TURN_RIGHT)
    drive.send(face(guidance=Guidance.HOLD_STILL), 0.5)
    assert drive.state is State.CHALLENGE
    starts = sum(isinstance(e, StartScan) for e in drive.effects)
    drive.send(face(MATCH), 0.5)
    assert drive.state is State.CONFIRM
    assert starts == 1


def test_the_pin_is_one_touch_away_during_the_challenge(drive: Driver) -> None:
    drive.scan()
    drive.send(face(guidance=Guidance.TURN_LEFT))
    assert drive.state is State.CHALLENGE
    assert drive.view == ChallengeView("EUR 12.50", Guidance.TURN_LEFT, 4.0)
    effects = drive.send(UsePin(), 0.5)
    assert drive.state is State.CUSTOMER_ENTRY
    assert any(isinstance(e, StopScan) for e in effects)
    assert isinstance(drive.view, CustomerView)


def test_challenge_failed_is_rejected(drive: Driver) -> None:
    drive.scan()
    drive.send(face(guidance=Guidance.TURN_RIGHT))
    from vision import Reject

    drive.send(face(Reject(Reason.CHALLENGE_FAILED)))
    assert drive.state is State.REJECTED
    assert isinstance(drive.view, ResultView)
    assert drive.view.message == REASON_TEXT[Reason.CHALLENGE_FAILED]


def test_ledger_unreachable_shows_the_payment_services_sentence(drive: Driver) -> None:
    unknown = (
        "We could not confirm this payment. If you were charged, the money will be returned automatically."
    )
    drive.to_processing()
    drive.send(LedgerUnreachable(drive.debit().request_id, unknown))
    assert drive.state is State.DECLINED
    view = drive.view
    assert isinstance(view, ResultView)
    assert view.headline == "Payment not completed" and view.message == unknown


def test_ledger_unreachable_without_a_sentence_says_it_cannot_be_reached(drive: Driver) -> None:
    drive.to_processing()
    drive.send(LedgerUnreachable(drive.debit().request_id))
    view = drive.view
    assert isinstance(view, ResultView) and "can't be reached" in view.message


def test_other_declines_show_known_wording_or_the_ledger_message(drive: Driver) -> None:
    drive.to_processing()
    drive.send(DebitDeclined(drive.debit().request_id, "insufficient_funds", "nsf"))
    assert isinstance(drive.view, ResultView) and "Not enough funds" in drive.view.message
    drive.send(Confirm())
    drive.send(Confirm())
    drive.send(face(MATCH))
    drive.send(Confirm())
    drive.send(DebitDeclined(drive.debit().request_id, "velocity", "Too many payments today"))
    assert isinstance(drive.view, ResultView)
    assert drive.view.message == "Too many payments today. No money was taken."


def test_camera_lost_falls_back_to_customer_number_and_pin(drive: Driver) -> None:
    drive.scan()
    effects = drive.send(CameraLost("device gone"))
    assert StopScan() in effects
    assert drive.state is State.CUSTOMER_ENTRY
    assert isinstance(drive.view, CustomerView) and "camera" in drive.view.message


def test_answer_to_an_abandoned_request_is_ignored(drive: Driver) -> None:
    drive.to_processing()
    stale = drive.debit().request_id
    drive.tick(31)
    assert drive.state is State.UNKNOWN
    drive.send(Cancel())  # ask the cashier
    assert drive.state is State.CASHIER_ID
    drive.send(CashierChosen("1001"))
    drive.send(PinEntered("9999"))
    assert drive.send(DebitApproved(stale, "late", 0.0)) == []
    assert drive.state is State.CASHIER_VERIFYING


def test_late_answer_in_unknown_settles_it(drive: Driver) -> None:
    drive.to_processing()
    drive.tick(31)
    view = drive.view
    assert isinstance(view, ResultView) and view.outcome is Outcome.UNKNOWN
    assert "ask the cashier" in view.message
    drive.approve()
    assert drive.state is State.APPROVED


def test_events_that_do_not_apply_are_ignored(drive: Driver) -> None:
    assert drive.send(Confirm()) == []
    assert drive.send(face(MATCH)) == []
    assert drive.send(PinEntered("1234")) == []
    assert drive.state is State.IDLE


def test_scan_updates_without_change_emit_nothing(drive: Driver) -> None:
    drive.scan()
    assert drive.send(face(), 0.1) == []
    assert drive.send(no_face(), 0.1) == []
