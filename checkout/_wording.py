"""Everything a shopper or cashier reads, by key: the one table a translation replaces.

``say(key, **fields)`` translates one entry for the shopper's language (the installed
``checkout._locale.Localiser``) and formats it (``str.format`` fields in braces: a translation
keeps every field). The flow, its views and the kiosk screens take their sentences from here;
the keys name what the text is for, not what it says. Each entry is marked with
``QT_TRANSLATE_NOOP`` in the ``Wording`` context so that ``pyside6-lupdate`` collects it into
``terminal_ui/translations/*.ts`` while this package stays free of Qt. The vision side's
reasons (``vision.REASON_TEXT``, context ``Vision``) are translated the same way; the
ledger's own messages pass through unchanged.
"""

from __future__ import annotations

from checkout._locale import localiser

__all__ = ["CONTEXT", "QT_TRANSLATE_NOOP", "TEXT", "said", "say"]

CONTEXT = "Wording"  # the translation context of every entry (lupdate reads the literal below)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for ``pyside6-lupdate`` (the name is the one it looks for); returns it."""
    return text


TEXT: dict[str, str] = {
    # --- paying -------------------------------------------------------------
    "pay.unknown.headline": QT_TRANSLATE_NOOP("Wording", "Payment status unknown"),
    "pay.unknown": QT_TRANSLATE_NOOP(
        "Wording",
        "We got no answer from the payment service. Please ask the cashier to check before paying again.",
    ),
    "pay.walked_away": QT_TRANSLATE_NOOP(
        "Wording",
        "We didn't see a face for a while. Tap Pay to try again.",
    ),
    "pay.not_finished": QT_TRANSLATE_NOOP("Wording", "Payment not finished. Tap Pay to start again."),
    "pay.camera_gone": QT_TRANSLATE_NOOP(
        "Wording",
        "The camera isn't available. Enter your customer number, then your PIN.",
    ),
    "pay.use_pin": QT_TRANSLATE_NOOP("Wording", "Enter your customer number, then your PIN."),
    "pay.pin_fits_many": QT_TRANSLATE_NOOP(
        "Wording",
        "This PIN fits more than one account. Enter your customer number, then your PIN.",
    ),
    "pay.pin_for_amount": QT_TRANSLATE_NOOP("Wording", "For this amount, please confirm with your PIN."),
    "pay.wrong_pin": QT_TRANSLATE_NOOP("Wording", "Wrong PIN. Please try again."),
    "pay.enter_pin": QT_TRANSLATE_NOOP("Wording", "Enter your PIN"),
    "pay.not_you": QT_TRANSLATE_NOOP("Wording", "Not you? Use your customer number"),
    "pay.rejected.headline": QT_TRANSLATE_NOOP("Wording", "Payment not possible"),
    "pay.declined.headline": QT_TRANSLATE_NOOP("Wording", "Payment declined"),
    "pay.pin_locked.headline": QT_TRANSLATE_NOOP("Wording", "PIN locked"),
    "pay.not_completed.headline": QT_TRANSLATE_NOOP("Wording", "Payment not completed"),
    "pay.approved.headline": QT_TRANSLATE_NOOP("Wording", "Payment approved"),
    "pay.thanks": QT_TRANSLATE_NOOP("Wording", "Thank you."),
    "pay.thanks_name": QT_TRANSLATE_NOOP("Wording", "Thank you, {name}."),
    "pay.sale_cancelled": QT_TRANSLATE_NOOP("Wording", "Sale cancelled."),
    "method.face": QT_TRANSLATE_NOOP("Wording", "Face"),
    "method.face+pin": QT_TRANSLATE_NOOP("Wording", "Face + PIN"),
    "method.pin": QT_TRANSLATE_NOOP("Wording", "PIN"),
    # --- ledger declines (codes the shopper sees in plain words) -------------
    "decline.insufficient_funds": QT_TRANSLATE_NOOP(
        "Wording",
        "Not enough funds on your account. No money was taken.",
    ),
    "decline.limit_exceeded": QT_TRANSLATE_NOOP(
        "Wording",
        "This payment is above your account's limit. No money was taken.",
    ),
    "decline.account_blocked": QT_TRANSLATE_NOOP(
        "Wording",
        "Your account is blocked. Please ask the cashier.",
    ),
    "decline.unknown_customer": QT_TRANSLATE_NOOP(
        "Wording",
        "We don't know this customer number. No money was taken.",
    ),
    "decline.pin_locked": QT_TRANSLATE_NOOP(
        "Wording",
        "Too many wrong PINs: your PIN is locked. Please ask the cashier.",
    ),
    "decline.wrong_pin": QT_TRANSLATE_NOOP("Wording", "Wrong PIN. No money was taken."),
    "decline.unreachable": QT_TRANSLATE_NOOP(
        "Wording",
        "The payment service can't be reached. Please try again or ask the cashier.",
    ),
    "decline.other": QT_TRANSLATE_NOOP("Wording", "{message}. No money was taken."),
    "decline.plain": QT_TRANSLATE_NOOP("Wording", "Payment declined. No money was taken."),
    # --- waiting for the ledger ---------------------------------------------
    "busy.wait": QT_TRANSLATE_NOOP("Wording", "Please wait…"),
    "busy.pay": QT_TRANSLATE_NOOP("Wording", "Processing payment"),
    "busy.cashier": QT_TRANSLATE_NOOP("Wording", "Checking cashier PIN"),
    "busy.refund": QT_TRANSLATE_NOOP("Wording", "Refunding"),
    "busy.enrol": QT_TRANSLATE_NOOP("Wording", "Enrolling"),
    "busy.enrol.detail": QT_TRANSLATE_NOOP("Wording", "Checking the account and storing the face templates…"),
    "busy.erase": QT_TRANSLATE_NOOP("Wording", "Erasing"),
    "busy.erase.detail": QT_TRANSLATE_NOOP("Wording", "Removing face templates, consent and face link…"),
    # --- the cashier ---------------------------------------------------------
    "staff.pick": QT_TRANSLATE_NOOP("Wording", "Pick your cashier id or type it; then your own PIN."),
    "staff.locked": QT_TRANSLATE_NOOP("Wording", "Terminal locked. A cashier signs in to unlock it."),
    "staff.pin_title": QT_TRANSLATE_NOOP("Wording", "PIN of cashier {cashier}"),
    "staff.pin_locked_terminal": QT_TRANSLATE_NOOP("Wording", "Terminal locked. Cashier PIN to unlock."),
    "staff.only": QT_TRANSLATE_NOOP("Wording", "Staff only."),
    "staff.no_answer": QT_TRANSLATE_NOOP("Wording", "No answer from the payment service. Try again."),
    "staff.unreachable": QT_TRANSLATE_NOOP(
        "Wording",
        "The payment service can't be reached to check the PIN.",
    ),
    "staff.refused.locked": QT_TRANSLATE_NOOP(
        "Wording",
        "Cashier {cashier} is locked. Another cashier can sign in.",
    ),
    "staff.refused.locked_for": QT_TRANSLATE_NOOP(
        "Wording",
        "Cashier {cashier} is locked for {minutes} more {unit}. Another cashier can sign in.",
    ),
    "unit.minute": QT_TRANSLATE_NOOP("Wording", "minute"),
    "unit.minutes": QT_TRANSLATE_NOOP("Wording", "minutes"),
    "staff.refused.unknown": QT_TRANSLATE_NOOP("Wording", "No cashier {cashier} at this shop. Check the id."),
    "staff.refused.paused": QT_TRANSLATE_NOOP(
        "Wording",
        "Too many wrong PINs at this terminal: staff sign-in is paused{wait}.",
    ),
    "staff.refused.wait": QT_TRANSLATE_NOOP("Wording", " for {minutes} min"),
    "staff.refused.wrong_pin": QT_TRANSLATE_NOOP("Wording", "Wrong PIN for cashier {cashier}."),
    "cashier.unreachable": QT_TRANSLATE_NOOP("Wording", "The payment service can't be reached."),
    "cashier.refund_no_answer": QT_TRANSLATE_NOOP(
        "Wording",
        "No answer to the refund. Check today's totals before trying again.",
    ),
    "cashier.last_unknown": QT_TRANSLATE_NOOP(
        "Wording",
        "Last payment outcome unknown: check it before a new attempt.",
    ),
    "cashier.refunded": QT_TRANSLATE_NOOP("Wording", "Refunded {amount} (transaction {transfer})."),
    "cashier.refund_refused": QT_TRANSLATE_NOOP("Wording", "Refund refused: {message}"),
    "cashier.payments": QT_TRANSLATE_NOOP("Wording", "Payments: {count}, {amount}"),
    "cashier.refunds": QT_TRANSLATE_NOOP("Wording", "Refunds: {count}, {amount}"),
    # --- enrolment and erasure (cashier-started) --------------------------------
    "enrol.nothing_stored": QT_TRANSLATE_NOOP("Wording", "Nothing was stored."),
    "erase.nothing_erased": QT_TRANSLATE_NOOP("Wording", "Nothing was erased."),
    "enrol.timeout.enrol_customer": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: no customer number. Nothing was stored.",
    ),
    "enrol.timeout.enrol_proof": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: no PIN or enrolment code typed. Nothing was stored.",
    ),
    "enrol.timeout.enrol_code": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: no enrolment code typed. Nothing was stored.",
    ),
    "enrol.timeout.enrol_consent": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: consent not given in time. Nothing was stored.",
    ),
    "enrol.timeout.enrol_capture": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: not enough good pictures of the face in time. Nothing was stored.",
    ),
    "enrol.timeout.enrol_pin": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: no PIN chosen. Nothing was stored.",
    ),
    "enrol.timeout.enrol_pin_repeat": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment stopped: PIN not repeated. Nothing was stored.",
    ),
    "enrol.timeout.enrol_processing": QT_TRANSLATE_NOOP(
        "Wording",
        "No answer to the enrolment. Check with `facepay customer list` before enrolling again.",
    ),
    "enrol.timeout.erase_customer": QT_TRANSLATE_NOOP(
        "Wording",
        "Erasure stopped: no customer number. Nothing was erased.",
    ),
    "enrol.timeout.erase_confirm": QT_TRANSLATE_NOOP("Wording", "Erasure not confirmed. Nothing was erased."),
    "enrol.timeout.erase_pin": QT_TRANSLATE_NOOP(
        "Wording",
        "Erasure stopped: no PIN typed. Nothing was erased.",
    ),
    "enrol.timeout.erase_processing": QT_TRANSLATE_NOOP(
        "Wording",
        "No answer to the erasure. Run it again: erasing twice is harmless.",
    ),
    "enrol.cancel.enrol_proof": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.cancel.enrol_code": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.cancel.enrol_consent": QT_TRANSLATE_NOOP("Wording", "The shopper declined: nothing was stored."),
    "enrol.cancel.enrol_capture": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.cancel.enrol_pin": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.cancel.enrol_pin_repeat": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.cancel.erase_confirm": QT_TRANSLATE_NOOP("Wording", "Erasure cancelled. Nothing was erased."),
    "enrol.cancel.erase_pin": QT_TRANSLATE_NOOP("Wording", "Erasure cancelled. Nothing was erased."),
    "enrol.camera_gone": QT_TRANSLATE_NOOP(
        "Wording",
        "The camera isn't available: enrolment stopped. Nothing was stored.",
    ),
    "enrol.unreachable": QT_TRANSLATE_NOOP("Wording", "The payment service can't be reached."),
    "enrol.customer": QT_TRANSLATE_NOOP("Wording", "Enrol a shopper: type their customer number."),
    "erase.customer": QT_TRANSLATE_NOOP(
        "Wording",
        "Erase a shopper's face data: type their customer number.",
    ),
    "enrol.account": QT_TRANSLATE_NOOP("Wording", "Account {subject}"),
    "enrol.proof_help": QT_TRANSLATE_NOOP(
        "Wording",
        "Type this account's PIN to show it is yours; it stays the same. New account or "
        "forgotten PIN: use the shop's enrolment code.",
    ),
    "enrol.code_option": QT_TRANSLATE_NOOP("Wording", "No PIN? Enrolment code"),
    "enrol.code_title": QT_TRANSLATE_NOOP("Wording", "Enrolment code"),
    "enrol.code_help": QT_TRANSLATE_NOOP(
        "Wording",
        "Type the {digits}-digit code the shop gave you. Then you choose your PIN.",
    ),
    "enrol.code_length": QT_TRANSLATE_NOOP("Wording", "An enrolment code has {digits} digits."),
    "enrol.pin_title": QT_TRANSLATE_NOOP("Wording", "Choose your PIN"),
    "enrol.pin_help": QT_TRANSLATE_NOOP(
        "Wording",
        "4 to 12 digits. You type it when your face alone can't confirm a payment.",
    ),
    "enrol.repeat_title": QT_TRANSLATE_NOOP("Wording", "Repeat your PIN"),
    "enrol.repeat_help": QT_TRANSLATE_NOOP("Wording", "Type the same PIN again."),
    "enrol.pins_differ": QT_TRANSLATE_NOOP("Wording", "The two PINs were different. Choose a PIN again."),
    "erase.pin_help": QT_TRANSLATE_NOOP("Wording", "Type this account's PIN to erase your face data."),
    "enrol.done": QT_TRANSLATE_NOOP(
        "Wording",
        "Customer {customer} enrolled ({templates} templates, {pin}).",
    ),
    "enrol.pin_set": QT_TRANSLATE_NOOP("Wording", "new PIN set"),
    "enrol.pin_stays": QT_TRANSLATE_NOOP("Wording", "the account's PIN stays"),
    "enrol.for_minutes": QT_TRANSLATE_NOOP("Wording", " for {minutes} more {unit}"),
    "enrol.tries_left": QT_TRANSLATE_NOOP("Wording", " ({left} tries left)"),
    "enrol.refused": QT_TRANSLATE_NOOP("Wording", "Enrolment refused: {reason}."),
    "enrol.refused.wrong_pin": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: wrong PIN for account {subject}{left}.",
    ),
    "enrol.refused.pin_locked": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: the PIN of account {subject} is locked{wait}.",
    ),
    "enrol.refused.bad_enrolment_code": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: the enrolment code is wrong, used or expired. Ask for a new code.",
    ),
    "enrol.refused.proof_required": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: account {subject} has no PIN yet. The shopper needs an enrolment "
        "code from the shop.",
    ),
    "enrol.refused.too_many": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: too many wrong PINs at this terminal, paused{wait}.",
    ),
    "enrol.refused.cashier_pin": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolment refused: the cashier PIN was not accepted. Sign in again.",
    ),
    "erase.refused": QT_TRANSLATE_NOOP("Wording", "Erasure refused: {reason}."),
    "erase.refused.wrong_pin": QT_TRANSLATE_NOOP(
        "Wording",
        "Erasure refused: wrong PIN for account {subject}.",
    ),
    "erase.refused.pin_locked": QT_TRANSLATE_NOOP(
        "Wording",
        "Erasure refused: the PIN of account {subject} is locked.",
    ),
    "erase.refused.proof_required": QT_TRANSLATE_NOOP(
        "Wording",
        "Erasure refused: only the shopper's PIN or a cashier of the shop where the face was "
        "enrolled can erase it.",
    ),
    "erased.templates": QT_TRANSLATE_NOOP("Wording", "Face templates removed: {count}"),
    "erased.consent": QT_TRANSLATE_NOOP("Wording", "Consent record and face link removed."),
    "erased.terminal_audit": QT_TRANSLATE_NOOP("Wording", "Terminal audit entry: {hash}…"),
    "erased.ledger_audit": QT_TRANSLATE_NOOP("Wording", "Ledger audit entry: {hash}…"),
    "erased.ledger_unconfirmed": QT_TRANSLATE_NOOP("Wording", "Ledger: not confirmed."),
    "erased.kept": QT_TRANSLATE_NOOP(
        "Wording",
        "The account, its money and its PIN stay. Payment records are kept without face data.",
    ),
    "locked": QT_TRANSLATE_NOOP("Wording", "Please use another checkout. Staff can reopen this one."),
    # --- the kiosk screens' own labels and buttons --------------------------------
    "ui.ok": QT_TRANSLATE_NOOP("Wording", "OK"),
    "ui.next": QT_TRANSLATE_NOOP("Wording", "Next"),
    "ui.done": QT_TRANSLATE_NOOP("Wording", "Done"),
    "ui.cancel": QT_TRANSLATE_NOOP("Wording", "Cancel"),
    "ui.use_pin": QT_TRANSLATE_NOOP("Wording", "Use PIN"),
    "ui.staff_key": QT_TRANSLATE_NOOP("Wording", "Staff (F2)"),
    "ui.erase_key": QT_TRANSLATE_NOOP("Wording", "Erase"),
    "ui.language": QT_TRANSLATE_NOOP("Wording", "Language: {language}"),
    "ui.staff_name": QT_TRANSLATE_NOOP("Wording", "Staff menu"),
    "ui.more_time": QT_TRANSLATE_NOOP("Wording", "More time"),
    "ui.seconds_left": QT_TRANSLATE_NOOP("Wording", "{seconds} s left"),
    "ui.sound_on": QT_TRANSLATE_NOOP("Wording", "Sound guide: on"),
    "ui.sound_off": QT_TRANSLATE_NOOP("Wording", "Sound guide: off"),
    "ui.digits_typed": QT_TRANSLATE_NOOP("Wording", "{count} digits typed"),
    "ui.large_text": QT_TRANSLATE_NOOP("Wording", "Large text (F3)"),
    "access.result": QT_TRANSLATE_NOOP("Wording", "Payment result"),
    "access.camera": QT_TRANSLATE_NOOP("Wording", "Camera picture"),
    "access.face_icon": QT_TRANSLATE_NOOP("Wording", "Face payment sign"),
    "access.keypad": QT_TRANSLATE_NOOP("Wording", "Number pad"),
    "access.entry": QT_TRANSLATE_NOOP("Wording", "Typed entry"),
    "access.qr": QT_TRANSLATE_NOOP("Wording", "Receipt QR code"),
    "ui.customer": QT_TRANSLATE_NOOP("Wording", "Customer {customer}"),
    "ui.paying": QT_TRANSLATE_NOOP("Wording", "Paying {amount}"),
    "idle.heading": QT_TRANSLATE_NOOP("Wording", "Welcome"),
    "idle.body": QT_TRANSLATE_NOOP(
        "Wording",
        "Pay with your face, or with your customer number and PIN.\nThe cashier will start your payment.",
    ),
    "sale.caption": QT_TRANSLATE_NOOP("Wording", "Amount to pay"),
    "sale.pay": QT_TRANSLATE_NOOP("Wording", "Pay with face"),
    "scan.paying": QT_TRANSLATE_NOOP("Wording", "Paying"),
    "scan.use_pin": QT_TRANSLATE_NOOP("Wording", "Use PIN instead"),
    "scan.masked": QT_TRANSLATE_NOOP("Wording", "Mask on? That's fine: we may ask for your PIN"),
    "challenge.heading": QT_TRANSLATE_NOOP("Wording", "One more check"),
    "challenge.hint": QT_TRANSLATE_NOOP("Wording", "Slowly, then look back at the camera"),
    "challenge.left": QT_TRANSLATE_NOOP("Wording", "{seconds} s left"),
    "challenge.up": QT_TRANSLATE_NOOP("Wording", "Time is up"),
    "confirm.hint": QT_TRANSLATE_NOOP("Wording", "Not you? Tap Cancel."),
    "confirm.pay": QT_TRANSLATE_NOOP("Wording", "Pay"),
    "confirm.prompt": QT_TRANSLATE_NOOP("Wording", "Pay {amount}?"),
    "confirm.prompt_name": QT_TRANSLATE_NOOP("Wording", "Pay {amount} as {customer}?"),
    "receipt.amount": QT_TRANSLATE_NOOP("Wording", "Amount: {amount}"),
    "receipt.date": QT_TRANSLATE_NOOP("Wording", "Date: {when}"),
    "receipt.transaction": QT_TRANSLATE_NOOP("Wording", "Transaction: {transfer}"),
    "receipt.customer": QT_TRANSLATE_NOOP("Wording", "Customer: {customer}"),
    "receipt.method": QT_TRANSLATE_NOOP("Wording", "Confirmed by: {method}"),
    "receipt.offline": QT_TRANSLATE_NOOP("Wording", "Stored offline, sent when the network is back"),
    "confirm.merchant": QT_TRANSLATE_NOOP("Wording", "Paying at {merchant}"),
    "customer.title": QT_TRANSLATE_NOOP("Wording", "Customer number"),
    "pin.last_attempt": QT_TRANSLATE_NOOP("Wording", "1 attempt left before the PIN is locked."),
    "pin.attempts_left": QT_TRANSLATE_NOOP("Wording", "{left} attempts left."),
    "pin.wait": QT_TRANSLATE_NOOP("Wording", "Too many wrong PINs: wait {seconds} s before the next try."),
    "result.call_cashier": QT_TRANSLATE_NOOP("Wording", "Call the cashier"),
    "result.scan_receipt": QT_TRANSLATE_NOOP("Wording", "Scan for your receipt"),
    "result.receipt_title": QT_TRANSLATE_NOOP("Wording", "Receipt · {merchant}"),
    "amount.title": QT_TRANSLATE_NOOP("Wording", "New sale"),
    "amount.subtitle": QT_TRANSLATE_NOOP("Wording", "Type the amount to pay"),
    "staff.title": QT_TRANSLATE_NOOP("Wording", "Staff sign-in"),
    "cashier.heading": QT_TRANSLATE_NOOP("Wording", "Cashier"),
    "cashier.today": QT_TRANSLATE_NOOP("Wording", "Today"),
    "cashier.exit": QT_TRANSLATE_NOOP("Wording", "Exit (Esc)"),
    "cashier.open_sale": QT_TRANSLATE_NOOP("Wording", "Open sale"),
    "cashier.cancel_sale": QT_TRANSLATE_NOOP("Wording", "Cancel sale"),
    "cashier.lock": QT_TRANSLATE_NOOP("Wording", "Lock terminal"),
    "cashier.enrol": QT_TRANSLATE_NOOP("Wording", "Enrol shopper"),
    "cashier.erase": QT_TRANSLATE_NOOP("Wording", "Erase shopper"),
    "cashier.sale": QT_TRANSLATE_NOOP("Wording", "Open sale: {amount}"),
    "cashier.no_sale": QT_TRANSLATE_NOOP("Wording", "No open sale"),
    "cashier.loading": QT_TRANSLATE_NOOP("Wording", "Loading today's totals…"),
    "cashier.verdict": QT_TRANSLATE_NOOP("Wording", "Reconciliation: {verdict}"),
    "cashier.verdict.agree": QT_TRANSLATE_NOOP("Wording", "Journal and ledger agree."),
    "cashier.verdict.disagree": QT_TRANSLATE_NOOP(
        "Wording", "Journal and ledger do not agree: the merchant's report (facepay report) shows where."
    ),
    "cashier.verdict.unconfirmed": QT_TRANSLATE_NOOP(
        "Wording", "Not settled yet: some payments are still open; the kiosk keeps trying."
    ),
    "locked.heading": QT_TRANSLATE_NOOP("Wording", "Checkout closed"),
    "consent.heading": QT_TRANSLATE_NOOP("Wording", "Your consent"),
    "consent.decline": QT_TRANSLATE_NOOP("Wording", "Decline"),
    "consent.agree": QT_TRANSLATE_NOOP("Wording", "Agree"),
    "consent.customer": QT_TRANSLATE_NOOP(
        "Wording",
        "Enrolling customer {customer}. Please read, then choose.",
    ),
    "consent.version": QT_TRANSLATE_NOOP("Wording", "Consent text version {version}"),
    "capture.heading": QT_TRANSLATE_NOOP("Wording", "Enrolment"),
    "capture.hold_still": QT_TRANSLATE_NOOP("Wording", "Look at the camera and hold still"),
    "capture.kept": QT_TRANSLATE_NOOP("Wording", "Pictures kept: {accepted} of {needed}"),
    "capture.starting": QT_TRANSLATE_NOOP("Wording", "Starting the camera…"),
    "erase.heading": QT_TRANSLATE_NOOP("Wording", "Erase shopper?"),
    "erase.shopper_pin": QT_TRANSLATE_NOOP("Wording", "Shopper's PIN"),
    "erase.name": QT_TRANSLATE_NOOP("Wording", " ({name})"),
    "erase.not_here": QT_TRANSLATE_NOOP("Wording", " (not enrolled at this terminal)"),
    "erase.erase": QT_TRANSLATE_NOOP("Wording", "Erase"),
    "erase.what": QT_TRANSLATE_NOOP(
        "Wording",
        "This removes the shopper's face templates, their consent record and the link between "
        "their face and their account, here and at the payment service. The account, its money "
        "and its PIN stay. It cannot be undone.",
    ),
    "erase.who": QT_TRANSLATE_NOOP(
        "Wording",
        "Erase on your authority as the signed-in cashier of this shop, or let the shopper "
        "type their own PIN.",
    ),
    "erased.heading": QT_TRANSLATE_NOOP("Wording", "Shopper erased"),
    # --- added: refunds, names, out of service, the till -------------------------
    "decline.invalid_amount": QT_TRANSLATE_NOOP(
        "Wording", "This amount can't be paid at this checkout. No money was taken."
    ),
    "cashier.voided": QT_TRANSLATE_NOOP("Wording", "Voided {amount} (transaction {transfer})."),
    "refund.title": QT_TRANSLATE_NOOP("Wording", "Refund or void a payment"),
    "refund.subtitle": QT_TRANSLATE_NOOP(
        "Wording", "Today's payments at this checkout, newest first. Pick one."
    ),
    "refund.loading": QT_TRANSLATE_NOOP("Wording", "Loading today's payments…"),
    "refund.none": QT_TRANSLATE_NOOP("Wording", "No payments today at this checkout."),
    "refund.no_list": QT_TRANSLATE_NOOP("Wording", "Today's payments could not be read."),
    "refund.nothing_left": QT_TRANSLATE_NOOP(
        "Wording", "Nothing left to refund on this payment: it was refunded or voided in full."
    ),
    "refund.line": QT_TRANSLATE_NOOP("Wording", "{time}   {amount}   {shopper}"),
    "refund.line_left": QT_TRANSLATE_NOOP("Wording", "   ({left} left)"),
    "refund.line_done": QT_TRANSLATE_NOOP("Wording", "   (refunded)"),
    "refund.customer": QT_TRANSLATE_NOOP("Wording", "customer {customer}"),
    "refund.amount_title": QT_TRANSLATE_NOOP("Wording", "Refund to {shopper} ({time})"),
    "refund.amount_subtitle": QT_TRANSLATE_NOOP("Wording", "Type the amount to give back, up to {left}"),
    "refund.too_much": QT_TRANSLATE_NOOP("Wording", "Only {left} is left to refund on this payment."),
    "refund.prompt": QT_TRANSLATE_NOOP("Wording", "Refund {amount} to {shopper}?"),
    "refund.detail": QT_TRANSLATE_NOOP(
        "Wording", "Payment of {time}, {amount}, transaction {transfer}. Nothing is sent before you confirm."
    ),
    "refund.confirm": QT_TRANSLATE_NOOP("Wording", "Refund"),
    "refund.void": QT_TRANSLATE_NOOP("Wording", "Void all {amount}"),
    "refund.back": QT_TRANSLATE_NOOP("Wording", "Back"),
    "refund.scan": QT_TRANSLATE_NOOP("Wording", "Scan receipt"),
    "refund.scan_title": QT_TRANSLATE_NOOP("Wording", "Scan the shopper's receipt"),
    "refund.scan_prompt": QT_TRANSLATE_NOOP(
        "Wording", "Hold the QR code of the receipt (paper or phone) up to the camera."
    ),
    "refund.scan_not_receipt": QT_TRANSLATE_NOOP("Wording", "That QR code is not a payment receipt."),
    "refund.scan_not_ours": QT_TRANSLATE_NOOP(
        "Wording", "That receipt was not issued by this checkout. Refund it where it was paid."
    ),
    "refund.scan_not_today": QT_TRANSLATE_NOOP(
        "Wording", "That receipt is not one of today's payments at this checkout."
    ),
    "refund.scan_nothing_seen": QT_TRANSLATE_NOOP(
        "Wording", "No receipt QR code was seen. Try again, or pick the payment from the list."
    ),
    "refund.scan_no_camera": QT_TRANSLATE_NOOP(
        "Wording", "The camera is not available. Pick the payment from the list."
    ),
    "enrol.timeout.enrol_name": QT_TRANSLATE_NOOP(
        "Wording", "Enrolment stopped: no name typed. Nothing was stored."
    ),
    "enrol.cancel.enrol_name": QT_TRANSLATE_NOOP("Wording", "Enrolment cancelled. Nothing was stored."),
    "enrol.name_title": QT_TRANSLATE_NOOP("Wording", "Your name at the checkout"),
    "enrol.name_help": QT_TRANSLATE_NOOP(
        "Wording",
        'Type your first name and the first letter of your last name, e.g. Anna K. The checkout asks "Pay … as Anna K.?" so you can tell it is you.',  # noqa: E501
    ),
    "name.next": QT_TRANSLATE_NOOP("Wording", "Next"),
    "name.space": QT_TRANSLATE_NOOP("Wording", "Space"),
    "name.delete": QT_TRANSLATE_NOOP("Wording", "Delete"),
    "oos.pin_only": QT_TRANSLATE_NOOP("Wording", "Face payment out of order"),
    "oos.pin_only.body": QT_TRANSLATE_NOOP(
        "Wording", "You can still pay with your customer number and PIN. The cashier starts your payment."
    ),
    "oos.closed": QT_TRANSLATE_NOOP("Wording", "Checkout out of service"),
    "oos.closed.body": QT_TRANSLATE_NOOP(
        "Wording", "Payments can't be made here right now. Please use another checkout."
    ),
    "oos.reason.camera": QT_TRANSLATE_NOOP(
        "Wording", "The camera isn't working: check its cable, then restart the kiosk."
    ),
    "oos.reason.ledger": QT_TRANSLATE_NOOP(
        "Wording", "The payment service can't be reached: check the network."
    ),
    "oos.staff_title": QT_TRANSLATE_NOOP("Wording", "For staff"),
    "cashier.warn.camera": QT_TRANSLATE_NOOP(
        "Wording", "No camera: face payment is off. Shoppers pay with customer number and PIN."
    ),
    "cashier.warn.ledger": QT_TRANSLATE_NOOP(
        "Wording", "The payment service can't be reached: no payment can be made here."
    ),
    "cashier.offline": QT_TRANSLATE_NOOP(
        "Wording",
        "Your PIN could not be checked: the payment service can't be reached. Only Lock works until it is back.",  # noqa: E501
    ),
    "amount.too_large": QT_TRANSLATE_NOOP(
        "Wording",
        "That is more than this shop's maximum sale of {limit}. Check the amount and type it again.",
    ),
    "cashier.refund": QT_TRANSLATE_NOOP("Wording", "Refund or void a payment"),
    "till.cancelled": QT_TRANSLATE_NOOP("Wording", "The sale was cancelled at the till."),
    "sale.reference": QT_TRANSLATE_NOOP("Wording", "Sale {reference}"),
}


def said(text: str, context: str = CONTEXT) -> str:
    """``text`` (an English entry of a marked table) in the shopper's language."""
    return localiser().translate(context, text)


def say(key: str, **fields: object) -> str:
    """The text for ``key`` in the shopper's language, its ``{fields}`` filled in."""
    text = said(TEXT[key])
    return text.format(**fields) if fields else text
