"""A gallery holding two recognisers' templates: each shopper is matched by the model that
covers them, rows of one model never answer for another, coverage counts shoppers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.migration import TemplateHarvest
from app.wiring import model_path, ort_session
from vision import (
    Embedder,
    Gallery,
    GalleryKeyError,
    MigratingGallery,
    MigrationCoverage,
    PairedEmbedder,
    generate_key,
    l2_normalise,
    read_image,
)

ANNA = "deepface__tests_unit_dataset_img1.jpg"  # df_A
ANNA_AGAIN = "deepface__tests_unit_dataset_img2.jpg"
FRED = "deepface__tests_unit_dataset_img13.jpg"  # df_F
OBAMA = "facerec__examples_obama.jpg"


def unit(rng: np.random.Generator, n: int, d: int = 192) -> np.ndarray:
    return l2_normalise(rng.standard_normal((n, d)).astype(np.float32))


def test_rows_of_one_model_never_answer_for_another(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    key = generate_key()
    g = Gallery(tmp_path / "g.db", key, model_id="old")
    anna_old, anna_new, bob_old = unit(rng, 2), unit(rng, 1, 128), unit(rng, 1)
    g.add("anna", anna_old)
    g.add("bob", bob_old)
    g.add("anna", anna_new, model_id="new")
    assert g.templates()[1].shape == (3, 192)  # the gallery's own model only
    assert g.templates(model_id="new")[1].shape == (1, 128)
    assert g.customers() == ["anna", "bob"] and g.customers("new") == ["anna"]
    assert g.models() == {"new": 1, "old": 2}
    assert g.template_count("anna") == 2 and g.template_count("anna", "new") == 1
    assert [c.customer_id for c in g.search(anna_old[0], k=5)] == ["anna", "bob"]
    assert MigrationCoverage.of(g, "old", "new").covered == 1
    key = generate_key()
    assert g.rotate_key(key) == 4  # every model's rows move to the new key
    assert g.templates(model_id="new")[1].shape == (1, 128)
    assert g.remove("anna") == 3  # erasing a shopper erases every model's templates
    assert g.customers() == ["bob"] and g.customers("new") == []
    g.add("anna", anna_old)
    g.close()
    # A row relabelled as another model's no longer opens: the model id is sealed in.
    db = sqlite3.connect(tmp_path / "g.db")
    db.execute("UPDATE templates SET model_id = 'new' WHERE customer_id = 'bob'")
    db.commit()
    db.close()
    with pytest.raises(GalleryKeyError):
        Gallery(tmp_path / "g.db", key, model_id="new").templates()


@pytest.fixture(scope="module")
def paired(settings: Any) -> PairedEmbedder:
    """Two real recognisers under two ids (the same weights: what the test checks is which
    model's templates answer for whom)."""
    _, path = model_path(settings, settings.models.recogniser)
    source = Embedder(ort_session(path, 1), model_id="src")
    target = Embedder(ort_session(path, 1), model_id="tgt")
    return PairedEmbedder(source, target)


def crop(pipeline: Any, dev_faces: Path, name: str) -> np.ndarray:
    face = pipeline.process(read_image(dev_faces / name)).face
    assert face is not None
    return np.asarray(face.aligned)


def test_each_shopper_is_scored_by_the_model_that_covers_them(
    paired: PairedEmbedder, pipeline: Any, dev_faces: Path, tmp_path: Path
) -> None:
    g = Gallery(tmp_path / "g.db", generate_key(), model_id="tgt")
    crops = {n: crop(pipeline, dev_faces, n) for n in (ANNA, ANNA_AGAIN, FRED, OBAMA)}
    source = {n: paired.source.embed_one(c) for n, c in crops.items()}
    for who, name in (("anna", ANNA), ("fred", FRED), ("obama", OBAMA)):
        g.add(who, source[name], model_id="src")
    migrating = MigratingGallery(g, paired)
    probe = paired.embed_one(crops[ANNA_AGAIN])
    assert probe.shape == (384,) and float(np.linalg.norm(probe)) == pytest.approx(1.0, abs=1e-5)
    before = migrating.search(probe, 3)
    assert before[0].customer_id == "anna" and migrating.customer_count() == 3
    assert migrating.coverage().covered == 0

    # Anna moves: from now on only her target template answers for her (here, on purpose,
    # one made from Obama's photo), and her source template is no longer searched.
    g.add("anna", paired.target.embed_one(crops[OBAMA]), model_id="tgt")
    after = {c.customer_id: c.score for c in migrating.search(probe, 3)}
    assert after["anna"] < before[0].score - 0.3
    assert after["anna"] == pytest.approx(float(source[OBAMA] @ source[ANNA_AGAIN]), abs=1e-4)
    assert migrating.customer_count() == 3
    cover = migrating.coverage()
    assert (cover.customers, cover.covered, cover.source_only) == (3, 1, 2)
    with pytest.raises(ValueError):
        paired.split(probe[:192])
    with pytest.raises(ValueError):
        MigratingGallery(Gallery(tmp_path / "other.db", generate_key(), model_id="src"), paired)


def test_a_payment_adds_a_target_template_only_when_it_confirmed_the_shopper(
    paired: PairedEmbedder, pipeline: Any, dev_faces: Path, tmp_path: Path
) -> None:
    g = Gallery(tmp_path / "g.db", generate_key(), model_id="tgt")
    crops = {n: crop(pipeline, dev_faces, n) for n in (ANNA, ANNA_AGAIN, FRED, OBAMA)}
    for who, name in (("anna", ANNA), ("fred", FRED), ("obama", OBAMA)):
        g.add(who, paired.source.embed_one(crops[name]), model_id="src")
    migrating = MigratingGallery(g, paired)
    harvest = TemplateHarvest(migrating, strong_match=0.99, templates=2, candidates=1)
    probe = paired.embed_one(crops[ANNA_AGAIN])

    assert not harvest.after_payment("anna", pin_confirmed=True).added  # no scan behind it
    migrating.search(probe, 3)
    weak = harvest.after_payment("anna", pin_confirmed=False)  # face only, below 0.99
    assert not weak.added and "strong" in weak.why
    migrating.search(probe, 3)
    other = harvest.after_payment("fred", pin_confirmed=True)  # Fred's PIN, Anna's face
    assert not other.added and g.template_count("fred", "tgt") == 0
    migrating.search(probe, 3)
    assert harvest.after_payment("anna", pin_confirmed=True).added
    assert g.template_count("anna", "tgt") == 1 and migrating.last_probe is None
    added = g.templates(model_id="tgt")[1][0]
    assert float(added @ paired.target.embed_one(crops[ANNA_AGAIN])) == pytest.approx(1.0, abs=1e-4)

    strong = TemplateHarvest(migrating, strong_match=0.30, templates=2, candidates=1)
    migrating.search(paired.embed_one(crops[FRED]), 3)
    assert strong.after_payment("fred", pin_confirmed=False).added  # a strong source match
    for _ in range(3):  # the cap: at most `templates` target templates per shopper
        migrating.search(probe, 3)
        harvest.after_payment("anna", pin_confirmed=True)
    assert g.template_count("anna", "tgt") == 2
    assert migrating.coverage().covered == 2
