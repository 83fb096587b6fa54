"""What the flow is told: user actions, scan updates, ledger answers and clock ticks.

Answers to effects carry the ``request_id`` of the effect that asked; an answer
to an older request (one the flow gave up on) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checkout.ports import CaptureUpdate, DaySummary, Erased
from vision import ScanUpdate

__all__ = [
    "CameraLost",
    "Cancel",
    "CancelSale",
    "CaptureUpdated",
    "CashierChosen",
    "CashierKey",
    "CashierRejected",
    "CashierVerified",
    "Confirm",
    "CustomerNumberEntered",
    "DebitApproved",
    "DebitDeclined",
    "EnrolShopper",
    "EnrolmentDone",
    "EnrolmentFailed",
    "EraseShopper",
    "ErasureDone",
    "ErasureFailed",
    "Event",
    "LedgerUnreachable",
    "LockTerminal",
    "NewSale",
    "OpenSale",
    "PinEntered",
    "RefundDone",
    "RefundFailed",
    "RefundLast",
    "ScanUpdated",
    "SummaryReady",
    "Tick",
    "UseCode",
    "UsePin",
    "UserActivity",
]


@dataclass(frozen=True)
class Tick:
    """Time passed (the UI sends one every fraction of a second); time-outs fire on ticks."""


@dataclass(frozen=True)
class Cancel:
    """Cancel / back / done (Escape key or the Cancel button)."""


@dataclass(frozen=True)
class Confirm:
    """The screen's main action (Enter key or the big button): pay, start, done."""


@dataclass(frozen=True)
class UsePin:
    """The shopper chose to pay with customer number and PIN instead of the face."""


@dataclass(frozen=True)
class UserActivity:
    """A key was pressed on a pad; keeps the screen's idle time-out from firing."""


@dataclass(frozen=True)
class ScanUpdated:
    """The vision pipeline analysed a frame.

    Attributes:
        update: what it found (guidance, face box, decision when reached).
    """

    update: ScanUpdate


@dataclass(frozen=True)
class CameraLost:
    """The camera stopped delivering frames.

    Attributes:
        message: what the camera source said, for the log.
    """

    message: str = ""


@dataclass(frozen=True)
class CustomerNumberEntered:
    """A shopper the camera did not recognise typed their customer number.

    Attributes:
        customer_id: the number typed.
    """

    customer_id: str


@dataclass(frozen=True)
class PinEntered:
    """A PIN was typed and submitted (the shopper's or the cashier's, by state).

    Attributes:
        pin: the digits; held only until the debit or verification is sent.
    """

    pin: str = field(repr=False)


@dataclass(frozen=True)
class DebitApproved:
    """The ledger approved the debit.

    Attributes:
        request_id: the ``SendDebit`` it answers.
        transfer_id: the transfer's id.
        at: when, seconds since the epoch (for the receipt).
        offline: stored to forward later rather than posted now.
    """

    request_id: int
    transfer_id: str
    at: float
    offline: bool = False


@dataclass(frozen=True)
class DebitDeclined:
    """The ledger declined the debit.

    Attributes:
        request_id: the ``SendDebit`` it answers.
        code: machine-readable reason ("wrong_pin", "pin_locked", ...).
        message: the ledger's message (shown when the code is not one the flow knows).
        attempts_left: PIN attempts left, for "wrong_pin".
    """

    request_id: int
    code: str
    message: str = ""
    attempts_left: int | None = None


@dataclass(frozen=True)
class LedgerUnreachable:
    """The ledger could not be reached for the request.

    Attributes:
        request_id: the effect it answers.
        message: for a debit, the sentence shown to the shopper (from the payment service);
            otherwise detail for the log.
    """

    request_id: int
    message: str = ""


@dataclass(frozen=True)
class CashierKey:
    """The cashier asked for their menu (staff button or F2)."""


@dataclass(frozen=True)
class CashierChosen:
    """Staff sign-in: the cashier typed their id or picked it from the list.

    Attributes:
        cashier_id: the cashier's id at the ledger.
    """

    cashier_id: str


@dataclass(frozen=True)
class CashierVerified:
    """The cashier PIN was accepted.

    Attributes:
        request_id: the ``VerifyCashier`` it answers.
    """

    request_id: int


@dataclass(frozen=True)
class CashierRejected:
    """The cashier PIN was refused.

    Attributes:
        request_id: the ``VerifyCashier`` it answers.
        code: the ledger's reason: "wrong_pin", "pin_locked" or "unknown_cashier".
        retry_after_s: for "pin_locked", seconds until the cashier may try again, when known.
    """

    request_id: int
    code: str = "wrong_pin"
    retry_after_s: float | None = None


