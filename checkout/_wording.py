"""Everything a shopper or cashier reads, by key: the one table a translation replaces.

``say(key, **fields)`` formats one entry (``str.format`` fields in braces). The flow, its
views and the kiosk screens take their sentences from here; the keys name what the text
is for, not what it says. The vision side's reasons (``vision.REASON_TEXT``) and the
ledger's own messages pass through unchanged.
"""

from __future__ import annotations

__all__ = ["TEXT", "say"]

_NOTHING_STORED = "Nothing was stored."
_NOTHING_ERASED = "Nothing was erased."

TEXT: dict[str, str] = {
    # --- paying -------------------------------------------------------------
    "pay.unknown.headline": "Payment status unknown",
    "pay.unknown": "We got no answer from the payment service. Please ask the cashier to check "
    "before paying again.",
    "pay.walked_away": "We didn't see a face for a while. Tap Pay to try again.",
    "pay.not_finished": "Payment not finished. Tap Pay to start again.",
    "pay.camera_gone": "The camera isn't available. Enter your customer number, then your PIN.",
    "pay.use_pin": "Enter your customer number, then your PIN.",
    "pay.pin_fits_many": "This PIN fits more than one account. Enter your customer number, then your PIN.",
    "pay.pin_for_amount": "For this amount, please confirm with your PIN.",
    "pay.wrong_pin": "Wrong PIN. Please try again.",
    "pay.enter_pin": "Enter your PIN",
    "pay.not_you": "Not you? Use your customer number",
    "pay.rejected.headline": "Payment not possible",
    "pay.declined.headline": "Payment declined",
    "pay.pin_locked.headline": "PIN locked",
    "pay.not_completed.headline": "Payment not completed",
    "pay.approved.headline": "Payment approved",
    "pay.thanks": "Thank you.",
    "pay.thanks_name": "Thank you, {name}.",
    "pay.sale_cancelled": "Sale cancelled.",
    "method.face": "Face",
    "method.face+pin": "Face + PIN",
    "method.pin": "PIN",
    # --- ledger declines (codes the shopper sees in plain words) -------------
    "decline.insufficient_funds": "Not enough funds on your account. No money was taken.",
    "decline.limit_exceeded": "This payment is above your account's limit. No money was taken.",
    "decline.account_blocked": "Your account is blocked. Please ask the cashier.",
    "decline.unknown_customer": "We don't know this customer number. No money was taken.",
    "decline.pin_locked": "Too many wrong PINs: your PIN is locked. Please ask the cashier.",
    "decline.wrong_pin": "Wrong PIN. No money was taken.",
    "decline.unreachable": "The payment service can't be reached. Please try again or ask the cashier.",
    "decline.other": "{message}. No money was taken.",
    "decline.plain": "Payment declined. No money was taken.",
    # --- waiting for the ledger ---------------------------------------------
    "busy.wait": "Please wait…",
    "busy.pay": "Processing payment",
    "busy.cashier": "Checking cashier PIN",
    "busy.refund": "Refunding last payment",
    "busy.enrol": "Enrolling",
    "busy.enrol.detail": "Checking the account and storing the face templates…",
    "busy.erase": "Erasing",
    "busy.erase.detail": "Removing face templates, consent and face link…",
    # --- the cashier ---------------------------------------------------------
    "staff.pick": "Pick your cashier id or type it; then your own PIN.",
    "staff.locked": "Terminal locked. A cashier signs in to unlock it.",
    "staff.pin_title": "PIN of cashier {cashier}",
    "staff.pin_locked_terminal": "Terminal locked. Cashier PIN to unlock.",
    "staff.only": "Staff only.",
    "staff.no_answer": "No answer from the payment service. Try again.",
    "staff.unreachable": "The payment service can't be reached to check the PIN.",
    "staff.refused.locked": "Cashier {cashier} is locked. Another cashier can sign in.",
    "staff.refused.locked_for": "Cashier {cashier} is locked for {minutes} more {unit}. "
    "Another cashier can sign in.",
    "staff.refused.unknown": "No cashier {cashier} at this shop. Check the id.",
    "staff.refused.paused": "Too many wrong PINs at this terminal: staff sign-in is paused{wait}.",
    "staff.refused.wait": " for {minutes} min",
    "staff.refused.wrong_pin": "Wrong PIN for cashier {cashier}.",
    "cashier.unreachable": "The payment service can't be reached.",
    "cashier.refund_no_answer": "No answer to the refund. Check today's totals before trying again.",
    "cashier.last_unknown": "Last payment outcome unknown: check it before a new attempt.",
    "cashier.refunded": "Refunded {amount} (transaction {transfer}).",
    "cashier.refund_refused": "Refund refused: {message}",
    "cashier.payments": "Payments: {count}, {amount}",
    "cashier.refunds": "Refunds: {count}, {amount}",
    "locked": "Please use another checkout. Staff can reopen this one.",
}


def say(key: str, **fields: object) -> str:
    """The text for ``key``, its ``{fields}`` filled in."""
    text = TEXT[key]
    return text.format(**fields) if fields else text
