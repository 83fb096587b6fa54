"""`facepay bench` reports every figure the README quotes (values are not asserted: timing
belongs to the benchmark, not to pass/fail tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def test_bench_prints_one_json_object_with_all_figures(
    dev_faces: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        [
            "bench",
            "--images",
            str(dev_faces),
            "--frames",
            "4",
            "--repeats",
            "1",
            "--gallery-sizes",
            "100,2000",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["per_frame_ms"]) == {"median", "p95"}
    assert {"detect", "align", "mask", "liveness", "embed", "search"} <= set(out["stages_ms"])
    assert set(out["gallery_search_ms"]) == {"100", "2000"}
    assert set(out["fusion_ms"]) == {"window", "per_decision_ms", "per_frame_ms"}
    assert out["threads"] == 2 and out["frames"] == 4 and out["frames_with_face"] == 4


def test_bench_refuses_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--images", str(tmp_path / "nope")]) == 2
    assert main(["bench", "--images", str(tmp_path)]) == 2
    assert "no readable images" in capsys.readouterr().err
    assert main(["bench", "--images", str(tmp_path), "--gallery-sizes", "1k"]) == 2


def test_bench_with_load_keeps_its_keys_and_adds_quiet_loaded_and_ratio(
    dev_faces: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        [
            "bench",
            "--images",
            str(dev_faces),
            "--frames",
            "2",
            "--repeats",
            "1",
            "--gallery-sizes",
            "100",
            "--load",
            "1",
            "--rounds",
            "1",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["per_frame_ms"]) == {"median", "p95"} and out["frames_with_face"] == 2
    load = out["load"]
    assert load["processes"] == 1 and load["rounds"] == 1
    assert load["quiet"]["per_frame_ms"] == out["per_frame_ms"]
    assert {"detect", "liveness", "embed"} <= set(load["loaded"]["stages_ms"])
    assert set(load["ratio"]) == {"median", "p95", "stages"}
    assert [r["load"] for r in load["per_round_ms"]] == [0, 1]
    assert out["spin"] in (True, False)


@pytest.mark.parametrize(
    "extra", [["--load", "-1"], ["--rounds", "0"], ["--repeats", "0"], ["--frames", "0"], ["--load", "two"]]
)
def test_bench_refuses_bad_load_arguments(dev_faces: Path, extra: list[str]) -> None:
    try:
        rc = main(["bench", "--images", str(dev_faces), *extra])
    except SystemExit as exc:  # argparse refuses what is not a number
        rc = int(exc.code or 0)
    assert rc == 2


@pytest.mark.slow
def test_bench_scan_times_the_demo_videos_under_both_budgets_with_the_same_decisions(
    dev_faces: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--scan", "--kiosk-threads", "--repeats", "1", "--enrolled", "20", "--json"]
    rc = main(["bench", "--images", str(dev_faces), *args])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["videos"]) == {"face", "masked", "attack"}
    assert out["kiosk_threads"] is True and out["frames_painted"] > 0
    quiet = out["quiet"]
    decisions, every = quiet["kiosk"]["decisions"], quiet["full"]["decisions"]
    assert decisions["face"] == every["face"] and decisions["face"][0].startswith("match ")
    assert decisions["masked"] == every["masked"] == ["pin masked"]
    # The photo attack's window mean sits near the reject cut: the frames each budget looks
    # at decide between "rejected" and "customer number and PIN"; neither pays by face.
    assert not any(d.startswith("match") for d in decisions["attack"] + every["attack"])
    full, kiosk = quiet["full"]["work_per_scan"]["face"], quiet["kiosk"]["work_per_scan"]["face"]
    assert kiosk["whole_searches"] < full["whole_searches"]
    assert kiosk["antispoof"] < full["antispoof"]
    assert kiosk["frames"] == full["frames"] and kiosk["embeddings"] == full["embeddings"]
    assert set(quiet["ratio_kiosk_over_full"]) == {"per_frame_median", "to_decision_median"}


def test_bench_scan_refuses_a_folder_without_labels_and_a_missing_video(
    dev_faces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.jpg").write_bytes((dev_faces / "deepface__tests_unit_dataset_img2.jpg").read_bytes())
    assert main(["bench", "--images", str(tmp_path), "--scan"]) == 2
    assert "labels.csv" in capsys.readouterr().err
    assert main(["bench", "--images", str(dev_faces), "--scan", "--video", str(tmp_path / "nope.mkv")]) == 2
    assert "no such video" in capsys.readouterr().err


def test_bench_policies_times_each_policy_in_turn_in_one_run(
    dev_faces: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--frames", "2", "--repeats", "1", "--rounds", "1", "--load", "1", "--enrolled", "50"]
    rc = main(["bench", "--images", str(dev_faces), *args, "--policies", "2:seq,1:con", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["policies"] == ["2t-sequential", "1t-concurrent"]
    for side in ("quiet", "load_1"):
        assert set(out[side]["1t-concurrent"]) == {"median", "p95"}
        assert out[side]["median_ratio_to_2t-sequential"]["2t-sequential"] == 1.0


@pytest.mark.parametrize("bad", ["2:seq", "2:seq,2:seq", "two:seq,1:con", "2:fast,1:con", "0:seq,1:con", ","])
def test_bench_policies_refuses_what_it_cannot_compare(
    dev_faces: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--images", str(dev_faces), "--policies", bad, "--frames", "1"]) == 2
    assert "polic" in capsys.readouterr().err
