"""`facepay liveness fit` on a few real pad/ frames, and the combiner settings it refuses."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.settings import SettingsError
from app.wiring import pad_fusion


def _folder(shared_dir: Path, tmp_path: Path, *, attacks: bool = True) -> Path:
    pad = shared_dir / "faces" / "pad"
    with (pad / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    picked = []
    for prefix in ("pad_lest", "pad_coders"):
        for spoof in ("0", "1") if attacks else ("0",):
            picked += [r for r in rows if r["file"].startswith(prefix) and r["spoof"] == spoof][:3]
    with (tmp_path / "labels.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for r in picked:
            shutil.copy(pad / r["file"], tmp_path / r["file"])
            w.writerow(r)
    return tmp_path


def test_fit_prints_settings_that_keep_every_attack_below_the_pass_cut(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["liveness", "fit", "--images", str(_folder(shared_dir, tmp_path))])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["faces"] == {"live": 6, "attacks": 6}
    s = out["settings"]
    assert s["fusion_cues"] == "model_wide,bezel" and len(s["fusion_weights"].split(",")) == 2
    assert s["reject_threshold"] <= s["pass_threshold"]
    # Each source is measured by a rule fitted on the other one alone.
    folds = out["leave_one_source_out"]["folds"]
    assert sorted(folds) == ["Codersworld-23/Antispoof", "lestari15/CNN-face-detection"]
    assert all(f["live"] == 3 and f["attacks"] == 3 for f in folds.values())


def test_fit_without_attacks_is_refused(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["liveness", "fit", "--images", str(_folder(shared_dir, tmp_path, attacks=False))])
    assert rc == 2 and "need live faces and attacks" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cues", "weights"), [("model,edges", "1"), ("model,screen", "1,2"), ("model", "one")]
)
def test_combiner_settings_that_do_not_fit_together_are_refused(settings, cues: str, weights: str) -> None:
    bad = dataclasses.replace(
        settings, liveness=dataclasses.replace(settings.liveness, fusion_cues=cues, fusion_weights=weights)
    )
    with pytest.raises(SettingsError, match="fusion_cues"):
        pad_fusion(bad)


def test_no_cues_means_the_model_alone(settings) -> None:
    plain = dataclasses.replace(settings, liveness=dataclasses.replace(settings.liveness, fusion_cues=""))
    assert pad_fusion(plain) is None
