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
from checkout._effects import (
    CaptureView,
    ConsentView,
    CustomerView,
    EraseConfirmView,
    ErasedView,
    NameView,
    PinView,
)
from checkout._table import EventType, State
from checkout._wording import TEXT, say
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
        S.ENROL_NAME,
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


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = max(1, math.ceil(seconds / 60))
    return say(
        "enrol.for_minutes", minutes=minutes, unit=say("unit.minute") if minutes == 1 else say("unit.minutes")
    )


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
        left = "" if attempts_left is None else say("enrol.tries_left", left=attempts_left)
        text = say("enrol.refused.wrong_pin", subject=subject, left=left)
    elif code == "pin_locked":
        text = say("enrol.refused.pin_locked", subject=subject, wait=_minutes(retry_after_s))
    elif code in ("bad_enrolment_code", "proof_required", "cashier_pin"):
        text = say(f"enrol.refused.{code}", subject=subject)
    elif code == "too_many_pin_attempts":
        text = say("enrol.refused.too_many", wait=_minutes(retry_after_s))
    else:
        text = say("enrol.refused", reason=(message or code).rstrip("."))
    return f"{text} {say('enrol.nothing_stored')}"


def erase_refusal(code: str, message: str, subject: str) -> str:
    """The cashier-facing sentence for a refused erasure (always ends: nothing erased)."""
    if code in ("wrong_pin", "pin_locked", "proof_required"):
        text = say(f"erase.refused.{code}", subject=subject)
    else:
        text = say("erase.refused", reason=(message or code).rstrip("."))
    return f"{text} {say('erase.nothing_erased')}"


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
        self.name = ""  # what the shopper typed to be greeted by

    def start(self) -> None:
        """A new enrolment or erasure: forget the last one."""
        self.subject, self.pin_error, self.name = "", "", ""
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
    ) -> CustomerView | ConsentView | NameView | CaptureView | PinView | EraseConfirmView | ErasedView | None:
        """The view of an enrolment or erasure state (``name``: the subject's short name)."""
        if state is S.ENROL_CUSTOMER:
            return CustomerView("", say("enrol.customer"))
        if state is S.ERASE_CUSTOMER:
            return CustomerView("", say("erase.customer"))
        if state is S.ENROL_PROOF:
            title = say("enrol.account", subject=self.subject)
            return PinView(False, title, say("enrol.proof_help"), code_option=say("enrol.code_option"))
        if state is S.ENROL_CODE:
            help_ = say("enrol.code_help", digits=CODE_DIGITS)
            return PinView(False, say("enrol.code_title"), help_, error=self.pin_error)
        if state is S.ERASE_PIN:
            return PinView(False, say("enrol.account", subject=self.subject), say("erase.pin_help"))
        if state is S.ENROL_CONSENT:
            consent = self.consent or Consent("", "")
            return ConsentView(self.subject, consent.version, consent.text)
        if state is S.ENROL_NAME:
            return NameView(self.subject, say("enrol.name_title"), say("enrol.name_help"))
        if state is S.ENROL_CAPTURE:
            c = self.capture
            return CaptureView(
                self.subject, c.accepted if c else 0, c.needed if c else 0, c.problem if c else ""
            )
        if state is S.ENROL_PIN:
            return PinView(False, say("enrol.pin_title"), say("enrol.pin_help"), error=self.pin_error)
        if state is S.ENROL_PIN_REPEAT:
            return PinView(False, say("enrol.repeat_title"), say("enrol.repeat_help"))
        if state is S.ERASE_CONFIRM:
            return EraseConfirmView(self.subject, name)
        if state is S.ERASED:
            return ErasedView(self.subject, receipt_lines(self.receipt))
        return None


def receipt_lines(receipt: Erased | None) -> tuple[str, ...]:
    """The erasure receipt as lines for the screen."""
    if receipt is None:
        return ()
    ledger = receipt.ledger_audit_hash
    lines = [
        say("erased.templates", count=receipt.templates_removed),
        say("erased.consent"),
        say("erased.terminal_audit", hash=receipt.audit_hash[:16]),
        say("erased.ledger_audit", hash=ledger[:16]) if ledger else say("erased.ledger_unconfirmed"),
        say("erased.kept"),
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
    elif isinstance(event, ev.NameEntered):
        enrol.name = " ".join(event.name.split())
    elif isinstance(event, ev.CaptureUpdated):
        enrol.capture = event.update
        return c if event.update.box is None else replace(c, last_face=c.now)
    elif isinstance(event, ev.PinEntered) and kind is E.PIN_ENTERED:
        enrol.took_pin(state, event.pin)
    elif kind is E.PIN_MISMATCH and state is S.ENROL_CODE:
        enrol.pin_error = say("enrol.code_length", digits=CODE_DIGITS)
    elif kind is E.PIN_MISMATCH:
        enrol.first_pin, enrol.pin_error = None, say("enrol.pins_differ")
    elif kind is E.USE_CODE:
        enrol.proof_pin, enrol.pin_error = None, ""
    else:
        notice = _notice(state, enrol, event, kind)
        return c if notice is None else replace(c, notes=replace(c.notes, cashier=notice))
    return c


def _notice(state: State, enrol: EnrolContext, event: ev.Event, kind: EventType) -> str | None:
    if kind is E.TIMEOUT:
        return say(key) if (key := f"enrol.timeout.{state.value}") in TEXT else ""
    if kind in (E.CANCEL, E.CASHIER_KEY):
        return say(key) if (key := f"enrol.cancel.{state.value}") in TEXT else ""
    if kind is E.CAMERA_LOST:
        return say("enrol.camera_gone")
    if isinstance(event, ev.EnrolmentDone):
        pin = say("enrol.pin_set") if event.pin_set else say("enrol.pin_stays")
        return say("enrol.done", customer=event.customer_id, templates=event.templates, pin=pin)
    if isinstance(event, ev.EnrolmentFailed):
        left, wait = event.attempts_left, event.retry_after_s
        return enrol_refusal(event.code, event.message, enrol.subject, left, wait)
    if isinstance(event, ev.ErasureDone):
        enrol.receipt = event.receipt
        return None
    if isinstance(event, ev.ErasureFailed):
        return erase_refusal(event.code, event.message, enrol.subject)
    if kind is E.LEDGER_UNREACHABLE:
        kept = say("enrol.nothing_stored") if state is S.ENROL_PROCESSING else say("erase.nothing_erased")
        return f"{say('enrol.unreachable')} {kept}"
    return None
