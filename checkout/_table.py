"""The checkout flow's states, event kinds and transition table, as plain data.

The table maps ``(State, EventType)`` to a target: a ``State``, or a ``Branch``
whose ``Guard`` the machine evaluates over its context (is the terminal locked,
is a sale open). A pair missing from the table means the event does not apply
in that state and is ignored. Tests walk this table as a graph: every state is
reachable from idle, idle is reachable from every state, and every state a
shopper can be left in has a cancel or a time-out edge.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "BUSY_STATES",
    "SCAN_STATES",
    "TRANSITIONS",
    "Branch",
    "EventType",
    "Guard",
    "Screen",
    "State",
    "Target",
]


class State(enum.Enum):
    """Where the checkout is."""

    IDLE = "idle"
    OUT_OF_SERVICE = "out_of_service"
    SALE_OPEN = "sale_open"
    SCANNING = "scanning"
    CHALLENGE = "challenge"
    CONFIRM = "confirm"
    CUSTOMER_ENTRY = "customer_entry"
    PIN_ENTRY = "pin_entry"
    PROCESSING = "processing"
    APPROVED = "approved"
    DECLINED = "declined"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    CASHIER_ID = "cashier_id"
    CASHIER_LOGIN = "cashier_login"
    CASHIER_VERIFYING = "cashier_verifying"
    CASHIER = "cashier"
    STAFF_OFFLINE = "staff_offline"
    AMOUNT_ENTRY = "amount_entry"
    REFUND_LIST = "refund_list"
    REFUND_SCAN = "refund_scan"
    REFUND_AMOUNT = "refund_amount"
    REFUND_CONFIRM = "refund_confirm"
    REFUND_PROCESSING = "refund_processing"
    LOCKED = "locked"
    ENROL_CUSTOMER = "enrol_customer"
    ENROL_PROOF = "enrol_proof"
    ENROL_CODE = "enrol_code"
    ENROL_CONSENT = "enrol_consent"
    ENROL_NAME = "enrol_name"
    ENROL_CAPTURE = "enrol_capture"
    ENROL_PIN = "enrol_pin"
    ENROL_PIN_REPEAT = "enrol_pin_repeat"
    ENROL_PROCESSING = "enrol_processing"
    ERASE_CUSTOMER = "erase_customer"
    ERASE_CONFIRM = "erase_confirm"
    ERASE_PIN = "erase_pin"
    ERASE_PROCESSING = "erase_processing"
    ERASED = "erased"


class EventType(enum.Enum):
    """What happened, as the table sees it (events are classified into these)."""

    TIMEOUT = "timeout"
    HEALTH = "health"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    USE_PIN = "use_pin"
    ACTIVITY = "activity"
    SCAN_PROGRESS = "scan_progress"
    SCAN_CHALLENGE = "scan_challenge"
    SCAN_MATCH = "scan_match"
    SCAN_NEED_PIN = "scan_need_pin"
    SCAN_NEED_ID = "scan_need_id"
    SCAN_REJECT = "scan_reject"
    CAMERA_LOST = "camera_lost"
    CUSTOMER_ENTERED = "customer_entered"
    NAME_ENTERED = "name_entered"
    PIN_ENTERED = "pin_entered"
    DEBIT_APPROVED = "debit_approved"
    DEBIT_DECLINED = "debit_declined"
    WRONG_PIN = "wrong_pin"
    NEED_CUSTOMER_ID = "need_customer_id"
    PIN_REQUIRED = "pin_required"
    PIN_LOCKED = "pin_locked"
    LEDGER_UNREACHABLE = "ledger_unreachable"
    CASHIER_KEY = "cashier_key"
    CASHIER_CHOSEN = "cashier_chosen"
    CASHIER_OK = "cashier_ok"
    CASHIER_BAD = "cashier_bad"
    CASHIER_REFUSED = "cashier_refused"
    NEW_SALE = "new_sale"
    SALE_OPENED = "sale_opened"
    TILL_SALE = "till_sale"
    TILL_CANCEL = "till_cancel"
    SALE_TOO_LARGE = "sale_too_large"
    CANCEL_SALE = "cancel_sale"
    REFUNDS = "refunds"
    PAYMENTS_LISTED = "payments_listed"
    PAYMENT_PICKED = "payment_picked"
    NOTHING_LEFT = "nothing_left"
    SCAN_RECEIPT = "scan_receipt"
    RECEIPT_REFUSED = "receipt_refused"
    REFUND_AMOUNT = "refund_amount"
    VOID = "void"
    REFUND_DONE = "refund_done"
    REFUND_FAILED = "refund_failed"
    SUMMARY_READY = "summary_ready"
    LOCK = "lock"
    ENROL = "enrol"
    ERASE = "erase"
    CAPTURE_PROGRESS = "capture_progress"
    CAPTURE_DONE = "capture_done"
    USE_CODE = "use_code"
    PIN_MISMATCH = "pin_mismatch"
    ENROL_DONE = "enrol_done"
    ENROL_FAILED = "enrol_failed"
    ERASE_DONE = "erase_done"
    ERASE_FAILED = "erase_failed"


class Guard(enum.Enum):
    """A yes/no question about the machine's context that picks a branch."""

    LOCKED = "locked"
    SALE_IS_OPEN = "sale_is_open"
    DEGRADED = "degraded"  # the camera or the ledger is down: idle shows the out-of-service page
    NEW_PIN = "new_pin"  # the shopper proved themself with an enrolment code: they choose a PIN


