"""The terminal's payment service: what the kiosk and ``facepay pay`` call.

Every debit, refund and void follows the same steps::

    validate -> journal the intent (fsync) -> [send with the entry's key]* -> journal the answer

The transfer id and idempotency key are made once, written before the first send and
reused on every retry, so a retry can never charge twice (TigerBeetle-style reliable
transaction submission). The shopper only sees "approved" when the ledger signed it.

When no trustworthy answer comes (no answer, or one whose signature does not verify):

* a debit is not completed (:class:`NotCompleted`). If an attempt may have reached the
  ledger, the shopper is told the outcome is unknown and that any charge will be returned
  automatically; before that message is returned the entry is journalled ``unknown`` and
  *abandoned* (durably). Recovery then reads it back rather than sending it again: found
  posted, it journals a *reversal* (``POST /v1/reversals``, its own transfer id and key,
  written before the first send, reused on every retry) and sends it until the ledger
  confirms it; found declined, or absent once no attempt can still post, it is closed as
  not charged. If no attempt could have reached the ledger (no connection was made), the
  entry is declined at once and the shopper is told the payment was not sent.
* with store-and-forward enabled, a face-only debit under the floor limit, within the
  exposure limit, is kept as ``stored_offline`` and forwarded by recovery. Never for a
  PIN payment: only the ledger can check a PIN.
* refunds, voids and reversals stay ``unknown`` and recovery completes them with the same key.

The shopper is told "not charged" only on a ledger-signed answer: a decline
(:class:`Refused`), or a signed read-back. An answer that does not verify (a wrong
``ledger.pub``) is never taken as one: the entry stays open and recovery keeps trying.

:meth:`PaymentService.recover` (at start-up and periodically) resolves every open entry.
An abandoned entry the ledger never received becomes final once no attempt of it can
still be accepted: the ledger refuses requests whose timestamp is more than 300 s old.

Exceptions::

    PaymentError(Exception)
    └── InvalidPayment(ValueError)  refused before anything is journalled: amount zero or
                                    negative, wrong currency, malformed PIN or customer id,
                                    unknown original, refund above what is left of it

Journal errors (:mod:`payments.journal`) pass through: without a journal the terminal
cannot take payments. Ledger errors never escape :meth:`pay`, :meth:`refund` or
:meth:`void`: they become outcomes.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from payments._crash import crash_point
from payments.client import (
    Declined,
    LedgerClient,
    LedgerEnrolment,
    LedgerErasure,
    LedgerRefused,
    LedgerTransfer,
    LedgerUnreachable,
    canonical_body,
)
from payments.journal import EntryKind, EntryState, Journal, JournalEntry, JournalError, NewEntry
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
from payments.pinblock import encrypt_pin, pin_context, valid_pin
from payments.reconcile import Reconciliation, reconcile

__all__ = [
    "ABANDON_AFTER_S",
    "ENROLMENT_CODE_DIGITS",
    "Approved",
    "DayTotals",
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

# The ledger refuses a request whose timestamp is more than 300 s from its clock; after
# that plus a margin for clock skew, no attempt of an abandoned entry can still post.
ABANDON_AFTER_S = 300.0 + 60.0
# Attempts per call while a shopper waits, and the pauses between them: about a second
# in all, long enough to ride out a dropped connection, short enough for a queue.
ATTEMPTS = 3
BACKOFF_S = (0.2, 0.6)
# The one-time enrolment code the ledger operator issues (``ledger issue-enrolment-code``).
ENROLMENT_CODE_DIGITS = 10
# The ledger's id rule (letters, digits, _.:- up to 64): customer, cashier and transfer ids.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_T = TypeVar("_T")
_PATHS = {EntryKind.DEBIT: "/v1/debits", EntryKind.REFUND: "/v1/refunds", EntryKind.VOID: "/v1/voids"}
_REVERSAL_PATH = "/v1/reversals"
# What the ledger records as the reason of a reversal the terminal sends on its own.
REVERSAL_REASON = "outcome unknown at the terminal: automatic reversal"


class PaymentError(Exception):
    """Base class of payment service errors."""


class InvalidPayment(PaymentError, ValueError):
    """A request refused before anything was journalled or sent."""


@dataclass(frozen=True, slots=True)
class _Reached:
    transfer: LedgerTransfer | None = None
    declined: Declined | None = None
    refused: LedgerRefused | None = None
    unreachable: LedgerUnreachable | None = None
    maybe_delivered: bool = False


def _path(entry: JournalEntry) -> str:
    return _REVERSAL_PATH if entry.is_reversal else _PATHS[entry.kind]


def _undoes(entry: JournalEntry) -> bool:
    """A reversal (whatever its state: a refused one is not tried again), or a cashier void
    that is not declined: either stands for the debit's money coming back."""
    return entry.kind == EntryKind.VOID and (entry.is_reversal or entry.state != EntryState.DECLINED)


