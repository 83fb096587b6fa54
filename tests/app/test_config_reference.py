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
