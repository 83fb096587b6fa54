"""The model manifest: what each model file is, where it comes from, how to feed it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from models._errors import ManifestError

__all__ = ["Manifest", "ManifestError", "ModelSpec", "load_manifest"]


@dataclass(frozen=True)
class ModelSpec:
    """One model file as the manifest describes it.

    Attributes:
        id: stable model id (e.g. ``yunet-2023mar``).
        task: ``detector``, ``recogniser`` or ``antispoof``.
        wrapper: which vision wrapper knows how to feed it (``yunet``, ``arcface112``, ``minifasnet``).
        file: file name inside the model directory.
        sha256: lowercase hex digest of the file.
        bytes: file size.
        licence: licence text.
        sources: public URLs the file can be downloaded from (may be empty).
        source_note: how to obtain it when no direct URL exists.
        input: input spec (size, colour, scale, layout, ...).
        optional: not needed by the default terminal.
        derived_from: id of the model this file is made from on the terminal (``facepay models
            quantize``), "" for a downloaded file. A derived file lives in the derived-model
            directory and is checked against the digest its maker recorded beside it, since its
            bytes depend on the onnxruntime version that made it.
        recipe: how a derived file is made (empty for a downloaded one).
    """

    id: str
    task: str
    wrapper: str
    file: str
    sha256: str
    bytes: int
    licence: str
    sources: tuple[str, ...]
    source_note: str
    input: dict[str, Any]
    optional: bool = False
    derived_from: str = ""
    recipe: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)

    def path(self, model_dir: Path) -> Path:
        return model_dir / self.file


@dataclass(frozen=True)
class Manifest:
    """All models known to this facepay build."""

    models: tuple[ModelSpec, ...]

    def get(self, model_id: str) -> ModelSpec:
        for spec in self.models:
            if spec.id == model_id:
                return spec
        known = ", ".join(s.id for s in self.models)
        raise ManifestError(f"unknown model id {model_id!r}; the manifest has: {known}")


_REQUIRED = ("id", "task", "wrapper", "file", "sha256", "bytes", "licence", "input")
# A derived file's digest and size are recorded by whoever made it, not by the manifest.
_REQUIRED_DERIVED = ("id", "task", "wrapper", "file", "licence", "input", "recipe")


def _spec(entry: dict[str, Any]) -> ModelSpec:
    required = _REQUIRED_DERIVED if entry.get("derived_from") else _REQUIRED
    missing = [k for k in required if k not in entry]
    if missing:
        raise ManifestError(f"manifest entry {entry.get('id', '?')!r} lacks {', '.join(missing)}")
    return ModelSpec(
        id=str(entry["id"]),
        task=str(entry["task"]),
        wrapper=str(entry["wrapper"]),
        file=str(entry["file"]),
        sha256=str(entry.get("sha256", "")).lower(),
        bytes=int(entry.get("bytes", 0)),
        licence=str(entry["licence"]),
        sources=tuple(str(u) for u in entry.get("sources", [])),
        source_note=str(entry.get("source_note", "")),
        input=dict(entry["input"]),
        optional=bool(entry.get("optional", False)),
        derived_from=str(entry.get("derived_from", "")),
        recipe=dict(entry.get("recipe", {})),
    )


def load_manifest(path: Path | None = None) -> Manifest:
    """Load ``path`` or the manifest shipped inside the ``models`` package."""
    if path is None:
        text = resources.files("models").joinpath("manifest.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"model manifest is not valid JSON: {exc}") from exc
    return Manifest(models=tuple(_spec(e) for e in data.get("models", [])))
