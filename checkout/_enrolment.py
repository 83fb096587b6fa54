"""The enrolment and erasure part of the checkout flow: its context, wording and views.

The machine owns the states and transitions; this holds what those states remember
(the customer number, the account holder's proof, the first PIN until it is repeated, the
capture progress, the erasure receipt) and renders their views. Secrets are dropped as
soon as they are sent or the enrolment is abandoned.

The proof comes right after the customer number: the account's existing PIN (it is not
changed), or, for a new account or a forgotten PIN, the one-time enrolment code the shop or
operator gave the shopper, after which they choose a PIN twice. The ledger checks the proof;
the terminal only carries it (a wrong customer number without the account's PIN or code
links nothing).
"""

from __future__ import annotations

import math
from dataclasses import replace

from checkout import _events as ev
from checkout._context import Context
from checkout._effects import CaptureView, ConsentView, CustomerView, EraseConfirmView, ErasedView, PinView
from checkout._table import EventType, State
from checkout.ports import CaptureUpdate, Consent, Erased

__all__ = [
    "CODE_DIGITS",
    "ENROL_STATES",
    "EnrolContext",
    "absorb_enrol",
    "enrol_refusal",
    "erase_refusal",
]

S, E = State, EventType

# States of enrolment and erasure (their secrets are forgotten once the flow leaves them).
ENROL_STATES = frozenset(
    {
        S.ENROL_CUSTOMER,
        S.ENROL_PROOF,
        S.ENROL_CODE,
        S.ENROL_CONSENT,
        S.ENROL_CAPTURE,
        S.ENROL_PIN,
        S.ENROL_PIN_REPEAT,
        S.ENROL_PROCESSING,
        S.ERASE_CUSTOMER,
        S.ERASE_CONFIRM,
        S.ERASE_PIN,
        S.ERASE_PROCESSING,
        S.ERASED,
    }
)
# The one-time enrolment code the ledger operator issues has this many digits.
CODE_DIGITS = 10

NOTHING_KEPT = "Nothing was stored."
TIMEOUT_NOTICE = {
    S.ENROL_CUSTOMER: "Enrolment stopped: no customer number. " + NOTHING_KEPT,
    S.ENROL_PROOF: "Enrolment stopped: no PIN or enrolment code typed. " + NOTHING_KEPT,
    S.ENROL_CODE: "Enrolment stopped: no enrolment code typed. " + NOTHING_KEPT,
    S.ENROL_CONSENT: "Enrolment stopped: consent not given in time. " + NOTHING_KEPT,
    S.ENROL_CAPTURE: "Enrolment stopped: not enough good pictures of the face in time. " + NOTHING_KEPT,
    S.ENROL_PIN: "Enrolment stopped: no PIN chosen. " + NOTHING_KEPT,
    S.ENROL_PIN_REPEAT: "Enrolment stopped: PIN not repeated. " + NOTHING_KEPT,
    S.ENROL_PROCESSING: "No answer to the enrolment. Check with `facepay customer list` before "
    "enrolling again.",
    S.ERASE_CUSTOMER: "Erasure stopped: no customer number. Nothing was erased.",
    S.ERASE_CONFIRM: "Erasure not confirmed. Nothing was erased.",
    S.ERASE_PIN: "Erasure stopped: no PIN typed. Nothing was erased.",
    S.ERASE_PROCESSING: "No answer to the erasure. Run it again: erasing twice is harmless.",
}
CANCEL_NOTICE = {
    S.ENROL_PROOF: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_CODE: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_CONSENT: "The shopper declined: nothing was stored.",
    S.ENROL_CAPTURE: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_PIN: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ENROL_PIN_REPEAT: "Enrolment cancelled. " + NOTHING_KEPT,
    S.ERASE_CONFIRM: "Erasure cancelled. Nothing was erased.",
    S.ERASE_PIN: "Erasure cancelled. Nothing was erased.",
}
CAMERA_GONE = "The camera isn't available: enrolment stopped. " + NOTHING_KEPT
PIN_HELP = "4 to 12 digits. You type it when your face alone can't confirm a payment."
PROOF_HELP = (
    "Type this account's PIN to show it is yours; it stays the same. "
    "New account or forgotten PIN: use the shop's enrolment code."
)
CODE_HELP = f"Type the {CODE_DIGITS}-digit code the shop gave you. Then you choose your PIN."
CODE_WRONG_LENGTH = f"An enrolment code has {CODE_DIGITS} digits."
ERASE_PIN_HELP = "Type this account's PIN to erase your face data."
KEPT = "The account, its money and its PIN stay."


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = max(1, math.ceil(seconds / 60))
    return f" for {minutes} more minute{'s' if minutes != 1 else ''}"


