"""payments: the terminal's side of paying (outbox, staff requests, day-book) and the ledger.

The public face is :data:`__all__` below; the parts live in private modules (``_outbox``,
``_staff``, ``_daybook``, ``_retry``, ``_checks``, ``_evidence``) and in the protocol modules
(``client``, ``journal``, ``wire``, ``money``, ``signing``, ``pinblock``, ``outcomes``,
``reconcile``, ``report``). The ledger service is the subpackage :mod:`payments.ledger`.

Names are loaded on first use, so that ``import payments.ledger`` (or ``payments.money``)
does not load the terminal's HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payments._checks import ENROLMENT_CODE_DIGITS, InvalidPayment, PaymentError
    from payments._daybook import (
        day_bounds,
        day_totals,
        last_payment,
        merged_for_reconciliation,
        offline_exposure,
        outstanding,
        refundable,
        to_read_back,
    )
    from payments._evidence import Evidence
    from payments._retry import Retry
    from payments.client import (
        BadLedgerSignature,
        Declined,
        LedgerClient,
        LedgerClientError,
        LedgerConfigError,
        LedgerEnrolment,
        LedgerErasure,
        LedgerRefused,
        LedgerServerError,
        LedgerTimeout,
        LedgerTransfer,
        LedgerUnreachable,
    )
    from payments.journal import EntryKind, EntryState, Journal, JournalEntry, JournalError
    from payments.money import Money, MoneyError
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
    from payments.reconcile import Reconciliation, Verdict, reconcile
    from payments.terminal import PaymentService

_HOME = {
    "ENROLMENT_CODE_DIGITS": "_checks",
    "InvalidPayment": "_checks",
    "PaymentError": "_checks",
    "day_bounds": "_daybook",
    "day_totals": "_daybook",
    "last_payment": "_daybook",
    "merged_for_reconciliation": "_daybook",
    "offline_exposure": "_daybook",
    "outstanding": "_daybook",
    "refundable": "_daybook",
    "to_read_back": "_daybook",
    "Evidence": "_evidence",
    "Retry": "_retry",
    "BadLedgerSignature": "client",
    "Declined": "client",
    "LedgerClient": "client",
    "LedgerClientError": "client",
    "LedgerConfigError": "client",
    "LedgerEnrolment": "client",
    "LedgerErasure": "client",
    "LedgerRefused": "client",
    "LedgerServerError": "client",
    "LedgerTimeout": "client",
    "LedgerTransfer": "client",
    "LedgerUnreachable": "client",
    "EntryKind": "journal",
    "EntryState": "journal",
    "Journal": "journal",
    "JournalEntry": "journal",
    "JournalError": "journal",
    "Money": "money",
    "MoneyError": "money",
    "Approved": "outcomes",
    "DayTotals": "outcomes",
    "NotCompleted": "outcomes",
    "OfflineRules": "outcomes",
    "Outstanding": "outcomes",
    "PaymentOutcome": "outcomes",
    "Reason": "outcomes",
    "RecoveryReport": "outcomes",
    "Refused": "outcomes",
    "StoredOffline": "outcomes",
    "reason_message": "outcomes",
    "Reconciliation": "reconcile",
    "Verdict": "reconcile",
    "reconcile": "reconcile",
    "PaymentService": "terminal",
}

__all__ = [
    "ENROLMENT_CODE_DIGITS",
    "Approved",
    "BadLedgerSignature",
    "DayTotals",
    "Declined",
    "EntryKind",
    "EntryState",
    "Evidence",
    "InvalidPayment",
    "Journal",
    "JournalEntry",
    "JournalError",
    "LedgerClient",
    "LedgerClientError",
    "LedgerConfigError",
    "LedgerEnrolment",
    "LedgerErasure",
    "LedgerRefused",
    "LedgerServerError",
    "LedgerTimeout",
    "LedgerTransfer",
    "LedgerUnreachable",
    "Money",
    "MoneyError",
    "NotCompleted",
    "OfflineRules",
    "Outstanding",
    "PaymentError",
    "PaymentOutcome",
    "PaymentService",
    "Reason",
    "Reconciliation",
    "RecoveryReport",
    "Refused",
    "Retry",
    "StoredOffline",
    "Verdict",
    "day_bounds",
    "day_totals",
    "last_payment",
    "merged_for_reconciliation",
    "offline_exposure",
    "outstanding",
    "reason_message",
    "reconcile",
    "refundable",
    "to_read_back",
]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'payments' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"payments.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
