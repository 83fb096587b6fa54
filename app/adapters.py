"""Adapters from the real parts to the checkout flow's ports (plain Python, no Qt).

``LedgerPayments`` turns the terminal's ``PaymentService`` (journal + signed ledger
client) into the flow's blocking ``PaymentsPort``; the kiosk calls it on a worker.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from datetime import datetime

from app.flow import Approved, DaySummary, Declined, Evidence, PaymentsUnavailable, Refunded
from payments.client import LedgerClientError
from payments.money import Money
from payments.terminal import Approved as LedgerApproved
from payments.terminal import NotCompleted, PaymentService, Refused, StoredOffline

__all__ = ["LedgerPayments"]

log = logging.getLogger(__name__)


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class LedgerPayments:
    """The ledger as the kiosk uses it.

    The cashier PIN that opened the cashier menu is kept in memory for that menu
    session only (refunds need it, the ledger checks it again) and is dropped at
    the next verification attempt.
    """

    def __init__(self, service: PaymentService, *, cashier_id: str, models: dict[str, str]) -> None:
        self.service = service
        self.cashier_id = cashier_id
        self._models = dict(models)
        self._cashier: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def pay(self, customer_id: str, amount_minor: int, currency: str, pin: str | None,
            evidence: Evidence, allow_offline: bool) -> Approved | Declined:
        record = {k: v for k, v in asdict(evidence).items() if v not in (None, "")}
        record["models"] = self._models
        with self._lock:
            outcome = self.service.pay(customer_id, Money(amount_minor, currency), evidence=record,
                                       pin=pin, allow_offline=allow_offline)
        if isinstance(outcome, LedgerApproved):
            return Approved(outcome.transfer_id, at=_epoch(outcome.at))
        if isinstance(outcome, StoredOffline):
            return Approved(outcome.transfer_id, at=_epoch(outcome.at), offline=True)
        if isinstance(outcome, Refused):
            return Declined(outcome.code, outcome.message, attempts_left=_attempts_left(outcome))
        assert isinstance(outcome, NotCompleted)
        raise PaymentsUnavailable(outcome.message)

    def verify_cashier(self, pin: str) -> bool:
        with self._lock:
            self._cashier = None
            if not self.cashier_id:
                log.error("no cashier id configured (ledger.cashier_id): the cashier menu stays closed")
                return False
            try:
                ok = self.service.verify_cashier(self.cashier_id, pin)
            except LedgerClientError as exc:
                raise PaymentsUnavailable(str(exc)) from exc
            if ok:
                self._cashier = (self.cashier_id, pin)
            return ok

    def refund_last(self) -> Refunded | Declined:
        with self._lock:
            last = self.service.last_payment()
            if last is None:
                return Declined("nothing_to_refund", "There is no payment to refund.")
            if self._cashier is None:
                return Declined("cashier_required", "A cashier must sign in first.")
            cashier_id, pin = self._cashier
            outcome = self.service.refund(last.transfer_id, cashier_id=cashier_id, cashier_pin=pin)
        if isinstance(outcome, LedgerApproved):
            return Refunded(outcome.transfer_id, outcome.amount.minor, outcome.amount.currency)
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
        for entry in report.needs_attention:
            log.warning("payment %s was approved after the shopper was told it failed: void it",
                        entry.transfer_id)
        return len(report.still_open)

    def today_summary(self) -> DaySummary:
        with self._lock:
            totals = self.service.day_totals()
            rec = self.service.reconcile_day(totals.day)
        return DaySummary(payments=totals.payments[0], paid_minor=totals.payments[1].minor,
                          refunds=totals.refunds[0], refunded_minor=totals.refunds[1].minor,
                          currency=totals.currency, verdict=rec.verdict_text)


def _attempts_left(outcome: Refused) -> int | None:
    details = getattr(outcome, "details", None)
    if isinstance(details, dict) and isinstance(details.get("attempts_left"), int):
        return int(details["attempts_left"])
    return None
