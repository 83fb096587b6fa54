"""How a journal file comes into being: atomically, or not at all.

A journal is built in a temporary file beside its final path (schema, WAL mode,
integrity check, fsync), then linked into place and the folder synced. A disk
that fills up half way leaves only the temporary file, which is removed at once
or, after a crash, by the next open. So the journal path holds either nothing
or a complete journal.

Older versions created the file in place; a full disk then left a table-less
SQLite file (one 4 KiB page) that every later open refused as "not a facepay
journal". Such a file, an empty one and one of zero bytes are recognised as
holding no data and replaced; a file with any table or any page beyond the
first is never touched.

Creation and replacement run under an exclusive lock on the folder, so two
processes opening a missing journal at once end up sharing one file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from payments._private_file import create_private

__all__ = ["ensure_journal_file", "holds_no_data"]

log = logging.getLogger(__name__)

# A table-less leftover is one page; anything this size or larger is taken as a real file
# without opening it (a journal with its schema is at least eight pages).
_BLANK_MAX_BYTES = 8192
_TEMP_SUFFIX = ".creating"
_SIDE_FILES = ("-journal", "-wal", "-shm")


def fsync_dir(path: Path) -> None:
    """Make a rename or link in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield  # a folder we cannot open for locking: go on without (one process per kiosk)
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            log.debug("no flock on %s; creating the journal without it", folder)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temp_name(path: Path) -> str:
    return f".{path.name}."


def _remove_leftover_temps(path: Path) -> None:
    """Temporary files of a creation that crashed (only called under the folder lock)."""
    prefix = _temp_name(path)
    for leftover in path.parent.glob(prefix + "*"):
        base = leftover.name
        for side in _SIDE_FILES:
            base = base.removesuffix(side)
        if base.endswith(_TEMP_SUFFIX):
            log.info("removing %s, left by a journal creation that did not finish", leftover)
            leftover.unlink(missing_ok=True)


def holds_no_data(path: Path) -> bool:
    """True for a file at ``path`` that is empty, all zero bytes, or an SQLite file with no
    table and a single page (its WAL included). Anything unreadable counts as data."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size == 0:
        return True
    if size > _BLANK_MAX_BYTES:
        return False
    data = path.read_bytes()
    if not data.strip(b"\x00"):
        return True
    wal = Path(f"{path}-wal")
    # Without WAL content the file alone is the database: read it as it is (no lock, no -shm
    # to create, which a full disk would refuse).
    immutable = not wal.exists() or wal.stat().st_size == 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro{'&immutable=1' if immutable else ''}", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return int(tables) == 0 and int(pages) <= 1


def _replace_blank(path: Path) -> None:
    log.warning(
        "%s holds no journal data (a creation interrupted by an older version, e.g. on a "
        "full disk); replacing it",
        path,
    )
    for side in _SIDE_FILES:
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.unlink()


def _build(temp: Path, build: Callable[[sqlite3.Connection], None]) -> None:
    # Mode 600 from the first byte, whatever the umask (SQLite gives its side files the same mode).
    create_private(temp, exist_ok=False)
    conn = sqlite3.connect(temp, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        build(conn)  # in rollback-journal mode: each commit is in the file when it returns
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch the new journal to WAL (got {mode!r})")
        check = conn.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"the new journal fails its integrity check ({check!r})")
    finally:
        conn.close()
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(temp: Path, path: Path) -> None:
    """Put ``temp`` at ``path`` unless something is there already."""
    try:
        os.link(temp, path)
    except FileExistsError:
        return
    except OSError:  # a file system without hard links: under the folder lock a rename is as safe
        if not path.exists():
            os.rename(temp, path)


def ensure_journal_file(path: Path, build: Callable[[sqlite3.Connection], None]) -> bool:
    """Create the journal at ``path`` with ``build`` (schema and first rows, on a connection
    to a temporary file) unless a file holding data is there; True when it was created.

    Raises OSError or sqlite3.Error when the journal cannot be made (disk full, read-only
    folder); then ``path`` holds nothing (or the file it held, when that held data) and no
    temporary file remains.
    """
    if path.exists() and path.stat().st_size >= _BLANK_MAX_BYTES:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(path.parent):
        _remove_leftover_temps(path)
        if path.exists():
            if not holds_no_data(path):
                return False
            _replace_blank(path)
        temp = path.with_name(f"{_temp_name(path)}{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
        try:
            _build(temp, build)
            _publish(temp, path)
            fsync_dir(path.parent)
        finally:
            for name in (str(temp), *(f"{temp}{side}" for side in _SIDE_FILES)):
                Path(name).unlink(missing_ok=True)
    return True
