"""What the checkout flow remembers, as frozen parts the machine replaces whole.

``Kiosk`` is fixed for the terminal's life; ``Context`` changes with every event and is
replaced with ``dataclasses.replace``. Messages that belong to one screen sit in ``Notes``,
dropped in one step when the flow leaves that screen; the shopper's part in ``Shopper``,
started afresh when the flow asks who is paying.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checkout._effects import Outcome, ResultView
from checkout._table import State
from checkout._text import format_amount
from checkout.ports import CustomerDirectory, DaySummary, Evidence, PaymentLine
from vision import Guidance

__all__ = ["Context", "Health", "Kiosk", "Notes", "RefundPick", "Sale", "Shopper", "Timeouts"]

# Before the face or a typed number says otherwise, a payment is by PIN.
NO_EVIDENCE = Evidence(method="pin")
# The result screen before any attempt ended.
NO_RESULT = ResultView(Outcome.DECLINED, "")


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
        receipt_s: the approved screen, which offers the receipt's QR code, stays this long.
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
    receipt_s: float = 45.0


@dataclass(frozen=True)
class Sale:
    """The open sale.

    Attributes:
        amount_minor: amount in minor units.
        currency: ISO 4217 code.
        reference: the sale's reference (may be empty at the kiosk's own pad).
        till: opened by the shop's till, which is told how it ends; it ends at its first outcome.
        opened_by: who opened it: the signed-in cashier's id, or ``till:<id>``.
    """

    amount_minor: int
    currency: str
    reference: str = ""
    till: bool = False
    opened_by: str = ""

    @property
    def amount(self) -> str:
        """The amount as shown ("EUR 12.50")."""
        return format_amount(self.amount_minor, self.currency)


@dataclass(frozen=True)
class Health:
    """Which of the kiosk's outside parts work, as last seen (start-up checks, then use).

    Attributes:
        camera: frames arrive (False: face payment is impossible, PIN still works).
        ledger: the ledger answers (False: no payment can be made here).
    """

    camera: bool = True
    ledger: bool = True

    @property
    def degraded(self) -> bool:
        """Something is down: idle shows the out-of-service page."""
        return not (self.camera and self.ledger)


@dataclass(frozen=True)
class RefundPick:
    """The payment the cashier picked to refund or void, and how much.

    Attributes:
        line: the payment.
        amount_minor: how much to give back (0 until typed).
        void: cancel it whole instead.
    """

    line: PaymentLine
    amount_minor: int = 0
    void: bool = False


@dataclass(frozen=True)
class Kiosk:
    """What the flow knows of its terminal, fixed for its life.

    Attributes:
        directory: customer names for the confirm prompt and the receipt.
        merchant: shop name.
        currency: ISO 4217 code of the amount pad.
        timeouts: how long each screen waits.
        tz: time zone of the receipt, None for the local one.
        max_sale_minor: the largest sale the amount pad opens, minor units (0: no limit).
        receipt_key: this terminal's public key, which opens the tokens of its receipt links
            (refund by scanning the receipt); None: no refund by receipt.
    """

    directory: CustomerDirectory
    merchant: str
    currency: str
    timeouts: Timeouts
    tz: dt.tzinfo | None
    max_sale_minor: int = 0
    receipt_key: Ed25519PublicKey | None = None


@dataclass(frozen=True)
class Shopper:
    """Who is paying and how far their PIN got.

    Attributes:
        customer: the customer number to debit, None until known.
        candidates: the face's candidates while the PIN is to choose among them.
        evidence: why the terminal believes it is this customer.
        message: why the PIN or customer number is asked.
        error: what went wrong with the last PIN.
        attempts_left: PIN attempts left, when the ledger said.
    """

    customer: str | None = None
    candidates: tuple[str, ...] = ()
    evidence: Evidence = NO_EVIDENCE
    message: str = ""
    error: str = ""
    attempts_left: int | None = None


@dataclass(frozen=True)
class Notes:
    """Messages that belong to the screen they were set for.

    Attributes:
        notice: why the idle or sale screen is back (walked away, cancelled...).
        cashier: the result of the last cashier action.
        login: why the last staff sign-in failed.
    """

    notice: str = ""
    cashier: str = ""
    login: str = ""


@dataclass(frozen=True)
class Context:
    """The flow's state and everything it remembers (times in ``now`` units).

    Attributes:
        state: where the checkout is.
        now: time of the last event.
        since: entry time or last key press: base of the idle time-outs.
        scan_start: when the camera started.
        last_face: when the camera last saw a face.
        locked: the cashier locked the terminal.
        request: id of the newest request sent (older answers are ignored).
        pin: the PIN typed (shopper's or cashier's), held only until it is sent.
        sale: the open sale.
        shopper: who is paying.
        notes: messages of the current screen.
        result: the last attempt's result screen.
        summary: today's totals, once they arrived.
        direction: the head-turn the challenge asks for.
        payments: today's payments for the refund list, None while they load.
        refund: the payment picked to refund or void.
        health: which outside parts work.
    """

    state: State = State.IDLE
    now: float = 0.0
    since: float = 0.0
    scan_start: float = 0.0
    last_face: float = 0.0
    locked: bool = False
    request: int = 0
    pin: str | None = field(default=None, repr=False)
    sale: Sale | None = None
    shopper: Shopper = Shopper()
    notes: Notes = Notes()
    result: ResultView = NO_RESULT
    summary: DaySummary | None = None
    direction: Guidance = Guidance.TURN_LEFT
    payments: tuple[PaymentLine, ...] | None = None
    refund: RefundPick | None = None
    health: Health = Health()
