"""What the flow is told: user actions, scan updates, ledger answers and clock ticks.

Each event says which ``EventType`` of the transition table it is (``kind``), from its
class and, for answers and scans, its content; ``None`` when its content is invalid and
the flow ignores it. What depends on the flow's own state (a time-out on a tick, the
PIN's meaning in enrolment) the machine decides.

Answers to effects carry the ``request_id`` of the effect that asked; an answer
to an older request (one the flow gave up on) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from checkout._table import EventType
from checkout.ports import CaptureUpdate, DaySummary, Erased, PaymentLine
from vision import Guidance, Match, NeedPin, Reject, ScanUpdate

E = EventType

__all__ = [
    "Answer",
    "CameraLost",
    "Cancel",
    "CancelSale",
    "CaptureUpdated",
    "CashierChosen",
    "CashierKey",
    "CashierRejected",
    "CashierVerified",
    "ChooseRefund",
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
    "HealthChanged",
    "LedgerUnreachable",
    "LockTerminal",
    "NameEntered",
    "NewSale",
    "OpenSale",
    "PaymentPicked",
    "PaymentsListed",
    "PinEntered",
    "ReceiptRead",
    "RefundDone",
    "RefundFailed",
    "ScanReceipt",
    "ScanUpdated",
    "SummaryReady",
    "Tick",
    "TillCancel",
    "TillSaleOpened",
    "UseCode",
    "UsePin",
    "UserActivity",
    "VoidPayment",
]

# How long a typed customer number may be.
CUSTOMER_ID_MAX = 32
# How long the name typed at enrolment may be (it is shown as first name and initial).
NAME_MAX = 40
# The ledger's id rule (letters, digits, _.:- up to 64): a cashier id typed at the kiosk.
CASHIER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


@dataclass(frozen=True)
class Answer:
    """An answer to one of the flow's requests (the ledger's or the enroller's).

    Attributes:
        request_id: the effect it answers; an answer to an older request is ignored.
    """

    request_id: int


@dataclass(frozen=True)
class HealthChanged:
    """The composition root found a part down or back (start-up checks, a later probe).

    Attributes:
        camera: the camera works, None: not checked (unchanged).
        ledger: the ledger answers, None: not checked (unchanged).
    """

    camera: bool | None = None
    ledger: bool | None = None

    kind: ClassVar[EventType | None] = E.HEALTH


@dataclass(frozen=True)
class Tick:
    """Time passed (the UI sends one every fraction of a second); time-outs fire on ticks."""

    kind: ClassVar[EventType | None] = E.TIMEOUT


@dataclass(frozen=True)
class Cancel:
    """Cancel / back / done (Escape key or the Cancel button)."""

    kind: ClassVar[EventType | None] = E.CANCEL


@dataclass(frozen=True)
class Confirm:
    """The screen's main action (Enter key or the big button): pay, start, done."""

    kind: ClassVar[EventType | None] = E.CONFIRM


@dataclass(frozen=True)
class UsePin:
    """The shopper chose to pay with customer number and PIN instead of the face."""

    kind: ClassVar[EventType | None] = E.USE_PIN


@dataclass(frozen=True)
class UserActivity:
    """A key was pressed on a pad; keeps the screen's idle time-out from firing."""

    kind: ClassVar[EventType | None] = E.ACTIVITY


@dataclass(frozen=True)
class ScanUpdated:
    """The vision pipeline analysed a frame.

    Attributes:
        update: what it found (guidance, face box, decision when reached).
    """

    update: ScanUpdate

    @property
    def kind(self) -> EventType:
        """Which scan edge: a decision, a head-turn prompt, or progress."""
        decision = self.update.decision
        if isinstance(decision, Match):
            return E.SCAN_MATCH
        if isinstance(decision, NeedPin):
            return E.SCAN_NEED_PIN if decision.candidates else E.SCAN_NEED_ID
        if isinstance(decision, Reject):
            return E.SCAN_REJECT
        if self.update.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT):
            return E.SCAN_CHALLENGE
        return E.SCAN_PROGRESS


@dataclass(frozen=True)
class CameraLost:
    """The camera stopped delivering frames.

    Attributes:
        message: what the camera source said, for the log.
    """

    message: str = ""

    kind: ClassVar[EventType | None] = E.CAMERA_LOST


