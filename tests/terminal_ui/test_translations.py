"""Every sentence a shopper or cashier can read is translated in every shipped language, and
the compiled catalogues the kiosk loads say so too."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from checkout import CONTEXT, TEXT
from terminal_ui.i18n import LANGUAGES, TRANSLATIONS
from vision import GUIDANCE_TEXT, REASON_TEXT

SHIPPED = [lang for lang in LANGUAGES if lang.catalogue is not None]
FIELD = re.compile(r"\{\w*\}")


def marked() -> list[tuple[str, str]]:
    """(context, English) of every sentence the code marks for translation."""
    vision = [*GUIDANCE_TEXT.values(), *REASON_TEXT.values()]
    return [(CONTEXT, text) for text in TEXT.values()] + [("Vision", text) for text in vision]


def catalogue(code: str) -> dict[tuple[str, str], str]:
    """(context, source) -> translation of ``facepay_<code>.ts``; unfinished ones map to ""."""
    root = ET.parse(TRANSLATIONS / f"facepay_{code}.ts").getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            tr = message.find("translation")
            done = tr is not None and tr.get("type") not in ("unfinished", "vanished", "obsolete")
            found[(name, message.findtext("source", ""))] = (tr.text or "") if done and tr is not None else ""
    return found


@pytest.mark.parametrize("code", [lang.code for lang in SHIPPED])
def test_every_marked_sentence_has_a_translation_keeping_its_fields(code: str) -> None:
    table = catalogue(code)
    missing = [text for context, text in marked() if not table.get((context, text))]
    assert missing == [], f"{code}: not translated (run ./dev translations, then translate): {missing}"
    changed = [
        (src, tr) for (_, src), tr in table.items() if sorted(FIELD.findall(src)) != sorted(FIELD.findall(tr))
    ]
    assert changed == [], f"{code}: a translation lost or renamed a {{field}}: {changed}"


@pytest.mark.parametrize("code", [lang.code for lang in SHIPPED])
def test_the_compiled_catalogue_is_current(code: str) -> None:
    """The .qm the kiosk loads translates every marked sentence as the .ts says (a .ts edited
    without ./dev translations fails here)."""
    table = catalogue(code)
    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS / f"facepay_{code}.qm"))
    stale = [src for ctx, src in marked() if translator.translate(ctx, src) != table[(ctx, src)]]
    assert stale == []


def test_a_translation_reads_differently_from_english() -> None:
    """Guards against a catalogue that copies the English: most sentences change."""
    for lang in SHIPPED:
        table = catalogue(lang.code)
        same = [src for (_, src), tr in table.items() if tr == src]
        assert len(same) < 8, (lang.code, same)  # "OK", "PIN", " ({name})" may stay


def _import_time_calls(tree: ast.AST) -> Iterator[ast.Call]:
    """Calls evaluated when a module is imported (module and class bodies, not functions)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        yield from _import_time_calls(node)


def test_no_sentence_is_fixed_when_a_module_is_imported() -> None:
    """A ``say()`` at import time would stay in the language of the first import."""
    root = Path(__file__).resolve().parents[2]
    fixed = []
    for path in [*(root / "terminal_ui").rglob("*.py"), *(root / "checkout").glob("*.py")]:
        for call in _import_time_calls(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call.func, ast.Name) and call.func.id in ("say", "said"):
                fixed.append(f"{path.name}:{call.lineno}")
    assert fixed == []
