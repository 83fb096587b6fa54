"""Run by test_real_window under Xvfb: a real (xcb) kiosk window, driven to an open sale.

Prints one JSON line: whether the window was exposed on the X screen, its size, and the
current screen; writes a grab of the whole X screen to the path given as argv[1].
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from checkout import OpenSale
from terminal_ui import KioskOptions, KioskWindow
from tests.terminal_ui.conftest import FakeAnalyser, FakeCamera, FakeDirectory, FakePayments


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = KioskWindow(
        FakeAnalyser(),
        FakeCamera(),
        FakePayments(),
        FakeDirectory(),
        KioskOptions(merchant="Corner Shop", fullscreen=True),
    )
    window.show_kiosk()
    pump(0.8)
    window.dispatch(OpenSale(1250, "EUR"))
    pump(0.5)
    handle = window.windowHandle()
    shot = app.primaryScreen().grabWindow(0)
    shot.save(sys.argv[1], "PNG")
    print(
        json.dumps(
            {
                "platform": app.platformName(),
                "exposed": bool(handle and handle.isExposed()),
                "fullscreen": window.isFullScreen(),
                "size": [window.width(), window.height()],
                "screen": window.current_screen.value,
            }
        )
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
