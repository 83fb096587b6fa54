"""``facepay models list | verify | fetch`` through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli import main
from app.commands.models_cmd import ProgressBar
from models import load_manifest
from tests.models.conftest import Blob, ManifestFactory, ModelServer


def test_verify_shared_dir_passes(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("FACEPAY_MODELS_DERIVED_DIR", str(tmp_path))
    assert main(["models", "verify"]) == 0
    out = capsys.readouterr().out
    assert "all required models verified" in out
    made_here = [m for m in load_manifest().models if m.derived]  # not made yet: optional, missing
    assert out.count("\nok ") == len(load_manifest().models) - len(made_here)
    assert all(f"missing    {m.id} (optional)" in out for m in made_here)


def test_verify_empty_dir_names_missing_files_and_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("FACEPAY_MODELS_DERIVED_DIR", str(tmp_path))
    assert main(["models", "verify"]) == 1
    out = capsys.readouterr().out
    manifest = load_manifest()
    for spec in manifest.models:
        assert str(tmp_path / spec.file) in out
    assert "fix: run `facepay models fetch --only yunet-2023mar`" in out
    assert manifest.get("mobilefacenet-expo-192d").source_note in out
    assert (
        "3 required model(s) missing or corrupt: yunet-2023mar, mobilefacenet-expo-192d, "
        "antispoof-minifasv2se-128"
    ) in out


def test_verify_ignores_a_missing_optional_model(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for spec in load_manifest().models:
        if not spec.optional:
            (tmp_path / spec.file).symlink_to(model_dir / spec.file)
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path))
    assert main(["models", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    states = {m["id"]: m["state"] for m in report["models"]}
    assert states["antispoof-minifasv2se-128-int8"] == "missing"


def test_verify_json_reports_each_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path))
    assert main(["models", "verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["model_dir"] == str(tmp_path)
    yunet = next(m for m in report["models"] if m["id"] == "yunet-2023mar")
    assert yunet["state"] == "missing"
    assert yunet["fix"] == "run `facepay models fetch --only yunet-2023mar`"


def test_list_shows_a_table(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(model_dir))
    assert main(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["ID", "TASK", "FILE", "SIZE", "LICENCE", "STATE"]
    yunet = next(line for line in lines if line.startswith("yunet-2023mar "))
    assert "detector" in yunet and "face_detection_yunet_2023mar.onnx" in yunet
    assert "227.1 KiB" in yunet and yunet.endswith("ok")


def test_fetch_cli_success_and_failure(
    server: ModelServer,
    make_manifest: ManifestFactory,
    good: Blob,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model_dir = tmp_path / "models"
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(model_dir))
    good_manifest = tmp_path / "good.json"
    make_manifest([server.url("/good.bin")], path=good_manifest)
    assert main(["models", "fetch", "--manifest", str(good_manifest), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["models"][0]["outcome"] == "fetched"
    assert (model_dir / "test_model.onnx").read_bytes() == good.data

    bad_manifest = tmp_path / "bad.json"
    make_manifest([server.url("/wrong.bin")], path=bad_manifest)
    (model_dir / "test_model.onnx").unlink()
    assert main(["models", "fetch", "--manifest", str(bad_manifest)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED")
    assert "test-model: no source gave a good file" in out and "sha256" in out
    assert not (model_dir / "test_model.onnx").exists()


def test_fetch_cli_unknown_id_is_a_usage_error(
    make_manifest: ManifestFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path / "models"))
    manifest = tmp_path / "m.json"
    make_manifest([], path=manifest)
    assert main(["models", "fetch", "--manifest", str(manifest), "--only", "nope"]) == 2
    assert "unknown model id 'nope'" in capsys.readouterr().err


def test_fetch_cli_unwritable_dir(
    make_manifest: ManifestFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(blocker / "models"))
    manifest = tmp_path / "m.json"
    make_manifest([], path=manifest)
    assert main(["models", "fetch", "--manifest", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert "cannot create model directory" in err and "FACEPAY_MODEL_DIR" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_bytes_and_percent(tmp_path: Path, make_manifest: ManifestFactory) -> None:
    spec = make_manifest([]).get("test-model")
    stream = _Terminal()
    bar = ProgressBar(stream)
    total = spec.bytes
    for done in (0, total // 2, total // 2 + 1, total):
        bar(spec, done, total)
    bar.finish()
    text = stream.getvalue()
    frames = text.strip("\n").split("\r")[1:]
    assert len(frames) == 3  # 0 %, 50 %, 100 %; the repeat at 50 % is not redrawn
    assert frames[1] == f"test-model [{'#' * 15}{'.' * 15}] 146.5 KiB / 293.0 KiB  50%"
    assert frames[2].endswith("293.0 KiB / 293.0 KiB 100%")
    assert text.endswith("\n")


def test_fetch_cli_is_silent_on_stderr_when_not_a_terminal(
    server: ModelServer,
    make_manifest: ManifestFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path / "models"))
    manifest = tmp_path / "m.json"
    make_manifest([server.url("/good.bin")], path=manifest)
    assert main(["models", "fetch", "--manifest", str(manifest)]) == 0
    captured = capsys.readouterr()
    assert "%" not in captured.err
    assert captured.out.startswith("fetched")
