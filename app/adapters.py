"""Adapters from the real parts to the checkout flow's ports (plain Python, no Qt).

``LedgerPayments`` turns the terminal's ``PaymentService`` (journal + signed ledger
client) into the flow's blocking ``PaymentsPort``; the kiosk calls it on a worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from checkout import (
    Approved,
    CaptureUpdate,
    Consent,
    DaySummary,
    Declined,
    Enrolled,
    Erased,
    Evidence,
    PaymentLine,
    PaymentsUnavailable,
    Refunded,
    SignedIn,
)
from enrolment import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    ErasureReceipt,
    Registry,
    already_enrolled,
    erase_customer,
    image_problem,
    spoof_check,
    store_templates,
)
from payments import EntryKind, EntryState, refundable
from payments.client import Declined as LedgerDeclined
from payments.client import LedgerClientError
from payments.money import Money
from payments.terminal import Approved as LedgerApproved
from payments.terminal import InvalidPayment, NotCompleted, PaymentService, Refused, StoredOffline
from payments.wire import from_iso_time
from vision import Gallery, Pipeline

__all__ = ["ENROL_FRAMES", "KioskEnroller", "LedgerPayments"]

# Good frames kept per kiosk enrolment: several poses and moments, a few seconds at model rate.
ENROL_FRAMES = 5

log = logging.getLogger(__name__)

# What the cashier reads when a payment was already refunded or voided in full (the ledger's
# own reason, said at once rather than after a wait for an answer that never comes).
NOTHING_LEFT = "nothing left to refund"


def _epoch(text: str) -> float:
    return from_iso_time(text).timestamp()


class LedgerPayments:
    """The ledger as the kiosk uses it.

    Each cashier signs in with their own id and PIN. The id and PIN that opened the
    cashier menu are kept in memory for that menu session only (refunds, enrolments and
    erasures need them, the ledger checks them again) and are dropped at the next
    sign-in attempt.
    """

    def __init__(
        self,
        service: PaymentService,
        *,
        models: dict[str, str],
        receipt_link: Callable[[str], str] | None = None,
    ) -> None:
        self.service = service
        self._models = dict(models)
        self._receipt_link = receipt_link
        self._cashier: tuple[str, str] | None = None
        self._lock = threading.Lock()

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
        with self._lock:
            outcome = self.service.pay(
                customer_id,
                Money(amount_minor, currency),
                evidence=replace(evidence, models=tuple(self._models.items())),
                pin=pin,
                merchant_ref=reference,
                opened_by=opened_by,
                allow_offline=allow_offline,
                candidates=candidates,
            )
        link = self._receipt_link(outcome.transfer_id) if self._receipt_link is not None else ""
        if isinstance(outcome, LedgerApproved):
            return Approved(outcome.transfer_id, at=_epoch(outcome.at), receipt_url=link)
        if isinstance(outcome, StoredOffline):
            return Approved(outcome.transfer_id, at=_epoch(outcome.at), offline=True, receipt_url=link)
        if isinstance(outcome, Refused):
            return Declined(outcome.code, outcome.message, attempts_left=_attempts_left(outcome))
        assert isinstance(outcome, NotCompleted)
        raise PaymentsUnavailable(outcome.message)

    def verify_cashier(self, cashier_id: str, pin: str) -> SignedIn | Declined:
        with self._lock:
            self._cashier = None
            try:
                self.service.verify_cashier(cashier_id, pin)
            except InvalidPayment as exc:  # not an id or not a PIN: the ledger need not be asked
                log.info("cashier sign-in refused at the terminal: %s", exc)
                return Declined("unknown_cashier" if "cashier id" in str(exc) else "wrong_pin", str(exc))
            except LedgerDeclined as exc:
                log.info("cashier %s not signed in: %s", cashier_id, exc.code)
                return Declined(exc.code, exc.message, retry_after_s=retry_after(exc))
            except LedgerClientError as exc:
                raise PaymentsUnavailable(str(exc)) from exc
            self._cashier = (cashier_id, pin)
            return SignedIn(cashier_id)

    def cashier(self) -> tuple[str, str] | None:
        """(cashier id, PIN) of the open cashier menu session, None when nobody signed in."""
        with self._lock:
            return self._cashier

    def todays_payments(self) -> tuple[PaymentLine, ...]:
        with self._lock:
            journal = self.service.journal
            debits = [
                e
                for e in self.service.day_entries()
                if e.kind == EntryKind.DEBIT and e.state == EntryState.APPROVED
            ]
            lines = []
            for e in reversed(debits):
                left = refundable(e, journal.related(e.transfer_id))
                at = _epoch(e.created_at)
                lines.append(
                    PaymentLine(
                        e.transfer_id,
                        e.amount.minor,
                        left.minor,
                        e.amount.currency,
                        e.customer_id,
                        at,
                        voidable=left == e.amount,
                    )
                )
        return tuple(lines)

    def refund(self, transfer_id: str, amount_minor: int, *, void: bool = False) -> Refunded | Declined:
        with self._lock:
            if self._cashier is None:
                return Declined("cashier_required", "a cashier must sign in first")
            cashier_id, pin = self._cashier
            try:
                original = self.service.journal.find(transfer_id)
                left = refundable(original, self.service.journal.related(transfer_id)) if original else None
                if left is not None and left.minor <= 0:
                    return Declined("nothing_left", NOTHING_LEFT)
                if void:
                    outcome = self.service.void(transfer_id, cashier_id=cashier_id, cashier_pin=pin)
                else:
                    amount = Money(amount_minor, self.service.currency)
                    outcome = self.service.refund(transfer_id, amount, cashier_id=cashier_id, cashier_pin=pin)
            except InvalidPayment as exc:  # the terminal's own checks: nothing was sent
                log.info("refund of %s refused at the terminal: %s", transfer_id, exc)
                return Declined("invalid_refund", str(exc))
        if isinstance(outcome, LedgerApproved):
            return Refunded(outcome.transfer_id, outcome.amount.minor, outcome.amount.currency, voided=void)
        if isinstance(outcome, Refused):
            return Declined(outcome.code, outcome.message)
        raise PaymentsUnavailable(outcome.message if isinstance(outcome, NotCompleted) else "stored")

    def recover(self) -> int:
        """Resolve journal entries left open (crash, outage, store-and-forward); returns how
        many are still open. Runs at start-up and periodically, never beside a payment."""
        with self._lock:
            report = self.service.recover()
        if report.resolved:
            log.info("recovery resolved %d journal entries", len(report.resolved))
        for entry in report.reversed:
            log.info("payment %s (outcome unknown to the shopper) was reversed", entry.transfer_id)
        for entry in report.needs_attention:
            log.warning(
                "payment %s was charged while the shopper was told the outcome was unknown and "
                "the ledger refused its reversal: refund it",
                entry.transfer_id,
            )
        return len(report.still_open)

    def today_summary(self) -> DaySummary:
        with self._lock:
            totals = self.service.day_totals()
            rec = self.service.reconcile_day(totals.day)
        return DaySummary(
            payments=totals.payments[0],
            paid_minor=totals.payments[1].minor,
            refunds=totals.refunds[0],
            refunded_minor=totals.refunds[1].minor,
            currency=totals.currency,
            verdict=rec.verdict_text,
        )


def _attempts_left(outcome: Refused) -> int | None:
    return outcome.attempts_left if outcome.code == "wrong_pin" else None


def _number(details: object, name: str) -> float | None:
    """A number the ledger put beside its error (top level or inside ``error``), or None."""
    if not isinstance(details, dict):
        return None
    for where in (details, details.get("error")):
        value = where.get(name) if isinstance(where, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return None


def retry_after(exc: LedgerDeclined) -> float | None:
    """Seconds until a locked PIN may be tried again, from a ledger refusal."""
    return _number(dict(exc.details), "retry_after_s")


def _is_cashiers(exc: LedgerDeclined) -> bool:
    """Whether a PIN refusal is about the cashier's PIN rather than the shopper's: only when the
    ledger names the cashier beside the error. Otherwise it is taken as the shopper's: the
    cashier's PIN was accepted when they signed in to this menu."""
    details = exc.details
    error = details.get("error")
    return "cashier_id" in details or (isinstance(error, dict) and "cashier_id" in error)


