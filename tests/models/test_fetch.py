"""fetch() against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from models import FetchOutcome, ManifestError, ModelDirError, fetch, verify
from tests.models.conftest import Blob, ManifestFactory, ModelServer, entry, make_blob


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_good_source_is_written_and_verified(
    server: ModelServer, make_manifest: ManifestFactory, good: Blob, tmp_path: Path
) -> None:
    manifest = make_manifest([server.url("/good.bin")])
    model_dir = tmp_path / "new" / "models"  # does not exist yet: fetch creates it
    seen: list[tuple[int, int]] = []

    [result] = fetch(manifest, model_dir, progress=lambda spec, done, total: seen.append((done, total)))

    assert result.outcome is FetchOutcome.FETCHED and result.ok
    assert result.source == server.url("/good.bin")
    assert (model_dir / "test_model.onnx").read_bytes() == good.data
    assert _names(model_dir) == ["test_model.onnx"]  # no temp file left behind
    assert all(s.ok for s in verify(manifest, model_dir))
    assert stat.S_IMODE((model_dir / "test_model.onnx").stat().st_mode) == 0o644
    assert seen[0] == (0, len(good.data)) and seen[-1] == (len(good.data), len(good.data))
    assert len(seen) > 2  # progress arrived during the download, not only at the end


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("/truncated.bin", "truncated: the server offers 150000 of 300000 bytes"),
        ("/truncated-nolength.bin", "truncated: received 150000 of 300000 bytes"),
        ("/wrong.bin", "wrong file: sha256"),
        ("/longer-nolength.bin", "wrong file: longer than the expected 300000 bytes"),
        ("/missing.bin", "HTTP 404"),
        ("/drop.bin", "connection dropped after"),
    ],
)
def test_bad_source_leaves_nothing_and_says_why(
    server: ModelServer, make_manifest: ManifestFactory, tmp_path: Path, route: str, reason: str
) -> None:
    model_dir = tmp_path / "models"
    manifest = make_manifest([server.url(route)])

    [result] = fetch(manifest, model_dir, timeout=5)

    assert result.outcome is FetchOutcome.FAILED and not result.ok
    assert server.hits[route] == 1
    assert _names(model_dir) == []  # neither the final name nor a temp file
    assert len(result.attempts) == 1 and reason in result.attempts[0]
    assert result.message.startswith("test-model: no source gave a good file")
    assert reason in result.message


def test_refused_connection_is_reported(
    refused_url: str, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    [result] = fetch(make_manifest([refused_url]), tmp_path / "models", timeout=5)
    assert result.outcome is FetchOutcome.FAILED
    assert "cannot connect" in result.message
    assert _names(tmp_path / "models") == []


def test_next_source_is_tried_after_a_bad_one(
    server: ModelServer, make_manifest: ManifestFactory, refused_url: str, good: Blob, tmp_path: Path
) -> None:
    sources = [refused_url, server.url("/drop.bin"), server.url("/wrong.bin"), server.url("/good.bin")]
    model_dir = tmp_path / "models"

    [result] = fetch(make_manifest(sources), model_dir, timeout=5)

    assert result.outcome is FetchOutcome.FETCHED
    assert result.source == server.url("/good.bin")
    assert len(result.attempts) == 3
    for url, attempt in zip(sources, result.attempts, strict=False):
        assert attempt.startswith(f"{url}: ")
    assert (model_dir / "test_model.onnx").read_bytes() == good.data
    assert _names(model_dir) == ["test_model.onnx"]


def test_good_file_is_not_downloaded_again(
    server: ModelServer, make_manifest: ManifestFactory, good: Blob, tmp_path: Path
) -> None:
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    existing = model_dir / "test_model.onnx"
    existing.write_bytes(good.data)
    before = existing.stat().st_mtime_ns

    [result] = fetch(make_manifest([server.url("/good.bin")]), model_dir)

    assert result.outcome is FetchOutcome.ALREADY_OK
    assert server.hits["/good.bin"] == 0
    assert existing.stat().st_mtime_ns == before


def test_corrupt_file_is_replaced_only_by_a_verified_one(
    server: ModelServer, make_manifest: ManifestFactory, good: Blob, tmp_path: Path
) -> None:
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    target = model_dir / "test_model.onnx"
    target.write_bytes(b"not a model")

    [failed] = fetch(make_manifest([server.url("/wrong.bin")]), model_dir)
    assert failed.outcome is FetchOutcome.FAILED
    assert target.read_bytes() == b"not a model"  # left as it was, nothing worse written over it
    assert _names(model_dir) == ["test_model.onnx"]

    [fixed] = fetch(make_manifest([server.url("/good.bin")]), model_dir)
    assert fixed.outcome is FetchOutcome.FETCHED
    assert target.read_bytes() == good.data


def test_model_without_sources_reports_its_note(make_manifest: ManifestFactory, tmp_path: Path) -> None:
    note = "Convert it yourself with tool X; or copy it from another terminal."
    manifest = make_manifest(
        [], extra=[entry("hand-made", "hand.onnx", make_blob(3, 10), [], source_note=note)]
    )
    results = {r.spec.id: r for r in fetch(manifest, tmp_path / "models")}
    assert results["hand-made"].outcome is FetchOutcome.NO_SOURCE
    assert note in results["hand-made"].message
    assert not results["hand-made"].ok


def test_optional_models_only_when_asked(
    server: ModelServer, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    manifest = make_manifest([server.url("/good.bin")], optional=True)
    model_dir = tmp_path / "models"
    assert fetch(manifest, model_dir) == []
    assert server.hits["/good.bin"] == 0
    [by_id] = fetch(manifest, model_dir, only=["test-model"])
    assert by_id.outcome is FetchOutcome.FETCHED
    [with_all] = fetch(manifest, model_dir, include_optional=True)
    assert with_all.outcome is FetchOutcome.ALREADY_OK


def test_unknown_id_is_refused_before_any_download(
    server: ModelServer, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    with pytest.raises(ManifestError, match="no-such-model"):
        fetch(
            make_manifest([server.url("/good.bin")]),
            tmp_path / "models",
            only=["test-model", "no-such-model"],
        )
    assert sum(server.hits.values()) == 0


def test_unusable_model_dir_is_a_clear_error(
    server: ModelServer, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ModelDirError, match=r"cannot create model directory .*a-file/models"):
        fetch(make_manifest([server.url("/good.bin")]), blocker / "models")
    assert sum(server.hits.values()) == 0