@dataclass(frozen=True)
class CustomerNumberEntered:
    """A shopper the camera did not recognise typed their customer number.

    Attributes:
        customer_id: the number typed.
    """

    customer_id: str

    @property
    def kind(self) -> EventType | None:
        """CUSTOMER_ENTERED; None for a blank or overlong number."""
        cid = self.customer_id.strip()
        return E.CUSTOMER_ENTERED if cid and len(cid) <= CUSTOMER_ID_MAX else None


@dataclass(frozen=True)
class NameEntered:
    """At enrolment the shopper typed the name the checkout will greet them by.

    Attributes:
        name: first name and the initial of the last name ("Anna K"), as typed.
    """

    name: str

    @property
    def kind(self) -> EventType | None:
        """NAME_ENTERED; None for a name that is blank, too long or not letters."""
        name = " ".join(self.name.split())
        letters = name.replace(" ", "").replace("-", "").replace("'", "").replace(".", "")
        ok = 2 <= len(name) <= NAME_MAX and letters.isalpha()
        return E.NAME_ENTERED if ok else None


@dataclass(frozen=True)
class PinEntered:
    """A PIN was typed and submitted (the shopper's or the cashier's, by state).

    Attributes:
        pin: the digits; held only until the debit or verification is sent.
    """

    pin: str = field(repr=False)

    kind: ClassVar[EventType | None] = E.PIN_ENTERED


@dataclass(frozen=True)
class DebitApproved(Answer):
    """The ledger approved the debit.

    Attributes:
        request_id: the ``SendDebit`` it answers.
        transfer_id: the transfer's id.
        at: when, seconds since the epoch (for the receipt).
        offline: stored to forward later rather than posted now.
        receipt_url: the shopper's receipt link, "" when none is offered.
    """

    transfer_id: str
    at: float
    offline: bool = False
    receipt_url: str = ""

    kind: ClassVar[EventType | None] = E.DEBIT_APPROVED


@dataclass(frozen=True)
class DebitDeclined(Answer):
    """The ledger declined the debit.

    Attributes:
        request_id: the ``SendDebit`` it answers.
        code: machine-readable reason ("wrong_pin", "pin_locked", ...).
        message: the ledger's message (shown when the code is not one the flow knows).
        attempts_left: PIN attempts left, for "wrong_pin".
    """

    code: str
    message: str = ""
    attempts_left: int | None = None

    @property
    def kind(self) -> EventType:
        """The decline codes the flow answers with its own edge; the rest are DEBIT_DECLINED."""
        if self.code == "wrong_pin":
            return E.PIN_LOCKED if self.attempts_left is not None and self.attempts_left <= 0 else E.WRONG_PIN
        return _DECLINE_KINDS.get(self.code, E.DEBIT_DECLINED)


@dataclass(frozen=True)
class LedgerUnreachable(Answer):
    """The ledger could not be reached for the request.

    Attributes:
        request_id: the effect it answers.
        message: for a debit, the sentence shown to the shopper (from the payment service);
            otherwise detail for the log.
    """

    message: str = ""

    kind: ClassVar[EventType | None] = E.LEDGER_UNREACHABLE


@dataclass(frozen=True)
class CashierKey:
    """The cashier asked for their menu (staff button or F2)."""

    kind: ClassVar[EventType | None] = E.CASHIER_KEY


@dataclass(frozen=True)
class CashierChosen:
    """Staff sign-in: the cashier typed their id or picked it from the list.

    Attributes:
        cashier_id: the cashier's id at the ledger.
    """

    cashier_id: str

    @property
    def kind(self) -> EventType | None:
        """CASHIER_CHOSEN; None for an id the ledger could not hold."""
        return E.CASHIER_CHOSEN if CASHIER_ID.fullmatch(self.cashier_id.strip()) else None


@dataclass(frozen=True)
class CashierVerified(Answer):
    """The cashier PIN was accepted.

    Attributes:
        request_id: the ``VerifyCashier`` it answers.
    """

    kind: ClassVar[EventType | None] = E.CASHIER_OK


