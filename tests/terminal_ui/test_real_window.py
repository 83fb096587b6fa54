"""One real window on an X server (Xvfb): the kiosk maps full screen and paints its screens."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

REPO = Path(__file__).resolve().parents[2]


def free_display() -> int:
    for n in range(91, 140):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    pytest.skip("no free X display number between :91 and :139")


@pytest.fixture
def xvfb() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb); CI installs it")
    n = free_display()
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Xvfb :{n} did not start (exit code {proc.poll()})")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        proc.terminate()
        proc.wait(10)


def test_kiosk_window_maps_full_screen_on_a_real_x_server(xvfb: str, tmp_path: Path) -> None:
    shot = tmp_path / "x-screen.png"
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.terminal_ui.xvfb_kiosk", str(shot)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0 and "could not load the Qt platform plugin" in run.stderr.lower():
        pytest.skip(
            "Qt's xcb plugin cannot load (install libxcb-icccm4 libxcb-keysyms1 "
            "libxcb-cursor0 libxkbcommon-x11-0)"
        )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert report["exposed"] and report["fullscreen"]
    assert report["size"] == [1280, 800]
    assert report["screen"] == "sale"
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    # The screen shows the painted kiosk: white page with dark text somewhere in the middle.
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(200, 500, 8)}
    assert len(colours) > 2
