"""What the checkout flow needs from the outside world, as small Protocols.

The composition root adapts the real vision pipeline, customer store and
ledger client to these; tests pass fakes. ``PaymentsPort`` methods block (they
do HTTP and journal writes) and are called by the UI on a worker thread, never
on the GUI thread.

Exceptions::

    PaymentsUnavailable(Exception)   the ledger could not be reached; what may be retried
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from payments import Evidence
from payments.till import Sale as TillSale
from payments.till import SaleResult, SaleStatus
from vision import ScanUpdate

if TYPE_CHECKING:  # the flow itself never touches pixels
    import numpy as np

__all__ = [
    "Approved",
    "CaptureUpdate",
    "Consent",
    "CustomerDirectory",
    "DaySummary",
    "Declined",
    "Enrolled",
    "Enroller",
    "Erased",
    "Evidence",
    "FaceAnalyser",
    "FrameCapture",
    "PaymentLine",
    "PaymentsPort",
    "PaymentsUnavailable",
    "Refunded",
    "SignedIn",
    "TillDesk",
]


class PaymentsUnavailable(Exception):
    """The ledger could not be reached (or did not answer in time)."""


@dataclass(frozen=True)
class Approved:
    """The ledger posted the debit (or the terminal stored it to forward later).

    Attributes:
        transfer_id: the transfer's id, printed on the receipt.
        at: when it was posted, seconds since the epoch.
        offline: stored on the terminal, to be forwarded (store-and-forward).
        receipt_url: the shopper's receipt link (signed by the terminal, opened at the ledger
            host), "" when the terminal offers none.
    """

    transfer_id: str
    at: float
    offline: bool = False
    receipt_url: str = ""


@dataclass(frozen=True)
class Declined:
    """The ledger refused the debit; final for this attempt.

    Attributes:
        code: machine-readable reason ("wrong_pin", "pin_locked", "insufficient_funds"...).
        message: the ledger's human-readable message.
        attempts_left: PIN attempts left before lockout, when the code is about the PIN.
        retry_after_s: seconds until a locked PIN may be tried again, when the ledger said.
    """

    code: str
    message: str = ""
    attempts_left: int | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class SignedIn:
    """A cashier signed in at the kiosk (their PIN was accepted by the ledger).

    Attributes:
        cashier_id: who.
    """

    cashier_id: str


@dataclass(frozen=True)
class Refunded:
    """A refund (or void) of one of the terminal's payments was posted.

    Attributes:
        transfer_id: the refund transfer's id.
        amount_minor: amount given back, minor units.
        currency: ISO 4217 code.
        voided: the payment was voided whole rather than refunded.
    """

    transfer_id: str
    amount_minor: int
    currency: str
    voided: bool = False


@dataclass(frozen=True)
class PaymentLine:
    """One approved payment of today at this terminal, as the cashier picks it to refund or void.

    Attributes:
        transfer_id: the payment's transfer id.
        amount_minor: what was paid, minor units.
        left_minor: what is left to refund (0 once fully refunded or voided).
        currency: ISO 4217 code.
        customer_id: who paid.
        at: when it was journalled, seconds since the epoch.
        voidable: nothing was refunded yet, so it may be voided whole.
    """

    transfer_id: str
    amount_minor: int
    left_minor: int
    currency: str
    customer_id: str
    at: float
    voidable: bool = False


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

    def more_time(self) -> None:
        """The shopper asked for more time on the head-turn: restart its clock (no-op without one)."""


class CustomerDirectory(Protocol):
    """Customer display names (for the confirm prompt)."""

    def display_name(self, customer_id: str) -> str | None:
        """The customer's name as enrolled, or None when unknown."""


class PaymentsPort(Protocol):
    """The ledger, as the kiosk uses it. Every method blocks; call it off the GUI thread.

    Each raises ``PaymentsUnavailable`` when the ledger cannot be reached.
    """

    def pay(
        self,
        customer_id: str,
        amount_minor: int,
        currency: str,
        pin: str | None,
        evidence: Evidence,
        allow_offline: bool,
        candidates: tuple[str, ...] = (),
        reference: str = "",
        opened_by: str = "",
    ) -> Approved | Declined:
        """Debit the customer (journalled and retried with one idempotency key; ``reference``,
        the sale's, is the merchant reference kept in the journal entry, and ``opened_by``, the
        cashier or ``till:<id>`` who opened the sale, is kept there too); with ``candidates``
        the PIN chooses which of them pays (``Declined("customer_id_required")`` when it fits
        several). Without a signed answer it raises ``PaymentsUnavailable`` whose message is the
        sentence the shopper is shown (the payment was not sent, or its outcome is unknown and
        any charge will be returned automatically)."""

    def todays_payments(self) -> tuple[PaymentLine, ...]:
        """Today's approved payments at this terminal, newest first, with what is left to refund
        (from the terminal's journal: no ledger call)."""

    def refund(self, transfer_id: str, amount_minor: int, *, void: bool = False) -> Refunded | Declined:
        """Refund ``amount_minor`` of one of this terminal's payments (``void``: cancel it whole)
        on the signed-in cashier's authority; ``Declined("nothing_left")`` at once when nothing
        is left to refund."""

    def verify_cashier(self, cashier_id: str, pin: str) -> SignedIn | Declined:
        """Sign ``cashier_id`` in with ``pin`` (the attempt is audited and counted towards that
        cashier's lockout); ``Declined`` says why not ("wrong_pin", "pin_locked" with
        ``retry_after_s``, "unknown_cashier")."""

    def today_summary(self) -> DaySummary:
        """Today's totals and the reconciliation verdict."""


