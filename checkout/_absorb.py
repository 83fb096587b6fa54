"""What an event tells the paying and cashier states: pure functions from the context and
an event to the next context (``dataclasses.replace``). The table has already decided where
the event leads; these record what it says (the customer, the PIN's answer, the receipt).
"""

from __future__ import annotations

from dataclasses import replace

from checkout import _events as ev
from checkout._context import Context, Kiosk, Sale, Shopper
from checkout._effects import Outcome, Receipt, ResultView
from checkout._staff import StaffSignIn, staff_refusal
from checkout._table import SCAN_STATES, EventType, State
from checkout._text import decline_text, format_amount, format_when
from checkout._views import short_customer
from checkout._wording import TEXT, said, say
from checkout.ports import Evidence
from vision import REASON_TEXT, Guidance, Match, NeedPin, Reason, Reject

__all__ = ["absorb"]

E, S = EventType, State


def absorb(c: Context, event: ev.Event, kind: EventType, kiosk: Kiosk, staff: StaffSignIn) -> Context:
    """The context after ``event`` (of ``kind``) in ``c.state``; ``staff`` records sign-ins."""
    now = c.now
    if kind is E.ACTIVITY:
        return replace(c, since=now)
    if isinstance(event, ev.ScanUpdated):
        return _scan(c, event)
    if kind is E.CAMERA_LOST:
        return _ask(c, say("pay.camera_gone"), Evidence(method="pin", reason="camera_lost"))
    if kind is E.USE_PIN:
        return _ask(c, say("pay.use_pin"), Evidence(method="pin", reason="chosen"))
    if isinstance(event, ev.CustomerNumberEntered):
        return replace(c, shopper=replace(c.shopper, customer=event.customer_id.strip(), candidates=()))
    if isinstance(event, ev.CashierChosen):
        staff.cashier_id = event.cashier_id.strip()
        return replace(c, notes=replace(c.notes, login=""))
    if isinstance(event, ev.PinEntered):
        return replace(c, pin=event.pin)
    if kind is E.TIMEOUT:
        return _timeout(c, kiosk)
    if kind is E.CANCEL and c.state is S.SALE_OPEN:
        return replace(c, sale=None, notes=replace(c.notes, notice=say("pay.sale_cancelled")))
    if kind is E.SALE_TOO_LARGE:
        limit = format_amount(kiosk.max_sale_minor, kiosk.currency)
        return replace(c, notes=replace(c.notes, notice=say("amount.too_large", limit=limit)))
    if isinstance(event, ev.OpenSale):
        till = isinstance(event, ev.TillSaleOpened)
        cashier = staff.cashier_id if c.state is S.AMOUNT_ENTRY else ""  # signed in, on the pad
        opener = f"till:{event.till_id}" if isinstance(event, ev.TillSaleOpened) else cashier
        sale = Sale(event.amount_minor, event.currency, event.reference, till=till, opened_by=opener)
        return replace(c, sale=sale, notes=replace(c.notes, notice=""))
    if kind is E.TILL_CANCEL:
        told = say("till.cancelled")
        return replace(c, sale=None, since=now, notes=replace(c.notes, notice=told, cashier=told))
    if isinstance(event, ev.DebitApproved | ev.DebitDeclined):
        return _debit_answer(c, event, kind, kiosk)
    return _cashier_answer(c, event, kind, staff)


def _ask(c: Context, message: str, evidence: Evidence) -> Context:
    """Who is paying is asked afresh (customer number and/or PIN)."""
    return replace(c, shopper=Shopper(evidence=evidence, message=message))


def _scan(c: Context, event: ev.ScanUpdated) -> Context:
    update, decision = event.update, event.update.decision
    if update.box is not None:
        c = replace(c, last_face=c.now)
    if update.guidance in (Guidance.TURN_LEFT, Guidance.TURN_RIGHT):
        c = replace(c, direction=update.guidance)
    if isinstance(decision, Match):
        evidence = Evidence("face", decision.score, decision.liveness, decision.masked)
        return replace(
            c, shopper=replace(c.shopper, customer=decision.customer_id, candidates=(), evidence=evidence)
        )
    if isinstance(decision, NeedPin):
        masked = decision.reason is Reason.MASKED or update.masked
        method = "face+pin" if decision.candidates else "pin"
        c = _ask(
            c,
            said(REASON_TEXT[decision.reason], "Vision"),
            Evidence(method, masked=masked, reason=decision.reason.value),
        )
        first = decision.candidates[0] if decision.candidates else None
        return replace(c, shopper=replace(c.shopper, customer=first, candidates=tuple(decision.candidates)))
    if isinstance(decision, Reject):
        result = ResultView(
            Outcome.REJECTED, say("pay.rejected.headline"), said(REASON_TEXT[decision.reason], "Vision")
        )
        return replace(c, result=result)
    return c


