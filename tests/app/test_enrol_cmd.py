"""The enrolment commands as an operator uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main

PHOTOS = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2)]


def test_enrol_rotate_delete(
    dev_faces: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACEPAY_PAYMENTS_DATA_DIR", str(tmp_path))
    key = tmp_path / "keys" / "gallery.key"
    monkeypatch.setenv("FACEPAY_PAYMENTS_GALLERY_KEY_FILE", str(key))
    monkeypatch.delenv("FACEPAY_GALLERY_KEY", raising=False)
    photos = [str(dev_faces / p) for p in PHOTOS]
    assert main(["enroll", "--customer", "c1", "--name", "Anna K", *photos]) == 2
    assert "accept the consent" in capsys.readouterr().err
    assert main(["enroll", "--customer", "c1", "--name", "Anna K", "--accept-consent", *photos]) == 0
    assert json.loads(capsys.readouterr().out)["templates"] == 2
    key_before = key.read_text()
    assert key.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "gallery.key").exists()  # not beside the templates
    assert main(["gallery", "rotate-key"]) == 0
    assert key.read_text() != key_before
    capsys.readouterr()
    assert main(["customer", "list"]) == 0
    assert "c1\tAnna K" in capsys.readouterr().out
    assert main(["customer", "delete", "c1"]) == 0
    assert json.loads(capsys.readouterr().out)["templates_removed"] == 2
    assert main(["customer", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_rotation_interrupted_after_the_store_recovers(
    dev_faces: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from app.settings import load_settings
    from app.wiring import open_gallery
    from vision import generate_key

    monkeypatch.setenv("FACEPAY_PAYMENTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FACEPAY_PAYMENTS_GALLERY_KEY_FILE", str(tmp_path / "gallery.key"))
    monkeypatch.delenv("FACEPAY_GALLERY_KEY", raising=False)
    assert (
        main(["enroll", "--customer", "c1", "--name", "A", "--accept-consent", str(dev_faces / PHOTOS[0])])
        == 0
    )
    settings = load_settings()
    gallery = open_gallery(settings)
    new_key = generate_key()
    (tmp_path / "gallery.key.new").write_text(base64.b64encode(new_key).decode())
    gallery.rotate_key(new_key)  # crash here: store rotated, key file not yet swapped
    gallery.close()
    reopened = open_gallery(settings)
    assert reopened.customers() == ["c1"]
    assert not (tmp_path / "gallery.key.new").exists()