@dataclass(frozen=True)
class Branch:
    """Go to ``then`` when ``guard`` holds, else to ``otherwise``.

    Attributes:
        guard: the question.
        then: target when it holds.
        otherwise: target when it does not (may itself branch).
    """

    guard: Guard
    then: State
    otherwise: Target


Target = State | Branch


class Screen(enum.Enum):
    """The screen a state is shown on (several states share one)."""

    IDLE = "idle"
    OUT_OF_SERVICE = "out_of_service"
    SALE = "sale"
    SCAN = "scan"
    CHALLENGE = "challenge"
    CONFIRM = "confirm"
    CUSTOMER = "customer"
    PIN = "pin"
    BUSY = "busy"
    RESULT = "result"
    CASHIER = "cashier"
    REFUNDS = "refunds"
    REFUND_CONFIRM = "refund_confirm"
    RECEIPT_SCAN = "receipt_scan"
    STAFF = "staff"
    AMOUNT = "amount"
    LOCKED = "locked"
    CONSENT = "consent"
    NAME = "name"
    CAPTURE = "capture"
    ERASE = "erase"
    ERASED = "erased"


S, E = State, EventType

# Idle, or the out-of-service page while the camera or the ledger is down. The machine shows
# every way back to idle this way (``CheckoutMachine._go``).
_IDLE_OR_OUT = Branch(Guard.DEGRADED, S.OUT_OF_SERVICE, S.IDLE)
# Back to the open sale if there is one, else to idle (the cashier leaves their menu).
_BACK_TO_SALE = Branch(Guard.SALE_IS_OPEN, S.SALE_OPEN, S.IDLE)
# Cashier PIN pad abandoned: a locked terminal stays locked.
_LEAVE_LOGIN = Branch(Guard.LOCKED, S.LOCKED, _BACK_TO_SALE)

# States whose screen camera frames feed; the camera runs exactly while in one.
SCAN_STATES = frozenset({S.SCANNING, S.CHALLENGE, S.ENROL_CAPTURE, S.REFUND_SCAN})
# States waiting for the ledger: they end by its answer or their time-out, and
# the cashier key waits until then (an answer must not land in another state).
BUSY_STATES = frozenset(
    {S.PROCESSING, S.CASHIER_VERIFYING, S.REFUND_PROCESSING, S.ENROL_PROCESSING, S.ERASE_PROCESSING}
)

