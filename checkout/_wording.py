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
    # --- enrolment and erasure (cashier-started) --------------------------------
    "enrol.nothing_stored": _NOTHING_STORED,
    "erase.nothing_erased": _NOTHING_ERASED,
    "enrol.timeout.enrol_customer": "Enrolment stopped: no customer number. " + _NOTHING_STORED,
    "enrol.timeout.enrol_proof": "Enrolment stopped: no PIN or enrolment code typed. " + _NOTHING_STORED,
    "enrol.timeout.enrol_code": "Enrolment stopped: no enrolment code typed. " + _NOTHING_STORED,
    "enrol.timeout.enrol_consent": "Enrolment stopped: consent not given in time. " + _NOTHING_STORED,
    "enrol.timeout.enrol_capture": "Enrolment stopped: not enough good pictures of the face in time. "
    + _NOTHING_STORED,
    "enrol.timeout.enrol_pin": "Enrolment stopped: no PIN chosen. " + _NOTHING_STORED,
    "enrol.timeout.enrol_pin_repeat": "Enrolment stopped: PIN not repeated. " + _NOTHING_STORED,
    "enrol.timeout.enrol_processing": "No answer to the enrolment. Check with `facepay customer list` "
    "before enrolling again.",
    "enrol.timeout.erase_customer": "Erasure stopped: no customer number. " + _NOTHING_ERASED,
    "enrol.timeout.erase_confirm": "Erasure not confirmed. " + _NOTHING_ERASED,
    "enrol.timeout.erase_pin": "Erasure stopped: no PIN typed. " + _NOTHING_ERASED,
    "enrol.timeout.erase_processing": "No answer to the erasure. Run it again: erasing twice is harmless.",
    "enrol.cancel.enrol_proof": "Enrolment cancelled. " + _NOTHING_STORED,
    "enrol.cancel.enrol_code": "Enrolment cancelled. " + _NOTHING_STORED,
    "enrol.cancel.enrol_consent": "The shopper declined: nothing was stored.",
    "enrol.cancel.enrol_capture": "Enrolment cancelled. " + _NOTHING_STORED,
    "enrol.cancel.enrol_pin": "Enrolment cancelled. " + _NOTHING_STORED,
    "enrol.cancel.enrol_pin_repeat": "Enrolment cancelled. " + _NOTHING_STORED,
    "enrol.cancel.erase_confirm": "Erasure cancelled. " + _NOTHING_ERASED,
    "enrol.cancel.erase_pin": "Erasure cancelled. " + _NOTHING_ERASED,
    "enrol.camera_gone": "The camera isn't available: enrolment stopped. " + _NOTHING_STORED,
    "enrol.unreachable": "The payment service can't be reached.",
    "enrol.customer": "Enrol a shopper: type their customer number.",
    "erase.customer": "Erase a shopper's face data: type their customer number.",
    "enrol.account": "Account {subject}",
    "enrol.proof_help": "Type this account's PIN to show it is yours; it stays the same. "
    "New account or forgotten PIN: use the shop's enrolment code.",
    "enrol.code_option": "No PIN? Enrolment code",
    "enrol.code_title": "Enrolment code",
    "enrol.code_help": "Type the {digits}-digit code the shop gave you. Then you choose your PIN.",
    "enrol.code_length": "An enrolment code has {digits} digits.",
    "enrol.pin_title": "Choose your PIN",
    "enrol.pin_help": "4 to 12 digits. You type it when your face alone can't confirm a payment.",
    "enrol.repeat_title": "Repeat your PIN",
    "enrol.repeat_help": "Type the same PIN again.",
    "enrol.pins_differ": "The two PINs were different. Choose a PIN again.",
    "erase.pin_help": "Type this account's PIN to erase your face data.",
    "enrol.done": "Customer {customer} enrolled ({templates} templates, {pin}).",
    "enrol.pin_set": "new PIN set",
    "enrol.pin_stays": "the account's PIN stays",
    "enrol.for_minutes": " for {minutes} more {unit}",
    "enrol.tries_left": " ({left} tries left)",
    "enrol.refused": "Enrolment refused: {reason}.",
    "enrol.refused.wrong_pin": "Enrolment refused: wrong PIN for account {subject}{left}.",
    "enrol.refused.pin_locked": "Enrolment refused: the PIN of account {subject} is locked{wait}.",
    "enrol.refused.bad_enrolment_code": "Enrolment refused: the enrolment code is wrong, used or expired. "
    "Ask for a new code.",
    "enrol.refused.proof_required": "Enrolment refused: account {subject} has no PIN yet. The shopper "
    "needs an enrolment code from the shop.",
    "enrol.refused.too_many": "Enrolment refused: too many wrong PINs at this terminal, paused{wait}.",
    "enrol.refused.cashier_pin": "Enrolment refused: the cashier PIN was not accepted. Sign in again.",
    "erase.refused": "Erasure refused: {reason}.",
    "erase.refused.wrong_pin": "Erasure refused: wrong PIN for account {subject}.",
    "erase.refused.pin_locked": "Erasure refused: the PIN of account {subject} is locked.",
    "erase.refused.proof_required": "Erasure refused: only the shopper's PIN or a cashier of the shop "
    "where the face was enrolled can erase it.",
    "erased.templates": "Face templates removed: {count}",
    "erased.consent": "Consent record and face link removed.",
    "erased.terminal_audit": "Terminal audit entry: {hash}…",
    "erased.ledger_audit": "Ledger audit entry: {hash}…",
    "erased.ledger_unconfirmed": "Ledger: not confirmed.",
    "erased.kept": "The account, its money and its PIN stay. Payment records are kept without face data.",
    "locked": "Please use another checkout. Staff can reopen this one.",
}


def say(key: str, **fields: object) -> str:
    """The text for ``key``, its ``{fields}`` filled in."""
    text = TEXT[key]
    return text.format(**fields) if fields else text
