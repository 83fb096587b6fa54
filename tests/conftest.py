"""Shared fixtures. Qt must be told it has no screen before any QApplication exists."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FACEPAY_SHARED", REPO.parent / "shared"))
if "FACEPAY_MODEL_DIR" not in os.environ and (SHARED / "models").is_dir():
    os.environ["FACEPAY_MODEL_DIR"] = str(SHARED / "models")
# The gallery key defaults to the per-user config folder: a test run keeps its own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="facepay-test-config-")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing ({SHARED}); tests need its models and faces")
    return SHARED


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return Path(os.environ["FACEPAY_MODEL_DIR"])


@pytest.fixture(scope="session")
def dev_faces(shared_dir: Path) -> Path:
    return shared_dir / "faces" / "dev"


@pytest.fixture(scope="session")
def settings():
    from app.settings import load_settings

    return load_settings(env={"FACEPAY_MODEL_DIR": os.environ["FACEPAY_MODEL_DIR"]})


@pytest.fixture(scope="session")
def pipeline(settings):
    from app.wiring import build_pipeline

    return build_pipeline(settings)


@pytest.fixture(scope="session")
def detector(settings):
    from app.wiring import build_detector

    return build_detector(settings)


@pytest.fixture(scope="session")
def int8_settings(settings, tmp_path_factory: pytest.TempPathFactory, dev_faces: Path):
    """Settings whose derived-model directory holds the int8 MobileFaceNet, made once per run by
    ``facepay models quantize`` (calibrated on a few dev faces: the recipe, not the faces, is
    what the tests exercise)."""
    import dataclasses
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("derived-models")
    env = {**os.environ, "FACEPAY_MODELS_DERIVED_DIR": str(out)}
    cmd = [sys.executable, "-m", "app.cli", "models", "quantize", "--images", str(dev_faces)]
    done = subprocess.run(
        [*cmd, "--max-faces", "24", "--json"], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return dataclasses.replace(settings, models=dataclasses.replace(settings.models, derived_dir=out))
