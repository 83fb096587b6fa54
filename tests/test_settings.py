from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError, load_settings


def test_defaults_load_and_are_frozen() -> None:
    s = load_settings(env={})
    assert isinstance(s, Settings)
    with pytest.raises(AttributeError):
        s.recognition.match_threshold = 0.1  # type: ignore[misc]


def test_toml_then_environment_wins(tmp_path: Path) -> None:
    cfg = tmp_path / "facepay.toml"
    cfg.write_text("[vision]\ndet_score = 0.7\n[models]\nthreads = 1\n", encoding="utf-8")
    s = load_settings(cfg, env={"FACEPAY_VISION_DET_SCORE": "0.5", "FACEPAY_MODEL_DIR": "/m"})
    assert s.vision.det_score == 0.5
    assert s.models.threads == 1
    assert s.models.dir == Path("/m")


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[vision]\ndet_scor = 0.7\n", {}, "unknown key(s) det_scor"),
        ("[visoin]\n", {}, "unknown section(s) visoin"),
        ("[vision\n", {}, "not valid TOML"),
        ("", {"FACEPAY_MODELS_THREADS": "two"}, "FACEPAY_MODELS_THREADS"),
        ("", {"FACEPAY_VISION_DET_SCORE": "1.5"}, "above the maximum"),
        ("[recognition]\ncandidate_threshold = 0.9\n", {}, "must not exceed"),
        ("[payments]\ncurrency = 'euro'\n", {}, "ISO 4217"),
        ("[payments]\nstore_and_forward = 'maybe'\n", {}, "true or false"),
    ],
)
def test_bad_settings_name_the_problem(tmp_path: Path, text: str, env: dict[str, str], message: str) -> None:
    cfg = tmp_path / "facepay.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(cfg, env=env)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})