@dataclass(frozen=True)
class CashierRejected(Answer):
    """The cashier PIN was refused.

    Attributes:
        request_id: the ``VerifyCashier`` it answers.
        code: the ledger's reason: "wrong_pin", "pin_locked" or "unknown_cashier".
        retry_after_s: for "pin_locked", seconds until the cashier may try again, when known.
    """

    code: str = "wrong_pin"
    retry_after_s: float | None = None

    @property
    def kind(self) -> EventType:
        """CASHIER_BAD for a wrong PIN (the pad again), CASHIER_REFUSED otherwise."""
        return E.CASHIER_BAD if self.code == "wrong_pin" else E.CASHIER_REFUSED


@dataclass(frozen=True)
class NewSale:
    """The cashier chose "Open sale" (the amount pad opens)."""

    kind: ClassVar[EventType | None] = E.NEW_SALE


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

    @property
    def kind(self) -> EventType | None:
        """SALE_OPENED; None for a non-positive amount or a malformed currency code."""
        cur = self.currency
        ok = self.amount_minor > 0 and len(cur) == 3 and cur.isalpha() and cur.isupper()
        return E.SALE_OPENED if ok else None


@dataclass(frozen=True)
class TillSaleOpened(OpenSale):
    """The shop's till opened a sale on this kiosk (it is already marked as on screen).

    Attributes:
        amount_minor: amount in minor units, > 0.
        currency: ISO 4217 code.
        reference: the till's sale reference (the journal entry keeps it).
        till_id: the till that opened it.
    """

    till_id: str = ""

    @property
    def kind(self) -> EventType | None:
        """TILL_SALE; None when the amount or currency is not a sale's."""
        return E.TILL_SALE if super().kind is not None and self.reference else None


@dataclass(frozen=True)
class TillCancel:
    """The till asked to stop its sale (honoured unless the shopper already confirmed).

    Attributes:
        reference: the till's sale reference.
    """

    reference: str

    kind: ClassVar[EventType | None] = E.TILL_CANCEL


@dataclass(frozen=True)
class CancelSale:
    """The cashier cancelled the open sale."""

    kind: ClassVar[EventType | None] = E.CANCEL_SALE


@dataclass(frozen=True)
class ChooseRefund:
    """The cashier asked to refund or void one of today's payments (the list opens)."""

    kind: ClassVar[EventType | None] = E.REFUNDS


@dataclass(frozen=True)
class PaymentsListed(Answer):
    """Today's payments arrived for the refund list.

    Attributes:
        request_id: the ``RequestPayments`` it answers.
        lines: the payments, newest first.
    """

    lines: tuple[PaymentLine, ...]

    kind: ClassVar[EventType | None] = E.PAYMENTS_LISTED


@dataclass(frozen=True)
class PaymentPicked:
    """The cashier picked a payment of the list (the machine says whether anything is left of it).

    Attributes:
        transfer_id: the payment's transfer id.
    """

    transfer_id: str

    kind: ClassVar[EventType | None] = E.PAYMENT_PICKED


@dataclass(frozen=True)
class ScanReceipt:
    """The cashier asked to pick the payment by holding its receipt's QR code to the camera."""

    kind: ClassVar[EventType | None] = E.SCAN_RECEIPT


@dataclass(frozen=True)
class ReceiptRead:
    """The camera read a QR code while looking for a receipt (the machine says what it is).

    Attributes:
        text: what the QR code says.
    """

    text: str

    kind: ClassVar[EventType | None] = E.RECEIPT_REFUSED


@dataclass(frozen=True)
class VoidPayment:
    """The cashier chose to void the picked payment whole (only before any refund of it)."""

    kind: ClassVar[EventType | None] = E.VOID


@dataclass(frozen=True)
class RefundDone(Answer):
    """The refund (or void) was posted.

    Attributes:
        request_id: the ``SendRefund`` it answers.
        transfer_id: the refund's transfer id.
        amount_minor: amount refunded.
        currency: ISO 4217 code.
        voided: the payment was voided whole.
    """

    transfer_id: str
    amount_minor: int
    currency: str
    voided: bool = False

    kind: ClassVar[EventType | None] = E.REFUND_DONE


@dataclass(frozen=True)
class RefundFailed(Answer):
    """The ledger refused the refund.

    Attributes:
        request_id: the ``SendRefund`` it answers.
        message: why.
    """

    message: str

    kind: ClassVar[EventType | None] = E.REFUND_FAILED


