"""The Qt binding the kiosk runs on keeps Python's reference counts: PySide6 6.12.0 handed back
None from every void method (``label.setText``) without a reference, so a kiosk that updates
its screen for a while, or a long test run, aborted with "deallocating None"."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_methods_keep_nones_reference_count(qtbot: object) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)  # type: ignore[attr-defined]
    before = sys.getrefcount(None)
    for n in range(1000):
        label.setText(str(n))
        label.setVisible(False)
    assert sys.getrefcount(None) - before > -100  # 6.12.0: -2000
