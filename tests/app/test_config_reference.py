"""The settings reference is generated and current; the example file loads as it is."""

from __future__ import annotations

import re
from pathlib import Path

from app.config_reference import example_toml, reference_markdown
from app.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_docs_settings_md_is_current() -> None:
    current = (REPO / "docs" / "settings.md").read_text(encoding="utf-8").rstrip("\n")
    assert current == reference_markdown().rstrip("\n"), (
        "docs/settings.md is stale: run `facepay config reference > docs/settings.md`"
    )


def test_every_setting_is_documented() -> None:
    text = reference_markdown()
    for section in Settings.__dataclass_fields__:
        assert f"## [{section}]" in text
    assert "FACEPAY_MODEL_DIR" in text and "FACEPAY_LEDGER_URL" in text


def test_example_file_with_every_key_uncommented_loads(tmp_path: Path) -> None:
    text = re.sub(r"^# ([a-z_]+ = )", r"\1", example_toml(), flags=re.M)
    cfg = tmp_path / "facepay.toml"
    cfg.write_text(text, encoding="utf-8")
    assert load_settings(cfg, env={}) == load_settings(None, env={})


def test_wiring_passes_the_sections_through() -> None:
    from app.kiosk_options import kiosk_options
    from app.wiring import challenge_limits, policy_limits

    s = load_settings(
        env={"FACEPAY_LIVENESS_CHALLENGE_CLOSER": "1", "FACEPAY_RECOGNITION_MATCH_THRESHOLD": "0.6"}
    )
    limits = policy_limits(s)
    assert limits.liveness is s.liveness.passive
    assert limits.match_tail.floor == 0.6 and limits.match_tail.anchor == s.recognition.match_tail.anchor
    assert limits.masked_tail is not None and limits.masked_tail.floor == 0.6
    assert challenge_limits(s).kinds == ("left", "right", "closer")
    assert kiosk_options(s).timeouts.challenge_s == s.liveness.challenge.timeout_s
    assert kiosk_options(s).throttle is s.kiosk.staff
    no_masked = load_settings(env={"FACEPAY_RECOGNITION_MASKED_TAIL_COMPARISONS": "0"})
    assert policy_limits(no_masked).masked_tail is None
