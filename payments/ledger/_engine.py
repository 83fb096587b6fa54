"""The commit engine: admitted requests run in store transactions, exactly once each.

One request runs as one savepoint of a transaction: claim the nonce, look up the idempotency
key, do the work (or decline it), store the response under the key, append the audit line.
Several requests share one transaction (group commit); no reply leaves before the commit.
Before they run, the store reads what the batch names (:class:`RowsAhead`, ``Prefetch``) in
one go; where statements are pipelined (PostgreSQL) a failure anywhere in a batch undoes it
and its requests run again one per transaction (``BatchBroken``).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from payments.ledger._messages import Outcome, Pending, Reply, Work, error
from payments.ledger.audit import canonical_json
from payments.ledger.errors import BatchBroken, ErrorCode, StoreConflict, StoreError
from payments.ledger.records import StoredResponse
from payments.ledger.store import LedgerStore, LedgerTx, Prefetch
from payments.wire import iso_time, json_bytes

__all__ = ["NONCE_RETENTION_S", "TX_ATTEMPTS", "AnchorSigner", "CommitEngine", "RowsAhead"]

log = logging.getLogger(__name__)

# A nonce must be remembered as long as a request carrying it could still be fresh (2 x 300 s + margin).
NONCE_RETENTION_S = 660
# How often (per process) expired nonces are deleted.
NONCE_PURGE_EVERY_S = 60.0
# A transaction that lost a race is run again this many times before answering 503.
TX_ATTEMPTS = 10

_Result = tuple[int, bytes, bool, str] | Exception
# Signs an audit head (line number, hash) into the FacePay-Audit-Anchor header value.
AnchorSigner = Callable[[int, str], str]
# Transfer states whose answer posted (or reserved or returned) money: they carry an anchor.
_MONEY_STATES = frozenset({"posted", "pending", "voided"})


@dataclass(frozen=True, slots=True)
class RowsAhead:
    """A request's work that names the rows it will read, so a batch reads them in one go.

    Attributes:
        run: the work itself.
        customers: customer ids it locks (rows and accounts).
        transfers: transfer ids it creates.
    """

    run: Work
    customers: tuple[str, ...] = ()
    transfers: tuple[str, ...] = ()

    def __call__(self, tx: LedgerTx, now: float, at: str) -> Outcome:
        return self.run(tx, now, at)


def _prefetch(items: Sequence[Pending], todo: list[int], now: float) -> Prefetch:
    ahead = [items[n].work for n in todo]
    named = [w for w in ahead if isinstance(w, RowsAhead)]
    return Prefetch(
        nonces=tuple((items[n].auth.terminal_id, items[n].auth.nonce) for n in todo),
        keys=tuple(
            (items[n].auth.terminal_id, items[n].auth.idempotency_key) for n in todo if items[n].idempotent
        ),
        merchants=tuple(sorted({items[n].terminal.merchant_id for n in todo})),
        customers=tuple(c for w in named for c in w.customers),
        transfers=tuple(t for w in named for t in w.transfers),
        now=now,
    )


class CommitEngine:
    """Runs :class:`Pending` requests against one store."""

    def __init__(
        self, store: LedgerStore, clock: Callable[[], float], anchor: AnchorSigner | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._anchor = anchor
        self._last_purge = 0.0

    def run_batch(self, items: Sequence[Pending]) -> list[Reply | Exception]:
        """Run admitted requests in one store transaction (group commit); one reply each.

        Each request runs inside its own savepoint, so it takes effect entirely or not at
        all, exactly as if it had its own transaction; the commit makes all of them durable
        at once, and no reply leaves before it. A request that loses a race is rolled back
        to its savepoint and run again in the next transaction. A request whose work raised
        an unexpected exception gets that exception instead of a reply (the HTTP layer
        answers 500); the others are unaffected (on PostgreSQL after the batch is run again
        one request per transaction).
        """
        started = time.perf_counter()
        results = self._run(items, list(range(len(items))))
        db_ms = (time.perf_counter() - started) * 1000
        replies: list[Reply | Exception] = []
        for n, item in enumerate(items):
            result = results.get(n)
            if isinstance(result, Exception):
                replies.append(result)
                continue
            if result is None:
                outcome = error(ErrorCode.UNAVAILABLE)
                result = outcome.status, json_bytes(outcome.payload), False, ""
            status, body, replayed, anchor = result
            replies.append(
                Reply(status, body, item.auth.nonce, replayed, {"auth": item.auth_ms, "db": db_ms}, anchor)
            )
        return replies

    def _run(self, items: Sequence[Pending], todo: list[int]) -> dict[int, _Result]:
        """Run ``todo`` in as few transactions as races allow; the results of those that ran."""
        results: dict[int, _Result] = {}
        for attempt in range(TX_ATTEMPTS):
            if not todo:
                break
            try:
                done, todo = self._transaction_of(items, todo)
            except BatchBroken as exc:
                log.warning("a batch of %d failed (%s): running its requests one by one", len(todo), exc)
                for n in todo:
                    try:
                        results.update(self._run(items, [n]))
                    except Exception as failed:  # the handler answers 500; the others still run
                        results[n] = failed
                return results
            except StoreConflict as exc:
                log.debug("transaction conflict (attempt %d): %s", attempt + 1, exc)
                time.sleep(0.001 * (attempt + 1) + secrets.randbelow(1000) / 1e6)
                continue
            except StoreError as exc:
                log.error("store failure during %s: %s", items[todo[0]].action, exc)
                break
            results.update(done)
            if todo:
                time.sleep(0.001 * (attempt + 1) + secrets.randbelow(1000) / 1e6)
        return results

    def _transaction_of(
        self, items: Sequence[Pending], todo: list[int]
    ) -> tuple[dict[int, _Result], list[int]]:
        """One transaction over ``todo``: (results of the committed ones, the ones to run again)."""
        done: dict[int, _Result] = {}
        again: list[int] = []
        with self._store.transaction() as tx:
            tx.prefetch(_prefetch(items, todo, self._clock()))
            if len(todo) == 1:
                done[todo[0]] = self._run_once(tx, items[todo[0]])
                return done, again
            for n in todo:
                try:
                    with tx.savepoint():
                        done[n] = self._run_once(tx, items[n])
                except StoreConflict as exc:
                    log.debug("request lost a race inside a batch: %s", exc)
                    again.append(n)
                except StoreError:
                    raise
                except Exception as exc:
                    done[n] = exc  # the handler answers 500; the others still commit
        return done, again

    def _run_once(self, tx: LedgerTx, item: Pending) -> tuple[int, bytes, bool, str]:
        action, auth, request_hash, idempotent = item.action, item.auth, item.request_hash, item.idempotent
        actor = f"terminal:{item.terminal.terminal_id}"
        now = self._clock()
        at = iso_time(now)
        if now - self._last_purge > NONCE_PURGE_EVERY_S:
            tx.purge_nonces(now - NONCE_RETENTION_S)
            self._last_purge = now
        base = {"nonce": auth.nonce, "idempotency_key": auth.idempotency_key}
        key = auth.idempotency_key if idempotent else ""
        claimed, stored = tx.claim_nonce_and_find(auth.terminal_id, auth.nonce, now, key)
        if not claimed:
            outcome = error(ErrorCode.REPLAY)
            tx.append_audit(at, actor, action, f"{outcome.status} replay", canonical_json(base))
            return outcome.status, json_bytes(outcome.payload), False, ""
        if idempotent and not auth.idempotency_key:
            outcome = error(ErrorCode.MISSING_IDEMPOTENCY_KEY)
            tx.append_audit(at, actor, action, f"{outcome.status} {outcome.code}", canonical_json(base))
            return outcome.status, json_bytes(outcome.payload), False, ""
        if stored is not None:
            if stored.request_hash != request_hash:
                outcome = error(ErrorCode.IDEMPOTENCY_MISMATCH)
                tx.append_audit(at, actor, action, f"{outcome.status} {outcome.code}", canonical_json(base))
                return outcome.status, json_bytes(outcome.payload), False, ""
            tx.append_audit(at, actor, action, f"{stored.status} replayed", canonical_json(base))
            return stored.status, stored.body, True, ""
        outcome = item.work(tx, now, at)
        body = json_bytes(outcome.payload)
        if idempotent and outcome.status < 500:
            tx.save_response(
                auth.terminal_id, auth.idempotency_key, StoredResponse(request_hash, outcome.status, body), at
            )
        entry = tx.append_audit(
            at, actor, action, f"{outcome.status} {outcome.code}", canonical_json({**base, **outcome.audit})
        )
        posted = outcome.status < 300 and outcome.payload.get("status") in _MONEY_STATES
        anchor = self._anchor(entry.seq, entry.hash) if posted and self._anchor is not None else ""
        return outcome.status, body, False, anchor
