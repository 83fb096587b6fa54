"""The package's one way of writing a file only its owner may read (mode 600).

Keys, PIN-bearing demo files, audit anchors and the SQLite files of the journal and the ledger
all hold secrets or money: each is mode 600 from its first byte, whatever the umask, so no
other user can open it in the moment between creating it and fixing its mode.

- :func:`write_private` writes a whole file atomically (a crash or a reader sees the old file
  or the complete new one, never a part) and can refuse to replace an existing one.
- :func:`create_private` makes an empty file for a database to fill.
- :func:`append_private` adds a durable line to a log such as the anchor file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["append_private", "create_private", "write_private"]

_MODE = 0o600


def write_private(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` (mode 600), atomically and durably.

    ``overwrite=False`` refuses an existing ``path`` with ``FileExistsError`` and leaves it as
    it was. Missing parent folders are created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 600
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(temp, path)
        else:
            os.link(temp, path)  # atomic and never replaces: FileExistsError when path exists
            temp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _sync_dir(path.parent)


def create_private(path: Path, *, exist_ok: bool = True) -> bool:
    """Create ``path`` empty with mode 600; True when it was created. An existing file is left
    alone (``exist_ok``) or refused with ``FileExistsError``."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE))
    except FileExistsError:
        if not exist_ok:
            raise
        return False
    return True


def append_private(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created mode 600) and wait until it is on disk."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _MODE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort where a folder cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
