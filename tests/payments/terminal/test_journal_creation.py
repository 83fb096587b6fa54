"""The journal is created atomically: a full disk, a crash or an old half-made file never
leaves a journal that refuses later payments."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from payments.journal import EntryKind, Journal, JournalCorrupt, JournalStorageError, NewEntry
from payments.money import Money

TMPFS_BYTES = 256 * 1024


def intent(n: int = 1) -> NewEntry:
    return NewEntry(
        f"tr-{n}", f"idem-{n}", EntryKind.DEBIT, Money(250, "EUR"), "c-alice", f"sale-{n}", b'{"amount": 250}'
    )


def _assert_works(path: Path) -> None:
    with Journal.open(path, "t-1") as j:
        j.record_intent(intent(len(j.entries()) + 1))
        assert j.entries()
    assert not _temps(path.parent)


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".creating" in p.name)


def test_a_new_journal_is_mode_600_in_wal_with_no_temporary_file_left(tmp_path: Path) -> None:
    path = tmp_path / "kiosk" / "journal.db"
    old = os.umask(0o022)
    try:
        _assert_works(path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_leftover_temporary_file_is_cleaned_up(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    stem = ".journal.db.4242.deadbeef.creating"
    leftovers = [tmp_path / stem, tmp_path / f"{stem}-journal"]
    for f in leftovers:
        f.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    unrelated = tmp_path / "journal.db.bak"
    unrelated.write_bytes(b"keep me")
    _assert_works(path)
    assert not any(f.exists() for f in leftovers)
    assert unrelated.read_bytes() == b"keep me"


def _old_version_leftover(path: Path) -> None:
    """What the old in-place creation left on a full disk: WAL switched on, no table."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    assert path.stat().st_size == 4096


@pytest.mark.parametrize("kind", ["old-table-less-4k", "zero-bytes", "zeros-4k"])
def test_a_file_that_holds_no_data_is_replaced(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "journal.db"
    if kind == "old-table-less-4k":
        _old_version_leftover(path)
    elif kind == "zero-bytes":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"\x00" * 4096)
    _assert_works(path)
    _assert_works(path)  # and it stays a journal


def test_a_table_less_file_with_more_pages_is_not_replaced(tmp_path: Path) -> None:
    """Pages beyond the first may hold something (freed pages of a dropped table): left alone."""
    path = tmp_path / "journal.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("INSERT INTO t VALUES (zeroblob(20000))")
    conn.commit()
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(JournalCorrupt, match="left untouched"):
        Journal.open(path, "t-1")
    assert path.read_bytes() == before


def test_a_small_file_with_a_table_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(JournalCorrupt, match="not a facepay journal"):
        Journal.open(path, "t-1")
    assert path.read_bytes() == before


# --- a real full disk ------------------------------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs mounted for this test (needs root and the right to mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root: the full-disk journal test is skipped")
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the full-disk journal test is skipped")
    mnt = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0755", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): full-disk journal test skipped")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path, leave_bytes: int) -> Path:
    """Fill the file system until about ``leave_bytes`` are free."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            os.write(fd, b"\x01" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    free = shutil.disk_usage(folder).free
    assert free < 4096
    os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))
    return filler


@pytest.mark.parametrize("leave_kib", [0, 8, 16, 32, 48, 64, 80, 128])
def test_a_full_disk_never_leaves_a_half_made_journal(small_tmpfs: Path, leave_kib: int) -> None:
    path = small_tmpfs / "journal.db"
    filler = _fill(small_tmpfs, leave_kib * 1024)
    try:
        with Journal.open(path, "t-1"):
            created = True
    except JournalStorageError as exc:
        assert "cannot create journal" in str(exc)
        created = False
    names = sorted(p.name for p in small_tmpfs.iterdir())
    if created:
        assert "journal.db" in names
    else:
        assert names == ["filler"], names  # nothing half made, no temporary file
    assert not _temps(small_tmpfs)
    filler.unlink()
    _assert_works(path)  # once there is room, payments go on


def test_an_old_leftover_on_a_disk_that_is_still_full_stays_replaceable(small_tmpfs: Path) -> None:
    path = small_tmpfs / "journal.db"
    _old_version_leftover(path)
    filler = _fill(small_tmpfs, 0)
    with pytest.raises(JournalStorageError, match="cannot create journal"):
        Journal.open(path, "t-1")
    assert not _temps(small_tmpfs)
    filler.unlink()
    _assert_works(path)
