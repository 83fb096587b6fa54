"""PySide6 kiosk: renders the checkout flow's states and forwards user events.

No business rules, no inference, no HTTP here: the flow (``checkout``) decides,
workers run the vision pipeline and ledger calls off the GUI thread.
"""

from terminal_ui.controller import Controller
from terminal_ui.screenshot import ScreenRecorder, save_screenshot
from terminal_ui.stall import StallMeter
from terminal_ui.window import KIOSK_SIZE, KioskOptions, KioskWindow
from terminal_ui.workers import CameraFactory, PaymentsRunner, ScanWorker

__all__ = [
    "KIOSK_SIZE",
    "CameraFactory",
    "Controller",
    "KioskOptions",
    "KioskWindow",
    "PaymentsRunner",
    "ScanWorker",
    "ScreenRecorder",
    "StallMeter",
    "save_screenshot",
]
