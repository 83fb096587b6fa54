"""The layers point one way: app > terminal_ui > checkout, enrolment > vision, payments, models.
Nothing imports app; terminal_ui never imports app; checkout and enrolment import neither Qt nor
app nor the UI nor each other; vision and payments import neither Qt nor each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

QT = {"PySide6", "shiboken6", "PySide2", "PyQt5", "PyQt6"}
HTTP = {"httpx", "requests", "urllib3", "starlette", "uvicorn"}
INFERENCE = {"onnxruntime", "cv2"}
FORBIDDEN = {
    "vision": QT | {"terminal_ui", "checkout", "enrolment", "payments", "app", "httpx"},
    "payments": QT | {"terminal_ui", "checkout", "enrolment", "vision", "app"},
    "models": QT | {"terminal_ui", "checkout", "enrolment", "vision", "payments", "app", "onnxruntime"},
    "app": QT | {"terminal_ui"},
    "checkout": QT | HTTP | INFERENCE | {"terminal_ui", "app", "enrolment"},
    "enrolment": QT | HTTP | {"onnxruntime", "terminal_ui", "app", "checkout"},
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
    """Top-level packages a file imports: import statements, also inside functions, and
    ``importlib.import_module("x")`` / ``__import__("x")`` with a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                roots.add(first.value.split(".")[0])
    return roots


def _dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def offenders(root: Path, package: str) -> list[str]:
    """Files of ``package`` under ``root`` that import a layer above it (or a forbidden library)."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        bad = imported_roots(path) & FORBIDDEN[package]
        if package == "app" and rel in ALLOWED_QT_IN_APP:
            bad -= {"PySide6", "terminal_ui"}
        if bad:
            found.append(f"{rel} imports {sorted(bad)}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package: str) -> None:
    found = offenders(REPO, package)
    assert not found, "layering broken:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("package", "line"),
    [
        ("checkout", "from terminal_ui.screens import PinScreen"),
        ("checkout", "import app.settings"),
        ("checkout", "from PySide6.QtCore import QObject"),
        ("checkout", "import httpx"),
        ("checkout", "def f():\n    import onnxruntime\n"),
        ("checkout", "import importlib\nimportlib.import_module('terminal_ui.window')"),
        ("terminal_ui", "from app.wiring import build"),
        ("terminal_ui", "x = __import__('app')"),
        ("vision", "from checkout import State"),
        ("payments", "from checkout import Evidence"),
    ],
)
def test_every_upward_import_is_caught(tmp_path: Path, package: str, line: str) -> None:
    (tmp_path / package / "sub").mkdir(parents=True)
    (tmp_path / package / "sub" / "_bad.py").write_text(line + "\n", encoding="utf-8")
    found = offenders(tmp_path, package)
    assert len(found) == 1 and found[0].startswith(f"{package}/sub/_bad.py imports ["), found


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import PySide6.QtCore\nfrom payments import money\n", encoding="utf-8")
    assert {"PySide6", "payments"} <= imported_roots(sample)
