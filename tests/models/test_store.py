"""verify() and resolve() against the real model files and damaged copies of them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import models
from models import FileState, ManifestError, ModelCorrupt, ModelMissing, load_manifest, resolve, verify


@pytest.fixture(scope="module")
def manifest() -> models.Manifest:
    return load_manifest()


def test_public_surface_is_sorted_and_importable() -> None:
    assert models.__all__ == sorted(models.__all__)
    for name in models.__all__:
        assert getattr(models, name) is not None


def test_real_model_dir_verifies(manifest: models.Manifest, model_dir: Path) -> None:
    statuses = verify(manifest, model_dir)
    assert [s.spec.id for s in statuses] == [m.id for m in manifest.models]
    for s in statuses:
        if s.spec.derived:  # made on the terminal by `facepay models quantize`, not shipped
            assert s.state is FileState.MISSING and "quantize" in s.fix
            continue
        assert s.state is FileState.OK, f"{s.spec.id}: {s.detail}"
        assert s.actual_sha256 == s.spec.sha256
        assert s.actual_bytes == s.spec.bytes
        assert s.fix == ""


def test_damaged_copies_are_told_apart(manifest: models.Manifest, model_dir: Path, tmp_path: Path) -> None:
    yunet, recogniser, antispoof, int8 = (
        manifest.get(i)
        for i in (
            "yunet-2023mar",
            "mobilefacenet-expo-192d",
            "antispoof-minifasv2se-128",
            "antispoof-minifasv2se-128-int8",
        )
    )
    shutil.copyfile(yunet.path(model_dir), yunet.path(tmp_path))
    data = bytearray(antispoof.path(model_dir).read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    antispoof.path(tmp_path).write_bytes(bytes(data))
    int8.path(tmp_path).write_bytes(int8.path(model_dir).read_bytes()[:1000])

    found = {s.spec.id: s for s in verify(manifest, tmp_path)}

    assert found[yunet.id].ok
    missing = found[recogniser.id]
    assert missing.state is FileState.MISSING and missing.actual_bytes is None
    assert recogniser.source_note in missing.fix  # no URL: the manifest's note says how
    corrupt = found[antispoof.id]
    assert corrupt.state is FileState.CORRUPT
    assert corrupt.actual_sha256 not in (None, antispoof.sha256)
    assert corrupt.fix == f"run `facepay models fetch --only {antispoof.id}`"
    short = found[int8.id]
    assert short.state is FileState.WRONG_SIZE and short.actual_bytes == 1000
    assert "1000 bytes" in short.detail


def test_missing_file_with_a_source_names_the_fetch_command(
    manifest: models.Manifest, tmp_path: Path
) -> None:
    status = models.check_file(manifest.get("yunet-2023mar"), tmp_path / "nowhere")
    assert status.state is FileState.MISSING
    assert status.fix == "run `facepay models fetch --only yunet-2023mar`"


def test_resolve_returns_the_path_of_a_good_file(manifest: models.Manifest, model_dir: Path) -> None:
    path = resolve(manifest, model_dir, "yunet-2023mar")
    assert path == model_dir / "face_detection_yunet_2023mar.onnx"
    assert resolve(manifest, model_dir, "yunet-2023mar") == path  # cached answer is the same


def test_resolve_raises_with_the_fix(manifest: models.Manifest, model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="fetch --only yunet-2023mar") as missing:
        resolve(manifest, tmp_path, "yunet-2023mar")
    assert missing.value.path == tmp_path / "face_detection_yunet_2023mar.onnx"
    with pytest.raises(ManifestError, match="unknown model id"):
        resolve(manifest, model_dir, "no-such-model")


def test_resolve_notices_a_file_rewritten_after_it_was_verified(
    manifest: models.Manifest, model_dir: Path, tmp_path: Path
) -> None:
    spec = manifest.get("yunet-2023mar")
    copy = spec.path(tmp_path)
    shutil.copyfile(spec.path(model_dir), copy)
    assert resolve(manifest, tmp_path, spec.id) == copy
    data = bytearray(copy.read_bytes())
    data[0] ^= 0xFF
    copy.write_bytes(bytes(data))
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ModelCorrupt, match="sha256") as corrupt:
        resolve(manifest, tmp_path, spec.id)
    assert corrupt.value.fix == f"run `facepay models fetch --only {spec.id}`"
