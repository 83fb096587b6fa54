"""The gallery key lives apart from the templates it protects; doctor warns when it does not."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from app.doctor import Status, check_gallery_key
from app.settings import Settings, load_settings
from app.wiring import gallery_key, gallery_key_path


def _settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(env={"FACEPAY_PAYMENTS_DATA_DIR": str(tmp_path / "data"), **env})


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FACEPAY_GALLERY_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_by_default_the_key_goes_to_the_config_folder_not_beside_the_templates(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert settings.payments.gallery_key_file == tmp_path / "config" / "facepay" / "gallery.key"
    old = os.umask(0o022)
    try:
        key = gallery_key(settings)
    finally:
        os.umask(old)
    path = settings.payments.gallery_key_file
    assert base64.b64decode(path.read_text()) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "data" / "gallery.key").exists()
    assert [c.status for c in check_gallery_key(settings)] == [Status.OK]


def test_an_existing_key_beside_the_templates_is_kept_and_doctor_warns(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    legacy = tmp_path / "data" / "gallery.key"
    legacy.parent.mkdir()
    legacy.write_text(base64.b64encode(b"k" * 32).decode())
    legacy.chmod(0o600)
    assert gallery_key_path(settings) == legacy  # an installed kiosk keeps opening its gallery
    assert gallery_key(settings) == b"k" * 32
    checks = {c.name: c for c in check_gallery_key(settings)}
    assert checks["gallery key"].status == Status.OK
    place = checks["gallery key place"]
    assert place.status == Status.WARN and "beside the templates" in place.detail
    assert str(settings.payments.gallery_key_file) in place.fix


def test_a_key_configured_into_the_data_folder_is_warned_about(tmp_path: Path) -> None:
    settings = _settings(tmp_path, FACEPAY_PAYMENTS_GALLERY_KEY_FILE=str(tmp_path / "data" / "gallery.key"))
    gallery_key(settings)
    assert [c.status for c in check_gallery_key(settings)] == [Status.OK, Status.WARN]
