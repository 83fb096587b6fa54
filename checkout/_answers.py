"""Port results turned into flow events: the flow's side of every ledger and enrolment call.

The kiosk's workers run these on a thread pool (they block) and hand the event they return
to the machine. Plain Python: the translation of an answer belongs to the flow, not to Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from checkout import _events as ev
from checkout._effects import (
    FinishTillSale,
    RequestPayments,
    RequestSummary,
    SendDebit,
    SendEnrolment,
    SendErasure,
    SendRefund,
    VerifyCashier,
)
from checkout.ports import Approved, Declined, Enroller, PaymentsPort, PaymentsUnavailable, TillDesk
from payments.till import DeskError, SaleResult, SaleStatus
from payments.wire import iso_time, utc_now

__all__ = ["EnrolmentRequest", "LedgerRequest", "answer", "answer_enrolment", "finish_till_sale", "till_news"]

log = logging.getLogger(__name__)

LedgerRequest = SendDebit | VerifyCashier | SendRefund | RequestPayments | RequestSummary
EnrolmentRequest = SendEnrolment | SendErasure


def answer(port: PaymentsPort, request: LedgerRequest) -> ev.Event | None:
    """Run one ledger request (blocking) and translate the result into a flow event.

    An unexpected error gives no answer at all: the flow then times out into "unknown",
    which is the truth (the debit may or may not have been posted).
    """
    rid = request.request_id
    try:
        if isinstance(request, SendDebit):
            result = port.pay(
                request.customer_id,
                request.amount_minor,
                request.currency,
                request.pin,
                request.evidence,
                request.allow_offline,
                request.candidates,
                request.reference,
                request.opened_by,
            )
            if isinstance(result, Approved):
                return ev.DebitApproved(
                    rid, result.transfer_id, result.at, result.offline, result.receipt_url
                )
            return ev.DebitDeclined(rid, result.code, result.message, result.attempts_left)
        if isinstance(request, VerifyCashier):
            signed = port.verify_cashier(request.cashier_id, request.pin)
            if isinstance(signed, Declined):
                return ev.CashierRejected(rid, signed.code, signed.retry_after_s)
            return ev.CashierVerified(rid)
        if isinstance(request, SendRefund):
            refund = port.refund(request.transfer_id, request.amount_minor, void=request.void)
            if isinstance(refund, Declined):
                return ev.RefundFailed(rid, refund.message or refund.code)
            return ev.RefundDone(rid, refund.transfer_id, refund.amount_minor, refund.currency, refund.voided)
        if isinstance(request, RequestPayments):
            return ev.PaymentsListed(rid, port.todays_payments())
        return ev.SummaryReady(rid, port.today_summary())
    except PaymentsUnavailable as exc:
        return ev.LedgerUnreachable(rid, str(exc))
    except Exception:
        log.exception("ledger request %s failed unexpectedly", type(request).__name__)
        return None


def answer_enrolment(enroller: Enroller, request: EnrolmentRequest) -> ev.Event | None:
    """Run one enrolment or erasure (blocking) and translate the result into a flow event."""
    rid = request.request_id
    try:
        if isinstance(request, SendEnrolment):
            done = enroller.enrol(request.customer_id, request.pin, request.code, request.name)
            if isinstance(done, Declined):
                left, wait = done.attempts_left, done.retry_after_s
                return ev.EnrolmentFailed(rid, done.code, done.message, left, wait)
            return ev.EnrolmentDone(rid, done.customer_id, done.templates, done.pin_set)
        erased = enroller.erase(request.customer_id, request.pin)
        if isinstance(erased, Declined):
            return ev.ErasureFailed(rid, erased.message or erased.code, erased.code)
        return ev.ErasureDone(rid, erased)
    except PaymentsUnavailable as exc:
        return ev.LedgerUnreachable(rid, str(exc))
    except Exception:
        log.exception("%s failed unexpectedly", type(request).__name__)
        return None


def till_news(desk: TillDesk, wait_s: float, *, free: Callable[[], bool]) -> ev.Event | None:
    """What the till did, waiting up to ``wait_s`` (blocking): a sale it opened (taken only while
    ``free()``, the kiosk idle) or its cancel of the sale on screen; None when nothing."""
    sale = desk.poll(wait_s, free=free)
    if sale is None:
        return None
    if sale.status is SaleStatus.IN_PROGRESS and not sale.cancel_requested:
        return ev.TillSaleOpened(sale.amount_minor, sale.currency, sale.sale_ref, sale.till_id)
    return ev.TillCancel(sale.sale_ref)


def finish_till_sale(desk: TillDesk, end: FinishTillSale) -> None:
    """Give the till the kiosk's final word on its sale (the till server signs what it reads)."""
    result = SaleResult(end.transfer_id, end.method, end.reason, iso_time(end.at) if end.at else utc_now())
    try:
        desk.finish(end.reference, end.status, result)
    except DeskError:
        log.warning(
            "the till's sale %s was already forgotten; its end (%s) is not told", end.reference, end.status
        )
