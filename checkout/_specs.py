"""One spec per state: the screen it is shown on, its time-out, what entering it asks for,
and how its view is drawn. A test checks every ``State`` has exactly one spec.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from checkout import _views as v
from checkout._context import Timeouts
from checkout._table import Screen, State

__all__ = ["SPECS", "Entry", "StateSpec"]

S = State
Wait = Callable[[Timeouts], float]


class Entry(enum.Enum):
    """What entering a state asks of the UI (besides showing its screen)."""

    NONE = "none"
    SCAN = "scan"  # start camera + analysis for a payment
    CAPTURE = "capture"  # start camera + enrolment capture
    RECEIPT = "receipt"  # start camera + reading a receipt's QR code (refund by receipt)
    DEBIT = "debit"
    STAFF_PIN = "staff_pin"  # a fresh staff PIN pad: nothing typed before counts
    VERIFY_CASHIER = "verify_cashier"
    REFUND = "refund"
    PAYMENTS = "payments"  # today's payments for the refund list
    SUMMARY = "summary"  # today's totals for the cashier's menu
    ENROL = "enrol"
    ERASE = "erase"


@dataclass(frozen=True)
class StateSpec:
    """How one state behaves outside the transition table.

    Attributes:
        screen: the screen it is shown on.
        wait: its time-out from the kiosk's ``Timeouts``; None: it never times out.
        view: draws its view from the flow's context.
        entry: what entering it asks for.
    """

    screen: Screen
    wait: Wait | None
    view: v.ViewFn
    entry: Entry = Entry.NONE


def _sale_open(t: Timeouts) -> float:
    return t.sale_open_s


def _scan(t: Timeouts) -> float:
    return t.scan_s  # scan states end sooner when no face is seen for no_face_s


def _confirm(t: Timeouts) -> float:
    return t.confirm_s


def _pad(t: Timeouts) -> float:
    return t.pin_s


def _ledger(t: Timeouts) -> float:
    return t.processing_s


def _result(t: Timeouts) -> float:
    return t.result_s


def _receipt(t: Timeouts) -> float:
    return t.receipt_s


def _cashier(t: Timeouts) -> float:
    return t.cashier_s


SPECS: dict[State, StateSpec] = {
    S.IDLE: StateSpec(Screen.IDLE, None, v.idle),
    S.OUT_OF_SERVICE: StateSpec(Screen.OUT_OF_SERVICE, None, v.out_of_service),
    S.SALE_OPEN: StateSpec(Screen.SALE, _sale_open, v.sale),
    S.SCANNING: StateSpec(Screen.SCAN, _scan, v.scan, Entry.SCAN),
    S.CHALLENGE: StateSpec(Screen.CHALLENGE, _scan, v.challenge),
    S.CONFIRM: StateSpec(Screen.CONFIRM, _confirm, v.confirm),
    S.CUSTOMER_ENTRY: StateSpec(Screen.CUSTOMER, _pad, v.customer),
    S.PIN_ENTRY: StateSpec(Screen.PIN, _pad, v.pin),
    S.PROCESSING: StateSpec(Screen.BUSY, _ledger, v.busy("pay"), Entry.DEBIT),
    S.APPROVED: StateSpec(Screen.RESULT, _receipt, v.result),
    S.DECLINED: StateSpec(Screen.RESULT, _result, v.result),
    S.REJECTED: StateSpec(Screen.RESULT, _result, v.result),
    S.UNKNOWN: StateSpec(Screen.RESULT, None, v.result),
    S.CASHIER_ID: StateSpec(Screen.STAFF, _pad, v.staff),
    S.CASHIER_LOGIN: StateSpec(Screen.PIN, _pad, v.staff_pin, Entry.STAFF_PIN),
    S.CASHIER_VERIFYING: StateSpec(Screen.BUSY, _ledger, v.busy("cashier"), Entry.VERIFY_CASHIER),
    S.CASHIER: StateSpec(Screen.CASHIER, _cashier, v.cashier, Entry.SUMMARY),
    S.STAFF_OFFLINE: StateSpec(Screen.CASHIER, _cashier, v.staff_offline),
    S.AMOUNT_ENTRY: StateSpec(Screen.AMOUNT, _cashier, v.amount),
    S.REFUND_LIST: StateSpec(Screen.REFUNDS, _cashier, v.refund_list, Entry.PAYMENTS),
    S.REFUND_SCAN: StateSpec(Screen.RECEIPT_SCAN, _scan, v.receipt_scan, Entry.RECEIPT),
    S.REFUND_AMOUNT: StateSpec(Screen.AMOUNT, _cashier, v.refund_amount),
    S.REFUND_CONFIRM: StateSpec(Screen.REFUND_CONFIRM, _cashier, v.refund_confirm),
    S.REFUND_PROCESSING: StateSpec(Screen.BUSY, _ledger, v.busy("refund"), Entry.REFUND),
    S.LOCKED: StateSpec(Screen.LOCKED, None, v.locked),
    S.ENROL_CUSTOMER: StateSpec(Screen.CUSTOMER, _pad, v.enrolment),
    S.ENROL_PROOF: StateSpec(Screen.PIN, _pad, v.enrolment),
    S.ENROL_CODE: StateSpec(Screen.PIN, _pad, v.enrolment),
    S.ENROL_CONSENT: StateSpec(Screen.CONSENT, _cashier, v.enrolment),
    S.ENROL_NAME: StateSpec(Screen.NAME, _pad, v.enrolment),
    S.ENROL_CAPTURE: StateSpec(Screen.CAPTURE, _scan, v.enrolment, Entry.CAPTURE),
    S.ENROL_PIN: StateSpec(Screen.PIN, _pad, v.enrolment),
    S.ENROL_PIN_REPEAT: StateSpec(Screen.PIN, _pad, v.enrolment),
    S.ENROL_PROCESSING: StateSpec(Screen.BUSY, _ledger, v.busy("enrol"), Entry.ENROL),
    S.ERASE_CUSTOMER: StateSpec(Screen.CUSTOMER, _pad, v.enrolment),
    S.ERASE_CONFIRM: StateSpec(Screen.ERASE, _confirm, v.enrolment),
    S.ERASE_PIN: StateSpec(Screen.PIN, _pad, v.enrolment),
    S.ERASE_PROCESSING: StateSpec(Screen.BUSY, _ledger, v.busy("erase"), Entry.ERASE),
    S.ERASED: StateSpec(Screen.ERASED, _cashier, v.enrolment),
}