@dataclass(frozen=True)
class NewSale:
    """The cashier chose "Open sale" (the amount pad opens)."""


@dataclass(frozen=True)
class OpenSale:
    """A sale is opened with its amount (cashier's amount pad or a POS integration).

    Attributes:
        amount_minor: amount in minor units, > 0.
        currency: ISO 4217 code.
        reference: merchant reference, may be empty.
    """

    amount_minor: int
    currency: str
    reference: str = ""


@dataclass(frozen=True)
class CancelSale:
    """The cashier cancelled the open sale."""


@dataclass(frozen=True)
class RefundLast:
    """The cashier asked to refund the terminal's last payment."""


@dataclass(frozen=True)
class RefundDone:
    """The refund was posted.

    Attributes:
        request_id: the ``SendRefund`` it answers.
        transfer_id: the refund's transfer id.
        amount_minor: amount refunded.
        currency: ISO 4217 code.
    """

    request_id: int
    transfer_id: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class RefundFailed:
    """The ledger refused the refund.

    Attributes:
        request_id: the ``SendRefund`` it answers.
        message: why.
    """

    request_id: int
    message: str


@dataclass(frozen=True)
class LockTerminal:
    """The cashier locked the terminal."""


@dataclass(frozen=True)
class SummaryReady:
    """Today's totals arrived.

    Attributes:
        request_id: the ``RequestSummary`` it answers.
        summary: the totals and verdict.
    """

    request_id: int
    summary: DaySummary


@dataclass(frozen=True)
class EnrolShopper:
    """The cashier chose "Enrol shopper" (customer number, consent, camera, PIN)."""


@dataclass(frozen=True)
class EraseShopper:
    """The cashier chose "Erase shopper" (customer number, confirm, erase)."""


@dataclass(frozen=True)
class UseCode:
    """The shopper has no PIN for the account yet (or forgot it): they type the one-time
    enrolment code the shop or operator gave them, then choose a PIN."""


@dataclass(frozen=True)
class CaptureUpdated:
    """A camera frame was judged for enrolment.

    Attributes:
        update: frames kept so far and why this one was not, if it was not.
    """

    update: CaptureUpdate


@dataclass(frozen=True)
class EnrolmentDone:
    """The shopper is enrolled.

    Attributes:
        request_id: the ``SendEnrolment`` it answers.
        customer_id: who.
        templates: templates stored.
        pin_set: a new PIN was set (enrolment code); False: the account's PIN stays.
    """

    request_id: int
    customer_id: str
    templates: int
    pin_set: bool = False


@dataclass(frozen=True)
class EnrolmentFailed:
    """The enrolment was refused (nothing was stored).

    Attributes:
        request_id: the ``SendEnrolment`` it answers.
        code: machine-readable reason ("wrong_pin" of the shopper, "bad_enrolment_code",
            "proof_required", "face_enrolled", "cashier_pin", "unknown_customer"...).
        message: why, in words (for "face_enrolled": the sentence naming the other customer).
        attempts_left: the shopper's PIN attempts left, for "wrong_pin", when the ledger said.
        retry_after_s: for "pin_locked", seconds until the PIN may be tried again, when known.
    """

    request_id: int
    code: str
    message: str = ""
    attempts_left: int | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class ErasureDone:
    """The shopper's biometric data and face link were erased.

    Attributes:
        request_id: the ``SendErasure`` it answers.
        receipt: what was erased and the audit hashes proving it.
    """

    request_id: int
    receipt: Erased


@dataclass(frozen=True)
class ErasureFailed:
    """The erasure was refused (nothing was erased).

    Attributes:
        request_id: the ``SendErasure`` it answers.
        message: why.
        code: machine-readable reason ("wrong_pin", "proof_required"...), may be empty.
    """

    request_id: int
    message: str
    code: str = ""


Event = (
    Tick
    | Cancel
    | Confirm
    | UsePin
    | UserActivity
    | ScanUpdated
    | CameraLost
    | CustomerNumberEntered
    | PinEntered
    | DebitApproved
    | DebitDeclined
    | LedgerUnreachable
    | CashierKey
    | CashierChosen
    | CashierVerified
    | CashierRejected
    | NewSale
    | OpenSale
    | CancelSale
    | RefundLast
    | RefundDone
    | RefundFailed
    | LockTerminal
    | SummaryReady
    | EnrolShopper
    | EraseShopper
    | CaptureUpdated
    | EnrolmentDone
    | EnrolmentFailed
    | ErasureDone
    | ErasureFailed
    | UseCode
)