def enrol_refusal(
    code: str,
    message: str,
    subject: str,
    attempts_left: int | None = None,
    retry_after_s: float | None = None,
) -> str:
    """The cashier-facing sentence for a refused enrolment (always ends: nothing stored)."""
    if code == "face_enrolled":
        text = message  # "This face is already enrolled as customer 200001."
    elif code == "wrong_pin":
        left = "" if attempts_left is None else f" ({attempts_left} tries left)"
        text = f"Enrolment refused: wrong PIN for account {subject}{left}."
    elif code == "pin_locked":
        text = f"Enrolment refused: the PIN of account {subject} is locked{_minutes(retry_after_s)}."
    elif code == "bad_enrolment_code":
        text = "Enrolment refused: the enrolment code is wrong, used or expired. Ask for a new code."
    elif code == "proof_required":
        text = (
            f"Enrolment refused: account {subject} has no PIN yet. The shopper needs an "
            "enrolment code from the shop."
        )
    elif code == "too_many_pin_attempts":
        text = f"Enrolment refused: too many wrong PINs at this terminal, paused{_minutes(retry_after_s)}."
    elif code == "cashier_pin":
        text = "Enrolment refused: the cashier PIN was not accepted. Sign in again."
    else:
        text = f"Enrolment refused: {(message or code).rstrip('.')}."
    return f"{text} {NOTHING_KEPT}"


def erase_refusal(code: str, message: str, subject: str) -> str:
    """The cashier-facing sentence for a refused erasure (always ends: nothing erased)."""
    if code == "wrong_pin":
        text = f"Erasure refused: wrong PIN for account {subject}."
    elif code == "pin_locked":
        text = f"Erasure refused: the PIN of account {subject} is locked."
    elif code == "proof_required":
        text = (
            "Erasure refused: only the shopper's PIN or a cashier of the shop where the face "
            "was enrolled can erase it."
        )
    else:
        text = f"Erasure refused: {(message or code).rstrip('.')}."
    return f"{text} Nothing was erased."


