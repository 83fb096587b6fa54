"""What each state shows: one function per kind of screen, from the flow's context.

A view function reads the context and returns display-ready text; it changes nothing.
The per-state table (``_specs.SPECS``) says which function renders which state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from checkout import _refunds
from checkout._context import Context, Kiosk
from checkout._effects import (
    AmountView,
    BusyView,
    CashierView,
    ChallengeView,
    ConfirmView,
    CustomerView,
    IdleView,
    LockedView,
    OutOfServiceView,
    PinView,
    SaleView,
    ScanView,
    StaffView,
    View,
)
from checkout._enrolment import EnrolContext
from checkout._staff import StaffSignIn
from checkout._text import format_amount, short_name
from checkout._wording import TEXT, say

__all__ = [
    "Look",
    "ViewFn",
    "amount",
    "busy",
    "cashier",
    "challenge",
    "confirm",
    "customer",
    "enrolment",
    "idle",
    "locked",
    "out_of_service",
    "pin",
    "receipt_scan",
    "refund_amount",
    "refund_confirm",
    "refund_list",
    "result",
    "sale",
    "scan",
    "short_customer",
    "staff",
    "staff_offline",
    "staff_pin",
]


@dataclass(frozen=True)
class Look:
    """Everything a view may read.

    Attributes:
        ctx: the flow's context.
        kiosk: the terminal's fixed facts.
        staff: the staff sign-in (cashier list, who signs in, the PIN pad's wait).
        enrol: the enrolment and erasure context.
    """

    ctx: Context
    kiosk: Kiosk
    staff: StaffSignIn
    enrol: EnrolContext

    @property
    def amount(self) -> str:
        """The open sale's amount as shown, empty without one."""
        return self.ctx.sale.amount if self.ctx.sale else ""


ViewFn = Callable[[Look], View]


def short_customer(ctx: Context, kiosk: Kiosk) -> str:
    """The shopper's short name, empty when the PIN chose among several (no name guessed)."""
    shopper = ctx.shopper
    if shopper.customer is None or len(shopper.candidates) > 1:
        return ""
    return short_name(kiosk.directory.display_name(shopper.customer))


def busy(what: str) -> ViewFn:
    """A waiting screen's view: wording ``busy.<what>`` and its detail line, if it has one."""
    detail = f"busy.{what}.detail" if f"busy.{what}.detail" in TEXT else "busy.wait"
    return lambda _look: BusyView(say(f"busy.{what}"), say(detail))


def pin(look: Look) -> View:
    shopper = look.ctx.shopper
    return PinView(
        False,
        say("pay.enter_pin"),
        shopper.message,
        look.amount,
        shopper.attempts_left,
        shopper.error,
        other_option=say("pay.not_you") if shopper.candidates else "",  # the face chose the number
    )


def staff(look: Look) -> View:
    message = say("staff.locked") if look.ctx.locked else say("staff.pick")
    return StaffView(look.staff.cashiers, message, look.ctx.notes.login)


def staff_pin(look: Look) -> View:
    ctx, staff = look.ctx, look.staff
    message = say("staff.pin_locked_terminal") if ctx.locked else say("staff.only")
    wait = math.ceil(max(0.0, staff.wait_until() - ctx.now))
    title = say("staff.pin_title", cashier=staff.cashier_id)
    return PinView(True, title, message, error=ctx.notes.login, wait_s=wait)


def _warning(look: Look) -> str:
    health = look.ctx.health
    if not health.ledger:
        return say("cashier.warn.ledger")
    return "" if health.camera else say("cashier.warn.camera")


# The reconciliation verdict's first words (``payments.reconcile.Verdict``) as the cashier reads
# them in the shop's language; the detail after the colon is for ``facepay report``.
_VERDICT_WORDS = {
    "totals agree": "cashier.verdict.agree",
    "totals do not agree": "cashier.verdict.disagree",
    "totals unconfirmed": "cashier.verdict.unconfirmed",
}


def _verdict(text: str) -> str:
    key = _VERDICT_WORDS.get(text.partition(":")[0].strip())
    return say(key) if key is not None else text


def cashier(look: Look) -> View:
    s, notice = look.ctx.summary, look.ctx.notes.cashier
    enrolment = look.enrol.consent is not None
    warning = _warning(look)
    if s is None:
        return CashierView(look.amount, notice, enrolment=enrolment, warning=warning)
    totals = (
        say("cashier.payments", count=s.payments, amount=format_amount(s.paid_minor, s.currency)),
        say("cashier.refunds", count=s.refunds, amount=format_amount(s.refunded_minor, s.currency)),
    )
    return CashierView(look.amount, notice, totals, _verdict(s.verdict), enrolment, warning)


def staff_offline(look: Look) -> View:
    return CashierView(look.amount, say("cashier.offline"), warning=_warning(look), offline=True)


def out_of_service(look: Look) -> View:
    health = look.ctx.health
    reasons = []
    if not health.camera:
        reasons.append(say("oos.reason.camera"))
    if not health.ledger:
        reasons.append(say("oos.reason.ledger"))
        return OutOfServiceView(say("oos.closed"), say("oos.closed.body"), tuple(reasons))
    return OutOfServiceView(say("oos.pin_only"), say("oos.pin_only.body"), tuple(reasons))


def enrolment(look: Look) -> View:
    name = short_name(look.kiosk.directory.display_name(look.enrol.subject))
    view = look.enrol.view(look.ctx.state, name)
    assert view is not None, look.ctx.state
    return view


def amount(look: Look) -> View:
    currency = look.ctx.sale.currency if look.ctx.sale else look.kiosk.currency
    return AmountView(currency, look.ctx.notes.notice)


def idle(look: Look) -> View:
    return IdleView(look.kiosk.merchant, look.ctx.notes.notice)


def sale(look: Look) -> View:
    ref = look.ctx.sale.reference if look.ctx.sale is not None else ""
    shown = say("sale.reference", reference=ref) if ref else ""
    return SaleView(look.amount, look.kiosk.merchant, look.ctx.notes.notice, shown)


def scan(look: Look) -> View:
    return ScanView(look.amount)


def challenge(look: Look) -> View:
    return ChallengeView(look.amount, look.ctx.direction, look.kiosk.timeouts.challenge_s)


def confirm(look: Look) -> View:
    return ConfirmView(look.amount, look.kiosk.merchant, short_customer(look.ctx, look.kiosk))


def customer(look: Look) -> View:
    return CustomerView(look.amount, look.ctx.shopper.message)


def refund_list(look: Look) -> View:
    return _refunds.refund_list(look.ctx, look.kiosk)


def receipt_scan(look: Look) -> View:
    return _refunds.receipt_scan(look.ctx, look.kiosk)


def refund_amount(look: Look) -> View:
    return _refunds.refund_amount(look.ctx, look.kiosk)


def refund_confirm(look: Look) -> View:
    return _refunds.refund_confirm(look.ctx, look.kiosk)


def result(look: Look) -> View:
    return look.ctx.result


def locked(_look: Look) -> View:
    return LockedView(say("locked"))
