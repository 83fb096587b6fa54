"""The gallery key's life: created private on first use, rotated, recovered after a stop."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from vision import (
    Gallery,
    GalleryKeyError,
    gallery_key_place,
    generate_key,
    l2_normalise,
    load_key,
    open_gallery_key,
    rotate_gallery_key,
)

MODEL = "test-model"


def _template(seed: int) -> NDArray[np.float32]:
    return l2_normalise(np.random.default_rng(seed).standard_normal(16).astype(np.float32))


def test_first_use_creates_a_private_key_and_later_uses_keep_it(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "config" / "gallery.key"
        key = open_gallery_key(path, tmp_path / "gallery.db", model_id=MODEL)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_key(path, env={}) == key
    assert open_gallery_key(path, tmp_path / "gallery.db", model_id=MODEL) == key
    assert sorted(os.listdir(path.parent)) == ["gallery.key"]  # no temporary left


def test_rotation_swaps_the_key_file_and_keeps_the_templates(tmp_path: Path) -> None:
    path, store = tmp_path / "gallery.key", tmp_path / "gallery.db"
    old = open_gallery_key(path, store, model_id=MODEL)
    gallery = Gallery(store, old, model_id=MODEL)
    gallery.add("c1", _template(1)[None, :])
    assert rotate_gallery_key(path, gallery) == 1
    gallery.close()
    new = load_key(path, env={})
    assert new != old and not (tmp_path / "gallery.key.new").exists()
    assert Gallery(store, new, model_id=MODEL).customers() == ["c1"]
    with pytest.raises(GalleryKeyError):
        Gallery(store, old, model_id=MODEL)


@pytest.mark.parametrize("store_rotated", [True, False])
def test_a_rotation_stopped_halfway_keeps_the_key_that_opens_the_store(
    tmp_path: Path, store_rotated: bool
) -> None:
    path, store = tmp_path / "gallery.key", tmp_path / "gallery.db"
    old = open_gallery_key(path, store, model_id=MODEL)
    gallery = Gallery(store, old, model_id=MODEL)
    gallery.add("c1", _template(1)[None, :])
    staged = generate_key()
    (tmp_path / "gallery.key.new").write_text(base64.b64encode(staged).decode())
    if store_rotated:
        gallery.rotate_key(staged)  # the stop came before the key file was swapped
    gallery.close()
    key = open_gallery_key(path, store, model_id=MODEL)
    assert key == (staged if store_rotated else old) == load_key(path, env={})
    assert not (tmp_path / "gallery.key.new").exists()
    assert Gallery(store, key, model_id=MODEL).customers() == ["c1"]


def test_neither_key_opening_the_store_is_an_error(tmp_path: Path) -> None:
    path, store = tmp_path / "gallery.key", tmp_path / "gallery.db"
    Gallery(store, generate_key(), model_id=MODEL).close()  # sealed under a key now lost
    for name in ("gallery.key", "gallery.key.new"):
        (tmp_path / name).write_text(base64.b64encode(generate_key()).decode())
    with pytest.raises(GalleryKeyError, match=r"neither gallery\.key nor gallery\.key\.new"):
        open_gallery_key(path, store, model_id=MODEL)


def test_an_earlier_kiosks_key_place_is_kept_until_moved(tmp_path: Path) -> None:
    configured, legacy = tmp_path / "config" / "gallery.key", tmp_path / "data" / "gallery.key"
    assert gallery_key_place(configured, legacy) == configured
    legacy.parent.mkdir()
    legacy.write_text("k")
    assert gallery_key_place(configured, legacy) == legacy
    configured.parent.mkdir()
    configured.write_text("k")
    assert gallery_key_place(configured, legacy) == configured