@dataclass(frozen=True)
class LockTerminal:
    """The cashier locked the terminal."""

    kind: ClassVar[EventType | None] = E.LOCK


@dataclass(frozen=True)
class SummaryReady(Answer):
    """Today's totals arrived.

    Attributes:
        request_id: the ``RequestSummary`` it answers.
        summary: the totals and verdict.
    """

    summary: DaySummary

    kind: ClassVar[EventType | None] = E.SUMMARY_READY


@dataclass(frozen=True)
class EnrolShopper:
    """The cashier chose "Enrol shopper" (customer number, consent, camera, PIN)."""

    kind: ClassVar[EventType | None] = E.ENROL


@dataclass(frozen=True)
class EraseShopper:
    """The cashier chose "Erase shopper" (customer number, confirm, erase)."""

    kind: ClassVar[EventType | None] = E.ERASE


@dataclass(frozen=True)
class UseCode:
    """The shopper has no PIN for the account yet (or forgot it): they type the one-time
    enrolment code the shop or operator gave them, then choose a PIN."""

    kind: ClassVar[EventType | None] = E.USE_CODE


@dataclass(frozen=True)
class CaptureUpdated:
    """A camera frame was judged for enrolment.

    Attributes:
        update: frames kept so far and why this one was not, if it was not.
    """

    update: CaptureUpdate

    @property
    def kind(self) -> EventType:
        """CAPTURE_DONE once enough frames were kept, CAPTURE_PROGRESS before."""
        return E.CAPTURE_DONE if self.update.done else E.CAPTURE_PROGRESS


@dataclass(frozen=True)
class EnrolmentDone(Answer):
    """The shopper is enrolled.

    Attributes:
        request_id: the ``SendEnrolment`` it answers.
        customer_id: who.
        templates: templates stored.
        pin_set: a new PIN was set (enrolment code); False: the account's PIN stays.
    """

    customer_id: str
    templates: int
    pin_set: bool = False

    kind: ClassVar[EventType | None] = E.ENROL_DONE


@dataclass(frozen=True)
class EnrolmentFailed(Answer):
    """The enrolment was refused (nothing was stored).

    Attributes:
        request_id: the ``SendEnrolment`` it answers.
        code: machine-readable reason ("wrong_pin" of the shopper, "bad_enrolment_code",
            "proof_required", "face_enrolled", "cashier_pin", "unknown_customer"...).
        message: why, in words (for "face_enrolled": the sentence naming the other customer).
        attempts_left: the shopper's PIN attempts left, for "wrong_pin", when the ledger said.
        retry_after_s: for "pin_locked", seconds until the PIN may be tried again, when known.
    """

    code: str
    message: str = ""
    attempts_left: int | None = None
    retry_after_s: float | None = None

    kind: ClassVar[EventType | None] = E.ENROL_FAILED


@dataclass(frozen=True)
class ErasureDone(Answer):
    """The shopper's biometric data and face link were erased.

    Attributes:
        request_id: the ``SendErasure`` it answers.
        receipt: what was erased and the audit hashes proving it.
    """

    receipt: Erased

    kind: ClassVar[EventType | None] = E.ERASE_DONE


@dataclass(frozen=True)
class ErasureFailed(Answer):
    """The erasure was refused (nothing was erased).

    Attributes:
        request_id: the ``SendErasure`` it answers.
        message: why.
        code: machine-readable reason ("wrong_pin", "proof_required"...), may be empty.
    """

    message: str
    code: str = ""

    kind: ClassVar[EventType | None] = E.ERASE_FAILED


# Debit decline codes with their own edge in the table (PIN lockout, PIN wanted, number wanted).
_DECLINE_KINDS = {
    "pin_locked": E.PIN_LOCKED,
    "customer_id_required": E.NEED_CUSTOMER_ID,
    "pin_required": E.PIN_REQUIRED,
}

Event = (
    Tick
    | HealthChanged
    | Cancel
    | Confirm
    | UsePin
    | UserActivity
    | ScanUpdated
    | CameraLost
    | CustomerNumberEntered
    | NameEntered
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
    | TillSaleOpened
    | TillCancel
    | CancelSale
    | ChooseRefund
    | PaymentsListed
    | PaymentPicked
    | ScanReceipt
    | ReceiptRead
    | VoidPayment
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
