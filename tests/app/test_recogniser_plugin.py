"""Another ArcFace-style recogniser is a manifest entry: id, file, sha256, input spec."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np

from app.wiring import build_embedder
from models import load_manifest
from vision import align_face, read_image


def test_a_new_recogniser_entry_is_used_as_its_input_spec_says(
    settings, model_dir: Path, tmp_path: Path, dev_faces: Path, detector
) -> None:
    src = json.loads((Path(__file__).resolve().parents[2] / "models" / "manifest.json").read_text())
    base = next(m for m in src["models"] if m["id"] == "mobilefacenet-expo-192d")
    # the same weights under another id, fed BGR with another normalisation: a stand-in for
    # e.g. OpenCV Zoo SFace (128-d, BGR, no mean/std), which is not available here
    other = {
        **base,
        "id": "other-recogniser",
        "input": {**base["input"], "colour": "BGR", "mean": 0.0, "std": 1.0},
    }
    src["models"].append(other)
    (tmp_path / "manifest.json").write_text(json.dumps(src))
    for f in model_dir.iterdir():
        if f.suffix == ".onnx":
            shutil.copy(f, tmp_path / f.name)
    manifest = load_manifest(tmp_path / "manifest.json")
    s = dataclasses.replace(
        settings, models=dataclasses.replace(settings.models, dir=tmp_path, recogniser="other-recogniser")
    )
    plugged = build_embedder(s, manifest)
    default = build_embedder(settings)
    img = read_image(dev_faces / "deepface__tests_unit_dataset_img1.jpg")
    crop = align_face(img, detector.detect(img)[0].landmarks)
    a, b = plugged.embed_one(crop), default.embed_one(crop)
    assert plugged.model_id == "other-recogniser" and plugged.dim == 192
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5
    assert float(np.dot(a, b)) < 0.999  # fed differently, as its entry says
