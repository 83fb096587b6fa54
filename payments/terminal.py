"""The terminal's payment service: what the kiosk and ``facepay pay`` call.

:class:`PaymentService` is one face over three parts:

* the outbox (:mod:`payments._outbox`): debits, refunds, voids and recovery, journalled
  before the first send and retried with one key (how a retry can never charge twice is
  told there);
* staff requests (:mod:`payments._staff`): cashier sign-in, enrolment link and erasure;
* the day-book (:mod:`payments._daybook`): plain functions for the day's totals, what is
  outstanding and what reconciliation compares.

Exceptions: :class:`PaymentError` and :class:`InvalidPayment` (:mod:`payments._checks`).
Journal errors pass through; ledger errors never escape :meth:`PaymentService.pay`,
:meth:`~PaymentService.refund` or :meth:`~PaymentService.void`: they become outcomes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from payments import _daybook
from payments._checks import ENROLMENT_CODE_DIGITS, InvalidPayment, PaymentError
from payments._evidence import Evidence
from payments._outbox import ABANDON_AFTER_S, REVERSAL_REASON, Outbox
from payments._retry import ATTEMPTS, BACKOFF_S, Retry
from payments._staff import StaffDesk
from payments.client import Declined, LedgerClient, LedgerRefused, LedgerTransfer, LedgerUnreachable
from payments.journal import Journal, JournalEntry
from payments.money import Money
from payments.outcomes import (
    Approved,
    DayTotals,
    NotCompleted,
    OfflineRules,
    Outstanding,
    PaymentOutcome,
    Reason,
    RecoveryReport,
    Refused,
    StoredOffline,
    reason_message,
)
from payments.reconcile import Reconciliation, reconcile

__all__ = [
    "ABANDON_AFTER_S",
    "ATTEMPTS",
    "BACKOFF_S",
    "ENROLMENT_CODE_DIGITS",
    "REVERSAL_REASON",
    "Approved",
    "DayTotals",
    "Evidence",
    "InvalidPayment",
    "NotCompleted",
    "OfflineRules",
    "Outstanding",
    "PaymentError",
    "PaymentOutcome",
    "PaymentService",
    "Reason",
    "RecoveryReport",
    "Refused",
    "StoredOffline",
    "reason_message",
]

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PaymentService:
    """Debits, refunds, voids, staff requests and recovery for one terminal, over one journal
    and one client; plus the day's figures from the journal.

    Methods block (HTTP and fsync); the kiosk calls them on a worker thread.
    """

    def __init__(
        self,
        client: LedgerClient,
        journal: Journal,
        *,
        currency: str,
        rules: OfflineRules | None = None,
        attempts: int = ATTEMPTS,
        backoff_s: Sequence[float] = BACKOFF_S,
        abandon_after_s: float = ABANDON_AFTER_S,
        sleep: Callable[[float], None] = time.sleep,
        tz: tzinfo = UTC,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """``tz``: the shop's time zone, where its business days run from midnight to midnight
        (``shop.timezone``); ``clock``: now, for "today"."""
        if client.terminal_id != journal.terminal_id:
            raise PaymentError(
                f"client is terminal {client.terminal_id!r} but the journal belongs to "
                f"{journal.terminal_id!r}"
            )
        Money(0, currency)  # validates the code
        self.client = client
        self.journal = journal
        self.currency = currency
        self.tz = tz
        self.clock = clock
        self.retry = Retry(max(1, attempts), tuple(backoff_s), sleep)
        self.outbox = Outbox(
            client,
            journal,
            currency=currency,
            rules=rules or OfflineRules(),
            retry=self.retry,
            abandon_after_s=abandon_after_s,
        )
        self.staff = StaffDesk(client, self.retry)
        # The outbox's requests and the staff requests, under the names callers know.
        self.pay = self.outbox.pay
        self.refund = self.outbox.refund
        self.void = self.outbox.void
        self.recover = self.outbox.recover
        self.needs_attention = self.outbox.needs_attention
        self.offline_exposure = self.outbox.offline_exposure
        self.verify_cashier = self.staff.verify_cashier
        self.enrol_customer = self.staff.enrol_customer
        self.erase_customer_link = self.staff.erase_customer_link

    @property
    def rules(self) -> OfflineRules:
        return self.outbox.rules

    # --- the day-book ---------------------------------------------------------------

    def outstanding(self, now: datetime | None = None) -> list[Outstanding]:
        """Open entries with their age (store-and-forward payments first)."""
        return _daybook.outstanding(self.journal.open_entries(), now or datetime.now(UTC))

    def last_payment(self) -> JournalEntry | None:
        """The latest approved debit of this terminal, or None."""
        return _daybook.last_payment(self.journal.entries())

    def day_bounds(self, day: str | None = None) -> tuple[str, str, str]:
        """(day, first instant, next day's first instant) of one of the shop's business days
        (default today), the instants as UTC wire times."""
        return _daybook.day_bounds(day, self.tz, self.clock())

    def day_entries(self, day: str | None = None) -> list[JournalEntry]:
        """The journal entries of one business day (default today), oldest first."""
        _, first, end = self.day_bounds(day)
        return self.journal.entries(first, end)

    def day_totals(self, day: str | None = None) -> DayTotals:
        """Totals of one business day (default today) from the journal."""
        day, first, end = self.day_bounds(day)
        return _daybook.day_totals(
            day, self.currency, self.journal.entries(first, end), self.journal.entries()
        )

    def reconcile_day(self, day: str | None = None) -> Reconciliation:
        """Reconcile one business day (default today) against the ledger; "unconfirmed" when it
        is unreachable.

        A payment journalled on one day and posted on another (store-and-forward across
        midnight) is fetched from the other side, so each day's comparison is complete.
        """
        day, first, end = self.day_bounds(day)
        entries = self.journal.entries(first, end)
        records: list[LedgerTransfer] | None
        try:
            records = list(self.client.list_transfers(first, end).transfers)
            for transfer_id in _daybook.to_read_back(entries, records):
                found = self.client.transfer(transfer_id)
                if found is not None:
                    records.append(found)
        except (LedgerUnreachable, LedgerRefused, Declined) as exc:
            log.warning("reconciliation without the ledger: %s", exc)
            records = None
        if records is not None:
            entries = _daybook.merged_for_reconciliation(
                entries, (self.journal.find(r.transfer_id) for r in records)
            )
        return reconcile(entries, records, day=day, terminal_id=self.journal.terminal_id)
