"""What the payment service answers: outcomes of a request, recovery reports, the day's totals.

Shopper-facing reasons are one Enum with one table of messages (:func:`reason_message`).
No message of a :class:`NotCompleted` tells the shopper "you have not been charged": only
a ledger-signed answer can say that (a :class:`Refused`). When no attempt of a debit can
have reached the ledger (no connection was ever made) the message says the payment was not
sent; when one may have, it says the outcome is unknown and that any charge is returned
automatically (recovery reads the debit back and reverses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from payments.journal import EntryKind, JournalEntry
from payments.money import Money

__all__ = [
    "Approved",
    "DayTotals",
    "NotCompleted",
    "OfflineRules",
    "Outstanding",
    "PaymentOutcome",
    "Reason",
    "RecoveryReport",
    "Refused",
    "StoredOffline",
    "reason_message",
]


class Reason(StrEnum):
    """Why a payment did not complete, as the shopper and the cashier are told."""

    LEDGER_UNREACHABLE = "ledger_unreachable"
    OFFLINE_DISABLED = "offline_disabled"
    PIN_NEEDS_LEDGER = "pin_needs_ledger"
    OVER_FLOOR_LIMIT = "over_floor_limit"
    OVER_EXPOSURE_LIMIT = "over_exposure_limit"
    LEDGER_REFUSED = "ledger_refused"
    OUTCOME_UNKNOWN = "outcome_unknown"
    PENDING = "pending"


_MESSAGES: Mapping[Reason, str] = {
    Reason.LEDGER_UNREACHABLE: "The payment service cannot be reached, so this payment was not sent.",
    Reason.OFFLINE_DISABLED: "The payment service cannot be reached and offline payments are off, "
    "so this payment was not sent.",
    Reason.PIN_NEEDS_LEDGER: "PIN payments need the payment service, which cannot be reached, "
    "so this payment was not sent.",
    Reason.OVER_FLOOR_LIMIT: "The payment service cannot be reached and this amount is above the "
    "offline limit, so this payment was not sent.",
    Reason.OVER_EXPOSURE_LIMIT: "The payment service cannot be reached and the offline allowance is "
    "used up, so this payment was not sent.",
    Reason.LEDGER_REFUSED: "The payment service did not accept this terminal's request. "
    "Please ask a member of staff.",
    Reason.OUTCOME_UNKNOWN: "We could not confirm this payment. If you were charged, the money will "
    "be returned automatically.",
    Reason.PENDING: "Not confirmed yet. It will be completed automatically when the payment "
    "service answers; do not repeat it.",
}


def reason_message(reason: Reason) -> str:
    """The one sentence shown for ``reason``."""
    return _MESSAGES[reason]


@dataclass(frozen=True, slots=True)
class OfflineRules:
    """When a debit may be accepted without the ledger (store-and-forward).

    Attributes:
        store_and_forward: accept face payments offline at all (default off).
        floor_minor: largest single offline payment, minor units.
        exposure_minor: largest total of outstanding offline payments, minor units.
    """

    store_and_forward: bool = False
    floor_minor: int = 0
    exposure_minor: int = 0


@dataclass(frozen=True, slots=True)
class Approved:
    """The ledger signed an approval (a posted debit, refund or void).

    Attributes:
        transfer_id: the transfer's id (on the receipt).
        kind: debit, refund or void.
        amount: the amount.
        status: the ledger's status (posted, or pending for a hold).
        at: when the terminal recorded the approval (ISO UTC).
    """

    transfer_id: str
    kind: EntryKind
    amount: Money
    status: str
    at: str


@dataclass(frozen=True, slots=True)
class StoredOffline:
    """Accepted without the ledger; forwarded by recovery (store-and-forward).

    Attributes:
        transfer_id: the transfer's id (on the receipt).
        amount: the amount.
        at: when it was stored (ISO UTC).
        outstanding: total of offline payments now waiting to be forwarded.
    """

    transfer_id: str
    amount: Money
    at: str
    outstanding: Money


@dataclass(frozen=True, slots=True)
class Refused:
    """The ledger declined; final for this request. Nothing was charged.

    Attributes:
        transfer_id: the journal entry's id.
        code: the ledger's code (insufficient_funds, wrong_pin, pin_locked, over_refund, ...).
        message: the ledger's message.
        attempts_left: after a wrong PIN, the tries left before the ledger locks it (when told).
    """

    transfer_id: str
    code: str
    message: str
    attempts_left: int | None = None


@dataclass(frozen=True, slots=True)
class NotCompleted:
    """No ledger-signed answer and no offline acceptance. For a debit whose outcome is unknown
    (``Reason.OUTCOME_UNKNOWN``) the journal entry is abandoned: recovery reads it back and
    reverses it if the ledger posted it.

    Attributes:
        transfer_id: the journal entry's id ("" when nothing was journalled).
        reason: why; :func:`reason_message` gives the sentence to show.
        detail: the technical cause, for logs and the cashier.
    """

    transfer_id: str
    reason: Reason
    detail: str = ""

    @property
    def message(self) -> str:
        return reason_message(self.reason)


PaymentOutcome = Approved | StoredOffline | Refused | NotCompleted


@dataclass(frozen=True, slots=True)
class Outstanding:
    """An entry still waiting for the ledger, and for how long.

    Attributes:
        entry: the journal entry.
        age_s: seconds since it was journalled.
    """

    entry: JournalEntry
    age_s: float


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What one recovery pass did.

    Attributes:
        resolved: entries that reached a final state in this pass (reversals included).
        still_open: entries that are still open (ledger unreachable or unverifiable, not yet
            expired, or a reversal not yet confirmed).
        needs_attention: debits charged after the shopper was told the outcome was unknown
            whose automatic reversal the ledger refused (too late, or refunded meanwhile):
            a cashier refunds what is left.
        reversed: debits whose automatic reversal the ledger confirmed in this pass.
    """

    resolved: tuple[JournalEntry, ...]
    still_open: tuple[JournalEntry, ...]
    needs_attention: tuple[JournalEntry, ...]
    reversed: tuple[JournalEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class DayTotals:
    """One business day (in the shop's time zone) at this terminal, from the journal.

    Attributes:
        day: the date (YYYY-MM-DD) in the shop's time zone.
        currency: the terminal's currency.
        payments: approved debits (not voided): count and total.
        refunds: approved refunds: count and total.
        voids: approved voids: count and total.
        declines: declined debits: count.
        offline: debits stored offline and not yet forwarded: count and total.
        unresolved: other open entries: count.
    """

    day: str
    currency: str
    payments: tuple[int, Money]
    refunds: tuple[int, Money]
    voids: tuple[int, Money]
    declines: int
    offline: tuple[int, Money]
    unresolved: int

    @property
    def net(self) -> Money:
        return self.payments[1] - self.refunds[1]