class KioskEnroller:
    """Enrolment and erasure at the kiosk: camera frames judged by the pipeline (one face,
    quality good, not judged a spoof), templates into the encrypted gallery with the consent
    in the registry, and the face link at the ledger with the account holder's proof (the
    account's PIN, or a one-time enrolment code and a new PIN) and the signed-in cashier.

    Order, so that a refusal anywhere leaves nothing stored: the terminal's own gallery first
    (a face already enrolled as another customer is refused, never re-linked), then the ledger
    (which checks the proof), then the templates."""

    def __init__(
        self,
        pipeline: Pipeline,
        gallery: Gallery,
        registry: Registry,
        payments: LedgerPayments,
        *,
        terminal_id: str,
        reject_below: float,
        already_at: float,
        needed: int = ENROL_FRAMES,
    ) -> None:
        self._pipeline, self._gallery, self._registry = pipeline, gallery, registry
        self._payments, self._terminal_id, self._needed = payments, terminal_id, needed
        self._live = spoof_check(reject_below)
        self._already_at = already_at
        self._templates: list[NDArray[np.float32]] = []
        self._lock = threading.Lock()

    @property
    def consent(self) -> Consent:
        return Consent(CONSENT_VERSION, CONSENT_TEXT)

    def reset(self, *, amount_minor: int = 0) -> None:
        with self._lock:
            self._templates = []

    def analyse(self, frame: np.ndarray) -> CaptureUpdate:
        result = self._pipeline.process(frame)
        problem = image_problem(result, self._live)
        face = result.face
        box = None if face is None else tuple(int(v) for v in face.detection.box)
        with self._lock:
            if problem is None and face is not None and len(self._templates) < self._needed:
                self._templates.append(face.embedding)
            kept = len(self._templates)
        return CaptureUpdate(box, kept, self._needed, _shopper_problem(problem))  # type: ignore[arg-type]

    def enrol(
        self, customer_id: str, pin: str, code: str | None = None, name: str = ""
    ) -> Enrolled | Declined:
        with self._lock:
            templates = list(self._templates)
        if len(templates) < self._needed:
            return Declined("not_enough_frames", "not enough good pictures of the face")
        other = already_enrolled(self._gallery, templates, customer_id, self._already_at)
        if other is not None:
            log.warning(
                "enrolment of %s refused: the face is enrolled as %s (score %.2f)",
                customer_id,
                other.customer_id,
                other.score,
            )
            self.reset()
            return Declined(
                "face_enrolled", f"This face is already enrolled as customer {other.customer_id}."
            )
        cashier = self._payments.cashier()
        if cashier is None:
            return Declined("cashier_required", "a cashier must sign in first")
        try:
            link = self._payments.service.enrol_customer(
                customer_id, pin, cashier[0], cashier[1], consent_version=CONSENT_VERSION, enrolment_code=code
            )
        except LedgerDeclined as exc:
            self.reset()  # refused: the captured templates are not kept, even in memory
            return _enrol_refused(exc)
        except InvalidPayment as exc:
            self.reset()
            return Declined("invalid", str(exc))
        except LedgerClientError as exc:
            self.reset()
            raise PaymentsUnavailable(str(exc)) from exc
        self._registry.record_consent(customer_id, self._terminal_id)
        name = name or self._registry.display_name(customer_id) or customer_id
        count = store_templates(self._gallery, self._registry, customer_id, name, templates)
        self.reset()
        return Enrolled(customer_id, count, link.relinked, link.pin_set)

    def erase(self, customer_id: str, pin: str | None = None) -> Erased | Declined:
        """The ledger first, with the shopper's PIN or the signed-in cashier: a refusal there
        erases nothing. When the ledger cannot be reached, the signed-in cashier of this shop
        still erases the face data held here (the link at the ledger is erased later)."""
        known = customer_id in self._registry.customers() or customer_id in self._gallery.customers()
        cashier = None if pin is not None else self._payments.cashier()
        if pin is None and cashier is None:
            return Declined("proof_required", "the shopper's PIN or a signed-in cashier is needed")
        try:
            ledger = self._payments.service.erase_customer_link(
                customer_id,
                pin=pin,
                cashier_id=cashier[0] if cashier else None,
                cashier_pin=cashier[1] if cashier else None,
                reason="erased at the kiosk",
            )
        except LedgerDeclined as exc:
            if exc.code == "unknown_customer" and known and cashier is not None:
                receipt = erase_customer(self._gallery, self._registry, customer_id)
                return _erased(receipt, "", "The payment service does not know this customer.")
            if exc.code == "unknown_customer":
                return Declined(exc.code, f"no customer {customer_id} here or at the payment service")
            return Declined(exc.code, exc.message)
        except InvalidPayment as exc:
            return Declined("invalid", str(exc))
        except LedgerClientError as exc:
            if not known or cashier is None:
                raise PaymentsUnavailable(str(exc)) from exc
            receipt = erase_customer(self._gallery, self._registry, customer_id)
            return _erased(receipt, "", "The payment service was not reached: erase again later.")
        receipt = erase_customer(self._gallery, self._registry, customer_id)
        return _erased(receipt, ledger.audit_hash, "")


