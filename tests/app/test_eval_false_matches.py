"""`facepay eval` lists each false match so it can be inspected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main

# Two photos of one person (deepface img1, img2) and one of her again (img4)...
SAME = (
    "deepface__tests_unit_dataset_img1.jpg",
    "deepface__tests_unit_dataset_img2.jpg",
    "deepface__tests_unit_dataset_img4.jpg",
)
# ...and one other person
OTHER = "deepface__tests_unit_dataset_img13.jpg"


def test_a_mislabelled_photo_is_listed_as_a_false_match(
    dev_faces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, name in enumerate(SAME):
        shutil.copy(dev_faces / name, tmp_path / f"p{i}.jpg")
    shutil.copy(dev_faces / OTHER, tmp_path / "q.jpg")
    # p2 is labelled as someone who is enrolled nowhere else: a stranger who looks exactly
    # like customer A, so the face matches A and eval must list it.
    (tmp_path / "labels.csv").write_text(
        "file,identity,masked,spoof\np0.jpg,A,0,0\np1.jpg,A,0,0\np2.jpg,Z,0,0\nq.jpg,B,0,0\n",
        encoding="utf-8",
    )
    rc = main(["eval", "--images", str(tmp_path), "--json", "--cache", str(tmp_path / "cache")])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    d = out["decision"]
    # p2 (labelled Z) matches A; A's own photos may match Z's template too: both are listed
    assert d["false_match"] == len(d["false_matches"]) >= 1
    by_file = {fm["file"]: fm for fm in d["false_matches"]}
    fm = by_file["p2.jpg"]
    assert fm["identity"] == "Z" and fm["matched"] == "A" and fm["enrolled"] is False
    assert fm["score"] >= d["thresholds"]["match"] and fm["runner_up"] < fm["score"]
    assert fm["faces"] == 1
    assert all(f["matched"] != f["identity"] for f in d["false_matches"])
    assert "q.jpg" not in by_file
    assert d["unmasked"]["false_match"] == d["false_match"] and d["masked"] is None
    # a second run is served from the cache and says the same
    assert main(["eval", "--images", str(tmp_path), "--json", "--cache", str(tmp_path / "cache")]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == d
