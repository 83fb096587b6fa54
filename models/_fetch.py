"""Downloading model files from the manifest's sources.

Each file is streamed into a temporary file in the model directory, synced, checked
(size and sha256) and only then renamed over the final name, so the final name only
ever holds a complete, verified file. A good file already present is never touched.
Per-model failures are reported as :class:`FetchResult` values; only a model
directory that cannot be written (which would defeat every model) raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import httpx

from models._errors import ModelDirError
from models._manifest import Manifest, ModelSpec
from models._store import check_file

__all__ = ["DEFAULT_TIMEOUT", "FetchOutcome", "FetchResult", "ProgressCallback", "fetch"]

log = logging.getLogger(__name__)

# Seconds a source may stay silent (connect, or between two reads) before it is abandoned.
# Generous because kiosks sit on shop Wi-Fi; it is not a limit on the whole download.
DEFAULT_TIMEOUT = 30.0
# Bytes per read from the network: a progress update every 256 KiB is smooth enough.
DOWNLOAD_CHUNK = 1 << 18

ProgressCallback = Callable[[ModelSpec, int, int], None]
"""Called as ``progress(spec, bytes_done, bytes_total)``; restarts at 0 for each source."""


class FetchOutcome(StrEnum):
    """What :func:`fetch` did for one model."""

    FETCHED = "fetched"
    ALREADY_OK = "already_ok"
    FAILED = "failed"
    NO_SOURCE = "no_source"


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one model.

    Attributes:
        spec: the manifest entry.
        path: the final path of the file.
        outcome: fetched, already_ok, failed (every source failed) or no_source.
        source: the URL the file came from (None unless fetched).
        attempts: one ``"URL: reason"`` line per source that failed, in order tried.
        message: one line for the user: what happened and, on failure, what to do.
    """

    spec: ModelSpec
    path: Path
    outcome: FetchOutcome
    source: str | None
    attempts: tuple[str, ...]
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome in (FetchOutcome.FETCHED, FetchOutcome.ALREADY_OK)


class _SourceFailed(Exception):
    """One source could not deliver a good file; the next one may."""


def fetch(
    manifest: Manifest,
    model_dir: Path,
    *,
    only: Sequence[str] | None = None,
    include_optional: bool = False,
    progress: ProgressCallback | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.Client | None = None,
) -> list[FetchResult]:
    """Download every selected model that is missing or corrupt in ``model_dir``.

    Selection: the ids in ``only`` if given (optional models included), else every
    required model, plus the optional ones when ``include_optional``. Sources are
    tried in manifest order until one delivers a file with the right size and sha256.

    Raises:
        ManifestError: ``only`` names an id the manifest does not have.
        ModelDirError: ``model_dir`` cannot be created or written to.
    """
    specs = _select(manifest, only, include_optional)
    _prepare_dir(model_dir)
    own_client = client is None
    http = httpx.Client(timeout=timeout, follow_redirects=True) if client is None else client
    try:
        return [_fetch_one(spec, model_dir, http, progress, timeout) for spec in specs]
    finally:
        if own_client:
            http.close()


def _select(manifest: Manifest, only: Sequence[str] | None, include_optional: bool) -> list[ModelSpec]:
    if only:
        wanted = dict.fromkeys(only)  # keeps order, drops repeats
        return [manifest.get(model_id) for model_id in wanted]
    # A derived file is made by `facepay models quantize`, never downloaded.
    return [s for s in manifest.models if (include_optional or not s.optional) and not s.derived]


def _prepare_dir(model_dir: Path) -> None:
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelDirError(f"cannot create model directory {model_dir}: {exc.strerror or exc}") from exc
    try:
        with tempfile.TemporaryFile(dir=model_dir):
            pass
    except OSError as exc:
        raise ModelDirError(f"model directory {model_dir} is not writable: {exc.strerror or exc}") from exc


