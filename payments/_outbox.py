"""The terminal's payment outbox: debits, refunds, voids and their recovery.

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

:meth:`Outbox.recover` (at start-up and periodically) resolves every open entry.
An abandoned entry the ledger never received becomes final once no attempt of it can
still be accepted: the ledger refuses requests whose timestamp is more than 300 s old.

Refusals before anything is journalled raise :class:`payments._checks.InvalidPayment`.
Journal errors (:mod:`payments.journal`) pass through: without a journal the terminal
cannot take payments. Ledger errors never escape :meth:`Outbox.pay`, :meth:`Outbox.refund`
or :meth:`Outbox.void`: they become outcomes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from payments import _daybook
from payments._checks import InvalidPayment, PaymentError, check_amount, check_id, check_pin, new_ids
from payments._crash import crash_point
from payments._evidence import Evidence
from payments._retry import Retry
from payments.client import Declined, LedgerClient, LedgerRefused, LedgerTransfer, LedgerUnreachable
from payments.journal import EntryKind, EntryState, Journal, JournalEntry, JournalError, NewEntry
from payments.money import Money
from payments.outcomes import (
    Approved,
    NotCompleted,
    OfflineRules,
    PaymentOutcome,
    Reason,
    RecoveryReport,
    Refused,
    StoredOffline,
)
from payments.pinblock import encrypt_pin, pin_context, valid_pin
from payments.wire import anchor_text, from_iso_time, json_bytes

__all__ = ["ABANDON_AFTER_S", "REVERSAL_REASON", "Outbox"]

log = logging.getLogger(__name__)

# The ledger refuses a request whose timestamp is more than 300 s from its clock; after
# that plus a margin for clock skew, no attempt of an abandoned entry can still post.
ABANDON_AFTER_S = 300.0 + 60.0
# What the ledger records as the reason of a reversal the terminal sends on its own.
REVERSAL_REASON = "outcome unknown at the terminal: automatic reversal"
_PATHS = {EntryKind.DEBIT: "/v1/debits", EntryKind.REFUND: "/v1/refunds", EntryKind.VOID: "/v1/voids"}
_REVERSAL_PATH = "/v1/reversals"
_CASHIER_PIN = "a cashier PIN is 4 to 12 digits"


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


class Outbox:
    """Debits, refunds, voids and recovery for one terminal, over one journal and one client.

    Methods block (HTTP and fsync); the kiosk calls them on a worker thread.
    """

    def __init__(
        self,
        client: LedgerClient,
        journal: Journal,
        *,
        currency: str,
        rules: OfflineRules,
        retry: Retry,
        abandon_after_s: float = ABANDON_AFTER_S,
    ) -> None:
        self.client = client
        self.journal = journal
        self.currency = currency
        self.rules = rules
        self.retry = retry
        self.abandon_after_s = abandon_after_s
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()

    # --- the three requests ---------------------------------------------------------

    def pay(
        self,
        customer_id: str,
        amount: Money,
        *,
        evidence: Evidence,
        pin: str | None = None,
        merchant_ref: str = "",
        allow_offline: bool = True,
        candidates: Sequence[str] = (),
        opened_by: str = "",
    ) -> PaymentOutcome:
        """Debit ``customer_id`` by ``amount``; ``pin`` for the PIN fallback (sent encrypted).

        With two or more ``candidates`` (the face's ranking, ``customer_id`` among them) and a
        PIN, the ledger debits the one candidate whose PIN it is (``Refused`` with
        ``wrong_pin`` when none is, ``customer_id_required`` when several are): a shopper the
        face ranked second pays with their own PIN, and nobody else's lockout counts it.
        ``opened_by`` (the cashier who opened the sale, or ``till:<id>``) stays in the journal
        entry for the merchant's day; the ledger is not told.
        """
        check_amount(amount, self.currency)
        check_id(customer_id, "customer id")
        if opened_by:
            check_id(opened_by, "cashier id")
        chosen = tuple(dict.fromkeys(candidates)) if pin is not None and len(set(candidates)) > 1 else ()
        for candidate in chosen:
            check_id(candidate, "customer id")
        if pin is not None and not valid_pin(pin):
            raise InvalidPayment("a PIN is 4 to 12 digits")
        transfer_id, key = new_ids(self.client.terminal_id)
        payer: dict[str, Any] = {"candidates": list(chosen)} if chosen else {"customer_id": customer_id}
        record = evidence.to_json()
        body: dict[str, Any] = {
            "transfer_id": transfer_id,
            **payer,
            "amount": amount.to_json(),
            "merchant_ref": merchant_ref or transfer_id,
            "evidence": record,
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
                request_body=json_bytes(body),
                evidence=record,
                pin_used=pin is not None,
                cashier_id=opened_by or None,
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
        check_amount(amount, self.currency)
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

    def offline_exposure(self) -> Money:
        """Total of debits stored offline and not yet forwarded."""
        return _daybook.offline_exposure(self.journal.open_entries(), self.currency)

    # --- recovery -------------------------------------------------------------------

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
        transfer_id, key = new_ids(self.client.terminal_id)
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
                request_body=json_bytes(body),
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

    # --- steps ----------------------------------------------------------------------

    def _drive(self, entry: JournalEntry, *, allow_offline: bool) -> PaymentOutcome:
        with self._claim(entry.transfer_id):
            reached = self._send(entry, self.retry.attempts)
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
        """Send the entry's body up to ``attempts`` times with its one key (:class:`Retry`)."""
        body = entry.request_body
        if body is None:
            raise PaymentError(f"{entry.transfer_id} has no request body left to send")
        delivered = [False]  # did any attempt that failed get as far as a connection?

        def attempt() -> LedgerTransfer:
            self.journal.begin_attempt(entry.transfer_id)
            try:
                return self.client.post_transfer(_path(entry), body, entry.idempotency_key)
            except LedgerUnreachable as exc:
                delivered[0] = delivered[0] or exc.maybe_delivered
                raise

        try:
            transfer = self.retry.run(attempt, attempts=attempts, what=entry.transfer_id)
        except Declined as exc:
            return _Reached(declined=exc, maybe_delivered=True)
        except LedgerRefused as exc:
            # Signed: this attempt was not considered. Earlier ones may have been posted.
            return _Reached(refused=exc, maybe_delivered=delivered[0])
        except LedgerUnreachable as exc:
            log.info("last attempt of %s: %s", entry.transfer_id, exc)
            return _Reached(unreachable=exc, maybe_delivered=delivered[0])
        return _Reached(transfer=transfer, maybe_delivered=True)

    def _keep_anchor(self) -> None:
        """Keep the ledger's newest signed audit head in the journal (outside the ledger)."""
        anchor = self.client.latest_anchor
        if anchor is not None:
            try:
                self.journal.keep_anchor(anchor.seq, anchor_text(anchor.to_json()))
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
        last = from_iso_time(entry.last_attempt_at or entry.created_at)
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

    def _pin_block(self, pin: str, key: str, subject_id: str) -> dict[str, object] | NotCompleted:
        try:
            ledger_pin_key = self.client.pin_key()
        except (LedgerUnreachable, LedgerRefused) as exc:
            return NotCompleted("", Reason.PIN_NEEDS_LEDGER, str(exc))
        return encrypt_pin(ledger_pin_key, pin, context=pin_context(self.client.terminal_id, key, subject_id))

    def _original(self, transfer_id: str) -> JournalEntry:
        check_id(transfer_id, "transfer id")
        original = self.journal.find(transfer_id)
        if original is None or original.kind != EntryKind.DEBIT:
            raise InvalidPayment(f"{transfer_id} is not a payment of this terminal")
        if original.state != EntryState.APPROVED:
            raise InvalidPayment(f"{transfer_id} is {original.state}, not approved")
        return original

    def _refundable(self, original: JournalEntry) -> Money:
        return _daybook.refundable(original, self.journal.related(original.transfer_id))

    def _cashier_request(
        self,
        kind: EntryKind,
        original: JournalEntry,
        amount: Money,
        cashier_id: str,
        cashier_pin: str,
        extra: Mapping[str, Any],
    ) -> PaymentOutcome:
        check_id(cashier_id, "cashier id")
        check_pin(cashier_pin, _CASHIER_PIN)
        if kind == EntryKind.VOID and self._refundable(original) != original.amount:
            raise InvalidPayment(f"{original.transfer_id} has refunds or a void already; it cannot be voided")
        transfer_id, key = new_ids(self.client.terminal_id)
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
                request_body=json_bytes(body),
                pin_used=True,
                original_transfer_id=original.transfer_id,
                cashier_id=cashier_id,
                evidence={"reason": extra.get("reason", "")},
            )
        )
        crash_point("after_journal_write")
        return self._drive(entry, allow_offline=False)
