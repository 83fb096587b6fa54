"""The layers point one way: app > terminal_ui > checkout, enrolment > vision, payments, models.
Nothing imports app; terminal_ui never imports app; checkout and enrolment import neither Qt nor
app nor the UI nor each other; vision and payments import neither Qt nor each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "vision": {"PySide6", "terminal_ui", "payments", "app", "httpx", "checkout", "enrolment"},
    "payments": {"PySide6", "terminal_ui", "vision", "app", "checkout", "enrolment"},
    "models": {"PySide6", "terminal_ui", "vision", "payments", "app", "onnxruntime", "checkout", "enrolment"},
    "app": {"PySide6", "terminal_ui"},
    "checkout": {"PySide6", "terminal_ui", "app", "httpx", "onnxruntime", "enrolment"},
    "enrolment": {"PySide6", "terminal_ui", "app", "httpx", "onnxruntime", "checkout"},
    "terminal_ui": {"app"},
}
# The composition root may build the window; nothing else in app/ may touch Qt.
ALLOWED_QT_IN_APP = {
    "app/main.py",
    "app/demo.py",
    "app/kiosk_options.py",
    "app/commands/kiosk_cmd.py",
    "app/commands/demo_cmd.py",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        bad = imported_roots(path) & FORBIDDEN[package]
        if package == "app" and rel in ALLOWED_QT_IN_APP:
            bad -= {"PySide6", "terminal_ui"}
        if bad:
            offenders.append(f"{rel} imports {sorted(bad)}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import PySide6.QtCore\nfrom payments import money\n", encoding="utf-8")
    assert {"PySide6", "payments"} <= imported_roots(sample)
