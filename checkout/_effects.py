"""What the flow asks for (effects) and what each screen shows (views).

The machine returns effects; the UI's controller carries them out and reports
the results back as events. Views hold display-ready text only: a screen
renders one without any business rule of its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from checkout._table import Screen
from checkout._wording import say
from checkout.ports import Evidence
from payments.till import SaleStatus
from vision import Guidance

__all__ = [
    "AmountView",
    "BusyView",
    "CaptureView",
    "CashierView",
    "ChallengeView",
    "ConfirmView",
    "ConsentView",
    "CustomerView",
    "Effect",
    "EraseConfirmView",
    "ErasedView",
    "FinishTillSale",
    "IdleView",
    "LockedView",
    "NameView",
    "OutOfServiceView",
    "Outcome",
    "PinView",
    "PrintReceipt",
    "Receipt",
    "ReceiptScanView",
    "RefundConfirmView",
    "RefundLine",
    "RefundListView",
    "RequestPayments",
    "RequestSummary",
    "ResultView",
    "SaleView",
    "ScanView",
    "SendDebit",
    "SendEnrolment",
    "SendErasure",
    "SendRefund",
    "ShowScreen",
    "StaffView",
    "StartScan",
    "StopScan",
    "VerifyCashier",
    "View",
]


# --- views --------------------------------------------------------------------


@dataclass(frozen=True)
class IdleView:
    """Welcome screen. Attributes: merchant: shop name; notice: last outcome, may be empty."""

    merchant: str
    notice: str = ""


@dataclass(frozen=True)
class OutOfServiceView:
    """The page a kiosk shows when it cannot take payments as usual: what still works.

    Attributes:
        headline: "Face payment out of order", "Checkout out of service".
        message: what the shopper can still do (PIN only) or where to go (nothing works).
        reasons: for staff, one line per part that is down, with what to do.
        staff: the Staff button is offered (False when nothing can be done at this kiosk).
    """

    headline: str
    message: str
    reasons: tuple[str, ...] = ()
    staff: bool = True


@dataclass(frozen=True)
class SaleView:
    """A sale waits for the shopper.

    Attributes:
        amount: formatted amount ("EUR 12.50").
        merchant: shop name.
        notice: why we are back here (walked away, declined...), may be empty.
        reference: the sale's reference as shown ("Sale R-1042"), empty when it has none.
    """

    amount: str
    merchant: str
    notice: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ScanView:
    """Camera scan. Attributes: amount: formatted amount being paid."""

    amount: str


@dataclass(frozen=True)
class ChallengeView:
    """Active liveness challenge.

    Attributes:
        amount: formatted amount being paid.
        direction: Guidance.TURN_LEFT or Guidance.TURN_RIGHT.
        seconds: time the shopper has to follow the prompt (the screen counts it down).
    """

    amount: str
    direction: Guidance
    seconds: float = 4.0


@dataclass(frozen=True)
class ConfirmView:
    """Ask the recognised shopper to confirm.

    Attributes:
        amount: formatted amount.
        merchant: shop name.
        customer: first name and initial ("Anna K."), empty when unknown.
    """

    amount: str
    merchant: str
    customer: str

    @property
    def prompt(self) -> str:
        """The question, e.g. "Pay EUR 12.50 as Anna K.?"."""
        if self.customer:
            return say("confirm.prompt_name", amount=self.amount, customer=self.customer)
        return say("confirm.prompt", amount=self.amount)


@dataclass(frozen=True)
class CustomerView:
    """A shopper the camera could not identify types their customer number.

    Attributes:
        amount: formatted amount.
        message: why they are asked.
    """

    amount: str
    message: str


@dataclass(frozen=True)
class PinView:
    """PIN pad, for the shopper or the cashier.

    Attributes:
        cashier: the cashier's PIN (True) or the shopper's.
        title: heading ("Enter your PIN", "Cashier PIN").
        message: why a PIN is needed (the calm masked message...), may be empty.
        amount: formatted amount being paid, empty for the cashier.
        attempts_left: PIN attempts left before lockout, when the ledger said so.
        error: what went wrong with the last PIN, may be empty.
        wait_s: whole seconds before the pad takes the next try (repeated wrong staff PINs), 0: now.
        code_option: label of a button offering the one-time enrolment code instead, "" for none.
        other_option: label of a button for a shopper the face took for someone else ("Not you?
            Use your customer number"), "" for none.
    """

    cashier: bool
    title: str
    message: str = ""
    amount: str = ""
    attempts_left: int | None = None
    error: str = ""
    wait_s: int = 0
    code_option: str = ""
    other_option: str = ""


@dataclass(frozen=True)
class StaffView:
    """Staff sign-in: the cashier types their id or picks it from the shop's short list.

    Attributes:
        cashiers: cashier ids offered as buttons (from the settings), may be empty.
        message: what to do, or why the terminal is locked.
        error: why the last sign-in failed (locked cashier, unknown id...), may be empty.
    """

    cashiers: tuple[str, ...]
    message: str = ""
    error: str = ""


@dataclass(frozen=True)
class AmountView:
    """The cashier types an amount: a new sale's, or how much of a payment to refund.

    Attributes:
        currency: ISO 4217 code.
        notice: why the amount was not taken (above the shop's maximum...), may be empty.
        title: heading, empty for the new sale's.
        subtitle: what to type, empty for the new sale's.
    """

    currency: str
    notice: str = ""
    title: str = ""
    subtitle: str = ""


@dataclass(frozen=True)
class RefundLine:
    """One payment in the refund list, display-ready.

    Attributes:
        transfer_id: what picking it sends.
        text: "14:05  EUR 12.50  Anna K." and what was refunded of it already.
        open: something is left to refund.
    """

    transfer_id: str
    text: str
    open: bool


@dataclass(frozen=True)
class RefundListView:
    """Today's payments at this terminal, newest first, for the cashier to refund or void one.

    Attributes:
        lines: the payments; empty while loading or when there are none.
        loading: the list has not arrived yet.
        notice: why a pick was not taken ("nothing left to refund"), may be empty.
        can_scan: a payment may also be picked by holding its receipt's QR code to the camera.
    """

    lines: tuple[RefundLine, ...]
    loading: bool = False
    notice: str = ""
    can_scan: bool = False


@dataclass(frozen=True)
class ReceiptScanView:
    """The camera looks for the QR code of a receipt of this terminal, to refund that payment.

    Attributes:
        title: heading.
        prompt: what the cashier does ("Hold the receipt's QR code up to the camera.").
    """

    title: str
    prompt: str


@dataclass(frozen=True)
class RefundConfirmView:
    """Nothing is sent before the cashier confirms, with amount and shopper named.

    Attributes:
        prompt: "Refund EUR 3.00 to Anna K.?".
        detail: which payment ("Payment of 14:05, EUR 12.50, transaction tr-...").
        void_option: label of a button that voids the payment whole, "" when it cannot be voided.
    """

    prompt: str
    detail: str
    void_option: str = ""


@dataclass(frozen=True)
class BusyView:
    """Waiting for the ledger. Attributes: title: heading; message: detail line."""

    title: str
    message: str = ""


class Outcome(enum.Enum):
    """How an attempt ended, as the result screen shows it."""

    APPROVED = "approved"
    DECLINED = "declined"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Receipt:
    """What the shopper may keep of an approved payment.

    Attributes:
        merchant: shop name.
        transfer_id: the ledger transfer id.
        amount: formatted amount.
        when: local date and time of the posting.
        customer: first name and initial, may be empty.
        method: how the shopper was confirmed ("Face", "Face + PIN", "PIN").
        offline: stored to forward later.
        link: the receipt's web address (the QR code holds it), "" when none is offered.
    """

    merchant: str
    transfer_id: str
    amount: str
    when: str
    customer: str = ""
    method: str = ""
    offline: bool = False
    link: str = ""

    @property
    def qr_text(self) -> str:
        """What the QR code holds: the receipt's link, or the receipt itself without one."""
        return self.link or self.text()

    def text(self) -> str:
        """The receipt as plain lines (printed and encoded in the QR code)."""
        lines = [
            self.merchant,
            say("receipt.amount", amount=self.amount),
            say("receipt.date", when=self.when),
            say("receipt.transaction", transfer=self.transfer_id),
        ]
        if self.customer:
            lines.append(say("receipt.customer", customer=self.customer))
        if self.method:
            lines.append(say("receipt.method", method=self.method))
        if self.offline:
            lines.append(say("receipt.offline"))
        return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class ResultView:
    """Outcome of an attempt.

    Attributes:
        outcome: approved, declined, rejected or unknown.
        headline: one or two words ("Payment approved").
        message: what it means and what to do next.
        receipt: for an approved payment.
    """

    outcome: Outcome
    headline: str
    message: str = ""
    receipt: Receipt | None = None


@dataclass(frozen=True)
class CashierView:
    """The cashier's menu.

    Attributes:
        sale: the open sale's amount, empty when none.
        notice: the result of the last cashier action, may be empty.
        totals: today's totals as lines, empty until they arrive.
        verdict: the reconciliation verdict line, empty until it arrives.
        enrolment: enrolment and erasure are available at this terminal.
        warning: what is down at this kiosk (no camera, no ledger), empty when all works.
        offline: the cashier's PIN could not be checked: only Lock is offered.
    """

    sale: str
    notice: str = ""
    totals: tuple[str, ...] = ()
    verdict: str = ""
    enrolment: bool = False
    warning: str = ""
    offline: bool = False


@dataclass(frozen=True)
class LockedView:
    """Terminal locked by the cashier. Attributes: message: what to do."""

    message: str


@dataclass(frozen=True)
class ConsentView:
    """Consent before enrolment: what is stored, why, for how long; Agree or Decline.

    Attributes:
        customer: the customer number being enrolled.
        version: the consent text's version (recorded when the shopper agrees).
        text: the consent text.
    """

    customer: str
    version: str
    text: str


@dataclass(frozen=True)
class NameView:
    """At enrolment the shopper types the name the checkout greets them by.

    Attributes:
        customer: the customer number being enrolled.
        title: heading.
        message: what to type and why.
    """

    customer: str
    title: str
    message: str


@dataclass(frozen=True)
class CaptureView:
    """The live camera while enrolment frames are collected.

    Attributes:
        customer: the customer number being enrolled.
        accepted: frames kept so far.
        needed: frames wanted.
        problem: why the last frame was not kept, may be empty.
    """

    customer: str
    accepted: int
    needed: int
    problem: str = ""


@dataclass(frozen=True)
class EraseConfirmView:
    """The cashier confirms erasing a shopper.

    Attributes:
        customer: the customer number.
        name: the enrolled name as shown ("Anna K."), empty when this terminal does not know it.
    """

    customer: str
    name: str = ""


@dataclass(frozen=True)
class ErasedView:
    """The erasure receipt.

    Attributes:
        customer: the customer number erased.
        lines: the receipt, one fact per line (templates, audit hashes, what is left).
    """

    customer: str
    lines: tuple[str, ...]


View = (
    IdleView
    | OutOfServiceView
    | SaleView
    | ScanView
    | ChallengeView
    | ConfirmView
    | CustomerView
    | PinView
    | AmountView
    | BusyView
    | ResultView
    | CashierView
    | RefundListView
    | RefundConfirmView
    | ReceiptScanView
    | LockedView
    | ConsentView
    | NameView
    | CaptureView
    | EraseConfirmView
    | ErasedView
    | StaffView
)


# --- effects ------------------------------------------------------------------


@dataclass(frozen=True)
class ShowScreen:
    """Show ``screen`` rendering ``view``. Attributes: screen; view."""

    screen: Screen
    view: View


@dataclass(frozen=True)
class StartScan:
    """Reset the analyser for a new shopper and start camera + analysis.

    Attributes:
        amount_minor: the amount being paid (the analyser may demand a head-turn
            challenge above some amount).
        enrol: collect enrolment frames (the enroller judges them) rather than scan to pay.
        receipt: read a receipt's QR code (the receipt reader judges the frames).
    """

    amount_minor: int = 0
    enrol: bool = False
    receipt: bool = False


@dataclass(frozen=True)
class StopScan:
    """Stop camera + analysis (drop any frame in flight)."""


@dataclass(frozen=True)
class SendDebit:
    """Ask the ledger to debit a customer; answered by DebitApproved/DebitDeclined/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
        customer_id: who pays.
        amount_minor: amount, minor units.
        currency: ISO 4217 code.
        pin: the shopper's PIN, None for a face-only payment.
        evidence: why the terminal believes it is this customer.
        allow_offline: whether store-and-forward may accept it offline (never with a PIN:
            only the ledger can check a PIN).
        candidates: the face's candidates (``customer_id`` first) when the PIN is to choose
            among them; empty when the shopper is known (a Match or a typed customer number).
        reference: the sale's reference (a till's sale number), "" when none.
        opened_by: who opened the sale: the signed-in cashier, or ``till:<id>``.
    """

    request_id: int
    customer_id: str
    amount_minor: int
    currency: str
    pin: str | None = field(repr=False)
    evidence: Evidence
    allow_offline: bool
    candidates: tuple[str, ...] = ()
    reference: str = ""
    opened_by: str = ""


@dataclass(frozen=True)
class VerifyCashier:
    """Check a cashier PIN; answered by CashierVerified/CashierRejected/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
        cashier_id: who is signing in.
        pin: the cashier's PIN.
    """

    request_id: int
    cashier_id: str
    pin: str = field(repr=False)


@dataclass(frozen=True)
class SendRefund:
    """Refund (part of) or void one of the terminal's payments; answered by
    RefundDone/RefundFailed/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
        transfer_id: the payment.
        amount_minor: how much to give back, minor units.
        void: cancel the payment whole instead of refunding.
    """

    request_id: int
    transfer_id: str
    amount_minor: int
    void: bool = False


@dataclass(frozen=True)
class RequestPayments:
    """Fetch today's payments for the refund list; answered by PaymentsListed.

    Attributes:
        request_id: echoed in the answer.
    """

    request_id: int


@dataclass(frozen=True)
class RequestSummary:
    """Fetch today's totals; answered by SummaryReady/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
    """

    request_id: int


@dataclass(frozen=True)
class SendEnrolment:
    """Enrol the shopper (consent, kept frames, ledger link, PIN); answered by
    EnrolmentDone/EnrolmentFailed/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
        customer_id: the shopper's customer number.
        pin: the account's existing PIN (the proof), or with ``code`` the new PIN chosen twice.
        code: the one-time enrolment code the shopper typed, None when the PIN is the proof.
        name: the name the shopper typed ("Anna K"), shown on the confirm prompt; "" for none.
    """

    request_id: int
    customer_id: str
    pin: str = field(repr=False)
    code: str | None = field(default=None, repr=False)
    name: str = ""


@dataclass(frozen=True)
class SendErasure:
    """Erase a shopper; answered by ErasureDone/ErasureFailed/LedgerUnreachable.

    Attributes:
        request_id: echoed in the answer.
        customer_id: the customer number.
        pin: the shopper's PIN as proof; None: on the signed-in cashier's authority.
    """

    request_id: int
    customer_id: str
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PrintReceipt:
    """Print the approved payment's receipt on paper, where the kiosk has a receipt printer.

    Attributes:
        receipt: what the screen shows (its QR code holds the same link).
    """

    receipt: Receipt


@dataclass(frozen=True)
class FinishTillSale:
    """Tell the till how its sale ended (the kiosk's final word; no answer comes back).

    Attributes:
        reference: the till's sale reference.
        status: approved, declined, cancelled or failed.
        transfer_id: the ledger transfer, "" when none is known.
        method: ``face``, ``face+pin``, ``pin``, "" when nothing was paid.
        reason: a short machine-readable reason for declined / cancelled / failed.
        at: when it was approved, seconds since the epoch; 0: the moment it is told.
    """

    reference: str
    status: SaleStatus
    transfer_id: str = ""
    method: str = ""
    reason: str = ""
    at: float = 0.0


Effect = (
    ShowScreen
    | StartScan
    | StopScan
    | SendDebit
    | VerifyCashier
    | SendRefund
    | RequestPayments
    | RequestSummary
    | SendEnrolment
    | SendErasure
    | FinishTillSale
    | PrintReceipt
)
