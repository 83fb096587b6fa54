"""The model manifest (ids, files, sha256, licences, sources, input specs) and its loader.

Weights are never committed: they live in the model directory
(``FACEPAY_MODEL_DIR``) and are checked against the sha256 here.
"""

from models._manifest import Manifest, ManifestError, ModelSpec, load_manifest

__all__ = ["Manifest", "ManifestError", "ModelSpec", "load_manifest"]
