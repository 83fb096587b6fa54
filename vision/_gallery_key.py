"""The gallery key's whole life in one module: where it is, creating, loading, rotating, recovering.

The key (32 random bytes, AES-256-GCM) seals every template in the gallery. It comes from
``FACEPAY_GALLERY_KEY`` (base64) when that is set, otherwise from a key file holding the same
base64 text, readable by its owner only (mode 600 from its first byte, whatever the umask)
and written whole or not at all.

- :func:`gallery_key_place`: the configured key file, or the one a kiosk set up earlier already has.
- :func:`open_gallery_key`: the key of a gallery, creating the key file on first use and finishing a
  rotation that stopped halfway.
- :func:`rotate_gallery_key`: a new key for every template without re-enrolment. The new key is
  written beside the old one first (``gallery.key.new``), the templates are re-encrypted in one
  transaction, then the new file replaces the old. A stop in between leaves both files and the
  store under exactly one of them: :func:`open_gallery_key` keeps whichever opens the store.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vision._errors import GalleryKeyError
from vision._gallery import Gallery

__all__ = [
    "GALLERY_KEY_ENV",
    "gallery_key_place",
    "generate_key",
    "load_key",
    "open_gallery_key",
    "rotate_gallery_key",
]

log = logging.getLogger(__name__)

# The environment variable that overrides any key file (base64 of the 32 key bytes).
GALLERY_KEY_ENV = "FACEPAY_GALLERY_KEY"


def generate_key() -> bytes:
    """A fresh 256-bit gallery key."""
    return AESGCM.generate_key(bit_length=256)


def load_key(key_file: Path | None = None, env: dict[str, str] | None = None) -> bytes:
    """The gallery key from ``FACEPAY_GALLERY_KEY`` (base64) or a key file (base64 text)."""
    env = dict(os.environ) if env is None else env
    if env.get(GALLERY_KEY_ENV):
        text, where = env[GALLERY_KEY_ENV], GALLERY_KEY_ENV
    elif key_file is not None:
        try:
            text, where = key_file.read_text(encoding="ascii"), str(key_file)
        except FileNotFoundError as exc:
            raise GalleryKeyError(f"gallery key file {key_file} does not exist") from exc
    else:
        raise GalleryKeyError(f"no gallery key: set {GALLERY_KEY_ENV} or give a key file")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise GalleryKeyError(f"gallery key in {where} is not base64") from exc
    if len(key) != 32:
        raise GalleryKeyError(f"gallery key in {where} has {len(key)} bytes; expected 32")
    return key


def gallery_key_place(configured: Path, legacy: Path) -> Path:
    """``configured``, unless only ``legacy`` exists: a kiosk set up before the key had its own
    place keeps the key it has (``facepay doctor`` says to move it)."""
    if not configured.exists() and legacy.exists():
        return legacy
    return configured


def staged_path(path: Path) -> Path:
    """Where a rotation writes the new key before the store is re-encrypted under it."""
    return path.with_suffix(".key.new")


def open_gallery_key(path: Path, store: Path, *, model_id: str) -> bytes:
    """The key in ``path`` for the gallery ``store``: a new key file when there is none yet;
    after a rotation that stopped halfway, whichever of the old and the staged key opens the
    store (the other file is removed)."""
    staged = staged_path(path)
    if staged.exists() and path.exists():
        return _recover(path, staged, store, model_id)
    if not path.exists():
        try:
            _write_key(path, generate_key(), overwrite=False)
            log.info("created a new gallery key at %s", path)
        except FileExistsError:
            pass  # another process created it first: use that one
    return load_key(path, env={})


def rotate_gallery_key(path: Path, gallery: Gallery) -> int:
    """Re-encrypt every template of ``gallery`` under a new key and make it the key in ``path``;
    returns the number of templates re-encrypted."""
    staged = staged_path(path)
    new_key = generate_key()
    _write_key(staged, new_key, overwrite=True)
    count = gallery.rotate_key(new_key)
    os.replace(staged, path)
    return count


def _recover(current: Path, staged: Path, store: Path, model_id: str) -> bytes:
    for candidate in (current, staged):
        key = load_key(candidate, env={})
        try:
            Gallery(store, key, model_id=model_id).close()
        except GalleryKeyError:
            continue
        if candidate == staged:
            os.replace(staged, current)
        else:
            staged.unlink()
        return key
    raise GalleryKeyError(f"neither {current.name} nor {staged.name} opens the gallery")


def _write_key(path: Path, key: bytes, *, overwrite: bool) -> None:
    """The package's one secret-file writer: base64 text, mode 600 from the first byte, the
    whole file or none (a private temporary renamed or linked into place), durable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 600
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(base64.b64encode(key).decode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(temp, path)
        else:
            os.link(temp, path)  # never replaces: FileExistsError when the key is there already
            temp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
