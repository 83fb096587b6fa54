"""The journal: durable, forward-only, owned by one terminal, never overwritten when corrupt."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from payments.journal import (
    EntryKind,
    EntryState,
    IllegalTransition,
    Journal,
    JournalCorrupt,
    JournalError,
    JournalWrongTerminal,
    NewEntry,
)
from payments.money import Money


def intent(n: int = 1, *, pin: bool = False) -> NewEntry:
    return NewEntry(
        transfer_id=f"tx_{n}",
        idempotency_key=f"ik_{n}",
        kind=EntryKind.DEBIT,
        amount=Money(100 * n, "EUR"),
        customer_id="c-alice",
        merchant_ref=f"sale-{n}",
        request_body=b'{"x":1}',
        evidence={"score": 0.8},
        pin_used=pin,
    )


def test_durable_settings_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "journal.db"
    with Journal.open(path, "t-1") as j:
        assert j._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert j._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        entry = j.record_intent(intent())
        assert entry.state == EntryState.INTENT and entry.attempts == 0
    # A separate connection (another process would do the same) sees the committed intent.
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT state, idempotency_key FROM entries").fetchall() == [("intent", "ik_1")]
    raw.close()
    with Journal.open(path, "t-1") as j:
        assert j.get("tx_1").evidence == {"score": 0.8}


def test_states_only_move_forward(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.db", "t-1") as j:
        j.record_intent(intent())
        with pytest.raises(IllegalTransition):
            j.mark("tx_1", EntryState.APPROVED)  # an intent was never sent: it cannot be approved
        assert j.begin_attempt("tx_1").state == EntryState.SENT
        assert j.mark("tx_1", EntryState.UNKNOWN).state == EntryState.UNKNOWN
        assert j.mark("tx_1", EntryState.APPROVED, ledger_status="posted").state == EntryState.APPROVED
        for back in (EntryState.SENT, EntryState.UNKNOWN, EntryState.DECLINED, EntryState.STORED_OFFLINE):
            with pytest.raises(IllegalTransition):
                j.mark("tx_1", back)
        with pytest.raises(IllegalTransition):
            j.begin_attempt("tx_1")  # a final entry is never sent again
        assert j.get("tx_1").state == EntryState.APPROVED


def test_update_guard_holds_against_a_stale_second_writer(tmp_path: Path) -> None:
    """Two processes on one journal: the WHERE clause refuses a move from a state already left."""
    path = tmp_path / "j.db"
    first, second = Journal.open(path, "t-1"), Journal.open(path, "t-1")
    first.record_intent(intent())
    first.begin_attempt("tx_1")
    # Simulate the second writer having read "sent" just before the first one finished.
    first.mark("tx_1", EntryState.DECLINED, decline_code="insufficient_funds")
    cur = second._db.conn.execute(
        "UPDATE entries SET state = 'approved' WHERE transfer_id = 'tx_1' AND state IN ('sent', 'unknown')"
    )
    assert cur.rowcount == 0
    with pytest.raises(IllegalTransition):
        second.mark("tx_1", EntryState.APPROVED)
    assert second.get("tx_1").state == EntryState.DECLINED
    first.close()
    second.close()


def test_pin_request_body_is_dropped_once_final(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.db", "t-1") as j:
        j.record_intent(intent(pin=True))
        j.begin_attempt("tx_1")
        assert j.get("tx_1").request_body is not None
        assert j.mark("tx_1", EntryState.DECLINED, decline_code="wrong_pin").request_body is None


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.db", "t-1") as j:
        j.record_intent(intent())
        with pytest.raises(Exception, match="journalled already"):
            j.record_intent(intent())
        assert len(j.entries()) == 1


def test_journal_of_another_terminal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal.open(path, "t-1") as j:
        j.record_intent(intent())
    with pytest.raises(JournalWrongTerminal, match="'t-1', not 't-2'"):
        Journal.open(path, "t-2")
    with Journal.open(path, "t-1") as j:
        assert len(j.entries()) == 1  # nothing lost


@pytest.mark.parametrize(
    "content", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_corrupt_file_is_reported_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "j.db"
    path.write_bytes(content)
    with pytest.raises(JournalCorrupt, match="left untouched"):
        Journal.open(path, "t-1")
    assert path.read_bytes() == content


def test_other_sqlite_database_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(JournalCorrupt, match="not a facepay journal"):
        Journal.open(path, "t-1")
    assert path.read_bytes() == before


def test_a_debit_gets_at_most_one_reversal_even_from_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    first, second = Journal.open(path, "t-1"), Journal.open(path, "t-1")
    first.record_intent(intent())

    def reversal(n: int) -> NewEntry:
        return NewEntry(
            transfer_id=f"rv_{n}",
            idempotency_key=f"rk_{n}",
            kind=EntryKind.VOID,
            amount=Money(100, "EUR"),
            customer_id="c-alice",
            merchant_ref="sale-1",
            request_body=b"{}",
            original_transfer_id="tx_1",
        )

    made = first.record_reversal(reversal(1))
    assert made.transfer_id == "rv_1" and made.is_reversal and made.label == "reversal"
    assert second.record_reversal(reversal(2)).transfer_id == "rv_1"  # the other process gets the same one
    assert [e.transfer_id for e in second.related("tx_1")] == ["rv_1"]
    with pytest.raises(JournalError, match="no cashier"):
        first.record_reversal(replace(reversal(3), cashier_id="k-1"))
    first.close()
    second.close()


def test_a_declined_cashier_void_does_not_stand_in_for_the_reversal(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.db", "t-1") as j:
        j.record_intent(intent())
        void = NewEntry(
            transfer_id="vd_1",
            idempotency_key="vk_1",
            kind=EntryKind.VOID,
            amount=Money(100, "EUR"),
            customer_id="c-alice",
            merchant_ref="sale-1",
            request_body=b"{}",
            original_transfer_id="tx_1",
            cashier_id="k-1",
        )
        j.record_intent(void)
        j.begin_attempt("vd_1")
        j.mark("vd_1", EntryState.DECLINED, decline_code="wrong_pin")  # moved nothing
        made = j.record_reversal(replace(void, transfer_id="rv_1", idempotency_key="rk_1", cashier_id=None))
        assert made.transfer_id == "rv_1" and made.is_reversal
