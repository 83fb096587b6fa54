"""Checking model files against the manifest.

:func:`verify` reports on every file (findings are data); :func:`resolve` is what a
loader calls before it opens a model and raises when the file cannot be used.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from models._errors import ModelCorrupt, ModelMissing
from models._manifest import Manifest, ModelSpec

__all__ = [
    "FileState",
    "FileStatus",
    "check_file",
    "digest_file",
    "fix_for",
    "record_digest",
    "resolve",
    "sha256_of",
    "verify",
]

# Read size for hashing: big enough to keep hashing I/O bound, small enough to bound memory.
HASH_CHUNK = 1 << 20


class FileState(StrEnum):
    """What :func:`verify` found at a model's path."""

    OK = "ok"
    MISSING = "missing"
    CORRUPT = "corrupt"
    WRONG_SIZE = "wrong_size"


@dataclass(frozen=True)
class FileStatus:
    """The state of one model file.

    Attributes:
        spec: the manifest entry.
        path: where the file is expected.
        state: ok, missing, corrupt (wrong sha256 or unreadable) or wrong_size.
        actual_sha256: digest of the file as found (None when absent, unreadable or of the
            wrong size: a file of the wrong size is not hashed).
        actual_bytes: size of the file as found (None when absent).
        detail: one line saying what is wrong ("" when ok).
        fix: one line telling the user how to get a good copy ("" when ok).
    """

    spec: ModelSpec
    path: Path
    state: FileState
    actual_sha256: str | None
    actual_bytes: int | None
    detail: str
    fix: str

    @property
    def ok(self) -> bool:
        return self.state is FileState.OK

    @property
    def required(self) -> bool:
        return not self.spec.optional


def fix_for(spec: ModelSpec, path: Path) -> str:
    """One line telling the user how to obtain ``spec``'s file at ``path``."""
    if spec.derived:
        return f"run `facepay models quantize --only {spec.id}` (made from {spec.derived_from})"
    if spec.sources:
        return f"run `facepay models fetch --only {spec.id}`"
    note = spec.source_note or "the manifest lists no source for it"
    return f"no download exists; put the file at {path}. {note}"


def sha256_of(path: Path) -> str:
    """Lowercase hex sha256 of ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def digest_file(path: Path) -> Path:
    """Where the maker of a derived model file records its sha256 and size."""
    return path.with_name(path.name + ".sha256")


def record_digest(path: Path) -> str:
    """Record ``path``'s sha256 and size beside it (for a derived file); returns the sha256."""
    sha = sha256_of(path)
    digest_file(path).write_text(f"{sha} {path.stat().st_size}\n", encoding="ascii")
    return sha


def _expected(spec: ModelSpec, path: Path) -> tuple[str, int] | None:
    """The sha256 and size ``path`` must have: the manifest's, or for a derived file the ones
    its maker recorded (None when nothing was recorded or the record is unreadable)."""
    if not spec.derived:
        return spec.sha256, spec.bytes
    try:
        sha, size = digest_file(path).read_text(encoding="ascii").split()
        return sha.lower(), int(size)
    except (OSError, ValueError):
        return None


def _status(
    spec: ModelSpec,
    path: Path,
    state: FileState,
    detail: str = "",
    *,
    sha: str | None = None,
    size: int | None = None,
) -> FileStatus:
    fix = "" if state is FileState.OK else fix_for(spec, path)
    return FileStatus(
        spec=spec, path=path, state=state, actual_sha256=sha, actual_bytes=size, detail=detail, fix=fix
    )


def check_file(spec: ModelSpec, model_dir: Path) -> FileStatus:
    """Compare the file for ``spec`` in ``model_dir`` with the manifest (size, then sha256);
    a derived file with the digest recorded beside it when it was made."""
    path = spec.path(model_dir)
    try:
        st = path.stat()
    except OSError as exc:
        detail = (
            "is absent"
            if isinstance(exc, FileNotFoundError | NotADirectoryError)
            else (f"cannot be examined: {exc.strerror}")
        )
        return _status(spec, path, FileState.MISSING, detail)
    if not path.is_file():
        return _status(spec, path, FileState.MISSING, "is not a regular file")
    expected = _expected(spec, path)
    if expected is None:
        return _status(spec, path, FileState.MISSING, f"has no readable digest at {digest_file(path)}")
    want_sha, want_bytes = expected
    said = "the manifest says" if not spec.derived else "its maker recorded"
    if st.st_size != want_bytes:
        return _status(
            spec,
            path,
            FileState.WRONG_SIZE,
            f"is {st.st_size} bytes, {said} {want_bytes}",
            size=st.st_size,
        )
    try:
        sha = sha256_of(path)
    except OSError as exc:
        return _status(spec, path, FileState.CORRUPT, f"cannot be read: {exc.strerror}", size=st.st_size)
    if sha != want_sha:
        return _status(
            spec,
            path,
            FileState.CORRUPT,
            f"has sha256 {sha}, {said} {want_sha}",
            sha=sha,
            size=st.st_size,
        )
    return _status(spec, path, FileState.OK, sha=sha, size=st.st_size)


def verify(manifest: Manifest, model_dir: Path, derived_dir: Path | None = None) -> list[FileStatus]:
    """Check every model file of ``manifest`` in ``model_dir`` (derived files in
    ``derived_dir``, default ``model_dir``), in manifest order."""
    return [
        check_file(spec, derived_dir if spec.derived and derived_dir else model_dir)
        for spec in manifest.models
    ]


# Files already found good in this process, keyed so that any rewrite (new mtime or size)
# is hashed again: (absolute path, mtime_ns, size, expected sha256).
_verified: set[tuple[str, int, int, str]] = set()
_verified_lock = threading.Lock()


def resolve(manifest: Manifest, model_dir: Path, model_id: str) -> Path:
    """Path of model ``model_id``, after checking it against the manifest.

    The sha256 is computed once per process for a given file (path, mtime, size).

    Raises:
        ManifestError: ``model_id`` is not in the manifest.
        ModelMissing: the file is absent.
        ModelCorrupt: the file has the wrong size or sha256, or cannot be read.
    """
    spec = manifest.get(model_id)
    path = spec.path(model_dir)
    try:
        st = path.stat()
        expected = _expected(spec, path)
        key = (os.path.abspath(path), st.st_mtime_ns, st.st_size, expected[0]) if expected else None
    except OSError:
        key = None
    if key is not None:
        with _verified_lock:
            if key in _verified:
                return path
    status = check_file(spec, model_dir)
    if status.state is FileState.MISSING:
        raise ModelMissing(
            f"model {spec.id} ({spec.task}) is missing: {path} {status.detail}",
            model_id=spec.id,
            path=path,
            fix=status.fix,
        )
    if not status.ok:
        raise ModelCorrupt(
            f"model {spec.id} ({spec.task}) is unusable: {path} {status.detail}",
            model_id=spec.id,
            path=path,
            fix=status.fix,
        )
    if key is not None:
        with _verified_lock:
            _verified.add(key)
    return path