def _fetch_one(
    spec: ModelSpec, model_dir: Path, client: httpx.Client, progress: ProgressCallback | None, timeout: float
) -> FetchResult:
    status = check_file(spec, model_dir)
    path = status.path
    if status.ok:
        return FetchResult(
            spec, path, FetchOutcome.ALREADY_OK, None, (), f"{spec.id}: already present and verified"
        )
    if not spec.sources:
        return FetchResult(spec, path, FetchOutcome.NO_SOURCE, None, (), f"{spec.id}: {status.fix}")
    attempts: list[str] = []
    for url in spec.sources:
        log.debug("fetching %s from %s", spec.id, url)
        try:
            _download(spec, url, path, client, progress, timeout)
        except _SourceFailed as exc:
            log.debug("%s: %s: %s", spec.id, url, exc)  # reported in the result
            attempts.append(f"{url}: {exc}")
            continue
        return FetchResult(
            spec,
            path,
            FetchOutcome.FETCHED,
            url,
            tuple(attempts),
            f"{spec.id}: fetched and verified from {url}",
        )
    tried = "; ".join(attempts)
    return FetchResult(
        spec,
        path,
        FetchOutcome.FAILED,
        None,
        tuple(attempts),
        f"{spec.id}: no source gave a good file ({tried}); {path} was left as it was",
    )


def _download(
    spec: ModelSpec,
    url: str,
    path: Path,
    client: httpx.Client,
    progress: ProgressCallback | None,
    timeout: float,
) -> None:
    """Stream ``url`` into a temporary file beside ``path``; rename it there only if verified."""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ModelDirError(f"cannot write in {path.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            sha, size = _stream(spec, url, out, client, progress, timeout)
            out.flush()
            os.fsync(out.fileno())
        if size != spec.bytes:
            raise _SourceFailed(f"truncated: received {size} of {spec.bytes} bytes")
        if sha != spec.sha256:
            raise _SourceFailed(f"wrong file: sha256 {sha}, the manifest says {spec.sha256}")
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; other users (the kiosk service) read models
        os.replace(tmp, path)
    except OSError as exc:
        raise _SourceFailed(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)  # after a successful replace it no longer exists
    _fsync_dir(path.parent)


def _stream(
    spec: ModelSpec,
    url: str,
    out: BinaryIO,
    client: httpx.Client,
    progress: ProgressCallback | None,
    timeout: float,
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    if progress is not None:
        progress(spec, 0, spec.bytes)
    try:
        with client.stream("GET", url, timeout=timeout, follow_redirects=True) as resp:
            if resp.status_code != httpx.codes.OK:
                raise _SourceFailed(f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
            _check_length(spec, resp)
            for chunk in resp.iter_bytes(DOWNLOAD_CHUNK):
                size += len(chunk)
                if size > spec.bytes:
                    raise _SourceFailed(f"wrong file: longer than the expected {spec.bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(spec, size, spec.bytes)
    except httpx.TimeoutException as exc:
        raise _SourceFailed(f"no data for {timeout:g} s (received {size} of {spec.bytes} bytes)") from exc
    except httpx.ConnectError as exc:
        raise _SourceFailed(f"cannot connect: {exc}") from exc
    except httpx.RemoteProtocolError as exc:
        raise _SourceFailed(f"connection dropped after {size} of {spec.bytes} bytes ({exc})") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _SourceFailed(f"{type(exc).__name__}: {exc}") from exc
    return digest.hexdigest(), size


def _check_length(spec: ModelSpec, resp: httpx.Response) -> None:
    """Refuse early a response whose declared (unencoded) length cannot be the file."""
    declared = resp.headers.get("content-length")
    encoded = resp.headers.get("content-encoding", "identity").lower() != "identity"
    if declared is None or encoded or not declared.isdigit():
        return
    offered = int(declared)
    if offered < spec.bytes:
        raise _SourceFailed(f"truncated: the server offers {offered} of {spec.bytes} bytes")
    if offered > spec.bytes:
        raise _SourceFailed(f"wrong file: the server offers {offered} bytes, the manifest says {spec.bytes}")


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