def _timeout(c: Context, kiosk: Kiosk) -> Context:
    state, notes = c.state, c.notes
    if state in SCAN_STATES:
        walked = c.now >= c.last_face + kiosk.timeouts.no_face_s
        notice = say("pay.walked_away") if walked else said(REASON_TEXT[Reason.TIMEOUT], "Vision")
        return replace(c, notes=replace(notes, notice=notice))
    if state in (S.CONFIRM, S.PIN_ENTRY, S.CUSTOMER_ENTRY):
        return replace(c, notes=replace(notes, notice=say("pay.not_finished")))
    if state is S.SALE_OPEN:
        return replace(c, sale=None, notes=replace(notes, notice=""))
    if state is S.PROCESSING:
        return replace(c, result=ResultView(Outcome.UNKNOWN, say("pay.unknown.headline"), say("pay.unknown")))
    if state is S.CASHIER_VERIFYING:
        return replace(c, notes=replace(notes, login=say("staff.no_answer")))
    if state is S.REFUND_PROCESSING:
        return replace(c, notes=replace(notes, cashier=say("cashier.refund_no_answer")))
    return c


def _debit_answer(
    c: Context, event: ev.DebitApproved | ev.DebitDeclined, kind: EventType, kiosk: Kiosk
) -> Context:
    shopper = c.shopper
    if isinstance(event, ev.DebitApproved):
        return replace(c, result=_approved(c, event, kiosk))
    if kind is E.NEED_CUSTOMER_ID and c.state is S.PROCESSING:
        return _ask(c, say("pay.pin_fits_many"), shopper.evidence)
    if kind is E.PIN_REQUIRED and c.state is S.PROCESSING:
        # Above the merchant's face-only limit the ledger wants the PIN too: same shopper.
        evidence = replace(shopper.evidence, method="face+pin")
        wanted = replace(
            shopper, message=say("pay.pin_for_amount"), error="", attempts_left=None, evidence=evidence
        )
        return replace(c, shopper=wanted)
    if kind is E.WRONG_PIN:
        wrong = replace(shopper, attempts_left=event.attempts_left, error=say("pay.wrong_pin"))
        return replace(c, shopper=wrong)
    locked = kind is E.PIN_LOCKED
    headline = say("pay.pin_locked.headline") if locked else say("pay.declined.headline")
    text = decline_text("pin_locked" if locked else event.code, event.message)
    return replace(c, result=ResultView(Outcome.DECLINED, headline, text))


def _approved(c: Context, event: ev.DebitApproved, kiosk: Kiosk) -> ResultView:
    amount = c.sale.amount if c.sale else ""
    customer = short_customer(c, kiosk)
    when = format_when(event.at, kiosk.tz)
    key = f"method.{c.shopper.evidence.method}"
    method = say(key) if key in TEXT else ""
    receipt = Receipt(
        kiosk.merchant, event.transfer_id, amount, when, customer, method, event.offline, event.receipt_url
    )
    thanks = say("pay.thanks_name", name=customer.rstrip(".")) if customer else say("pay.thanks")
    return ResultView(Outcome.APPROVED, say("pay.approved.headline"), thanks, receipt)


def _cashier_answer(c: Context, event: ev.Event, kind: EventType, staff: StaffSignIn) -> Context:
    state, notes = c.state, c.notes
    if isinstance(event, ev.LedgerUnreachable) and state is S.PROCESSING:
        # The payment service's own sentence: not sent, or outcome unknown and any charge returned.
        text = event.message or decline_text("unreachable", "")
        return replace(c, result=ResultView(Outcome.DECLINED, say("pay.not_completed.headline"), text))
    if kind is E.LEDGER_UNREACHABLE and state is S.CASHIER_VERIFYING:
        return replace(c, notes=replace(notes, login=say("staff.unreachable")))
    if kind is E.LEDGER_UNREACHABLE:
        return replace(c, notes=replace(notes, cashier=say("cashier.unreachable")))
    if isinstance(event, ev.CashierRejected):
        staff.failed(c.now)
        refusal = staff_refusal(staff.cashier_id, event.code, event.retry_after_s)
        return replace(c, notes=replace(notes, login=refusal))
    if kind is E.CASHIER_OK:
        staff.signed_in()
        unknown = c.result.outcome is Outcome.UNKNOWN and c.sale is not None
        notice = say("cashier.last_unknown") if unknown else ""
        return replace(c, locked=False, notes=replace(notes, login="", cashier=notice))
    if kind is E.CANCEL_SALE:
        return replace(c, sale=None, since=c.now, notes=replace(notes, cashier=say("pay.sale_cancelled")))
    if isinstance(event, ev.RefundDone):
        amount = format_amount(event.amount_minor, event.currency)
        if event.voided:
            done = say("cashier.voided", amount=amount, transfer=event.transfer_id)
        else:
            done = say("cashier.refunded", amount=amount, transfer=event.transfer_id)
        return replace(c, refund=None, notes=replace(notes, cashier=done))
    if isinstance(event, ev.RefundFailed):
        return replace(c, notes=replace(notes, cashier=say("cashier.refund_refused", message=event.message)))
    if isinstance(event, ev.SummaryReady):
        return replace(c, summary=event.summary)
    if kind is E.LOCK:
        return replace(c, locked=True)
    return c