_SCAN_EDGES: dict[EventType, Target] = {
    E.SCAN_PROGRESS: S.SCANNING,
    E.SCAN_CHALLENGE: S.CHALLENGE,
    E.SCAN_MATCH: S.CONFIRM,
    E.SCAN_NEED_PIN: S.PIN_ENTRY,
    E.SCAN_NEED_ID: S.CUSTOMER_ENTRY,
    E.SCAN_REJECT: S.REJECTED,
    E.CAMERA_LOST: S.CUSTOMER_ENTRY,
    E.USE_PIN: S.CUSTOMER_ENTRY,
    E.TILL_CANCEL: S.IDLE,
    E.CANCEL: S.SALE_OPEN,
    E.TIMEOUT: S.SALE_OPEN,
    E.CASHIER_KEY: S.CASHIER_ID,
}

_DEBIT_ANSWERS: dict[EventType, Target] = {
    E.DEBIT_APPROVED: S.APPROVED,
    E.DEBIT_DECLINED: S.DECLINED,
    E.WRONG_PIN: S.PIN_ENTRY,
    E.NEED_CUSTOMER_ID: S.CUSTOMER_ENTRY,
    E.PIN_REQUIRED: S.PIN_ENTRY,
    E.PIN_LOCKED: S.DECLINED,
    E.LEDGER_UNREACHABLE: S.DECLINED,
}

# Back to the sale, which stays open after a declined or rejected attempt at the kiosk's own
# pad; a till's sale ends at its first outcome (the till opens another), so idle.
_RESULT_EXIT_TO_SALE: dict[EventType, Target] = {
    E.CANCEL: _BACK_TO_SALE,
    E.CONFIRM: _BACK_TO_SALE,
    E.TIMEOUT: _BACK_TO_SALE,
    E.TILL_SALE: S.SALE_OPEN,  # the till's next sale (the machine lets it in only with no sale open)
    E.CASHIER_KEY: S.CASHIER_ID,
}


# Enrolment and erasure are cashier-started: every way out of them leads back to the
# cashier's menu (which itself times out to the sale or idle), and nothing is kept.
_TO_MENU: dict[EventType, Target] = {E.CANCEL: S.CASHIER, E.TIMEOUT: S.CASHIER, E.CASHIER_KEY: S.CASHIER}
_PAD: dict[EventType, Target] = {**_TO_MENU, E.ACTIVITY: S.ENROL_PIN}


def _edges(state: State, edges: dict[EventType, Target]) -> dict[tuple[State, EventType], Target]:
    return {(state, kind): target for kind, target in edges.items()}


