"""Refund or void any payment of the day: what the cashier's picks mean and how they look.

Today's payments come from the terminal's journal (``RequestPayments``); the cashier picks
one, types how much to give back (up to what is left of it), and confirms on a screen that
names the amount and the shopper before anything is sent. A payment with nothing left is
refused at the pick, at once, with the reason.

The payment may also be picked by holding its receipt's QR code to the camera
(``REFUND_SCAN``): a receipt this terminal signed for one of today's payments leads to the
same amount and confirmation screens; anything else returns to the list with one line saying
why (``_receipt_scan``).
"""

from __future__ import annotations

from dataclasses import replace

from checkout import _events as ev
from checkout._context import Context, Kiosk, RefundPick
from checkout._effects import (
    AmountView,
    ReceiptScanView,
    RefundConfirmView,
    RefundLine,
    RefundListView,
    View,
)
from checkout._receipt_scan import ReceiptVerdict, check_receipt
from checkout._table import EventType, State
from checkout._text import format_amount, format_when, short_name
from checkout._wording import say
from checkout.ports import PaymentLine

__all__ = [
    "REFUND_STATES",
    "absorb_refund",
    "classify_refund",
    "receipt_scan",
    "refund_amount",
    "refund_confirm",
    "refund_list",
]

E, S = EventType, State

REFUND_STATES = frozenset({S.REFUND_LIST, S.REFUND_SCAN, S.REFUND_AMOUNT, S.REFUND_CONFIRM})

_VERDICT_KIND = {ReceiptVerdict.PICKED: E.PAYMENT_PICKED, ReceiptVerdict.NOTHING_LEFT: E.NOTHING_LEFT}


def _line(c: Context, transfer_id: str) -> PaymentLine | None:
    return next((p for p in c.payments or () if p.transfer_id == transfer_id), None)


def classify_refund(c: Context, event: ev.Event, kiosk: Kiosk) -> EventType | None:
    """What a pick, a receipt, an amount or a void means in the refund states (None: not taken)."""
    if isinstance(event, ev.ScanReceipt):  # the list must be there to check the receipt against
        listed = c.state is S.REFUND_LIST and c.payments is not None
        return event.kind if listed and kiosk.receipt_key is not None else None
    if isinstance(event, ev.ReceiptRead):
        if c.state is not S.REFUND_SCAN:
            return None
        verdict = check_receipt(event.text, kiosk.receipt_key, c.payments).verdict
        return _VERDICT_KIND.get(verdict, E.RECEIPT_REFUSED)
    if isinstance(event, ev.PaymentPicked):
        line = _line(c, event.transfer_id)
        if line is None:
            return None
        return E.PAYMENT_PICKED if line.left_minor > 0 else E.NOTHING_LEFT
    if isinstance(event, ev.OpenSale) and c.state is S.REFUND_AMOUNT and c.refund is not None:
        if event.kind is None:
            return None
        return E.REFUND_AMOUNT if event.amount_minor <= c.refund.line.left_minor else E.SALE_TOO_LARGE
    if isinstance(event, ev.VoidPayment):
        return E.VOID if c.refund is not None and c.refund.line.voidable else None
    return event.kind


def absorb_refund(c: Context, event: ev.Event, kind: EventType, kiosk: Kiosk) -> Context:
    """The context after ``event`` (of ``kind``) in a refund state or on the way into one."""
    notes = c.notes
    if kind is E.REFUNDS:
        return replace(c, refund=None)
    if c.state is S.REFUND_SCAN:
        return _absorb_scan(c, event, kind, kiosk)
    if isinstance(event, ev.PaymentsListed):
        return replace(c, payments=event.lines)
    if kind is E.LEDGER_UNREACHABLE:
        return replace(c, payments=(), notes=replace(notes, notice=say("refund.no_list")))
    if kind is E.NOTHING_LEFT:
        return replace(c, notes=replace(notes, notice=say("refund.nothing_left")))
    if isinstance(event, ev.PaymentPicked):
        line = _line(c, event.transfer_id)
        return replace(c, refund=RefundPick(line) if line is not None else None)
    pick = c.refund
    if pick is None:
        return c
    if kind is E.SALE_TOO_LARGE:
        left = format_amount(pick.line.left_minor, pick.line.currency)
        return replace(c, notes=replace(notes, notice=say("refund.too_much", left=left)))
    if isinstance(event, ev.OpenSale):
        return replace(c, refund=replace(pick, amount_minor=event.amount_minor, void=False))
    if kind is E.VOID:
        return replace(c, refund=replace(pick, amount_minor=pick.line.amount_minor, void=True))
    if kind is E.CANCEL and c.state is S.REFUND_CONFIRM:
        return replace(c, refund=None)
    return c


