"""The model manifest, the model directory and the one loader check.

The manifest (``manifest.json``) says what each model file is: id, task, file name,
sha256, size, licence, public sources and input spec. Weights are never committed:
they live in the model directory (``FACEPAY_MODEL_DIR``), are checked against the
manifest by :func:`verify` / :func:`resolve`, and downloaded by :func:`fetch`.

Exceptions::

    ModelError(Exception)
    ├── ManifestError(ValueError)   malformed manifest, or an unknown model id
    ├── ModelDirError               model directory cannot be created or written
    └── ModelUnavailable            a model file cannot be used; .fix says how to get it
        ├── ModelMissing            the file is absent
        └── ModelCorrupt            wrong size or sha256, or unreadable

Per-file findings and per-model download failures are data (:class:`FileStatus`,
:class:`FetchResult`), not exceptions.
"""

from models._errors import (
    ManifestError,
    ModelCorrupt,
    ModelDirError,
    ModelError,
    ModelMissing,
    ModelUnavailable,
)
from models._fetch import DEFAULT_TIMEOUT, FetchOutcome, FetchResult, ProgressCallback, fetch
from models._manifest import Manifest, ModelSpec, load_manifest
from models._store import (
    FileState,
    FileStatus,
    check_file,
    digest_file,
    fix_for,
    record_digest,
    resolve,
    sha256_of,
    verify,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "FetchOutcome",
    "FetchResult",
    "FileState",
    "FileStatus",
    "Manifest",
    "ManifestError",
    "ModelCorrupt",
    "ModelDirError",
    "ModelError",
    "ModelMissing",
    "ModelSpec",
    "ModelUnavailable",
    "ProgressCallback",
    "check_file",
    "digest_file",
    "fetch",
    "fix_for",
    "load_manifest",
    "record_digest",
    "resolve",
    "sha256_of",
    "verify",
]
