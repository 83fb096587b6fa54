from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from vision import Gallery, GalleryKeyError, TemplateIndex, generate_key, l2_normalise, load_key


def unit(rng: np.random.Generator, n: int, d: int = 192) -> np.ndarray:
    return l2_normalise(rng.standard_normal((n, d)).astype(np.float32))


def test_add_search_remove(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    g = Gallery(tmp_path / "g.db", generate_key(), model_id="m")
    anna, bob = unit(rng, 3), unit(rng, 2)
    g.add("anna", anna)
    g.add("bob", bob)
    assert g.customers() == ["anna", "bob"] and g.count() == 5
    top = g.search(anna[1], k=2)
    assert top[0].customer_id == "anna" and top[0].score == pytest.approx(1.0, abs=1e-5)
    assert top[1].customer_id == "bob" and top[1].score < 0.5
    assert g.remove("anna") == 3
    assert [c.customer_id for c in g.search(anna[1], k=5)] == ["bob"]


def test_templates_are_encrypted_at_rest_and_need_the_key(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    key = generate_key()
    path = tmp_path / "g.db"
    t = unit(rng, 1)
    Gallery(path, key, model_id="m").add("anna", t)
    raw = (
        path.read_bytes() + (tmp_path / "g.db-wal").read_bytes()
        if (tmp_path / "g.db-wal").exists()
        else path.read_bytes()
    )
    assert t.tobytes()[:32] not in raw
    with pytest.raises(GalleryKeyError, match="does not open"):
        Gallery(path, generate_key(), model_id="m")
    again = Gallery(path, key, model_id="m")
    assert again.search(t[0], k=1)[0].customer_id == "anna"


def test_a_row_moved_to_another_customer_fails_to_decrypt(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    key = generate_key()
    path = tmp_path / "g.db"
    g = Gallery(path, key, model_id="m")
    g.add("anna", unit(rng, 1))
    g.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE templates SET customer_id = 'mallory'")
    db.commit()
    db.close()
    with pytest.raises(GalleryKeyError, match="altered or moved"):
        Gallery(path, key, model_id="m").search(unit(rng, 1)[0])


def test_index_returns_best_template_per_customer() -> None:
    rng = np.random.default_rng(4)
    t = unit(rng, 6)
    idx = TemplateIndex(["b", "a", "b", "c", "a", "b"], t)
    got = idx.search(t[4], k=3)
    assert got[0].customer_id == "a" and got[0].score == pytest.approx(1.0, abs=1e-5)
    assert len({c.customer_id for c in got}) == 3
    assert list(got) == sorted(got, key=lambda c: -c.score)


def test_synthetic_index_finds_a_planted_probe() -> None:
    idx = TemplateIndex.synthetic(20_000, 192, seed=5)
    probe = idx._matrix[12345]
    assert idx.search(probe, k=1)[0].customer_id == "c12345"


def test_key_loading(tmp_path: Path) -> None:
    import base64

    key = generate_key()
    f = tmp_path / "gallery.key"
    f.write_text(base64.b64encode(key).decode())
    assert load_key(f, env={}) == key
    assert load_key(None, env={"FACEPAY_GALLERY_KEY": base64.b64encode(key).decode()}) == key
    with pytest.raises(GalleryKeyError, match="does not exist"):
        load_key(tmp_path / "nope", env={})
    f.write_text("not base64!!")
    with pytest.raises(GalleryKeyError, match="not base64"):
        load_key(f, env={})
    f.write_text(base64.b64encode(b"short").decode())
    with pytest.raises(GalleryKeyError, match="expected 32"):
        load_key(f, env={})


def test_rotate_key_keeps_templates_and_retires_the_old_key(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    old, new = generate_key(), generate_key()
    path = tmp_path / "g.db"
    g = Gallery(path, old, model_id="m")
    t = unit(rng, 3)
    g.add("anna", t)
    assert g.rotate_key(new) == 3
    assert g.search(t[0], 1)[0].customer_id == "anna"
    g.close()
    with pytest.raises(GalleryKeyError):
        Gallery(path, old, model_id="m")
    assert Gallery(path, new, model_id="m").search(t[2], 1)[0].customer_id == "anna"