TRANSITIONS: dict[tuple[State, EventType], Target] = {
    **_edges(
        S.IDLE,
        {
            E.SALE_OPENED: S.SALE_OPEN,
            E.TILL_SALE: S.SALE_OPEN,
            E.CASHIER_KEY: S.CASHIER_ID,
            E.HEALTH: _IDLE_OR_OUT,
        },
    ),
    # Out of service: staff still sign in (to open a PIN-only sale, or to lock); the page
    # leaves by itself when the part comes back.
    **_edges(
        S.OUT_OF_SERVICE,
        {E.SALE_OPENED: S.SALE_OPEN, E.CASHIER_KEY: S.CASHIER_ID, E.HEALTH: _IDLE_OR_OUT},
    ),
    **_edges(
        S.SALE_OPEN,
        {
            E.TILL_CANCEL: S.IDLE,
            E.CONFIRM: S.SCANNING,
            E.USE_PIN: S.CUSTOMER_ENTRY,
            E.CANCEL: S.IDLE,
            E.TIMEOUT: S.IDLE,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    **_edges(S.SCANNING, _SCAN_EDGES),
    **_edges(S.CHALLENGE, {**_SCAN_EDGES, E.SCAN_PROGRESS: S.CHALLENGE}),
    **_edges(
        S.CONFIRM,
        {
            E.TILL_CANCEL: S.IDLE,
            E.CONFIRM: S.PROCESSING,
            E.CANCEL: S.SALE_OPEN,
            E.TIMEOUT: S.SALE_OPEN,
            E.ACTIVITY: S.CONFIRM,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    **_edges(
        S.CUSTOMER_ENTRY,
        {
            E.TILL_CANCEL: S.IDLE,
            E.CUSTOMER_ENTERED: S.PIN_ENTRY,
            E.ACTIVITY: S.CUSTOMER_ENTRY,
            E.CANCEL: S.SALE_OPEN,
            E.TIMEOUT: S.SALE_OPEN,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    **_edges(
        S.PIN_ENTRY,
        {
            E.TILL_CANCEL: S.IDLE,
            E.PIN_ENTERED: S.PROCESSING,
            E.ACTIVITY: S.PIN_ENTRY,
            E.CANCEL: S.SALE_OPEN,
            E.USE_PIN: S.CUSTOMER_ENTRY,
            E.TIMEOUT: S.SALE_OPEN,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    # A ledger that never answers ends in UNKNOWN, never in APPROVED.
    **_edges(S.PROCESSING, {**_DEBIT_ANSWERS, E.TIMEOUT: S.UNKNOWN}),
    **_edges(
        S.APPROVED,
        {
            E.TILL_SALE: S.SALE_OPEN,
            E.CANCEL: S.IDLE,
            E.CONFIRM: S.IDLE,
            E.TIMEOUT: S.IDLE,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    **_edges(S.DECLINED, _RESULT_EXIT_TO_SALE),
    **_edges(S.REJECTED, _RESULT_EXIT_TO_SALE),
    # Outcome unknown: only a late answer or the cashier moves on (no time-out to idle,
    # so the shopper is not invited to pay a second time).
    **_edges(
        S.UNKNOWN,
        {
            E.DEBIT_APPROVED: S.APPROVED,
            E.DEBIT_DECLINED: S.DECLINED,
            E.WRONG_PIN: S.DECLINED,
            E.NEED_CUSTOMER_ID: S.DECLINED,
            E.PIN_REQUIRED: S.DECLINED,
            E.PIN_LOCKED: S.DECLINED,
            E.CANCEL: S.CASHIER_ID,
            E.CONFIRM: S.CASHIER_ID,
            E.CASHIER_KEY: S.CASHIER_ID,
        },
    ),
    # Staff sign-in: the cashier's own id (typed or picked), then their PIN. A wrong PIN
    # stays on the pad; a locked or unknown cashier goes back to the id (another may sign in).
    **_edges(
        S.CASHIER_ID,
        {
            E.CASHIER_CHOSEN: S.CASHIER_LOGIN,
            E.ACTIVITY: S.CASHIER_ID,
            E.CANCEL: _LEAVE_LOGIN,
            E.TIMEOUT: _LEAVE_LOGIN,
        },
    ),
    **_edges(
        S.CASHIER_LOGIN,
        {
            E.PIN_ENTERED: S.CASHIER_VERIFYING,
            E.ACTIVITY: S.CASHIER_LOGIN,
            E.CANCEL: S.CASHIER_ID,
            E.TIMEOUT: _LEAVE_LOGIN,
        },
    ),
    **_edges(
        S.CASHIER_VERIFYING,
        {
            E.CASHIER_OK: S.CASHIER,
            E.CASHIER_BAD: S.CASHIER_LOGIN,
            E.CASHIER_REFUSED: S.CASHIER_ID,
            # The PIN cannot be checked: a menu that can only lock the terminal (nothing that
            # moves money or identity), so staff can still close a kiosk that cannot sell.
            E.LEDGER_UNREACHABLE: S.STAFF_OFFLINE,
            E.TIMEOUT: S.CASHIER_LOGIN,
        },
    ),
    **_edges(
        S.CASHIER,
        {
            E.NEW_SALE: S.AMOUNT_ENTRY,
            E.CANCEL_SALE: S.CASHIER,
            E.REFUNDS: S.REFUND_LIST,
            E.LOCK: S.LOCKED,
            E.SUMMARY_READY: S.CASHIER,
            E.LEDGER_UNREACHABLE: S.CASHIER,
            E.ACTIVITY: S.CASHIER,
            E.CANCEL: _BACK_TO_SALE,
            E.TIMEOUT: _BACK_TO_SALE,
        },
    ),
    **_edges(
        S.STAFF_OFFLINE,
        {
            E.LOCK: S.LOCKED,
            E.ACTIVITY: S.STAFF_OFFLINE,
            E.CANCEL: _BACK_TO_SALE,
            E.TIMEOUT: _BACK_TO_SALE,
            E.CASHIER_KEY: S.CASHIER_ID,  # sign in again once the payment service is back
        },
    ),
    **_edges(
        S.AMOUNT_ENTRY,
        {
            E.SALE_OPENED: S.SALE_OPEN,
            E.SALE_TOO_LARGE: S.AMOUNT_ENTRY,  # the pad stays, saying the shop's maximum
            E.ACTIVITY: S.AMOUNT_ENTRY,
            E.CANCEL: S.CASHIER,
            E.TIMEOUT: _BACK_TO_SALE,
        },
    ),
    # Refund or void: today's payments from the journal -> pick one -> the amount (partial
    # allowed) -> a confirmation naming amount and shopper -> the ledger. Back goes one step.
    **_edges(
        S.REFUND_LIST,
        {
            E.PAYMENTS_LISTED: S.REFUND_LIST,
            E.PAYMENT_PICKED: S.REFUND_AMOUNT,
            E.NOTHING_LEFT: S.REFUND_LIST,
            E.SCAN_RECEIPT: S.REFUND_SCAN,
            E.LEDGER_UNREACHABLE: S.REFUND_LIST,
            E.ACTIVITY: S.REFUND_LIST,
            E.CANCEL: S.CASHIER,
            E.TIMEOUT: S.CASHIER,
            E.CASHIER_KEY: S.CASHIER,
        },
    ),
    # The shopper's receipt held to the camera picks the same payment as the list would; any
    # refusal (not a receipt, another terminal's, not today's, nothing seen) is said on the list.
    **_edges(
        S.REFUND_SCAN,
        {
            E.PAYMENT_PICKED: S.REFUND_AMOUNT,
            E.NOTHING_LEFT: S.REFUND_LIST,
            E.RECEIPT_REFUSED: S.REFUND_LIST,
            E.CAMERA_LOST: S.REFUND_LIST,
            E.CANCEL: S.REFUND_LIST,
            E.TIMEOUT: S.REFUND_LIST,
            E.CASHIER_KEY: S.CASHIER,
        },
    ),
    **_edges(
        S.REFUND_AMOUNT,
        {
            E.REFUND_AMOUNT: S.REFUND_CONFIRM,
            E.SALE_TOO_LARGE: S.REFUND_AMOUNT,  # more than is left of the payment
            E.ACTIVITY: S.REFUND_AMOUNT,
            E.CANCEL: S.REFUND_LIST,
            E.TIMEOUT: S.CASHIER,
            E.CASHIER_KEY: S.CASHIER,
        },
    ),
    **_edges(
        S.REFUND_CONFIRM,
        {
            E.CONFIRM: S.REFUND_PROCESSING,
            E.VOID: S.REFUND_PROCESSING,
            E.CANCEL: S.REFUND_LIST,
            E.TIMEOUT: S.CASHIER,
            E.CASHIER_KEY: S.CASHIER,
        },
    ),
    **_edges(
        S.REFUND_PROCESSING,
        {
            E.REFUND_DONE: S.CASHIER,
            E.REFUND_FAILED: S.CASHIER,
            E.LEDGER_UNREACHABLE: S.CASHIER,
            E.TIMEOUT: S.CASHIER,
        },
    ),
    **_edges(S.LOCKED, {E.CASHIER_KEY: S.CASHIER_ID, E.CONFIRM: S.CASHIER_ID}),
    # --- enrolment: customer number -> the account holder's proof (the account's PIN, or the
    # one-time enrolment code) -> consent -> camera frames -> [with a code: new PIN twice] -> ledger
    **_edges(S.ENROL_CUSTOMER, {**_TO_MENU, E.CUSTOMER_ENTERED: S.ENROL_PROOF, E.ACTIVITY: S.ENROL_CUSTOMER}),
    **_edges(
        S.ENROL_PROOF,
        {**_TO_MENU, E.PIN_ENTERED: S.ENROL_CONSENT, E.USE_CODE: S.ENROL_CODE, E.ACTIVITY: S.ENROL_PROOF},
    ),
    **_edges(
        S.ENROL_CODE,
        {**_TO_MENU, E.PIN_ENTERED: S.ENROL_CONSENT, E.PIN_MISMATCH: S.ENROL_CODE, E.ACTIVITY: S.ENROL_CODE},
    ),
    # the name the confirm prompt shows ("Pay EUR 3.00 as Anna K.?"), typed after consenting
    **_edges(S.ENROL_CONSENT, {**_TO_MENU, E.CONFIRM: S.ENROL_NAME}),
    **_edges(S.ENROL_NAME, {**_TO_MENU, E.NAME_ENTERED: S.ENROL_CAPTURE, E.ACTIVITY: S.ENROL_NAME}),
    **_edges(
        S.ENROL_CAPTURE,
        {
            **_TO_MENU,
            E.CAPTURE_PROGRESS: S.ENROL_CAPTURE,
            E.CAPTURE_DONE: Branch(Guard.NEW_PIN, S.ENROL_PIN, S.ENROL_PROCESSING),
            E.CAMERA_LOST: S.CASHIER,
        },
    ),
    **_edges(S.ENROL_PIN, {**_PAD, E.PIN_ENTERED: S.ENROL_PIN_REPEAT}),
    **_edges(
        S.ENROL_PIN_REPEAT,
        {
            **_PAD,
            E.ACTIVITY: S.ENROL_PIN_REPEAT,
            E.PIN_ENTERED: S.ENROL_PROCESSING,
            E.PIN_MISMATCH: S.ENROL_PIN,
        },
    ),
    **_edges(
        S.ENROL_PROCESSING,
        {
            E.ENROL_DONE: S.CASHIER,
            E.ENROL_FAILED: S.CASHIER,
            E.LEDGER_UNREACHABLE: S.CASHIER,
            E.TIMEOUT: S.CASHIER,
        },
    ),
    # --- erasure: customer number -> confirm (on the signed-in cashier's authority, or the
    # shopper types their PIN) -> erase -> receipt
    **_edges(
        S.ERASE_CUSTOMER, {**_TO_MENU, E.CUSTOMER_ENTERED: S.ERASE_CONFIRM, E.ACTIVITY: S.ERASE_CUSTOMER}
    ),
    **_edges(S.ERASE_CONFIRM, {**_TO_MENU, E.CONFIRM: S.ERASE_PROCESSING, E.USE_PIN: S.ERASE_PIN}),
    **_edges(S.ERASE_PIN, {**_TO_MENU, E.PIN_ENTERED: S.ERASE_PROCESSING, E.ACTIVITY: S.ERASE_PIN}),
    **_edges(
        S.ERASE_PROCESSING,
        {
            E.ERASE_DONE: S.ERASED,
            E.ERASE_FAILED: S.CASHIER,
            E.LEDGER_UNREACHABLE: S.CASHIER,
            E.TIMEOUT: S.CASHIER,
        },
    ),
    **_edges(S.ERASED, {**_TO_MENU, E.CONFIRM: S.CASHIER}),
}
TRANSITIONS[(S.CASHIER, E.ENROL)] = S.ENROL_CUSTOMER
TRANSITIONS[(S.CASHIER, E.ERASE)] = S.ERASE_CUSTOMER
