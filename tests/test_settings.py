from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError, load_settings, section_keys, settings_table


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


def test_a_components_limits_are_keys_of_their_section(tmp_path: Path) -> None:
    cfg = tmp_path / "facepay.toml"
    cfg.write_text(
        "[vision]\nmin_face_px = 80\n[liveness]\nsame_face_similarity = 0.5\nchallenge_yaw = 0.3\n"
        "[recognition]\nmasked_tail_comparisons = 0\n",
        encoding="utf-8",
    )
    s = load_settings(cfg, env={"FACEPAY_KIOSK_STAFF_WAIT_S": "3", "FACEPAY_LIVENESS_PASS_THRESHOLD": "2.5"})
    assert s.vision.quality.min_face_px == 80.0
    assert (s.liveness.challenge.same_face_similarity, s.liveness.challenge.yaw) == (0.5, 0.3)
    assert s.liveness.passive.pass_threshold == 2.5
    assert s.kiosk.staff.wait_s == 3.0
    assert s.recognition.masked_tail.comparisons == 0
    defaults = load_settings(env={})
    assert s.vision.quality.max_yaw == defaults.vision.quality.max_yaw  # the rest keep their defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[vision]\nquality = 1\n", "unknown key(s) quality"),  # the holder is not a key
        ("[kiosk]\nchallenge_s = 5\n", "unknown key(s) challenge_s"),  # derived, not a setting
        ("[liveness]\nchallenge_same_face_similarity = 0.5\n", "unknown key(s)"),
        ("[vision]\nmin_face_px = 4\n", "vision.min_face_px = 4.0"),
        ("[liveness]\nreject_threshold = 3.0\n", "must not exceed"),
    ],
)
def test_bad_component_keys_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "facepay.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(cfg, env={})


def test_the_settings_table_names_every_key_once() -> None:
    table = settings_table(load_settings(env={}))
    assert table["vision"]["min_face_px"] == 60.0 and "quality" not in table["vision"]
    assert table["liveness"]["challenge_timeout_s"] == 4.0
    assert table["kiosk"]["staff_window_s"] == 900.0
    for section, keys in table.items():
        names = [k.name for k in section_keys(type(getattr(Settings(), section)))]
        assert list(keys) == names and len(set(names)) == len(names)
