"""End to end: `facepay demo --headless` runs the real kiosk window (offscreen) with the real
vision pipeline on videos made from ../shared/faces/dev and a real ledger process, and
checks each scripted path on screen and on the ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_headless_demo_runs_every_scripted_path(dev_faces: Path, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FACEPAY_PAYMENTS_DATA_DIR": str(tmp_path / "d")}
    env.pop("DISPLAY", None)
    env.pop("FACEPAY_GALLERY_KEY", None)
    shots = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--headless", "--json", "--repeats", "1",
         "--photos", str(dev_faces), "--workdir", str(tmp_path / "world"), "--screenshots", str(shots)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    steps = {s["name"]: s for s in report["steps"]}
    assert set(steps) == {"face pay", "masked face -> PIN", "wrong PIN x5 -> lockout",
                          "photo attack -> rejected", "cashier refund", "ledger agrees"}
    assert all(s["ok"] for s in steps.values())
    assert "confirm" in steps["face pay"]["screens"] and "result" in steps["face pay"]["screens"]
    assert "confirm" not in steps["masked face -> PIN"]["screens"]
    assert "pin" in steps["masked face -> PIN"]["screens"]
    assert steps["wrong PIN x5 -> lockout"]["screens"].count("pin") >= 5
    assert "pin" not in steps["photo attack -> rejected"]["screens"][6:]
    assert report["face_to_approved_s"] and report["longest_gui_stall_ms"] is not None
    pngs = sorted(shots.glob("*.png"))
    assert len(pngs) >= 30 and all(p.stat().st_size > 5000 for p in pngs)
    assert any(p.name.endswith("-confirm.png") for p in pngs)
