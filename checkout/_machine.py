"""The checkout state machine: ``handle(event, now) -> list[Effect]``, nothing else.

Pure: no clock, no I/O, no threads. Time comes in as ``now`` (monotonic
seconds); every time-out fires on the first event (usually a ``Tick``) at or
after its deadline. The transition table in ``_table`` decides where an event
leads; this module classifies events into table keys, records what an event
tells (customer, PIN answer, receipt), and builds each state's entry effects
and view.

Where a time-out leaves an open sale: a shopper who walks away from the
camera, the confirm prompt or the PIN pad returns the terminal to the open
sale (the amount is still owed and shown); an open sale nobody pays within
``Timeouts.sale_open_s`` is cancelled and the terminal returns to idle.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, replace

from checkout import _events as ev
from checkout._effects import (
    AmountView,
    BusyView,
    CashierView,
    ChallengeView,
    ConfirmView,
    CustomerView,
    Effect,
    IdleView,
    LockedView,
    Outcome,
    PinView,
    Receipt,
    RequestSummary,
    ResultView,
    SaleView,
    ScanView,
    SendDebit,
    SendEnrolment,
    SendErasure,
    SendRefund,
    ShowScreen,
    StaffView,
    StartScan,
    StopScan,
    VerifyCashier,
    View,
)
from checkout._enrolment import (
    CAMERA_GONE,
    CANCEL_NOTICE,
    CODE_DIGITS,
    CODE_WRONG_LENGTH,
    ENROL_STATES,
    TIMEOUT_NOTICE,
    EnrolContext,
    enrol_refusal,
    erase_refusal,
)
from checkout._staff import StaffSignIn, StaffThrottle, staff_refusal
from checkout._table import BUSY_STATES, SCAN_STATES, SCREEN_OF, TRANSITIONS, Branch, EventType, Guard, State
from checkout._text import decline_text, format_amount, format_when, short_name
from checkout.ports import Consent, CustomerDirectory, DaySummary, Evidence
from vision import REASON_TEXT, Guidance, Match, NeedPin, Reason, Reject

__all__ = ["TIMEOUT_OF", "CheckoutMachine", "Sale", "Timeouts"]

log = logging.getLogger(__name__)

E = EventType

PIN_LENGTHS = range(4, 13)


@dataclass(frozen=True)
class Timeouts:
    """How long each screen waits, in seconds (the kiosk settings section holds the reasons).

    Attributes:
        sale_open_s: an open sale nobody starts paying is cancelled after this.
        no_face_s: scanning with no face in view for this long: the shopper walked away.
        scan_s: longest scan (including a challenge) before giving up.
        confirm_s: confirm prompt left unanswered.
        pin_s: PIN or customer-number pad with no key pressed.
        processing_s: longest wait for the ledger before the outcome is "unknown".
        result_s: result screens return by themselves after this.
        cashier_s: cashier menu or amount pad left alone (logs the cashier out).
        challenge_s: time to follow the head-turn prompt (shown as a countdown; the vision
            side enforces it).
    """

    sale_open_s: float = 300.0
    no_face_s: float = 8.0
    scan_s: float = 30.0
    confirm_s: float = 20.0
    pin_s: float = 30.0
    processing_s: float = 30.0
    result_s: float = 8.0
    cashier_s: float = 60.0
    challenge_s: float = 4.0


# Which time-out applies in which state (scan states combine no_face_s and scan_s).
TIMEOUT_OF: dict[State, str] = {
    State.SALE_OPEN: "sale_open_s",
    State.SCANNING: "scan_s",
    State.CHALLENGE: "scan_s",
    State.CONFIRM: "confirm_s",
    State.CUSTOMER_ENTRY: "pin_s",
    State.PIN_ENTRY: "pin_s",
    State.PROCESSING: "processing_s",
    State.APPROVED: "result_s",
    State.DECLINED: "result_s",
    State.REJECTED: "result_s",
    State.CASHIER_ID: "pin_s",
    State.CASHIER_LOGIN: "pin_s",
    State.CASHIER_VERIFYING: "processing_s",
    State.CASHIER: "cashier_s",
    State.AMOUNT_ENTRY: "cashier_s",
    State.REFUND_PROCESSING: "processing_s",
    State.ENROL_CUSTOMER: "pin_s",
    State.ENROL_PROOF: "pin_s",
    State.ENROL_CODE: "pin_s",
    State.ENROL_CONSENT: "cashier_s",
    State.ENROL_CAPTURE: "scan_s",
    State.ENROL_PIN: "pin_s",
    State.ENROL_PIN_REPEAT: "pin_s",
    State.ENROL_PROCESSING: "processing_s",
    State.ERASE_CUSTOMER: "pin_s",
    State.ERASE_CONFIRM: "confirm_s",
    State.ERASE_PIN: "pin_s",
    State.ERASE_PROCESSING: "processing_s",
    State.ERASED: "cashier_s",
}


@dataclass(frozen=True)
class Sale:
    """The open sale. Attributes: amount_minor; currency (ISO 4217); reference (may be empty)."""

    amount_minor: int
    currency: str
    reference: str = ""

    @property
    def amount(self) -> str:
        """The amount as shown ("EUR 12.50")."""
        return format_amount(self.amount_minor, self.currency)


_UNKNOWN_TEXT = (
    "We got no answer from the payment service. Please ask the cashier to check before paying again."
)
_WALKED_AWAY = "We didn't see a face for a while. Tap Pay to try again."
_NOT_FINISHED = "Payment not finished. Tap Pay to start again."
_CAMERA_GONE = "The camera isn't available. Enter your customer number, then your PIN."
_METHOD_TEXT = {"face": "Face", "face+pin": "Face + PIN", "pin": "PIN"}


class CheckoutMachine:
    """One terminal's checkout flow. Not thread-safe: call it from one thread (the GUI's)."""

    def __init__(
        self,
        directory: CustomerDirectory,
        *,
        merchant: str = "",
        currency: str = "EUR",
        timeouts: Timeouts | None = None,
        tz: dt.tzinfo | None = None,
        consent: Consent | None = None,
        cashiers: tuple[str, ...] = (),
        throttle: StaffThrottle | None = None,
    ) -> None:
        self._directory = directory
        self._staff = StaffSignIn(cashiers, throttle or StaffThrottle())
        self._now = 0.0
        self._merchant = merchant
        self._currency = currency
        self._t = timeouts or Timeouts()
        self._tz = tz
        self._state = State.IDLE
        self._since = 0.0  # entry time or last key press: base of idle time-outs
        self._scan_start = 0.0
        self._last_face = 0.0
        self._locked = False
        self._request = 0
        self._sale: Sale | None = None
        self._notice = ""
        self._customer: str | None = None
        # The face's candidates while the PIN is to choose among them (cleared once the shopper
        # types their customer number).
        self._candidates: tuple[str, ...] = ()
        self._evidence = Evidence(method="pin")
        self._pin: str | None = None
        self._pin_message = ""
        self._pin_error = ""
        self._attempts_left: int | None = None
        self._direction = Guidance.TURN_LEFT
        self._result: ResultView = ResultView(Outcome.DECLINED, "")
        self._login_error = ""
        self._cashier_notice = ""
        self._summary: DaySummary | None = None
        self._shown: ShowScreen | None = None
        self._enrol = EnrolContext(consent)  # None: no enrolment at this terminal

    # --- public surface -------------------------------------------------------

    @property
    def state(self) -> State:
        """The current state."""
        return self._state

    @property
    def sale(self) -> Sale | None:
        """The open sale, if any."""
        return self._sale

    @property
    def deadline(self) -> float | None:
        """When the current state times out (``now`` units), or None if it never does."""
        if self._state in SCAN_STATES:
            return min(self._scan_start + self._t.scan_s, self._last_face + self._t.no_face_s)
        name = TIMEOUT_OF.get(self._state)
        if name is None:
            return None
        since = self._since
        if self._state is State.CASHIER_LOGIN:  # the pad waits out the staff-PIN wait, then times out
            since = max(since, self._staff.wait_until())
        return since + float(getattr(self._t, name))

    def start(self, now: float) -> list[Effect]:
        """Effects that show the first screen."""
        self._since = self._now = now
        return self._show()

    def handle(self, event: ev.Event, now: float) -> list[Effect]:
        """Apply one event at time ``now``; return what the UI must do."""
        self._now = now
        kind = self._classify(event, now)
        if kind is None:
            if isinstance(event, ev.Tick) and self._state is State.CASHIER_LOGIN:
                return self._show()  # the staff-PIN wait counts down on screen
            return []
        target = TRANSITIONS.get((self._state, kind))
        if target is None:
            return []
        while isinstance(target, Branch):
            target = target.then if self._holds(target.guard) else target.otherwise
        if target is not self._state:  # messages belong to the screen they were set for
            log.debug("checkout %s --%s--> %s", self._state.value, kind.value, target.value)
            self._notice = self._cashier_notice = self._login_error = ""
        self._absorb(event, kind, now)
        return self._go(target, now)

    # --- classification (the table's guards on event content) ----------------

    def _classify(self, event: ev.Event, now: float) -> EventType | None:
        kind = event.kind  # the event's own kind; what depends on the flow's state follows
        match event:
            case ev.Tick():
                deadline = self.deadline
                return kind if deadline is not None and now >= deadline else None
            case ev.EnrolShopper() | ev.EraseShopper():
                return kind if self._enrol.consent is not None else None
            case ev.PinEntered(pin=pin) if self._state is State.ENROL_PIN_REPEAT:
                return E.PIN_ENTERED if pin == self._enrol.first_pin else E.PIN_MISMATCH
            case ev.PinEntered(pin=pin) if self._state is State.ENROL_CODE:
                return E.PIN_ENTERED if pin.isdigit() and len(pin) == CODE_DIGITS else E.PIN_MISMATCH
            case ev.PinEntered() if self._state is State.CASHIER_LOGIN and self._staff.wait_until() > now:
                return None  # the kiosk's own slow-down of repeated wrong staff PINs
            case ev.PinEntered(pin=pin):
                return kind if pin.isdigit() and len(pin) in PIN_LENGTHS else None
        request_id = getattr(event, "request_id", None)
        if request_id is not None and request_id != self._request:
            return None  # an answer to a request the flow gave up on
        return kind

    def _holds(self, guard: Guard) -> bool:
        if guard is Guard.LOCKED:
            return self._locked
        if guard is Guard.NEW_PIN:
            return self._enrol.code is not None
        return self._sale is not None

    # --- what an event tells ---------------------------------------------------

    def _absorb(self, event: ev.Event, kind: EventType, now: float) -> None:
        state = self._state
        if state in ENROL_STATES or kind in (E.ENROL, E.ERASE):
            self._absorb_enrol(event, kind, now)
        elif kind is E.ACTIVITY:
            self._since = now
        elif isinstance(event, ev.ScanUpdated):
            self._absorb_scan(event, now)
        elif kind is E.CAMERA_LOST:
            self._ask_for_customer(_CAMERA_GONE, Evidence(method="pin", reason="camera_lost"))
        elif kind is E.USE_PIN:
            self._ask_for_customer(
                "Enter your customer number, then your PIN.", Evidence(method="pin", reason="chosen")
            )
        elif isinstance(event, ev.CustomerNumberEntered):
            self._customer, self._candidates = event.customer_id.strip(), ()
        elif isinstance(event, ev.CashierChosen):
            self._staff.cashier_id, self._login_error = event.cashier_id.strip(), ""
        elif isinstance(event, ev.PinEntered):
            self._pin = event.pin
        elif kind is E.TIMEOUT:
            self._absorb_timeout(now)
        elif kind is E.CANCEL and state is State.SALE_OPEN:
            self._sale, self._notice = None, "Sale cancelled."
        elif isinstance(event, ev.OpenSale):
            self._sale = Sale(event.amount_minor, event.currency, event.reference)
            self._notice = ""
        else:
            self._absorb_answer(event, kind, now)

    def _absorb_enrol(self, event: ev.Event, kind: EventType, now: float) -> None:
        state, ctx = self._state, self._enrol
        if kind in (E.ENROL, E.ERASE):
            ctx.start()
        elif kind is E.ACTIVITY:
            self._since = now
        elif isinstance(event, ev.CustomerNumberEntered):
            ctx.subject = event.customer_id.strip()
        elif isinstance(event, ev.CaptureUpdated):
            ctx.capture = event.update
            if event.update.box is not None:
                self._last_face = now
        elif isinstance(event, ev.PinEntered) and kind is E.PIN_ENTERED:
            self._absorb_enrol_pin(state, event.pin)
        elif kind is E.PIN_MISMATCH and state is State.ENROL_CODE:
            ctx.pin_error = CODE_WRONG_LENGTH
        elif kind is E.PIN_MISMATCH:
            ctx.first_pin, ctx.pin_error = None, "The two PINs were different. Choose a PIN again."
        elif kind is E.USE_CODE:
            ctx.proof_pin, ctx.pin_error = None, ""
        elif kind is E.TIMEOUT:
            self._cashier_notice = TIMEOUT_NOTICE.get(state, "")
        elif kind in (E.CANCEL, E.CASHIER_KEY):
            self._cashier_notice = CANCEL_NOTICE.get(state, "")
        elif kind is E.CAMERA_LOST:
            self._cashier_notice = CAMERA_GONE
        elif isinstance(event, ev.EnrolmentDone):
            pin = "new PIN set" if event.pin_set else "the account's PIN stays"
            self._cashier_notice = (
                f"Customer {event.customer_id} enrolled ({event.templates} templates, {pin})."
            )
        elif isinstance(event, ev.EnrolmentFailed):
            self._cashier_notice = enrol_refusal(
                event.code, event.message, ctx.subject, event.attempts_left, event.retry_after_s
            )
        elif isinstance(event, ev.ErasureDone):
            ctx.receipt = event.receipt
        elif isinstance(event, ev.ErasureFailed):
            self._cashier_notice = erase_refusal(event.code, event.message, ctx.subject)
        elif kind is E.LEDGER_UNREACHABLE:
            self._cashier_notice = "The payment service can't be reached. " + (
                "Nothing was stored." if state is State.ENROL_PROCESSING else "Nothing was erased."
            )

    def _absorb_enrol_pin(self, state: State, pin: str) -> None:
        ctx = self._enrol
        if state in (State.ENROL_PROOF, State.ERASE_PIN):
            ctx.proof_pin = pin
        elif state is State.ENROL_CODE:
            ctx.code, ctx.pin_error = pin, ""
        elif state is State.ENROL_PIN:
            ctx.first_pin, ctx.pin_error = pin, ""

    def _absorb_scan(self, event: ev.ScanUpdated, now: float) -> None:
        update = event.update
        if update.box is not None:
            self._last_face = now
        if update.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT):
            self._direction = update.guidance
        decision = update.decision
        if isinstance(decision, Match):
            self._customer, self._candidates = decision.customer_id, ()
            self._evidence = Evidence("face", decision.score, decision.liveness, decision.masked)
        elif isinstance(decision, NeedPin):
            masked = decision.reason is Reason.MASKED or update.masked
            evidence = Evidence(
                "face+pin" if decision.candidates else "pin", masked=masked, reason=decision.reason.value
            )
            self._ask_for_customer(REASON_TEXT[decision.reason], evidence)
            self._customer = decision.candidates[0] if decision.candidates else None
            self._candidates = tuple(decision.candidates)
        elif isinstance(decision, Reject):
            self._result = ResultView(Outcome.REJECTED, "Payment not possible", REASON_TEXT[decision.reason])

    def _ask_for_customer(self, message: str, evidence: Evidence) -> None:
        self._customer, self._evidence, self._candidates = None, evidence, ()
        self._pin_message, self._pin_error, self._attempts_left = message, "", None

    def _absorb_timeout(self, now: float) -> None:
        state = self._state
        if state in SCAN_STATES:
            walked = now >= self._last_face + self._t.no_face_s
            self._notice = _WALKED_AWAY if walked else REASON_TEXT[Reason.TIMEOUT]
        elif state in (State.CONFIRM, State.PIN_ENTRY, State.CUSTOMER_ENTRY):
            self._notice = _NOT_FINISHED
        elif state is State.SALE_OPEN:
            self._sale, self._notice = None, ""
        elif state is State.PROCESSING:
            self._result = ResultView(Outcome.UNKNOWN, "Payment status unknown", _UNKNOWN_TEXT)
        elif state is State.CASHIER_VERIFYING:
            self._login_error = "No answer from the payment service. Try again."
        elif state is State.REFUND_PROCESSING:
            self._cashier_notice = "No answer to the refund. Check today's totals before trying again."

    def _absorb_answer(self, event: ev.Event, kind: EventType, now: float) -> None:
        state = self._state
        if isinstance(event, ev.DebitApproved):
            self._result = self._approved(event)
        elif isinstance(event, ev.DebitDeclined) and kind is E.NEED_CUSTOMER_ID and state is State.PROCESSING:
            self._ask_for_customer(
                "This PIN fits more than one account. Enter your customer number, then your PIN.",
                self._evidence,
            )
        elif isinstance(event, ev.DebitDeclined) and kind is E.PIN_REQUIRED and state is State.PROCESSING:
            # Above the merchant's face-only limit the ledger wants the PIN too: same shopper.
            self._pin_message, self._pin_error, self._attempts_left = (
                "For this amount, please confirm with your PIN.",
                "",
                None,
            )
            self._evidence = replace(self._evidence, method="face+pin")
        elif isinstance(event, ev.DebitDeclined) and kind is E.WRONG_PIN:
            self._attempts_left = event.attempts_left
            self._pin_error = "Wrong PIN. Please try again."
        elif isinstance(event, ev.DebitDeclined):
            headline = "PIN locked" if kind is E.PIN_LOCKED else "Payment declined"
            code = "pin_locked" if kind is E.PIN_LOCKED else event.code
            self._result = ResultView(Outcome.DECLINED, headline, decline_text(code, event.message))
        elif isinstance(event, ev.LedgerUnreachable) and state is State.PROCESSING:
            # The payment service's own sentence: not sent, or outcome unknown and any charge returned.
            self._result = ResultView(
                Outcome.DECLINED, "Payment not completed", event.message or decline_text("unreachable", "")
            )
        elif kind is E.LEDGER_UNREACHABLE and state is State.CASHIER_VERIFYING:
            self._login_error = "The payment service can't be reached to check the PIN."
        elif kind is E.LEDGER_UNREACHABLE:
            self._cashier_notice = "The payment service can't be reached."
        elif kind in (E.CASHIER_BAD, E.CASHIER_REFUSED):
            assert isinstance(event, ev.CashierRejected)
            self._staff.failed(now)
            self._login_error = staff_refusal(self._staff.cashier_id, event.code, event.retry_after_s)
        elif kind is E.CASHIER_OK:
            self._locked, self._login_error = False, ""
            self._staff.signed_in()
            self._cashier_notice = (
                "Last payment outcome unknown: check it before a new attempt."
                if self._result.outcome is Outcome.UNKNOWN and self._sale is not None
                else ""
            )
        elif kind is E.CANCEL_SALE:
            self._sale, self._cashier_notice, self._since = None, "Sale cancelled.", now
        elif isinstance(event, ev.RefundDone):
            self._cashier_notice = (
                f"Refunded {format_amount(event.amount_minor, event.currency)} "
                f"(transaction {event.transfer_id})."
            )
        elif isinstance(event, ev.RefundFailed):
            self._cashier_notice = f"Refund refused: {event.message}"
        elif isinstance(event, ev.SummaryReady):
            self._summary = event.summary
        elif kind is E.LOCK:
            self._locked = True

    def _approved(self, event: ev.DebitApproved) -> ResultView:
        sale = self._sale
        amount = sale.amount if sale else ""
        customer = self._short_customer()
        receipt = Receipt(
            self._merchant,
            event.transfer_id,
            amount,
            format_when(event.at, self._tz),
            customer,
            _METHOD_TEXT.get(self._evidence.method, ""),
            event.offline,
        )
        thanks = f"Thank you, {customer.rstrip('.')}." if customer else "Thank you."
        return ResultView(Outcome.APPROVED, "Payment approved", thanks, receipt)

    def _short_customer(self) -> str:
        if self._customer is None or len(self._candidates) > 1:  # the PIN chose: no name guessed
            return ""
        return short_name(self._directory.display_name(self._customer))

    # --- entering states --------------------------------------------------------

    def _go(self, target: State, now: float) -> list[Effect]:
        effects: list[Effect] = []
        leaving, self._state = self._state, target
        if leaving in SCAN_STATES and target not in SCAN_STATES:
            effects.append(StopScan())
        if target is leaving:
            return effects + self._show()
        self._since = now
        if target is State.SCANNING and leaving not in SCAN_STATES:
            self._scan_start = self._last_face = now
            self._notice = ""
            effects.append(StartScan(self._sale.amount_minor if self._sale else 0))
        if target is State.ENROL_CAPTURE and leaving not in SCAN_STATES:
            self._scan_start = self._last_face = now
            effects.append(StartScan(0, enrol=True))
        if target not in ENROL_STATES:
            self._enrol.forget_secrets()
        effects.extend(self._entry_requests(target))
        if target is State.APPROVED:
            self._sale = None
        return effects + self._show()

    def _entry_requests(self, target: State) -> list[Effect]:
        if target in BUSY_STATES or target is State.CASHIER:
            self._request += 1
        if target is State.PROCESSING:
            return [self._debit()]
        if target is State.CASHIER_VERIFYING:
            pin, self._pin = self._pin or "", None
            return [VerifyCashier(self._request, self._staff.cashier_id, pin)]
        if target is State.REFUND_PROCESSING:
            return [SendRefund(self._request)]
        if target is State.ENROL_PROCESSING:
            ctx = self._enrol
            code = ctx.code
            pin = (ctx.first_pin if code is not None else ctx.proof_pin) or ""
            ctx.forget_secrets()
            return [SendEnrolment(self._request, ctx.subject, pin, code)]
        if target is State.ERASE_PROCESSING:
            shopper_pin = self._enrol.proof_pin
            self._enrol.forget_secrets()
            return [SendErasure(self._request, self._enrol.subject, shopper_pin)]
        if target is State.CASHIER:
            self._summary = None
            return [RequestSummary(self._request)]
        if target is State.CASHIER_LOGIN:
            self._pin = None
        return []

    def _debit(self) -> SendDebit:
        sale, customer = self._sale, self._customer
        assert sale is not None and customer is not None, "a debit needs a sale and a customer"
        pin, self._pin = self._pin, None
        offline_ok = pin is None and not self._evidence.masked
        candidates = self._candidates if pin is not None and len(self._candidates) > 1 else ()
        return SendDebit(
            self._request,
            customer,
            sale.amount_minor,
            sale.currency,
            pin,
            self._evidence,
            offline_ok,
            candidates,
        )

    def _show(self) -> list[Effect]:
        shown = ShowScreen(SCREEN_OF[self._state], self._view())
        if shown == self._shown:
            return []
        self._shown = shown
        return [shown]

    # --- views -----------------------------------------------------------------

    def _view(self) -> View:
        s, amount = self._state, self._sale.amount if self._sale else ""
        if s in ENROL_STATES and s not in BUSY_STATES:
            name = short_name(self._directory.display_name(self._enrol.subject))
            view = self._enrol.view(s, name)
            assert view is not None
            return view
        if s is State.IDLE:
            return IdleView(self._merchant, self._notice)
        if s is State.SALE_OPEN:
            return SaleView(amount, self._merchant, self._notice)
        if s is State.SCANNING:
            return ScanView(amount)
        if s is State.CHALLENGE:
            return ChallengeView(amount, self._direction, self._t.challenge_s)
        if s is State.CONFIRM:
            return ConfirmView(amount, self._merchant, self._short_customer())
        if s is State.CUSTOMER_ENTRY:
            return CustomerView(amount, self._pin_message)
        if s is State.PIN_ENTRY:
            face_chose = bool(self._candidates)  # the number came from the face, not the shopper
            return PinView(
                False,
                "Enter your PIN",
                self._pin_message,
                amount,
                self._attempts_left,
                self._pin_error,
                other_option="Not you? Use your customer number" if face_chose else "",
            )
        if s is State.CASHIER_ID:
            message = (
                "Terminal locked. A cashier signs in to unlock it."
                if self._locked
                else "Pick your cashier id or type it; then your own PIN."
            )
            return StaffView(self._staff.cashiers, message, self._login_error)
        if s is State.CASHIER_LOGIN:
            message = "Terminal locked. Cashier PIN to unlock." if self._locked else "Staff only."
            wait = math.ceil(max(0.0, self._staff.wait_until() - self._now))
            return PinView(
                True,
                f"PIN of cashier {self._staff.cashier_id}",
                message,
                error=self._login_error,
                wait_s=wait,
            )
        if s in BUSY_STATES:
            return _BUSY[s]
        if s in (State.APPROVED, State.DECLINED, State.REJECTED, State.UNKNOWN):
            return self._result
        if s is State.CASHIER:
            return self._cashier_view(amount)
        if s is State.AMOUNT_ENTRY:
            return AmountView(self._sale.currency if self._sale else self._currency)
        return LockedView("Please use another checkout. Staff can reopen this one.")

    def _cashier_view(self, amount: str) -> CashierView:
        s = self._summary
        enrolment = self._enrol.consent is not None
        if s is None:
            return CashierView(amount, self._cashier_notice, enrolment=enrolment)
        totals = (
            f"Payments: {s.payments}, {format_amount(s.paid_minor, s.currency)}",
            f"Refunds: {s.refunds}, {format_amount(s.refunded_minor, s.currency)}",
        )
        return CashierView(amount, self._cashier_notice, totals, s.verdict, enrolment)


_BUSY: dict[State, BusyView] = {
    State.PROCESSING: BusyView("Processing payment", "Please wait…"),
    State.CASHIER_VERIFYING: BusyView("Checking cashier PIN", "Please wait…"),
    State.REFUND_PROCESSING: BusyView("Refunding last payment", "Please wait…"),
    State.ENROL_PROCESSING: BusyView("Enrolling", "Checking the account and storing the face templates…"),
    State.ERASE_PROCESSING: BusyView("Erasing", "Removing face templates, consent and face link…"),
}