class EnrolContext:
    """What the enrolment and erasure states remember."""

    def __init__(self, consent: Consent | None) -> None:
        self.consent = consent
        self.subject = ""
        self.proof_pin: str | None = None  # the account's existing PIN, or the shopper's for erasure
        self.code: str | None = None  # the one-time enrolment code
        self.first_pin: str | None = None  # the new PIN until it is repeated
        self.pin_error = ""
        self.capture: CaptureUpdate | None = None
        self.receipt: Erased | None = None

    def start(self) -> None:
        """A new enrolment or erasure: forget the last one."""
        self.subject, self.pin_error = "", ""
        self.forget_secrets()
        self.capture, self.receipt = None, None

    def forget_secrets(self) -> None:
        self.proof_pin = self.code = self.first_pin = None

    def took_pin(self, state: State, pin: str) -> None:
        """A valid PIN (or code) was typed in ``state``."""
        if state in (S.ENROL_PROOF, S.ERASE_PIN):
            self.proof_pin = pin
        elif state is S.ENROL_CODE:
            self.code, self.pin_error = pin, ""
        elif state is S.ENROL_PIN:
            self.first_pin, self.pin_error = pin, ""

    def view(
        self, state: State, name: str
    ) -> CustomerView | ConsentView | CaptureView | PinView | EraseConfirmView | ErasedView | None:
        """The view of an enrolment or erasure state (``name``: the subject's short name)."""
        if state is S.ENROL_CUSTOMER:
            return CustomerView("", "Enrol a shopper: type their customer number.")
        if state is S.ERASE_CUSTOMER:
            return CustomerView("", "Erase a shopper's face data: type their customer number.")
        if state is S.ENROL_PROOF:
            return PinView(False, f"Account {self.subject}", PROOF_HELP, code_option="No PIN? Enrolment code")
        if state is S.ENROL_CODE:
            return PinView(False, "Enrolment code", CODE_HELP, error=self.pin_error)
        if state is S.ERASE_PIN:
            return PinView(False, f"Account {self.subject}", ERASE_PIN_HELP)
        if state is S.ENROL_CONSENT:
            consent = self.consent or Consent("", "")
            return ConsentView(self.subject, consent.version, consent.text)
        if state is S.ENROL_CAPTURE:
            c = self.capture
            return CaptureView(
                self.subject, c.accepted if c else 0, c.needed if c else 0, c.problem if c else ""
            )
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
    lines = [
        f"Face templates removed: {receipt.templates_removed}",
        "Consent record and face link removed.",
        f"Terminal audit entry: {receipt.audit_hash[:16]}…",
        f"Ledger audit entry: {receipt.ledger_audit_hash[:16]}…"
        if receipt.ledger_audit_hash
        else "Ledger: not confirmed.",
        KEPT + " Payment records are kept without face data.",
    ]
    if receipt.note:
        lines.append(receipt.note)
    return tuple(lines)


def absorb_enrol(c: Context, enrol: EnrolContext, event: ev.Event, kind: EventType) -> Context:
    """What an event tells an enrolment or erasure state: ``enrol`` records the subject, proof
    and capture; the returned context carries the cashier's notice and the times."""
    state = c.state
    if kind in (E.ENROL, E.ERASE):
        enrol.start()
    elif kind is E.ACTIVITY:
        return replace(c, since=c.now)
    elif isinstance(event, ev.CustomerNumberEntered):
        enrol.subject = event.customer_id.strip()
    elif isinstance(event, ev.CaptureUpdated):
        enrol.capture = event.update
        return c if event.update.box is None else replace(c, last_face=c.now)
    elif isinstance(event, ev.PinEntered) and kind is E.PIN_ENTERED:
        enrol.took_pin(state, event.pin)
    elif kind is E.PIN_MISMATCH and state is S.ENROL_CODE:
        enrol.pin_error = CODE_WRONG_LENGTH
    elif kind is E.PIN_MISMATCH:
        enrol.first_pin, enrol.pin_error = None, "The two PINs were different. Choose a PIN again."
    elif kind is E.USE_CODE:
        enrol.proof_pin, enrol.pin_error = None, ""
    else:
        notice = _notice(state, enrol, event, kind)
        return c if notice is None else replace(c, notes=replace(c.notes, cashier=notice))
    return c


def _notice(state: State, enrol: EnrolContext, event: ev.Event, kind: EventType) -> str | None:
    if kind is E.TIMEOUT:
        return TIMEOUT_NOTICE.get(state, "")
    if kind in (E.CANCEL, E.CASHIER_KEY):
        return CANCEL_NOTICE.get(state, "")
    if kind is E.CAMERA_LOST:
        return CAMERA_GONE
    if isinstance(event, ev.EnrolmentDone):
        pin = "new PIN set" if event.pin_set else "the account's PIN stays"
        return f"Customer {event.customer_id} enrolled ({event.templates} templates, {pin})."
    if isinstance(event, ev.EnrolmentFailed):
        left, wait = event.attempts_left, event.retry_after_s
        return enrol_refusal(event.code, event.message, enrol.subject, left, wait)
    if isinstance(event, ev.ErasureDone):
        enrol.receipt = event.receipt
        return None
    if isinstance(event, ev.ErasureFailed):
        return erase_refusal(event.code, event.message, enrol.subject)
    if kind is E.LEDGER_UNREACHABLE:
        kept = "Nothing was stored." if state is S.ENROL_PROCESSING else "Nothing was erased."
        return "The payment service can't be reached. " + kept
    return None
