"""Model files made on the terminal (``facepay models quantize``): checked against the digest
their maker recorded, never downloaded, and the int8 MobileFaceNet a real quantisation makes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.cli import main
from app.wiring import build_embedder, build_pipeline
from models import FileState, ModelMissing, check_file, fetch, load_manifest, record_digest, resolve
from vision import read_image

INT8 = "mobilefacenet-expo-192d-int8"


def test_a_derived_file_is_checked_against_its_recorded_digest(tmp_path: Path) -> None:
    manifest = load_manifest()
    spec = manifest.get(INT8)
    assert spec.derived and spec.optional and spec.derived_from == "mobilefacenet-expo-192d"
    path = spec.path(tmp_path)
    missing = check_file(spec, tmp_path)
    assert missing.state is FileState.MISSING and "facepay models quantize" in missing.fix
    path.write_bytes(b"\x08" * 4096)
    unrecorded = check_file(spec, tmp_path)
    assert unrecorded.state is FileState.MISSING and "digest" in unrecorded.detail
    with pytest.raises(ModelMissing):
        resolve(manifest, tmp_path, INT8)
    sha = record_digest(path)
    ok = check_file(spec, tmp_path)
    assert ok.state is FileState.OK and ok.actual_sha256 == sha
    assert resolve(manifest, tmp_path, INT8) == path
    path.write_bytes(b"\x09" * 4096)  # changed after it was made
    assert check_file(spec, tmp_path).state is FileState.CORRUPT
    path.write_bytes(b"\x09" * 10)
    assert check_file(spec, tmp_path).state is FileState.WRONG_SIZE


def test_fetch_never_tries_to_download_a_derived_file(tmp_path: Path) -> None:
    results = fetch(load_manifest(), tmp_path, include_optional=True, timeout=0.01)
    assert INT8 not in {r.spec.id for r in results}


def test_quantize_refuses_bad_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], model_dir: Path
) -> None:
    monkeypatch.setenv("FACEPAY_MODELS_DERIVED_DIR", str(tmp_path / "derived"))
    assert main(["models", "quantize", "--images", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["models", "quantize", "--images", str(tmp_path), "--only", "yunet-2023mar"]) == 2
    assert "not made by quantisation: yunet-2023mar" in capsys.readouterr().err
    assert main(["models", "quantize", "--images", str(tmp_path), "--only", "no-such-model"]) == 2
    (tmp_path / "blank.png").write_bytes(b"not a picture")
    assert main(["models", "quantize", "--images", str(tmp_path), "--json"]) == 2
    assert "no usable face" in json.loads(capsys.readouterr().out)["error"]
    assert not (tmp_path / "derived").exists()


@pytest.mark.slow
def test_the_int8_recogniser_is_made_verified_and_close_to_the_float_one(
    int8_settings: Any, dev_faces: Path
) -> None:
    import dataclasses

    made = load_manifest().get(INT8).path(int8_settings.models.derived_dir)
    assert made.is_file() and Path(str(made) + ".sha256").is_file()
    assert (
        made.stat().st_size < 0.6 * (int8_settings.models.dir / "mobilefacenet_expo_192d.onnx").stat().st_size
    )
    pipeline = build_pipeline(int8_settings, passive=False)
    int8 = build_embedder(dataclasses.replace(int8_settings), model_id=INT8)
    assert int8.model_id == INT8 and int8.dim == 192
    names = ["deepface__tests_unit_dataset_img1.jpg", "facerec__examples_obama.jpg"]
    crops = []
    for name in names:
        face = pipeline.process(read_image(dev_faces / name)).face
        assert face is not None
        crops.append(face.aligned)
    fp = pipeline.embedder.embed(np.stack(crops))
    q = int8.embed(np.stack(crops))
    same = (fp * q).sum(axis=1)
    assert (same > 0.9).all(), same  # the same face, either model
    assert float(q[0] @ q[1]) < 0.5  # two people stay apart under int8


def test_models_time_compares_recognisers_in_one_run(
    int8_settings: Any, dev_faces: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACEPAY_MODELS_DERIVED_DIR", str(int8_settings.models.derived_dir))
    ids = ["mobilefacenet-expo-192d", INT8]
    assert (
        main(["models", "time", "--images", str(dev_faces), "--only", *ids, "--rounds", "2", "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [m["id"] for m in report["models"]] == ids and report["faces"] > 10
    assert report["models"][0]["ratio_to_first"] == 1.0
    assert all(len(m["rounds_ms"]) == 2 and m["median_ms"] > 0 for m in report["models"])
    assert main(["models", "time", "--images", str(dev_faces), "--only", "yunet-2023mar"]) == 2
    assert "only recognisers" in capsys.readouterr().err
    assert main(["models", "time", "--images", str(dev_faces), "--rounds", "0"]) == 2
