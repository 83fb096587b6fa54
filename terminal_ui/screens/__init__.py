"""One module per kiosk screen; ``build_screens`` makes one widget for each flow ``Screen``."""

from __future__ import annotations

from checkout import Screen, say
from terminal_ui.screens._base import BaseScreen, ChooseLanguage, MoreTime, ToggleLargeText, WindowEvent
from terminal_ui.screens.amount import AmountScreen
from terminal_ui.screens.busy import BusyScreen
from terminal_ui.screens.capture import CaptureScreen
from terminal_ui.screens.cashier import CashierScreen
from terminal_ui.screens.challenge import ChallengeScreen
from terminal_ui.screens.confirm import ConfirmScreen
from terminal_ui.screens.consent import ConsentScreen
from terminal_ui.screens.customer import CustomerScreen
from terminal_ui.screens.erase import EraseScreen
from terminal_ui.screens.erased import ErasedScreen
from terminal_ui.screens.idle import IdleScreen
from terminal_ui.screens.locked import LockedScreen
from terminal_ui.screens.name import NameScreen
from terminal_ui.screens.out_of_service import OutOfServiceScreen
from terminal_ui.screens.pin import PinScreen
from terminal_ui.screens.receipt_scan import ReceiptScanScreen
from terminal_ui.screens.refund import RefundConfirmScreen, RefundListScreen
from terminal_ui.screens.result import ResultScreen
from terminal_ui.screens.sale import SaleScreen
from terminal_ui.screens.scanning import ScanScreen
from terminal_ui.screens.staff import StaffScreen

__all__ = [
    "AmountScreen",
    "BaseScreen",
    "BusyScreen",
    "CaptureScreen",
    "CashierScreen",
    "ChallengeScreen",
    "ChooseLanguage",
    "ConfirmScreen",
    "ConsentScreen",
    "CustomerScreen",
    "EraseScreen",
    "ErasedScreen",
    "IdleScreen",
    "LockedScreen",
    "MoreTime",
    "NameScreen",
    "OutOfServiceScreen",
    "PinScreen",
    "ReceiptScanScreen",
    "RefundConfirmScreen",
    "RefundListScreen",
    "ResultScreen",
    "SaleScreen",
    "ScanScreen",
    "StaffScreen",
    "ToggleLargeText",
    "WindowEvent",
    "build_screens",
]


# The wording of each screen's accessible name (what a screen reader says when it appears).
SCREEN_NAMES = {
    Screen.IDLE: "idle.heading",
    Screen.OUT_OF_SERVICE: "oos.closed",
    Screen.SALE: "sale.caption",
    Screen.SCAN: "scan.paying",
    Screen.CHALLENGE: "challenge.heading",
    Screen.CONFIRM: "confirm.pay",
    Screen.CUSTOMER: "customer.title",
    Screen.PIN: "pay.enter_pin",
    Screen.BUSY: "busy.wait",
    Screen.RESULT: "access.result",
    Screen.CASHIER: "cashier.heading",
    Screen.REFUNDS: "refund.title",
    Screen.REFUND_CONFIRM: "refund.title",
    Screen.RECEIPT_SCAN: "refund.scan_title",
    Screen.STAFF: "staff.title",
    Screen.AMOUNT: "amount.title",
    Screen.LOCKED: "locked.heading",
    Screen.CONSENT: "consent.heading",
    Screen.NAME: "enrol.name_title",
    Screen.CAPTURE: "capture.heading",
    Screen.ERASE: "erase.heading",
    Screen.ERASED: "erased.heading",
}


def build_screens(*, shuffle_pin: bool = False, seed: int | None = None) -> dict[Screen, BaseScreen]:
    """A widget for every screen of the flow, each named for assistive technology."""
    screens = _screens(shuffle_pin, seed)
    for screen, widget in screens.items():
        widget.setAccessibleName(say(SCREEN_NAMES[screen]))
    return screens


def _screens(shuffle_pin: bool, seed: int | None) -> dict[Screen, BaseScreen]:
    return {
        Screen.IDLE: IdleScreen(),
        Screen.OUT_OF_SERVICE: OutOfServiceScreen(),
        Screen.SALE: SaleScreen(),
        Screen.SCAN: ScanScreen(),
        Screen.CHALLENGE: ChallengeScreen(),
        Screen.CONFIRM: ConfirmScreen(),
        Screen.CUSTOMER: CustomerScreen(),
        Screen.PIN: PinScreen(shuffled=shuffle_pin, seed=seed),
        Screen.BUSY: BusyScreen(),
        Screen.RESULT: ResultScreen(),
        Screen.CASHIER: CashierScreen(),
        Screen.REFUNDS: RefundListScreen(),
        Screen.REFUND_CONFIRM: RefundConfirmScreen(),
        Screen.RECEIPT_SCAN: ReceiptScanScreen(),
        Screen.STAFF: StaffScreen(),
        Screen.AMOUNT: AmountScreen(),
        Screen.LOCKED: LockedScreen(),
        Screen.CONSENT: ConsentScreen(),
        Screen.NAME: NameScreen(),
        Screen.CAPTURE: CaptureScreen(),
        Screen.ERASE: EraseScreen(),
        Screen.ERASED: ErasedScreen(),
    }
