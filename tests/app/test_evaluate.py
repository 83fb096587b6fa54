"""`facepay eval` on real photos: the figures, and bad input counted rather than fatal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from app.evaluate import EvalError, read_labels, run_eval
from vision._evaluation import pair_scores, verification_metrics


def test_dev_faces_meet_the_foundation_targets(pipeline, dev_faces: Path) -> None:
    report, _ = run_eval(pipeline, dev_faces, dev_faces / "labels.csv")
    assert report["detection"]["rate"] == 1.0
    unmasked = report["verification"]["unmasked"]
    assert unmasked["auc"] >= 0.95
    assert set(unmasked["tar_at_far"]) >= {"0.01", "0.001"}
    assert unmasked["genuine_pairs"] > 100 and unmasked["impostor_pairs"] > 1000
    assert report["errors"]["count"] == 0


def test_bad_inputs_are_counted_and_eval_goes_on(
    pipeline, dev_faces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(dev_faces / "deepface__tests_unit_dataset_img1.jpg", tmp_path / "a1.jpg")
    shutil.copy(dev_faces / "deepface__tests_unit_dataset_img2.jpg", tmp_path / "a2.jpg")
    shutil.copy(dev_faces / "deepface__tests_unit_dataset_img13.jpg", tmp_path / "b1.jpg")
    colour = cv2.imread(str(dev_faces / "deepface__tests_unit_dataset_img5.jpg"))
    assert colour is not None
    grey = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(tmp_path / "a3_grey.png"), grey)
    (tmp_path / "corrupt.jpg").write_bytes(b"\xff\xd8garbage")
    cv2.imwrite(str(tmp_path / "noface.png"), np.full((240, 320, 3), 90, np.uint8))
    cv2.imwrite(str(tmp_path / "tiny.png"), np.full((4, 4, 3), 90, np.uint8))
    (tmp_path / "labels.csv").write_text(
        "file,identity,masked,spoof,extra\n"
        "a1.jpg,A,0,0,x\na2.jpg,A,0,0,x\nb1.jpg,B,0,0,x\na3_grey.png,A,0,0,x\n"
        "corrupt.jpg,C,0,0,x\nmissing.jpg,C,0,0,x\nnoface.png,D,0,0,x\ntiny.png,D,0,0,x\n"
        "a1.jpg,A,maybe,0,x\n",
        encoding="utf-8",
    )
    rc = main(["eval", "--images", str(tmp_path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    errors = {e["file"]: e["error"] for e in out["errors"]["items"]}
    assert "corrupt.jpg" in errors and "not a decodable image" in errors["corrupt.jpg"]
    assert "missing.jpg" in errors and "no such file" in errors["missing.jpg"]
    assert any("must be 0 or 1" in e for e in errors.values())
    det = out["detection"]
    assert det["images"] == 6 and det["found"] == 4
    assert sorted(det["missed"]) == ["noface.png", "tiny.png"]
    ver = out["verification"]["unmasked"]
    assert ver["genuine_pairs"] == 3 and ver["impostor_pairs"] == 3


def test_labels_without_required_columns_are_refused(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("file,who\nx.jpg,A\n", encoding="utf-8")
    with pytest.raises(EvalError, match="lack column"):
        read_labels(tmp_path / "labels.csv")
    with pytest.raises(EvalError, match="cannot read"):
        read_labels(tmp_path / "nope.csv")


def test_metrics_on_known_scores() -> None:
    genuine = np.array([0.9, 0.8, 0.7, 0.2])
    impostor = np.linspace(-0.5, 0.5, 1000)
    m = verification_metrics(genuine, impostor)
    assert m is not None
    assert m.auc == pytest.approx((1 + 1 + 1 + 0.7) / 4, abs=1e-3)
    assert m.tar_at_far["0.01"] == 0.75
    assert m.threshold_at_far["0.01"] == pytest.approx(0.49, abs=2e-3)
    assert m.tar_at_far["0.001"] == 0.75
    assert "0.0001" not in m.tar_at_far
    assert verification_metrics(np.array([]), impostor) is None


def test_pairs_are_split_by_mask_and_count_every_pair_once() -> None:
    rng = np.random.default_rng(0)
    e = rng.standard_normal((7, 16)).astype(np.float32)
    ids = ["a", "a", "a", "b", "b", "c", "c"]
    masked = [False, False, True, False, True, True, True]
    s = pair_scores(e, ids, masked, block=3)
    total = sum(len(p.genuine) + len(p.impostor) for p in s.values())
    assert total == 7 * 6 // 2
    assert len(s["unmasked"].genuine) == 1  # a0-a1
    assert len(s["masked_vs_masked"].genuine) == 1  # c5-c6
    assert len(s["masked_vs_unmasked"].genuine) == 3  # a0-a2, a1-a2, b3-b4


def test_letterbox_shows_each_photo_as_the_demo_camera_frames_it(
    pipeline, dev_faces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["deepface__tests_unit_dataset_img1.jpg", "pourfard__benchmarks_fake_14759_person.jpg"]
    for name in names:
        shutil.copy(dev_faces / name, tmp_path / name)
    (tmp_path / "labels.csv").write_text(
        f"file,identity,masked,spoof\n{names[0]},A,0,0\n{names[1]},B,0,1\n", encoding="utf-8"
    )
    from app.demo_world import letterbox

    seen: list[tuple[int, ...]] = []

    def framing(photo: np.ndarray) -> np.ndarray:
        frame = letterbox(photo)
        seen.append(frame.shape)
        return frame

    from app.settings import load_settings
    from app.wiring import build_pipeline

    run_eval(build_pipeline(load_settings(None)), tmp_path, tmp_path / "labels.csv", framing=framing)
    assert seen == [(480, 640, 3), (480, 640, 3)]
    assert main(["eval", "--images", str(tmp_path), "--letterbox", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["letterbox"] is True and out["liveness"]["live"] + out["liveness"]["spoof"] == 2


def test_the_eval_cache_does_not_serve_scores_of_other_liveness_settings(
    dev_faces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["deepface__tests_unit_dataset_img1.jpg", "pourfard__benchmarks_fake_14759_person.jpg"]
    for name in names:
        shutil.copy(dev_faces / name, tmp_path / name)
    (tmp_path / "labels.csv").write_text(
        f"file,identity,masked,spoof\n{names[0]},A,0,0\n{names[1]},B,0,1\n", encoding="utf-8"
    )
    args = ["eval", "--images", str(tmp_path), "--json", "--cache", str(tmp_path / "cache")]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["liveness"]["spoof_passed"] == 0
    monkeypatch.setenv("FACEPAY_LIVENESS_FUSION_BIAS", "100")  # every face now scores live
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["liveness"]["spoof_passed"] == 1
