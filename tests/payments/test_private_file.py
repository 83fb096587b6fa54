"""The package's one secret-file writer: mode 600 from the first byte, whole files or none."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from payments._private_file import append_private, create_private, write_private


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    old = os.umask(0)  # the mode must not depend on a careful umask
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_the_owners_alone_and_complete(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "terminal.key"
    write_private(path, b"secret")
    assert path.read_bytes() == b"secret" and _mode(path) == 0o600
    assert os.listdir(path.parent) == ["terminal.key"]  # no temporary left behind


def test_replacing_a_readable_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    path.write_bytes(b"old")
    path.chmod(0o644)
    write_private(path, b"new")
    assert path.read_bytes() == b"new" and _mode(path) == 0o600


def test_refusing_to_overwrite_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    write_private(path, b"first", overwrite=False)
    with pytest.raises(FileExistsError):
        write_private(path, b"second", overwrite=False)
    assert path.read_bytes() == b"first" and os.listdir(tmp_path) == ["ledger.key"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "terminal.key"
    write_private(path, b"old")
    full_disk = mock.patch("payments._private_file.os.fsync", side_effect=OSError(28, "No space left"))
    with full_disk, pytest.raises(OSError, match="No space"):
        write_private(path, b"new")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["terminal.key"]


def test_create_and_append_are_private_too(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    assert create_private(db) is True and _mode(db) == 0o600
    assert create_private(db) is False
    with pytest.raises(FileExistsError):
        create_private(db, exist_ok=False)
    log = tmp_path / "anchors.jsonl"
    append_private(log, b"one\n")
    append_private(log, b"two\n")
    assert log.read_bytes() == b"one\ntwo\n" and _mode(log) == 0o600