def _new_ids(terminal_id: str = "") -> tuple[str, str]:
    """A fresh (transfer id, idempotency key). The ledger accepts only transfer ids in the
    terminal's own namespace (``<terminal id>:tx_<hex>``), at most 64 characters."""
    if not terminal_id:
        return f"tx_{secrets.token_hex(12)}", f"ik_{secrets.token_hex(16)}"
    hex_chars = min(24, 64 - len(terminal_id) - 4)
    if hex_chars < 16:
        raise InvalidPayment(
            f"terminal id {terminal_id!r} is too long to name transfers (at most 44 characters)"
        )
    return f"{terminal_id}:tx_{secrets.token_hex(hex_chars // 2)}", f"ik_{secrets.token_hex(16)}"


def _day_bounds(day: str | None) -> tuple[str, str, str]:
    """(day, first instant, next day's first instant) of a UTC day, default today, as ledger times."""
    day = day or datetime.now(UTC).strftime("%Y-%m-%d")
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return day, start.strftime(fmt), (start + timedelta(days=1)).strftime(fmt)


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _never_delivered(exc: LedgerUnreachable) -> bool:
    """True when the request bytes cannot have reached the ledger (no connection was made)."""
    return isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


class PaymentService:
    """Debits, refunds, voids and recovery for one terminal, over one journal and one client.

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
    ) -> None:
        if client.terminal_id != journal.terminal_id:
            raise PaymentError(
                f"client is terminal {client.terminal_id!r} but the journal belongs to "
                f"{journal.terminal_id!r}"
            )
        Money(0, currency)  # validates the code
        self.client = client
        self.journal = journal
        self.currency = currency
        self.rules = rules or OfflineRules()
        self.attempts = max(1, attempts)
        self.backoff_s = tuple(backoff_s)
        self.abandon_after_s = abandon_after_s
        self._sleep = sleep
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()

    # --- the three requests ---------------------------------------------------------

    def pay(
        self,
        customer_id: str,
        amount: Money,
        *,
        evidence: Mapping[str, Any],
        pin: str | None = None,
        merchant_ref: str = "",
        allow_offline: bool = True,
        candidates: Sequence[str] = (),
    ) -> PaymentOutcome:
        """Debit ``customer_id`` by ``amount``; ``pin`` for the PIN fallback (sent encrypted).

        With two or more ``candidates`` (the face's ranking, ``customer_id`` among them) and a
        PIN, the ledger debits the one candidate whose PIN it is (``Refused`` with
        ``wrong_pin`` when none is, ``customer_id_required`` when several are): a shopper the
        face ranked second pays with their own PIN, and nobody else's lockout counts it.
        """
        self._check_amount(amount)
        self._check_id(customer_id, "customer id")
        chosen = tuple(dict.fromkeys(candidates)) if pin is not None and len(set(candidates)) > 1 else ()
        for candidate in chosen:
            self._check_id(candidate, "customer id")
        if pin is not None and not valid_pin(pin):
            raise InvalidPayment("a PIN is 4 to 12 digits")
        transfer_id, key = _new_ids(self.client.terminal_id)
        payer: dict[str, Any] = {"candidates": list(chosen)} if chosen else {"customer_id": customer_id}
        body: dict[str, Any] = {
            "transfer_id": transfer_id,
            **payer,
            "amount": amount.to_json(),
            "merchant_ref": merchant_ref or transfer_id,
            "evidence": dict(evidence),
        }
        if pin is not None:
            block = self._pin_block(pin, key, ",".join(chosen) if chosen else customer_id)
            if isinstance(block, NotCompleted):
                return block
            body["pin"] = block
        entry = self.journal.record_intent(
            NewEntry(
                transfer_id=transfer_id,
                idempotency_key=key,
                kind=EntryKind.DEBIT,
                amount=amount,
                customer_id=",".join(chosen) if chosen else customer_id,
                merchant_ref=body["merchant_ref"],
                request_body=canonical_body(body),
                evidence=evidence,
                pin_used=pin is not None,
            )
        )
        crash_point("after_journal_write")
        return self._drive(entry, allow_offline=allow_offline)

    def refund(
        self,
        original_transfer_id: str,
        amount: Money | None = None,
        *,
        cashier_id: str,
        cashier_pin: str,
        reason: str = "",
    ) -> PaymentOutcome:
        """Refund (part of) an approved debit, authorised by a cashier's PIN; never offline."""
        original = self._original(original_transfer_id)
        left = self._refundable(original)
        amount = left if amount is None else amount
        self._check_amount(amount)
        if amount.minor > left.minor:
            raise InvalidPayment(
                f"refund of {amount} exceeds what is left of {original_transfer_id} ({left})"
            )
        return self._cashier_request(
            EntryKind.REFUND,
            original,
            amount,
            cashier_id,
            cashier_pin,
            {"amount": amount.to_json(), "reason": reason, "merchant_ref": original.merchant_ref},
        )

    def void(
        self, original_transfer_id: str, *, cashier_id: str, cashier_pin: str, reason: str = ""
    ) -> PaymentOutcome:
        """Cancel a debit entirely (no refunds on it yet), authorised by a cashier's PIN."""
        original = self._original(original_transfer_id)
        return self._cashier_request(
            EntryKind.VOID, original, original.amount, cashier_id, cashier_pin, {"reason": reason}
        )

    def verify_cashier(self, cashier_id: str, pin: str) -> None:
        """Sign ``cashier_id`` in: returns when the ledger accepts ``pin`` (audited, counted
        towards that cashier's lockout). Nothing is journalled: nothing moves.

        Raises InvalidPayment (malformed id or PIN: nothing is sent), Declined (``wrong_pin``,
        ``pin_locked`` with ``retry_after_s`` in its details, ``unknown_cashier``),
        LedgerUnreachable or LedgerRefused.
        """
        self._check_id(cashier_id, "cashier id")
        if not valid_pin(pin):
            raise InvalidPayment("a cashier PIN is 4 to 12 digits")
        key = _new_ids()[1]
        block = encrypt_pin(
            self.client.pin_key(), pin, context=pin_context(self.client.terminal_id, key, cashier_id)
        )
        body = canonical_body({"cashier_id": cashier_id, "cashier_pin": block})
        self.client.verify_cashier(body, key)

    # --- enrolment at the ledger ----------------------------------------------------

    def enrol_customer(
        self,
        customer_id: str,
        pin: str,
        cashier_id: str,
        cashier_pin: str,
        *,
        consent_version: str,
        enrolment_code: str | None = None,
    ) -> LedgerEnrolment:
        """Link a shopper's face enrolment to their account, with the account holder's proof and
        a cashier's authority. Without ``enrolment_code``, ``pin`` is the account's existing PIN
        (it is not changed); with it (the one-time code the operator issued, 10 digits), ``pin``
        is the new PIN it sets. Every secret travels as a PIN block bound to this request (the
        code's subject is ``customer_id + "#code"``). Nothing is journalled (no money moves);
        retried with one key while the ledger cannot be reached.

        Raises InvalidPayment (malformed id, PIN or code), Declined (the ledger's final refusal:
        the shopper's ``wrong_pin``/``pin_locked``, ``bad_enrolment_code``, ``proof_required``,
        the cashier's ``wrong_pin``/``pin_locked``/``unknown_cashier``, ``unknown_customer``,
        ``customer_disabled``), LedgerUnreachable or LedgerRefused.
        """
        self._check_id(customer_id, "customer id")
        self._check_id(cashier_id, "cashier id")
        if not valid_pin(pin):
            raise InvalidPayment("the shopper's PIN is 4 to 12 digits")
        if not valid_pin(cashier_pin):
            raise InvalidPayment("a cashier PIN is 4 to 12 digits")
        if enrolment_code is not None and not (
            enrolment_code.isascii()
            and enrolment_code.isdigit()
            and len(enrolment_code) == ENROLMENT_CODE_DIGITS
        ):
            raise InvalidPayment(f"an enrolment code is {ENROLMENT_CODE_DIGITS} digits")
        if not consent_version.strip():
            raise InvalidPayment("no enrolment without a consent version")
        key = _new_ids()[1]
        ledger_pin_key = self.client.pin_key()
        terminal_id = self.client.terminal_id
        fields: dict[str, Any] = {
            "customer_id": customer_id,
            "consent_version": consent_version,
            "cashier_id": cashier_id,
            "pin": encrypt_pin(ledger_pin_key, pin, context=pin_context(terminal_id, key, customer_id)),
            "cashier_pin": encrypt_pin(
                ledger_pin_key, cashier_pin, context=pin_context(terminal_id, key, cashier_id)
            ),
        }
        if enrolment_code is not None:
            fields["enrolment_code"] = encrypt_pin(
                ledger_pin_key, enrolment_code, context=pin_context(terminal_id, key, customer_id + "#code")
            )
        body = canonical_body(fields)
        return self._retrying(lambda: self.client.enrol(body, key))

    def erase_customer_link(
        self,
        customer_id: str,
        *,
        pin: str | None = None,
        cashier_id: str | None = None,
        cashier_pin: str | None = None,
        reason: str = "",
    ) -> LedgerErasure:
        """Erase the shopper's face link at the ledger (the account, its money, name and PIN stay);
        the ledger's audit receipt. It needs the shopper's ``pin`` or a cashier of the merchant
        where the face was enrolled (the ledger checks both). Raises as :meth:`enrol_customer`
        (``proof_required`` when neither proves the right).
        """
        self._check_id(customer_id, "customer id")
        key = _new_ids()[1]
        fields: dict[str, Any] = {"reason": reason} if reason else {}
        if pin is not None:
            if not valid_pin(pin):
                raise InvalidPayment("the shopper's PIN is 4 to 12 digits")
            fields["pin"] = encrypt_pin(
                self.client.pin_key(), pin, context=pin_context(self.client.terminal_id, key, customer_id)
            )
        if cashier_id is not None or cashier_pin is not None:
            self._check_id(cashier_id or "", "cashier id")
            if cashier_pin is None or not valid_pin(cashier_pin):
                raise InvalidPayment("a cashier PIN is 4 to 12 digits")
            assert cashier_id is not None
            fields["cashier_id"] = cashier_id
            fields["cashier_pin"] = encrypt_pin(
                self.client.pin_key(),
                cashier_pin,
                context=pin_context(self.client.terminal_id, key, cashier_id),
            )
        body = canonical_body(fields)
        return self._retrying(lambda: self.client.erase_enrolment(customer_id, body, key))

    def _retrying(self, call: Callable[[], _T]) -> _T:
        """``call`` (one request, one key, one body) until it answers, up to ``attempts`` times."""
        for attempt in range(self.attempts):
            if attempt:
                pauses = self.backoff_s or (0.0,)
                self._sleep(pauses[min(attempt - 1, len(pauses) - 1)])
            try:
                return call()
            except LedgerUnreachable as exc:
                if attempt + 1 == self.attempts:
                    raise
                log.info("attempt %d: %s", attempt + 1, exc)
        raise AssertionError("unreachable")

    # --- recovery and views --------------------------------------------------------

    def recover(self) -> RecoveryReport:
        """Resolve every open entry against the ledger, oldest first; then reverse every debit
        that was charged after the shopper was told its outcome was unknown."""
        resolved: list[JournalEntry] = []
        still_open: list[JournalEntry] = []
        for entry in self.journal.open_entries():
            with self._claim(entry.transfer_id) as mine:
                after = self._resolve(self.journal.get(entry.transfer_id)) if mine else entry
            (resolved if after.is_final else still_open).append(after)
        for debit in self._unreversed():
            with self._claim(debit.transfer_id) as mine:
                if not mine:
                    continue
                after = self._resolve(self._journal_reversal(debit))
            (resolved if after.is_final else still_open).append(after)
        reversed_debits = tuple(
            self.journal.get(e.original_transfer_id)
            for e in resolved
            if e.is_reversal and e.state == EntryState.APPROVED and e.original_transfer_id
        )
        return RecoveryReport(
            tuple(resolved), tuple(still_open), tuple(self.needs_attention()), reversed_debits
        )

    def needs_attention(self) -> list[JournalEntry]:
        """Debits charged after the shopper was told the outcome was unknown whose automatic
        reversal the ledger refused (too late, refunded meanwhile): a cashier refunds the rest."""
        out = []
        for e in self._abandoned_charges():
            related = self.journal.related(e.transfer_id)
            refused = any(r.is_reversal and r.state == EntryState.DECLINED for r in related)
            if refused and self._refundable(e).minor > 0:
                out.append(e)
        return out

    def _abandoned_charges(self) -> list[JournalEntry]:
        return [
            e
            for e in self.journal.entries()
            if e.abandoned
            and e.kind == EntryKind.DEBIT
            and e.state == EntryState.APPROVED
            and e.ledger_status != "voided"
        ]

    def _unreversed(self) -> list[JournalEntry]:
        """Abandoned debits the ledger posted, with no reversal (nor live cashier void) journalled yet."""
        return [
            e
            for e in self._abandoned_charges()
            if not any(_undoes(r) for r in self.journal.related(e.transfer_id))
        ]

    def _journal_reversal(self, debit: JournalEntry) -> JournalEntry:
        """The reversal of ``debit``: its own transfer id and key, durable before the first send.
        Journalled at most once per debit (an existing void or reversal is returned instead)."""
        transfer_id, key = _new_ids(self.client.terminal_id)
        original = debit.ledger_transfer_id or debit.transfer_id
        body = {"original_transfer_id": original, "transfer_id": transfer_id, "reason": REVERSAL_REASON}
        entry = self.journal.record_reversal(
            NewEntry(
                transfer_id=transfer_id,
                idempotency_key=key,
                kind=EntryKind.VOID,
                amount=debit.amount,
                customer_id=debit.customer_id,
                merchant_ref=debit.merchant_ref,
                request_body=canonical_body(body),
                original_transfer_id=debit.transfer_id,
                evidence={"reason": REVERSAL_REASON},
            )
        )
        if entry.transfer_id == transfer_id:
            log.warning(
                "debit %s of %s was posted after the shopper was told the outcome was unknown: "
                "reversing it (%s)",
                debit.transfer_id,
                debit.amount,
                transfer_id,
            )
            crash_point("after_journal_write")
        return entry

    def outstanding(self, now: datetime | None = None) -> list[Outstanding]:
        """Open entries with their age (store-and-forward payments first)."""
        now = now or datetime.now(UTC)
        items = [
            Outstanding(e, (now - _parse_time(e.created_at)).total_seconds())
            for e in self.journal.open_entries()
        ]
        return sorted(items, key=lambda o: (o.entry.state != EntryState.STORED_OFFLINE, o.entry.seq))

    def offline_exposure(self) -> Money:
        """Total of debits stored offline and not yet forwarded."""
        total = Money(0, self.currency)
        for e in self.journal.open_entries():
            if e.state == EntryState.STORED_OFFLINE and e.amount.currency == self.currency:
                total += e.amount
        return total

    def last_payment(self) -> JournalEntry | None:
        """The latest approved debit of this terminal, or None."""
        for e in reversed(self.journal.entries()):
            if e.kind == EntryKind.DEBIT and e.state == EntryState.APPROVED:
                return e
        return None

    def day_totals(self, day: str | None = None) -> DayTotals:
        """Totals of one UTC day (default today) from the journal."""
        day, first, end = _day_bounds(day)
        entries = self.journal.entries(first, end)
        counts: dict[str, int] = {"debit": 0, "refund": 0, "void": 0, "offline": 0, "declined": 0, "open": 0}
        sums: dict[str, int] = dict.fromkeys(counts, 0)
        voided = {
            e.original_transfer_id
            for e in self.journal.entries()
            if e.kind == EntryKind.VOID and e.state == EntryState.APPROVED
        }
        for e in entries:
            if e.amount.currency != self.currency:
                continue
            if e.state == EntryState.APPROVED:
                if e.kind == EntryKind.DEBIT and e.transfer_id in voided:
                    continue  # a voided sale counts under voids, through its void entry
                bucket = e.kind.value
            elif e.state == EntryState.STORED_OFFLINE:
                bucket = "offline"
            elif e.state == EntryState.DECLINED:
                if e.kind != EntryKind.DEBIT:
                    continue
                bucket = "declined"
            else:
                bucket = "open"
            counts[bucket] += 1
            sums[bucket] += e.amount.minor

        def pair(name: str) -> tuple[int, Money]:
            return counts[name], Money(sums[name], self.currency)

        return DayTotals(
            day,
            self.currency,
            pair("debit"),
            pair("refund"),
            pair("void"),
            counts["declined"],
            pair("offline"),
            counts["open"],
        )

    def reconcile_day(self, day: str | None = None) -> Reconciliation:
        """Reconcile one UTC day (default today) against the ledger; "unconfirmed" when it is unreachable.

        A payment journalled on one day and posted on another (store-and-forward across
        midnight) is fetched from the other side, so each day's comparison is complete.
        """
        day, first, end = _day_bounds(day)
        entries = self.journal.entries(first, end)
        records: list[LedgerTransfer] | None
        try:
            records = list(self.client.list_transfers(first, end).transfers)
            listed = {r.transfer_id for r in records}
            for e in entries:
                if e.transfer_id not in listed and e.attempts:
                    found = self.client.transfer(e.transfer_id)
                    if found is not None:
                        records.append(found)
        except (LedgerUnreachable, LedgerRefused, Declined) as exc:
            log.warning("reconciliation without the ledger: %s", exc)
            records = None
        if records is not None:
            have = {e.transfer_id for e in entries}
            extra = [self.journal.find(r.transfer_id) for r in records if r.transfer_id not in have]
            entries = sorted(entries + [e for e in extra if e is not None], key=lambda e: e.seq)
        return reconcile(entries, records, day=day, terminal_id=self.journal.terminal_id)

    # --- steps ----------------------------------------------------------------------

    def _drive(self, entry: JournalEntry, *, allow_offline: bool) -> PaymentOutcome:
        with self._claim(entry.transfer_id):
            reached = self._send(entry, self.attempts)
            if reached.transfer is not None or reached.declined is not None:
                outcome = self._outcome(self._record(entry, reached))
                left = reached.declined.details.get("attempts_left") if reached.declined else None
                if isinstance(outcome, Refused) and isinstance(left, int):
                    outcome = replace(outcome, attempts_left=left)
                return outcome
            return self._no_answer(entry, reached, allow_offline)

    def _no_answer(self, entry: JournalEntry, reached: _Reached, allow_offline: bool) -> PaymentOutcome:
        detail = str(reached.refused or reached.unreachable)
        if entry.kind != EntryKind.DEBIT:
            self.journal.mark(entry.transfer_id, EntryState.UNKNOWN, message=detail)
            return NotCompleted(entry.transfer_id, Reason.PENDING, detail)
        reason: Reason | None = Reason.LEDGER_REFUSED
        if reached.refused is None:
            reason = self._offline_verdict(entry, allow_offline)
            if reason is None:
                outstanding = self.offline_exposure() + entry.amount
                stored = self.journal.mark(entry.transfer_id, EntryState.STORED_OFFLINE, message=detail)
                log.warning(
                    "debit %s of %s stored offline (outstanding %s)",
                    entry.transfer_id,
                    entry.amount,
                    outstanding,
                )
                return StoredOffline(entry.transfer_id, entry.amount, stored.updated_at, outstanding)
            if not reached.maybe_delivered:
                # No attempt made a connection: nothing can have been charged.
                self.journal.mark(
                    entry.transfer_id,
                    EntryState.DECLINED,
                    decline_code="not_delivered",
                    message=detail,
                    abandoned=True,
                )
                return NotCompleted(entry.transfer_id, reason, detail)
        # An attempt may have been posted (or the ledger refused to look at a later one): the
        # outcome is unknown. Abandoned durably before the shopper is told; recovery reads it
        # back and reverses it if it was posted.
        self.journal.mark(entry.transfer_id, EntryState.UNKNOWN, message=detail, abandoned=True)
        if reached.refused is not None and not reached.maybe_delivered:
            return NotCompleted(entry.transfer_id, Reason.LEDGER_REFUSED, detail)
        return NotCompleted(entry.transfer_id, Reason.OUTCOME_UNKNOWN, detail)

    def _offline_verdict(self, entry: JournalEntry, allow_offline: bool) -> Reason | None:
        """None when store-and-forward may take this debit; otherwise why not."""
        if entry.pin_used:
            return Reason.PIN_NEEDS_LEDGER
        if not (self.rules.store_and_forward and allow_offline):
            return Reason.OFFLINE_DISABLED
        if entry.amount.currency != self.currency or entry.amount.minor > self.rules.floor_minor:
            return Reason.OVER_FLOOR_LIMIT
        if self.offline_exposure().minor + entry.amount.minor > self.rules.exposure_minor:
            return Reason.OVER_EXPOSURE_LIMIT
        return None

    def _send(self, entry: JournalEntry, attempts: int) -> _Reached:
        """Send the entry's body up to ``attempts`` times with its one key."""
        if entry.request_body is None:
            raise PaymentError(f"{entry.transfer_id} has no request body left to send")
        maybe_delivered = False
        last: LedgerUnreachable | None = None
        for attempt in range(attempts):
            if attempt:
                pause = self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)] if self.backoff_s else 0.0
                self._sleep(pause)
            self.journal.begin_attempt(entry.transfer_id)
            try:
                transfer = self.client.post_transfer(_path(entry), entry.request_body, entry.idempotency_key)
            except Declined as exc:
                return _Reached(declined=exc, maybe_delivered=True)
            except LedgerRefused as exc:
                # Signed: this attempt was not considered. Earlier ones may have been posted.
                return _Reached(refused=exc, maybe_delivered=maybe_delivered)
            except LedgerUnreachable as exc:
                log.info("attempt %d of %s: %s", attempt + 1, entry.transfer_id, exc)
                maybe_delivered = maybe_delivered or not _never_delivered(exc)
                last = exc
                continue
            return _Reached(transfer=transfer, maybe_delivered=True)
        return _Reached(unreachable=last, maybe_delivered=maybe_delivered)

    def _keep_anchor(self) -> None:
        """Keep the ledger's newest signed audit head in the journal (outside the ledger)."""
        anchor = self.client.latest_anchor
        if anchor is not None:
            try:
                self.journal.keep_anchor(anchor.seq, json.dumps(anchor.to_json(), sort_keys=True))
            except JournalError as exc:  # the payment itself is journalled; the anchor can wait
                log.warning("could not keep the audit anchor: %s", exc)

    def _record(self, entry: JournalEntry, reached: _Reached) -> JournalEntry:
        crash_point("before_journal_update")
        self._keep_anchor()
        if reached.transfer is not None:
            t = reached.transfer
            state = EntryState.DECLINED if t.status == "declined" else EntryState.APPROVED
            return self.journal.mark(
                entry.transfer_id,
                state,
                ledger_transfer_id=t.transfer_id,
                ledger_status=t.status,
                decline_code=t.decline_code,
            )
        assert reached.declined is not None
        d = reached.declined
        ledger_id = d.details.get("transfer_id")
        return self.journal.mark(
            entry.transfer_id,
            EntryState.DECLINED,
            decline_code=d.code,
            message=d.message,
            ledger_status="declined",
            ledger_transfer_id=ledger_id if isinstance(ledger_id, str) else None,
        )

    def _outcome(self, entry: JournalEntry) -> PaymentOutcome:
        if entry.state == EntryState.APPROVED:
            return Approved(
                entry.transfer_id, entry.kind, entry.amount, entry.ledger_status or "posted", entry.updated_at
            )
        return Refused(entry.transfer_id, entry.decline_code or "declined", entry.message or "")

    def _resolve(self, entry: JournalEntry) -> JournalEntry:
        """One recovery step for one open entry."""
        if entry.abandoned and entry.kind == EntryKind.DEBIT:
            return self._read_back(entry)
        reached = self._send(entry, 1)
        if reached.transfer is not None or reached.declined is not None:
            return self._record(entry, reached)
        if entry.state in (EntryState.INTENT, EntryState.SENT):
            # A crash left it in flight; it is not known yet, and not given up either.
            return self.journal.mark(
                entry.transfer_id, EntryState.UNKNOWN, message=str(reached.refused or reached.unreachable)
            )
        return self.journal.get(entry.transfer_id)

    def _read_back(self, entry: JournalEntry) -> JournalEntry:
        """An abandoned debit is never sent again: ask whether the ledger has it."""
        try:
            found = self.client.transfer(entry.transfer_id)
        except (LedgerUnreachable, LedgerRefused, Declined) as exc:
            # No verified answer (a wrong ledger.pub makes every answer unverifiable): it stays
            # open and is asked again; it is never closed as "not charged" on such an answer.
            log.warning("cannot read back %s yet: %s", entry.transfer_id, exc)
            return entry
        if found is not None:
            return self._record(entry, _Reached(transfer=found))
        last = _parse_time(entry.last_attempt_at or entry.created_at)
        if (datetime.now(UTC) - last).total_seconds() < self.abandon_after_s:
            return entry
        return self.journal.mark(
            entry.transfer_id,
            EntryState.DECLINED,
            decline_code="never_received",
            message="the ledger never received it and can no longer accept it",
        )

    # --- helpers --------------------------------------------------------------------

    @contextmanager
    def _claim(self, transfer_id: str) -> Iterator[bool]:
        """Keep recovery and a live request of this process off the same entry."""
        with self._busy_lock:
            mine = transfer_id not in self._busy
            self._busy.add(transfer_id)
        try:
            yield mine
        finally:
            if mine:
                with self._busy_lock:
                    self._busy.discard(transfer_id)

    def _check_amount(self, amount: Money) -> None:
        if not isinstance(amount, Money):
            raise InvalidPayment("the amount must be Money")
        if amount.currency != self.currency:
            raise InvalidPayment(f"this terminal takes {self.currency}, not {amount.currency}")
        if amount.minor <= 0:
            raise InvalidPayment(f"the amount must be positive, not {amount}")

    @staticmethod
    def _check_id(value: str, what: str) -> None:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise InvalidPayment(f"{what} {value!r} is not an id (letters, digits, _.:- up to 64)")

    def _pin_block(self, pin: str, key: str, subject_id: str) -> dict[str, object] | NotCompleted:
        try:
            ledger_pin_key = self.client.pin_key()
        except (LedgerUnreachable, LedgerRefused) as exc:
            return NotCompleted("", Reason.PIN_NEEDS_LEDGER, str(exc))
        return encrypt_pin(ledger_pin_key, pin, context=pin_context(self.client.terminal_id, key, subject_id))

    def _original(self, transfer_id: str) -> JournalEntry:
        self._check_id(transfer_id, "transfer id")
        original = self.journal.find(transfer_id)
        if original is None or original.kind != EntryKind.DEBIT:
            raise InvalidPayment(f"{transfer_id} is not a payment of this terminal")
        if original.state != EntryState.APPROVED:
            raise InvalidPayment(f"{transfer_id} is {original.state}, not approved")
        return original

    def _refundable(self, original: JournalEntry) -> Money:
        left = original.amount
        for e in self.journal.related(original.transfer_id):
            if e.state == EntryState.DECLINED:
                continue
            if e.kind == EntryKind.VOID:
                return Money(0, left.currency)
            left -= e.amount
        return left

    def _voided(self, entry: JournalEntry) -> bool:
        return any(
            e.kind == EntryKind.VOID and e.state == EntryState.APPROVED
            for e in self.journal.related(entry.transfer_id)
        )

    def _cashier_request(
        self,
        kind: EntryKind,
        original: JournalEntry,
        amount: Money,
        cashier_id: str,
        cashier_pin: str,
        extra: Mapping[str, Any],
    ) -> PaymentOutcome:
        self._check_id(cashier_id, "cashier id")
        if not valid_pin(cashier_pin):
            raise InvalidPayment("a cashier PIN is 4 to 12 digits")
        if kind == EntryKind.VOID and self._refundable(original) != original.amount:
            raise InvalidPayment(f"{original.transfer_id} has refunds or a void already; it cannot be voided")
        transfer_id, key = _new_ids(self.client.terminal_id)
        block = self._pin_block(cashier_pin, key, cashier_id)
        if isinstance(block, NotCompleted):
            return NotCompleted("", Reason.LEDGER_UNREACHABLE, block.detail)
        body = {
            "transfer_id": transfer_id,
            "original_transfer_id": original.transfer_id,
            "cashier_id": cashier_id,
            "cashier_pin": block,
            **extra,
        }
        entry = self.journal.record_intent(
            NewEntry(
                transfer_id=transfer_id,
                idempotency_key=key,
                kind=kind,
                amount=amount,
                customer_id=original.customer_id,
                merchant_ref=original.merchant_ref,
                request_body=canonical_body(body),
                pin_used=True,
                original_transfer_id=original.transfer_id,
                cashier_id=cashier_id,
                evidence={"reason": extra.get("reason", "")},
            )
        )
        crash_point("after_journal_write")
        return self._drive(entry, allow_offline=False)
