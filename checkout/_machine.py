"""The checkout state machine: ``handle(event, now) -> list[Effect]``, nothing else.

Pure: no clock, no I/O, no threads. Time comes in as ``now`` (monotonic seconds); every
time-out fires on the first event (usually a ``Tick``) at or after its deadline. Where an
event leads is the table's (``_table.TRANSITIONS``); what it tells is ``_absorb`` (paying,
cashier) and ``_enrolment`` (enrolment, erasure); how each state looks, how long it waits
and what entering it asks for is its spec (``_specs.SPECS``). The machine holds one frozen
``Context`` and replaces it on every event.

Where a time-out leaves an open sale: a shopper who walks away from the camera, the confirm
prompt or the PIN pad returns the terminal to the open sale (the amount is still owed and
shown); an open sale nobody pays within ``Timeouts.sale_open_s`` is cancelled and the
terminal returns to idle.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checkout import _events as ev
from checkout._absorb import absorb
from checkout._context import Context, Health, Kiosk, Notes, Sale, Timeouts
from checkout._effects import (
    Effect,
    FinishTillSale,
    PrintReceipt,
    RequestPayments,
    RequestSummary,
    SendDebit,
    SendEnrolment,
    SendErasure,
    SendRefund,
    ShowScreen,
    StartScan,
    StopScan,
    VerifyCashier,
)
from checkout._enrolment import CODE_DIGITS, ENROL_STATES, EnrolContext, absorb_enrol
from checkout._refunds import REFUND_STATES, absorb_refund, classify_refund
from checkout._specs import SPECS, Entry
from checkout._staff import StaffSignIn, StaffThrottle
from checkout._table import BUSY_STATES, SCAN_STATES, TRANSITIONS, Branch, EventType, Guard, State
from checkout._views import Look
from checkout.ports import Consent, CustomerDirectory
from payments.till import SaleStatus
from vision import Reject

__all__ = ["CheckoutMachine", "Sale", "Timeouts"]

log = logging.getLogger(__name__)

E = EventType

PIN_LENGTHS = range(4, 13)
# Answers only a reachable ledger gives (the refund list, today's totals and the terminal's own
# refusals come from the journal or the terminal, so they say nothing about the ledger).
_LEDGER_SIGNED = (ev.DebitDeclined, ev.CashierVerified, ev.CashierRejected, ev.RefundDone, ev.EnrolmentDone)

# Screens that end an attempt: a till's sale ends on the first one reached.
RESULT_STATES = frozenset({State.APPROVED, State.DECLINED, State.REJECTED, State.UNKNOWN})
# Why a till's sale ended without an attempt, by the event that closed it (else "replaced").
_CANCEL_REASON = {
    E.TIMEOUT: "timed_out",
    E.TILL_CANCEL: "cancelled_by_till",
    E.CANCEL_SALE: "cancelled_by_cashier",
    E.CANCEL: "cancelled_by_shopper",
}


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
        max_sale_minor: int = 0,
        receipt_key: Ed25519PublicKey | None = None,
    ) -> None:
        self._kiosk = Kiosk(
            directory, merchant, currency, timeouts or Timeouts(), tz, max_sale_minor, receipt_key
        )
        self._staff = StaffSignIn(cashiers, throttle or StaffThrottle())
        self._enrol = EnrolContext(consent)  # consent None: no enrolment at this terminal
        self._ctx = Context()
        self._shown: ShowScreen | None = None

    @property
    def state(self) -> State:
        """The current state."""
        return self._ctx.state

    @property
    def sale(self) -> Sale | None:
        """The open sale, if any."""
        return self._ctx.sale

    @property
    def takes_till_sale(self) -> bool:
        """Whether a sale from the till would open now: idle, or a result screen with no sale left
        open (the register starts the next shopper while the last one reads their receipt)."""
        c = self._ctx
        return c.sale is None and (c.state is State.IDLE or c.state in RESULT_STATES - {State.UNKNOWN})

    @property
    def request_id(self) -> int:
        """The newest request's id (an answer to an older one is ignored)."""
        return self._ctx.request

    @property
    def deadline(self) -> float | None:
        """When the current state times out (``now`` units), or None if it never does."""
        c, t = self._ctx, self._kiosk.timeouts
        if c.state is State.REFUND_SCAN:  # a receipt, not a face: no walking away to notice
            return c.scan_start + t.scan_s
        if c.state in SCAN_STATES:
            return min(c.scan_start + t.scan_s, c.last_face + t.no_face_s)
        wait = SPECS[c.state].wait
        if wait is None:
            return None
        since = c.since
        if c.state is State.CASHIER_LOGIN:  # the pad waits out the staff-PIN wait, then times out
            since = max(since, self._staff.wait_until())
        return since + wait(t)

    def start(self, now: float) -> list[Effect]:
        """Effects that show the first screen."""
        self._ctx = replace(self._ctx, since=now, now=now)
        return self._show()

    def handle(self, event: ev.Event, now: float) -> list[Effect]:
        """Apply one event at time ``now``; return what the UI must do."""
        self._ctx = c = replace(self._ctx, now=now, health=self._observe(event))
        kind = self._classify(event)
        if kind is None:
            if isinstance(event, ev.Tick) and c.state is State.CASHIER_LOGIN:
                return self._show()  # the staff-PIN wait counts down on screen
            return []
        if isinstance(event, ev.TillSaleOpened) and not self.takes_till_sale:  # the desk must hear no
            return [FinishTillSale(event.reference, SaleStatus.FAILED, reason="kiosk_busy")]
        target = TRANSITIONS.get((c.state, kind))
        if target is None:
            if kind is E.TILL_CANCEL and c.state is not State.PROCESSING:
                # Staff on the kiosk (or no edge of its own): the sale goes, the screen stays.
                self._ctx = absorb(c, event, kind, self._kiosk, self._staff)
                return self._till_end(c.sale, event, kind) + self._show()
            return []
        before = c.sale
        while isinstance(target, Branch):
            target = target.then if self._holds(target.guard) else target.otherwise
        if target is not c.state:  # messages belong to the screen they were set for
            log.debug("checkout %s --%s--> %s", c.state.value, kind.value, target.value)
            c = replace(c, notes=Notes())
        if c.state in ENROL_STATES or kind in (E.ENROL, E.ERASE):
            self._ctx = absorb_enrol(c, self._enrol, event, kind)
        elif c.state in REFUND_STATES or kind is E.REFUNDS:
            self._ctx = absorb_refund(c, event, kind, self._kiosk)
        else:
            self._ctx = absorb(c, event, kind, self._kiosk, self._staff)
        effects = self._go(target)
        return self._till_end(before, event, kind) + effects

    def _till_end(self, before: Sale | None, event: ev.Event, kind: EventType) -> list[Effect]:
        """Tell the till how its sale ended, once: at the first result, or when it went away."""
        c = self._ctx
        if before is None or not before.till:
            return []
        ref = before.reference
        if c.state in RESULT_STATES:
            end = self._till_outcome(ref, event, kind)
        elif c.sale is before:
            return []
        else:
            end = FinishTillSale(ref, SaleStatus.CANCELLED, reason=_CANCEL_REASON.get(kind, "replaced"))
        self._ctx = replace(c, sale=None)
        return [end]

    def _till_outcome(self, ref: str, event: ev.Event, kind: EventType) -> FinishTillSale:
        c = self._ctx
        if c.state is State.APPROVED and c.result.receipt is not None:
            at = event.at if isinstance(event, ev.DebitApproved) else 0.0
            method = c.shopper.evidence.method
            return FinishTillSale(ref, SaleStatus.APPROVED, c.result.receipt.transfer_id, method, at=at)
        if c.state is State.UNKNOWN:
            return FinishTillSale(ref, SaleStatus.FAILED, reason="outcome_unknown")
        if isinstance(event, ev.LedgerUnreachable):
            return FinishTillSale(ref, SaleStatus.FAILED, reason="not_completed")
        if isinstance(event, ev.DebitDeclined):
            return FinishTillSale(ref, SaleStatus.DECLINED, reason=event.code)
        if isinstance(event, ev.ScanUpdated) and isinstance(event.update.decision, Reject):
            return FinishTillSale(ref, SaleStatus.DECLINED, reason=event.update.decision.reason.value)
        return FinishTillSale(ref, SaleStatus.DECLINED, reason=kind.value)

    def _classify(self, event: ev.Event) -> EventType | None:
        """The event's own kind, unless the flow's state says otherwise."""
        c, kind = self._ctx, event.kind
        if c.state in REFUND_STATES and isinstance(
            event, ev.PaymentPicked | ev.OpenSale | ev.VoidPayment | ev.ScanReceipt | ev.ReceiptRead
        ):
            return classify_refund(c, event, self._kiosk)
        match event:
            case ev.Tick():
                deadline = self.deadline
                return kind if deadline is not None and c.now >= deadline else None
            case ev.EnrolShopper() | ev.EraseShopper():
                return kind if self._enrol.consent is not None else None
            case ev.PinEntered(pin=pin) if c.state is State.ENROL_PIN_REPEAT:
                return E.PIN_ENTERED if pin == self._enrol.first_pin else E.PIN_MISMATCH
            case ev.PinEntered(pin=pin) if c.state is State.ENROL_CODE:
                return E.PIN_ENTERED if pin.isdigit() and len(pin) == CODE_DIGITS else E.PIN_MISMATCH
            case ev.PinEntered() if c.state is State.CASHIER_LOGIN and self._staff.wait_until() > c.now:
                return None  # the kiosk's own slow-down of repeated wrong staff PINs
            case ev.PinEntered(pin=pin):
                return kind if pin.isdigit() and len(pin) in PIN_LENGTHS else None
            case ev.OpenSale(amount_minor=amount) if kind is E.SALE_OPENED and self._too_large(amount):
                return E.SALE_TOO_LARGE
            case ev.Answer(request_id=rid) if rid != c.request:
                return None  # an answer to a request the flow gave up on
            case ev.TillCancel(reference=ref):
                sale = c.sale
                return kind if sale is not None and sale.till and sale.reference == ref else None
        return kind

    def _observe(self, event: ev.Event) -> Health:
        """What an event says about the camera and the ledger (a part that answers is up)."""
        health = self._ctx.health
        match event:
            case ev.HealthChanged(camera=camera, ledger=ledger):
                return Health(
                    health.camera if camera is None else camera, health.ledger if ledger is None else ledger
                )
            case ev.CameraLost():
                return replace(health, camera=False)
            case ev.ScanUpdated() | ev.CaptureUpdated():
                return replace(health, camera=True)
            case ev.LedgerUnreachable(request_id=rid) if rid == self._ctx.request:
                return replace(health, ledger=False)
            case ev.DebitApproved(request_id=rid, offline=offline) if rid == self._ctx.request:
                return replace(health, ledger=health.ledger or not offline)
            case ev.Answer(request_id=rid) if rid == self._ctx.request and isinstance(event, _LEDGER_SIGNED):
                return replace(health, ledger=True)
        return health

    def _too_large(self, amount_minor: int) -> bool:
        limit = self._kiosk.max_sale_minor
        return limit > 0 and amount_minor > limit

    def _holds(self, guard: Guard) -> bool:
        if guard is Guard.LOCKED:
            return self._ctx.locked
        if guard is Guard.NEW_PIN:
            return self._enrol.code is not None
        if guard is Guard.DEGRADED:
            return self._ctx.health.degraded
        return self._ctx.sale is not None

    def _go(self, target: State) -> list[Effect]:
        """Enter ``target``: stop the camera when leaving it, then the target's entry effects."""
        leaving, now = self._ctx.state, self._ctx.now
        if target is State.IDLE and self._ctx.health.degraded:
            target = State.OUT_OF_SERVICE  # idle, as it is while a part is down
        self._ctx = replace(self._ctx, state=target)
        effects: list[Effect] = []
        if leaving in SCAN_STATES and target not in SCAN_STATES:
            effects.append(StopScan())
        if target is not leaving:
            self._ctx = replace(self._ctx, since=now)
            if target not in ENROL_STATES:
                self._enrol.forget_secrets()
            if target in BUSY_STATES or target in (State.CASHIER, State.REFUND_LIST):
                self._ctx = replace(self._ctx, request=self._ctx.request + 1)
            effects.extend(self._enter(SPECS[target].entry, leaving))
            if target is State.APPROVED:
                self._ctx = replace(self._ctx, sale=None)
                if self._ctx.result.receipt is not None:
                    effects.append(PrintReceipt(self._ctx.result.receipt))
        return effects + self._show()

    def _enter(self, entry: Entry, leaving: State) -> list[Effect]:
        c, enrol = self._ctx, self._enrol
        rid, pin = c.request, c.pin
        if entry in (Entry.SCAN, Entry.CAPTURE) and leaving in SCAN_STATES:
            return []  # the camera runs on
        if entry is Entry.SCAN:
            self._ctx = replace(c, scan_start=c.now, last_face=c.now, notes=replace(c.notes, notice=""))
            return [StartScan(c.sale.amount_minor if c.sale else 0)]
        if entry is Entry.CAPTURE:
            self._ctx = replace(c, scan_start=c.now, last_face=c.now)
            return [StartScan(0, enrol=True)]
        if entry is Entry.RECEIPT:
            self._ctx = replace(c, scan_start=c.now, last_face=c.now)
            return [StartScan(0, receipt=True)]
        if entry in (Entry.DEBIT, Entry.VERIFY_CASHIER):
            self._ctx = replace(c, pin=None)
        if entry is Entry.DEBIT:
            return [self._debit(rid, pin)]
        if entry is Entry.VERIFY_CASHIER:
            return [VerifyCashier(rid, self._staff.cashier_id, pin or "")]
        if entry is Entry.REFUND:
            pick = c.refund
            assert pick is not None, "a refund needs a picked payment"
            return [SendRefund(rid, pick.line.transfer_id, pick.amount_minor, pick.void)]
        if entry is Entry.PAYMENTS:
            self._ctx = replace(c, payments=None)
            return [RequestPayments(rid)]
        if entry is Entry.SUMMARY:
            self._ctx = replace(c, summary=None)
            return [RequestSummary(rid)]
        if entry is Entry.STAFF_PIN:
            self._ctx = replace(c, pin=None)
        if entry not in (Entry.ENROL, Entry.ERASE):
            return []
        code, proof, first = enrol.code, enrol.proof_pin, enrol.first_pin
        enrol.forget_secrets()
        if entry is Entry.ENROL:
            pin = (first if code is not None else proof) or ""
            return [SendEnrolment(rid, enrol.subject, pin, code, enrol.name)]
        return [SendErasure(rid, enrol.subject, proof)]

    def _debit(self, rid: int, pin: str | None) -> SendDebit:
        sale, shopper = self._ctx.sale, self._ctx.shopper
        assert sale is not None and shopper.customer is not None, "a debit needs a sale and a customer"
        offline_ok = pin is None and not shopper.evidence.masked
        candidates = shopper.candidates if pin is not None and len(shopper.candidates) > 1 else ()
        customer, evidence, amount = shopper.customer, shopper.evidence, sale.amount_minor
        return SendDebit(
            rid,
            customer,
            amount,
            sale.currency,
            pin,
            evidence,
            offline_ok,
            candidates,
            sale.reference,
            sale.opened_by,
        )

    def redraw(self) -> list[Effect]:
        """The current screen again, its view rendered anew (the shopper changed the language)."""
        self._shown = None
        return self._show()

    def _show(self) -> list[Effect]:
        spec = SPECS[self._ctx.state]
        shown = ShowScreen(spec.screen, spec.view(Look(self._ctx, self._kiosk, self._staff, self._enrol)))
        if shown == self._shown:
            return []
        self._shown = shown
        return [shown]
