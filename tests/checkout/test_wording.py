"""One wording table: every key the flow and the screens ask for exists, and every entry is
used (a translation replaces exactly this table)."""

from __future__ import annotations

import re
from pathlib import Path

from checkout import TEXT, say

ROOT = Path(__file__).resolve().parents[2]
# Keys built from a state or code at run time: their prefixes.
BUILT: tuple[str, ...] = ("decline.", "method.", "busy.", "enrol.timeout.", "enrol.cancel.")
BUILT += ("enrol.refused.", "erase.refused.", "cashier.verdict.")


def _sources() -> str:
    files = [*(ROOT / "checkout").glob("*.py"), *(ROOT / "terminal_ui").rglob("*.py")]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_key_asked_for_exists_and_every_entry_is_used() -> None:
    source = _sources()
    asked = set(re.findall(r"say\(\s*[\"']([a-z_.+]+)[\"']", source))
    assert asked - set(TEXT) == set()
    unused = {key for key in TEXT if key not in asked and not key.startswith(BUILT)}
    assert unused == set()


def test_fields_are_filled_and_plain_texts_pass_through() -> None:
    refunded = say("cashier.refunded", amount="EUR 8.00", transfer="t-1")
    assert refunded == "Refunded EUR 8.00 (transaction t-1)."
    assert say("pay.thanks") == "Thank you."
    assert say("ui.paying", amount="EUR 1.00") == "Paying EUR 1.00"


def test_no_shopper_sentence_is_left_in_the_screens() -> None:
    screens = (ROOT / "terminal_ui" / "screens").glob("*.py")
    for path in screens:
        code = re.sub(r'"""[\s\S]*?"""', "", path.read_text(encoding="utf-8"))  # docstrings
        sentences = re.findall(r'(?:label|action|button|setText|set_text)\([^)]*?"([A-Z][a-z]+ [^"]*)"', code)
        assert sentences == [], path.name