def _enrol_refused(exc: LedgerDeclined) -> Declined:
    """The flow's reason for a ledger refusal of an enrolment."""
    if exc.code in ("wrong_pin", "pin_locked") and _is_cashiers(exc):
        return Declined("cashier_pin", _LEDGER_REFUSAL["cashier_pin"])
    left = _number(dict(exc.details), "attempts_left")
    return Declined(
        exc.code,
        _LEDGER_REFUSAL.get(exc.code, exc.message),
        attempts_left=None if left is None else int(left),
        retry_after_s=retry_after(exc),
    )


_LEDGER_REFUSAL = {
    "cashier_pin": "the cashier PIN was refused",
    "wrong_pin": "wrong PIN for this account",
    "pin_locked": "this account's PIN is locked",
    "bad_enrolment_code": "the enrolment code is wrong, used or expired",
    "proof_required": "the account has no PIN yet: an enrolment code is needed",
    "unknown_customer": "no such customer at the payment service",
    "unknown_cashier": "the cashier is not known at the payment service",
    "too_many_pin_attempts": "too many wrong PINs at this terminal",
    "customer_disabled": "this customer account is disabled",
}


def _shopper_problem(problem: str | None) -> str:
    """The gate's reason in words for the shopper."""
    if problem is None:
        return ""
    if problem.startswith("no face"):
        return "Look at the camera"
    if "faces" in problem:
        return "Only one person in front of the camera, please"
    if problem.startswith("judged"):
        return "Please show your own face, not a photo or screen"
    return "Move closer and hold still in good light"


def _erased(receipt: ErasureReceipt, ledger_hash: str, note: str) -> Erased:
    return Erased(receipt.subject, receipt.templates_removed, receipt.audit_hash, ledger_hash, note)
