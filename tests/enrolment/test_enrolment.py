"""Enrolment needs consent, keeps only templates, and erasure makes the face a stranger."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrolment import (
    ConsentMissing,
    NoUsablePhoto,
    Registry,
    enrol_photos,
    erase_customer,
    retention_sweep,
)
from vision import Gallery, generate_key, read_image

ANNA = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2, 4, 5)]
PROBE = "deepface__tests_unit_dataset_img6.jpg"


@pytest.fixture()
def stores(tmp_path: Path, pipeline):
    gallery = Gallery(tmp_path / "g.db", generate_key(), model_id=pipeline.embedder.model_id)
    registry = Registry(tmp_path / "r.db")
    return gallery, registry


def test_enrolment_without_consent_is_impossible(stores, pipeline, dev_faces: Path) -> None:
    gallery, registry = stores
    with pytest.raises(ConsentMissing):
        enrol_photos(pipeline, gallery, registry, "c1", "Anna K", [dev_faces / ANNA[0]])
    assert gallery.count() == 0


def test_enrol_match_erase_then_stranger(stores, pipeline, dev_faces: Path, tmp_path: Path) -> None:
    gallery, registry = stores
    registry.record_consent("c1", "T1")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"junk")
    result = enrol_photos(
        pipeline,
        gallery,
        registry,
        "c1",
        "Anna K",
        [dev_faces / n for n in ANNA] + [bad, dev_faces / "deepface__tests_unit_dataset_couple.jpg"],
    )
    assert result.templates == 4
    reasons = dict(result.refused)
    assert "not a decodable image" in reasons["bad.jpg"]
    assert "one person per photo" in reasons["deepface__tests_unit_dataset_couple.jpg"]
    assert registry.display_name("c1") == "Anna K"
    probe = pipeline.process(read_image(dev_faces / PROBE)).face
    assert probe is not None
    assert gallery.search(probe.embedding, 1)[0].customer_id == "c1"

    receipt = erase_customer(gallery, registry, "c1")
    assert receipt.templates_removed == 4
    assert gallery.search(probe.embedding, 1) == ()
    assert registry.consent("c1") is None and registry.display_name("c1") is None
    assert registry.audit_ok()


def test_no_usable_photo_is_a_clear_error(stores, pipeline, tmp_path: Path) -> None:
    gallery, registry = stores
    registry.record_consent("c2", "T1")
    (tmp_path / "x.jpg").write_bytes(b"junk")
    with pytest.raises(NoUsablePhoto, match=r"x\.jpg"):
        enrol_photos(pipeline, gallery, registry, "c2", "Bo", [tmp_path / "x.jpg"])


def test_retention_sweep_erases_only_inactive_customers(stores, pipeline, dev_faces: Path) -> None:
    gallery, registry = stores
    for cid in ("old", "new"):
        registry.record_consent(cid, "T1")
    enrol_photos(pipeline, gallery, registry, "old", "O", [dev_faces / ANNA[0]], now=0.0)
    enrol_photos(pipeline, gallery, registry, "new", "N", [dev_faces / ANNA[1]], now=10 * 86400.0)
    gone = retention_sweep(gallery, registry, now=5 * 86400.0, days=3)
    assert len(gone) == 1 and gallery.customers() == ["new"]


def test_audit_chain_detects_an_edited_line(tmp_path: Path) -> None:
    import sqlite3

    registry = Registry(tmp_path / "r.db")
    registry.record_consent("c1", "T1")
    registry.audit("erase", "c1", {"n": 1})
    assert registry.audit_ok()
    db = sqlite3.connect(tmp_path / "r.db")
    db.execute("UPDATE audit SET detail = '{\"n\": 2}' WHERE action = 'erase'")
    db.commit()
    assert not registry.audit_ok()


def test_a_face_already_enrolled_as_another_customer_is_found(
    stores, pipeline, dev_faces: Path, settings
) -> None:
    """The gallery check before any link: df_A's other photos, offered under another customer
    number, are found as c1 at the candidate threshold; df_F (someone else) and c1 itself are not."""
    from enrolment import already_enrolled, gate_photos

    gallery, registry = stores
    registry.record_consent("c1", "T1")
    enrol_photos(pipeline, gallery, registry, "c1", "Anna K", [dev_faces / n for n in ANNA[:2]])
    threshold = settings.recognition.enrolled_threshold
    same, _, _ = gate_photos(pipeline, [dev_faces / n for n in ANNA[2:]] + [dev_faces / PROBE])
    other = already_enrolled(gallery, same, "200002", threshold)
    assert other is not None and other.customer_id == "c1" and other.score >= threshold
    assert already_enrolled(gallery, same, "c1", threshold) is None  # re-enrolling oneself
    stranger, _, _ = gate_photos(
        pipeline, [dev_faces / f"deepface__tests_unit_dataset_img{i}.jpg" for i in (13, 14, 15)]
    )
    assert len(stranger) == 3 and already_enrolled(gallery, stranger, "200002", threshold) is None
    assert already_enrolled(gallery, [], "200002", threshold) is None
