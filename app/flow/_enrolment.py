"""The enrolment and erasure part of the checkout flow: its context, wording and views.

The machine owns the states and transitions; this holds what those states remember
(the customer number, the first PIN until it is repeated, the capture progress, the
erasure receipt) and renders their views. Secrets are dropped as soon as they are sent
or the enrolment is abandoned.
"""

from __future__ import annotations

from app.flow._effects import CaptureView, ConsentView, CustomerView, EraseConfirmView, ErasedView, PinView
from app.flow._table import State
from app.flow.ports import CaptureUpdate, Consent, Erased

__all__ = ["ENROL_STATES", "EnrolContext"]

S = State

# States of enrolment and erasure (their secrets are forgotten once the flow leaves them).
ENROL_STATES = frozenset({S.ENROL_CUSTOMER, S.ENROL_CONSENT, S.ENROL_CAPTURE, S.ENROL_PIN,
                          S.ENROL_PIN_REPEAT, S.ENROL_PROCESSING, S.ERASE_CUSTOMER, S.ERASE_CONFIRM,
                          S.ERASE_PROCESSING, S.ERASED})

NOTHING_KEPT = "Nothing was stored."
TIMEOUT_NOTICE = {
    S.ENROL_CUSTOMER: "Enrolment stopped: no customer number. " + NOTHING_KEPT,
    S.ENROL_CONSENT: "Enrolment stopped: consent not given in time. " + NOTHING_KEPT,
    S.ENROL_CAPTURE: "Enrolment stopped: not enough good pictures of the face in time. " + NOTHING_KEPT,
    S.ENROL_PIN: "Enrolment stopped: no PIN chosen. " + NOTHING_KEPT,
    S.ENROL_PIN_REPEAT: "Enrolment stopped: PIN not repeated. " + NOTHING_KEPT,
    S.ENROL_PROCESSING: "No answer to the enrolment. Check with `facepay customer list` before "
                        "enrolling again.",
    S.ERASE_CUSTOMER: "Erasure stopped: no customer number. Nothing was erased.",
    S.ERASE_CONFIRM: "Erasure not confirmed. Nothing was erased.",
    S.ERASE_PROCESSING: "No answer to the erasure. Run it again: erasing twice is harmless.",
}
CANCEL_NOTICE = {
    S.ENROL_CONSENT: "The shopper declined: nothing was stored.",
    S.ENROL_CAPTURE: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_PIN: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_PIN_REPEAT: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ERASE_CONFIRM: "Erasure cancelled. Nothing was erased.",
}
CAMERA_GONE = "The camera isn't available: enrolment stopped. " + NOTHING_KEPT
PIN_HELP = "4 to 12 digits. You type it when your face alone can't confirm a payment."


class EnrolContext:
    """What the enrolment and erasure states remember."""

    def __init__(self, consent: Consent | None) -> None:
        self.consent = consent
        self.subject = ""
        self.first_pin: str | None = None
        self.pin_error = ""
        self.capture: CaptureUpdate | None = None
        self.receipt: Erased | None = None

    def start(self) -> None:
        """A new enrolment or erasure: forget the last one."""
        self.subject, self.first_pin, self.pin_error = "", None, ""
        self.capture, self.receipt = None, None

    def forget_secrets(self) -> None:
        self.first_pin = None

    def view(self, state: State, name: str) -> (CustomerView | ConsentView | CaptureView | PinView
                                                 | EraseConfirmView | ErasedView | None):
        """The view of an enrolment or erasure state (``name``: the subject's short name)."""
        if state is S.ENROL_CUSTOMER:
            return CustomerView("", "Enrol a shopper: type their customer number.")
        if state is S.ERASE_CUSTOMER:
            return CustomerView("", "Erase a shopper's face data: type their customer number.")
        if state is S.ENROL_CONSENT:
            consent = self.consent or Consent("", "")
            return ConsentView(self.subject, consent.version, consent.text)
        if state is S.ENROL_CAPTURE:
            c = self.capture
            return CaptureView(self.subject, c.accepted if c else 0, c.needed if c else 0,
                               c.problem if c else "")
        if state is S.ENROL_PIN:
            return PinView(False, "Choose your PIN", PIN_HELP, error=self.pin_error)
        if state is S.ENROL_PIN_REPEAT:
            return PinView(False, "Repeat your PIN", "Type the same PIN again.")
        if state is S.ERASE_CONFIRM:
            return EraseConfirmView(self.subject, name)
        if state is S.ERASED:
            return ErasedView(self.subject, receipt_lines(self.receipt))
        return None


def receipt_lines(receipt: Erased | None) -> tuple[str, ...]:
    """The erasure receipt as lines for the screen."""
    if receipt is None:
        return ()
    lines = [f"Face templates removed: {receipt.templates_removed}",
             "Consent record and face link removed.",
             f"Terminal audit entry: {receipt.audit_hash[:16]}…",
             f"Ledger audit entry: {receipt.ledger_audit_hash[:16]}…" if receipt.ledger_audit_hash
             else "Ledger: not confirmed.",
             "Payment records are kept without face data."]
    if receipt.note:
        lines.append(receipt.note)
    return tuple(lines)