class TillDesk(Protocol):
    """The shop's register, as the kiosk serves it (``payments.till.SaleDesk`` is one).

    ``poll`` blocks up to ``wait_s``: call it off the GUI thread. ``finish`` is quick and
    thread-safe; the till server signs what the register then reads.
    """

    def poll(self, wait_s: float, *, free: Callable[[], bool] = ...) -> TillSale | None:
        """A sale the till opened, now on this kiosk (taken only while ``free()``, asked when the
        desk wakes), or the sale on screen whose cancel the till asked for; None when nothing
        happened within ``wait_s``."""

    def finish(self, sale_ref: str, status: SaleStatus, result: SaleResult) -> TillSale:
        """The kiosk's final word on the till's sale."""


# --- enrolment and erasure (cashier-started, at the kiosk) ---------------------------


@dataclass(frozen=True)
class Consent:
    """The consent text a shopper agrees to before enrolment.

    Attributes:
        version: the text's version, recorded with the consent.
        text: what is stored, why and for how long, in plain words.
    """

    version: str
    text: str


@dataclass(frozen=True)
class CaptureUpdate:
    """One camera frame judged for enrolment.

    Attributes:
        box: the main face's box (x, y, w, h) in frame pixels, None without a face.
        accepted: frames kept so far (one face, quality good, not judged a spoof).
        needed: frames wanted.
        problem: why this frame was not kept, for the shopper ("" when kept).
    """

    box: tuple[int, int, int, int] | None
    accepted: int
    needed: int
    problem: str = ""

    @property
    def done(self) -> bool:
        """Enough frames were kept."""
        return self.accepted >= self.needed

    @property
    def decision(self) -> CaptureUpdate | None:
        """Itself once done: the camera worker ends on a decision, as for a scan."""
        return self if self.done else None


@dataclass(frozen=True)
class Enrolled:
    """A shopper was enrolled: templates stored, consent kept, account linked.

    Attributes:
        customer_id: the shopper's customer number.
        templates: face templates stored (encrypted) in the gallery.
        relinked: the shopper was enrolled before (templates replaced).
        pin_set: a new PIN was set (proof by enrolment code); False: the account's PIN stays.
    """

    customer_id: str
    templates: int
    relinked: bool = False
    pin_set: bool = False


@dataclass(frozen=True)
class Erased:
    """The receipt of an erasure (templates, consent and face link removed).

    Attributes:
        subject: salted hash of the customer number (the terminal's audit never names them).
        templates_removed: templates deleted from the gallery.
        audit_hash: hash of the terminal's audit entry recording the erasure.
        ledger_audit_hash: hash of the ledger's audit entry, "" when the ledger was not reached.
        note: what is left to do (e.g. the ledger link), "" when nothing.
    """

    subject: str
    templates_removed: int
    audit_hash: str
    ledger_audit_hash: str = ""
    note: str = ""


class FrameCapture(Protocol):
    """Judges camera frames for enrolment (same calling pattern as ``FaceAnalyser``)."""

    def reset(self, *, amount_minor: int = 0) -> None:
        """Forget frames kept so far (a new enrolment)."""

    def analyse(self, frame: np.ndarray) -> CaptureUpdate:
        """Judge one BGR frame; keep its template when it passes."""


class Enroller(FrameCapture, Protocol):
    """Enrolment and erasure as the kiosk uses them. ``enrol`` and ``erase`` block (gallery,
    database and ledger work): call them off the GUI thread. Each raises
    ``PaymentsUnavailable`` when the ledger cannot be reached and nothing was changed.
    """

    @property
    def consent(self) -> Consent:
        """The consent text shown before enrolment."""

    def enrol(
        self, customer_id: str, pin: str, code: str | None = None, name: str = ""
    ) -> Enrolled | Declined:
        """Refuse a face already enrolled as another customer; then link the account at the
        ledger with the account holder's proof (``pin``: the account's PIN; or ``code``: the
        one-time enrolment code, and ``pin`` the new PIN); then record the consent and store
        the kept templates under ``name`` (what the confirm prompt shows; "" keeps the name
        this terminal had). A refusal stores nothing."""

    def erase(self, customer_id: str, pin: str | None = None) -> Erased | Declined:
        """Remove templates, consent and face link (the account, its money and PIN stay),
        on the shopper's ``pin`` or the signed-in cashier's authority; the receipt."""
