"""What the checkout flow needs from the outside world, as small Protocols.

The composition root adapts the real vision pipeline, customer store and
ledger client to these; tests pass fakes. ``PaymentsPort`` methods block (they
do HTTP and journal writes) and are called by the UI on a worker thread, never
on the GUI thread.

Exceptions::

    PaymentsUnavailable(Exception)   the ledger could not be reached; what may be retried
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from vision import ScanUpdate

if TYPE_CHECKING:  # the flow itself never touches pixels
    import numpy as np

__all__ = [
    "Approved",
    "CustomerDirectory",
    "DaySummary",
    "Declined",
    "Evidence",
    "FaceAnalyser",
    "PaymentsPort",
    "PaymentsUnavailable",
    "Refunded",
]


class PaymentsUnavailable(Exception):
    """The ledger could not be reached (or did not answer in time)."""


@dataclass(frozen=True)
class Evidence:
    """The biometric evidence behind a debit (never the image).

    Attributes:
        method: "face", "face+pin" or "pin".
        score: match score of the customer, when a face matched.
        liveness: liveness score of the scan, when known.
        masked: the face was judged masked.
        reason: why a PIN was needed ("masked", "stranger"...), empty for a face match.
    """

    method: str
    score: float | None = None
    liveness: float | None = None
    masked: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Approved:
    """The ledger posted the debit (or the terminal stored it to forward later).

    Attributes:
        transfer_id: the transfer's id, printed on the receipt.
        at: when it was posted, seconds since the epoch.
        offline: stored on the terminal, to be forwarded (store-and-forward).
    """

    transfer_id: str
    at: float
    offline: bool = False


@dataclass(frozen=True)
class Declined:
    """The ledger refused the debit; final for this attempt.

    Attributes:
        code: machine-readable reason ("wrong_pin", "pin_locked", "insufficient_funds"...).
        message: the ledger's human-readable message.
        attempts_left: PIN attempts left before lockout, when the code is about the PIN.
    """

    code: str
    message: str = ""
    attempts_left: int | None = None


@dataclass(frozen=True)
class Refunded:
    """A refund of the terminal's last payment was posted.

    Attributes:
        transfer_id: the refund transfer's id.
        amount_minor: amount given back, minor units.
        currency: ISO 4217 code.
    """

    transfer_id: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class DaySummary:
    """Today's totals at this terminal and the reconciliation verdict.

    Attributes:
        payments: number of approved payments.
        paid_minor: their total, minor units.
        refunds: number of refunds.
        refunded_minor: their total, minor units.
        currency: ISO 4217 code.
        verdict: one line saying whether journal and ledger agree (and if not, how).
    """

    payments: int
    paid_minor: int
    refunds: int
    refunded_minor: int
    currency: str
    verdict: str


class FaceAnalyser(Protocol):
    """The per-frame vision pipeline plus its decision policy."""

    def reset(self, *, amount_minor: int = 0) -> None:
        """Forget the previous scan (a new shopper paying ``amount_minor``)."""

    def analyse(self, frame: np.ndarray) -> ScanUpdate:
        """Analyse one BGR frame; the update carries a decision once one is reached."""


class CustomerDirectory(Protocol):
    """Customer display names (for the confirm prompt)."""

    def display_name(self, customer_id: str) -> str | None:
        """The customer's name as enrolled, or None when unknown."""


class PaymentsPort(Protocol):
    """The ledger, as the kiosk uses it. Every method blocks; call it off the GUI thread.

    Each raises ``PaymentsUnavailable`` when the ledger cannot be reached.
    """

    def pay(self, customer_id: str, amount_minor: int, currency: str, pin: str | None,
            evidence: Evidence, allow_offline: bool) -> Approved | Declined:
        """Debit the customer (journalled and retried with one idempotency key)."""

    def refund_last(self) -> Refunded | Declined:
        """Refund the last approved payment of this terminal."""

    def verify_cashier(self, pin: str) -> bool:
        """Whether ``pin`` is a valid cashier PIN (the attempt is audited)."""

    def today_summary(self) -> DaySummary:
        """Today's totals and the reconciliation verdict."""
