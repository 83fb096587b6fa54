"""The kiosk window: a stacked widget of screens and the checkout machine, nothing else.

Events from screens, workers and the clock go to ``dispatch``, which feeds the
machine and hands its effects out: ``ShowScreen`` switches and fills a screen,
everything else goes to the controller. Two events stay here: a shopper's language
choice (lasts until the sale ends, then the shop's default returns) and staff's large-text
switch. Sound cues mark the shopper's turn and the outcome.

A language change rebuilds the screens (each takes its words when built) and redraws the
flow's current view, so every screen, whoever wrote it, speaks the new language.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QImage
from PySide6.QtWidgets import QMainWindow, QStackedWidget

from checkout import (
    CaptureUpdate,
    CaptureUpdated,
    CheckoutMachine,
    CustomerDirectory,
    Effect,
    Enroller,
    Event,
    FaceAnalyser,
    Outcome,
    PaymentsPort,
    PinView,
    ReceiptRead,
    ResultView,
    ScanUpdated,
    Screen,
    ShowScreen,
    StaffThrottle,
    StartScan,
    TillDesk,
    Timeouts,
)
from terminal_ui.audio import Cue, Cues
from terminal_ui.controller import Controller
from terminal_ui.i18n import Languages
from terminal_ui.screens import (
    BaseScreen,
    CaptureScreen,
    ChallengeScreen,
    ChooseLanguage,
    CustomerScreen,
    MoreTime,
    PinScreen,
    ReceiptScanScreen,
    ScanScreen,
    ToggleLargeText,
    WindowEvent,
    build_screens,
)
from terminal_ui.style import style_sheet
from terminal_ui.workers import CameraFactory
from vision import QrSighting, ScanUpdate

__all__ = ["KIOSK_SIZE", "KioskOptions", "KioskWindow"]

KIOSK_SIZE = (1280, 800)  # the reference kiosk panel; windowed mode opens at this size

# Screens a shopper uses during a sale: leaving them for idle ends the shopper's choices.
SHOPPER_SCREENS = frozenset(
    {Screen.SALE, Screen.SCAN, Screen.CHALLENGE, Screen.CONFIRM, Screen.CUSTOMER, Screen.PIN}
    | {Screen.BUSY, Screen.RESULT}
)
# Screens for the shop's staff (and the cashier's PIN pad): always in the shop's language.
STAFF_SCREENS = frozenset(
    {Screen.STAFF, Screen.CASHIER, Screen.REFUNDS, Screen.REFUND_CONFIRM, Screen.AMOUNT, Screen.LOCKED}
    | {Screen.OUT_OF_SERVICE, Screen.RECEIPT_SCAN}
)
# Screens that hand the kiosk back to the shopper: a language held during staff screens returns
# (not "Please wait" or a result: the cashier's own requests show those too).
RESUME_SCREENS = SHOPPER_SCREENS - {Screen.BUSY, Screen.RESULT}
# Screens where the shopper has something to do: a "your turn" cue when one appears.
TURN_SCREENS = frozenset({Screen.SALE, Screen.CONFIRM, Screen.CUSTOMER, Screen.PIN})
OUTCOME_CUES = {
    Outcome.APPROVED: Cue.APPROVED,
    Outcome.DECLINED: Cue.DECLINED,
    Outcome.REJECTED: Cue.DECLINED,
}


@dataclass(frozen=True)
class KioskOptions:
    """How the kiosk looks and waits.

    Attributes:
        merchant: shop name shown on screens and receipts.
        currency: ISO 4217 code of sales typed at this terminal.
        timeouts: the flow's time-outs.
        shuffle_pin: shuffle the PIN pad keys on every entry.
        fullscreen: full screen (kiosk) or a window (development).
        tick_ms: how often time-outs are checked.
        pin_seed: seed of the PIN pad shuffle (tests); None for an unpredictable layout.
        tz: the shop's time zone, of receipt and refund-list times; None for the machine's zone.
        cashiers: cashier ids offered as buttons on the staff sign-in (any id may be typed).
        throttle: how the kiosk slows repeated wrong staff PINs.
        receipt_printer: an ESC/POS printer device or file approved payments' receipts are
            printed on; None: the screen's QR code only.
        max_sale_minor: the largest sale the amount pad opens, minor units (0: no limit).
        ledger_probe_s: how often the window asks whether the ledger answers (given a probe).
        language: the shop's default language (a shopper's choice lasts one sale).
        high_contrast: large high-contrast text from start-up (staff toggle it with F3).
        audio_cues: sound cues for your turn, approved and declined.
        audio_pin: the PIN pad beeps per digit and reads out the count from start-up.
        receipt_key: this terminal's public key, which opens its receipt links: with it the
            refund list offers "Scan receipt"; None: refunds are picked from the list only.
    """

    merchant: str = ""
    currency: str = "EUR"
    timeouts: Timeouts = field(default_factory=Timeouts)
    shuffle_pin: bool = False
    fullscreen: bool = True
    tick_ms: int = 100
    pin_seed: int | None = None
    tz: dt.tzinfo | None = None
    cashiers: tuple[str, ...] = ()
    throttle: StaffThrottle = field(default_factory=StaffThrottle)
    receipt_printer: Path | None = None
    max_sale_minor: int = 0
    ledger_probe_s: float = 30.0
    language: str = "en"
    high_contrast: bool = False
    audio_cues: bool = True
    audio_pin: bool = False
    receipt_key: Ed25519PublicKey | None = None


class KioskWindow(QMainWindow):
    """Renders the checkout flow. Build it with the four ports; call ``show_kiosk()``."""

    screen_shown = Signal(object)  # the Screen just shown

    def __init__(
        self,
        analyser: FaceAnalyser,
        camera: CameraFactory,
        payments: PaymentsPort,
        directory: CustomerDirectory,
        options: KioskOptions | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        enroller: Enroller | None = None,
        till: TillDesk | None = None,
        ledger_probe: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__()
        self.options = options or KioskOptions()
        self._clock = clock
        self.machine = CheckoutMachine(
            directory,
            merchant=self.options.merchant,
            currency=self.options.currency,
            timeouts=self.options.timeouts,
            tz=self.options.tz,
            consent=enroller.consent if enroller is not None else None,
            cashiers=self.options.cashiers,
            throttle=self.options.throttle,
            max_sale_minor=self.options.max_sale_minor,
            receipt_key=self.options.receipt_key,
        )
        self.controller = Controller(
            analyser,
            camera,
            payments,
            tick_ms=self.options.tick_ms,
            enroller=enroller,
            till=till,
            printer=self.options.receipt_printer,
            ledger_probe=ledger_probe,
            probe_ms=int(self.options.ledger_probe_s * 1000),
        )
        self.controller.flow_event.connect(self.dispatch)
        self.controller.frame.connect(self._on_frame)
        self.controller.preview.connect(self._on_preview)
        self.languages = Languages(self.options.language)
        self.cues = Cues(enabled=self.options.audio_cues)
        self.large_text = self.options.high_contrast
        self.audio_pin = self.options.audio_pin
        self.stack = QStackedWidget()
        self.screens: dict[Screen, BaseScreen] = {}
        self._build_screens()
        self.setCentralWidget(self.stack)
        self.setStyleSheet(style_sheet(self.large_text))
        self.setWindowTitle(f"{self.options.merchant} checkout".strip())
        self.setMinimumSize(1024, 600)
        self._current = Screen.IDLE
        self._shopper_seen = False  # a shopper used this sale's screens (their choices end with it)
        self._held_language: str | None = None  # the shopper's, while staff screens are on show
        self._first_face_at: float | None = None
        self._result_at: float | None = None
        self._apply(self.machine.start(self._clock()))
        self.controller.till_ready(True)
        self.controller.start()

    # --- what tests and the demo read ------------------------------------------------

    @property
    def current_screen(self) -> Screen:
        """The screen on show."""
        return self._current

    @property
    def current_widget(self) -> BaseScreen:
        """The widget of the screen on show."""
        return self.screens[self._current]

    @property
    def longest_stall_ms(self) -> float:
        """Longest GUI-thread stall since the current checkout's scan started."""
        return self.controller.stall.longest_stall_ms

    @property
    def face_to_result_s(self) -> float | None:
        """Seconds from the first camera frame showing the shopper to the result screen of the
        latest checkout (None until both happened)."""
        if self._first_face_at is None or self._result_at is None:
            return None
        return self._result_at - self._first_face_at

    def choose_language(self, code: str) -> None:
        """Speak ``code`` (a shipped language) until the sale ends."""
        if code != self.languages.current.code:
            self.languages.use(code)
            self._relabel()

    def set_large_text(self, on: bool) -> None:
        """Large high-contrast text on or off (staff: F3)."""
        self.large_text = on
        self.setStyleSheet(style_sheet(on))

    def show_kiosk(self) -> None:
        """Show full screen, or windowed at the kiosk size."""
        if self.options.fullscreen:
            # Cover the screen even in a bare X session with no window manager to honour
            # the full-screen request (a kiosk often runs that way).
            self.setGeometry(self.screen().geometry())
            self.showFullScreen()
        else:
            self.resize(*KIOSK_SIZE)
            self.show()

    # --- the loop -----------------------------------------------------------------------

    def dispatch(self, event: Event | WindowEvent) -> None:
        """Feed one event to the machine and carry out its effects (the window's own aside)."""
        if isinstance(event, ChooseLanguage):
            self.choose_language(event.code)
        elif isinstance(event, ToggleLargeText):
            self.set_large_text(not self.large_text)
        elif isinstance(event, MoreTime):
            self.controller.more_time()
        else:
            self._apply(self.machine.handle(event, self._clock()))
            self.controller.till_ready(self.machine.takes_till_sale)

    def seconds_left(self) -> float | None:
        """Seconds until the current screen times out, None when it waits for ever."""
        deadline = self.machine.deadline
        return None if deadline is None else deadline - self._clock()

    def _build_screens(self) -> None:
        old = self.screens
        self.screens = build_screens(shuffle_pin=self.options.shuffle_pin, seed=self.options.pin_seed)
        for screen in self.screens.values():
            screen.event_out.connect(self.dispatch)
            screen.mark_language(self.languages.current.code)
            self.stack.addWidget(screen)
        pin = self.screens[Screen.PIN]
        assert isinstance(pin, PinScreen)
        pin.guide(self.cues, self.seconds_left, on=self.audio_pin)
        pin.sound_toggled.connect(self._on_sound_toggled)
        customer = self.screens[Screen.CUSTOMER]
        assert isinstance(customer, CustomerScreen)
        customer.show_countdown(self.seconds_left)
        receipt = self.screens[Screen.RECEIPT_SCAN]
        assert isinstance(receipt, ReceiptScanScreen)
        receipt.show_countdown(self.seconds_left)
        for screen in old.values():
            self.stack.removeWidget(screen)
            screen.deleteLater()

    def _relabel(self) -> None:
        """New words everywhere: fresh screens, the current view drawn again."""
        self._build_screens()
        self._apply(self.machine.redraw())

    def _on_sound_toggled(self, on: bool) -> None:
        self.audio_pin = on

    def _sale_over(self) -> None:
        """The shopper left: the shop's language and PIN pad sound come back."""
        self.audio_pin = self.options.audio_pin
        if self.languages.reset():
            self._relabel()
        else:
            pin = self.screens[Screen.PIN]
            assert isinstance(pin, PinScreen)
            pin.set_sound(self.audio_pin)

    def _staff_take_over(self, shown: ShowScreen) -> bool:
        """Staff screens speak the shop's language whatever the shopper chose: the shopper's
        language is held while staff work and given back when the flow returns to the shopper
        in the same sale (a sale that ends, or a cashier who leaves to the idle screen, drops
        it). True when ``shown`` was drawn again in the other language instead."""
        cashier_pin = isinstance(shown.view, PinView) and shown.view.cashier
        shoppers = self.languages.current != self.languages.default
        if (shown.screen in STAFF_SCREENS or cashier_pin) and shoppers:
            self._held_language = self.languages.current.code
            self.languages.reset()
        elif shown.screen in RESUME_SCREENS and not cashier_pin and self._held_language is not None:
            code, self._held_language = self._held_language, None
            self.languages.use(code)
        else:
            return False
        self._relabel()
        return True

    def _apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, ShowScreen):
                self._show(effect)
            else:
                if isinstance(effect, StartScan):
                    self._first_face_at = self._result_at = None
                self.controller.perform(effect)

    def _show(self, shown: ShowScreen) -> None:
        if self._staff_take_over(shown):
            return
        widget = self.screens[shown.screen]
        widget.show_view(shown.view)
        previous, self._current = self._current, shown.screen
        self._cue(previous, shown)
        if shown.screen is Screen.RESULT and self._first_face_at is not None and self._result_at is None:
            self._result_at = self._clock()
        self.stack.setCurrentWidget(widget)
        widget.setFocus()
        self.screen_shown.emit(shown.screen)
        if shown.screen in SHOPPER_SCREENS and not (isinstance(shown.view, PinView) and shown.view.cashier):
            self._shopper_seen = True
        elif shown.screen in (Screen.IDLE, Screen.LOCKED) and self._shopper_seen:
            self._shopper_seen = False
            self._sale_over()
        if shown.screen in (Screen.IDLE, Screen.LOCKED, Screen.OUT_OF_SERVICE):
            self._held_language = None  # whoever comes next starts in the shop's language

    def _cue(self, previous: Screen, shown: ShowScreen) -> None:
        if shown.screen is previous or (isinstance(shown.view, PinView) and shown.view.cashier):
            return
        if isinstance(shown.view, ResultView) and shown.view.outcome in OUTCOME_CUES:
            self.cues.play(OUTCOME_CUES[shown.view.outcome])
        elif shown.screen in TURN_SCREENS:
            self.cues.play(Cue.YOUR_TURN)

    def _on_preview(self, image: QImage) -> None:
        widget = self.current_widget
        if isinstance(widget, ScanScreen | ChallengeScreen | CaptureScreen | ReceiptScanScreen):
            widget.camera.set_picture(image)
        self.controller.preview_taken()

    def _on_frame(self, image: QImage, update: ScanUpdate | CaptureUpdate | QrSighting) -> None:
        if isinstance(update, QrSighting):  # a receipt's QR code: only a read code is news
            if update.text:
                self.dispatch(ReceiptRead(update.text))
            self.controller.frame_taken()
            return
        if isinstance(update, CaptureUpdate):
            self.dispatch(CaptureUpdated(update))
            if isinstance(self.current_widget, CaptureScreen):
                self.current_widget.show_frame(image, update)
            self.controller.frame_taken()
            return
        if update.box is not None and self._first_face_at is None:
            self._first_face_at = self._clock()
        self.dispatch(ScanUpdated(update))
        widget = self.current_widget
        if isinstance(widget, ScanScreen | ChallengeScreen):
            widget.show_frame(image, update)
        self.controller.frame_taken()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.controller.shutdown()
        self.languages.close()
        super().closeEvent(event)