def _absorb_scan(c: Context, event: ev.Event, kind: EventType, kiosk: Kiosk) -> Context:
    """A receipt's QR code picks its payment, or the list says why it did not."""
    notice = ""
    if isinstance(event, ev.ReceiptRead):
        check = check_receipt(event.text, kiosk.receipt_key, c.payments)
        if check.verdict is ReceiptVerdict.PICKED and check.line is not None:
            return replace(c, refund=RefundPick(check.line))
        notice = _refusal(check.verdict)
    elif kind is E.TIMEOUT:
        notice = say("refund.scan_nothing_seen")
    elif kind is E.CAMERA_LOST:
        notice = say("refund.scan_no_camera")
    return replace(c, notes=replace(c.notes, notice=notice)) if notice else c


def _refusal(verdict: ReceiptVerdict) -> str:
    """What the cashier reads on the list when a receipt held to the camera picked nothing."""
    if verdict is ReceiptVerdict.NOT_OURS:
        return say("refund.scan_not_ours")
    if verdict is ReceiptVerdict.NOT_TODAY:
        return say("refund.scan_not_today")
    if verdict is ReceiptVerdict.NOTHING_LEFT:
        return say("refund.nothing_left")
    return say("refund.scan_not_receipt")


def _shopper(line: PaymentLine, kiosk: Kiosk) -> str:
    name = short_name(kiosk.directory.display_name(line.customer_id))
    return name or say("refund.customer", customer=line.customer_id)


def _time(line: PaymentLine, kiosk: Kiosk) -> str:
    return format_when(line.at, kiosk.tz)[-5:]  # today's list: the time is enough


def _text(line: PaymentLine, kiosk: Kiosk) -> str:
    text = say(
        "refund.line",
        time=_time(line, kiosk),
        amount=format_amount(line.amount_minor, line.currency),
        shopper=_shopper(line, kiosk),
    )
    if line.left_minor <= 0:
        return text + say("refund.line_done")
    if line.left_minor < line.amount_minor:
        return text + say("refund.line_left", left=format_amount(line.left_minor, line.currency))
    return text


def refund_list(c: Context, kiosk: Kiosk) -> View:
    if c.payments is None:
        return RefundListView((), loading=True, notice=c.notes.notice)
    lines = tuple(RefundLine(p.transfer_id, _text(p, kiosk), p.left_minor > 0) for p in c.payments)
    return RefundListView(lines, notice=c.notes.notice, can_scan=kiosk.receipt_key is not None)


def receipt_scan(c: Context, kiosk: Kiosk) -> View:
    return ReceiptScanView(say("refund.scan_title"), say("refund.scan_prompt"))


def refund_amount(c: Context, kiosk: Kiosk) -> View:
    pick = c.refund
    if pick is None:  # not reached through the table: a plain pad
        return AmountView(kiosk.currency, c.notes.notice)
    line = pick.line
    left = format_amount(line.left_minor, line.currency)
    title = say("refund.amount_title", shopper=_shopper(line, kiosk), time=_time(line, kiosk))
    return AmountView(line.currency, c.notes.notice, title, say("refund.amount_subtitle", left=left))


def refund_confirm(c: Context, kiosk: Kiosk) -> View:
    pick = c.refund
    if pick is None:  # not reached through the table: nothing to confirm
        return RefundConfirmView("", "")
    line = pick.line
    amount = format_amount(pick.amount_minor, line.currency)
    prompt = say("refund.prompt", amount=amount, shopper=_shopper(line, kiosk))
    detail = say(
        "refund.detail",
        time=_time(line, kiosk),
        amount=format_amount(line.amount_minor, line.currency),
        transfer=line.transfer_id,
    )
    void = say("refund.void", amount=format_amount(line.amount_minor, line.currency)) if line.voidable else ""
    return RefundConfirmView(prompt, detail, void)
