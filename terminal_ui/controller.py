"""Carries out the flow's effects (scan, ledger calls) and turns their results into events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from checkout import (
    CameraLost,
    Effect,
    Enroller,
    FaceAnalyser,
    FinishTillSale,
    PaymentsPort,
    PrintReceipt,
    RequestPayments,
    RequestSummary,
    SendDebit,
    SendEnrolment,
    SendErasure,
    SendRefund,
    StartScan,
    StopScan,
    Tick,
    TillDesk,
    VerifyCashier,
)
from terminal_ui.escpos import print_receipt, receipt_bytes
from terminal_ui.stall import StallMeter
from terminal_ui.workers import CameraFactory, PaymentsRunner, ScanWorker, TillPoller
from vision import QrReader

__all__ = ["Controller"]

log = logging.getLogger(__name__)

# Effects the payments runner carries out on its thread pool.
_REQUESTS = (
    SendDebit,
    VerifyCashier,
    SendRefund,
    RequestPayments,
    RequestSummary,
    SendEnrolment,
    SendErasure,
    FinishTillSale,
)


class Controller(QObject):
    """Owns the workers, the tick timer and the stall meter; never decides anything.

    ``flow_event`` carries flow events (ticks, ledger answers, camera loss) to the window;
    ``frame`` carries each analysed camera frame (picture, ScanUpdate); ``preview`` the newest
    camera picture at camera rate, between analysed frames.
    """

    flow_event = Signal(object)
    frame = Signal(QImage, object)
    preview = Signal(QImage)

    def __init__(
        self,
        analyser: FaceAnalyser,
        camera: CameraFactory,
        payments: PaymentsPort,
        *,
        tick_ms: int = 100,
        enroller: Enroller | None = None,
        till: TillDesk | None = None,
        printer: Path | None = None,
        ledger_probe: Callable[[], bool] | None = None,
        probe_ms: int = 30_000,
    ) -> None:
        super().__init__()
        self._printer = printer
        self._analyser, self._camera = analyser, camera
        self._enroller = enroller
        self._receipts = QrReader()  # refund by receipt: reads its QR code on the scan thread
        self._runner = PaymentsRunner(payments, enroller=enroller, till=till)
        self._runner.answered.connect(self.flow_event)
        self._till = TillPoller(till) if till is not None else None
        if self._till is not None:
            self._till.news.connect(self.flow_event)
        self._worker: ScanWorker | None = None
        self._retired: list[ScanWorker] = []
        self._generation = 0
        self.stall = StallMeter()
        self._ticks = QTimer(self)
        self._ticks.setInterval(tick_ms)
        self._ticks.timeout.connect(lambda: self.flow_event.emit(Tick()))
        self._probes = QTimer(self)
        self._probes.setInterval(probe_ms)
        if ledger_probe is not None:
            self._probes.timeout.connect(lambda: self._runner.probe(ledger_probe))

    def start(self) -> None:
        """Start the clock ticks and the stall meter."""
        self._ticks.start()
        self._probes.start()
        self.stall.start()
        if self._till is not None:
            self._till.start()

    def till_ready(self, ready: bool) -> None:
        """The kiosk is (not) free to take the till's next sale."""
        if self._till is not None:
            self._till.set_ready(ready)

    def perform(self, effect: Effect) -> None:
        """Carry out one effect (ShowScreen is the window's business, not this)."""
        if isinstance(effect, StartScan):
            self.stall.reset()
            self._start_scan(effect.amount_minor, enrol=effect.enrol, receipt=effect.receipt)
        elif isinstance(effect, StopScan):
            self._stop_scan()
        elif isinstance(effect, PrintReceipt):
            if self._printer is not None:  # written on a thread of its own: a jam never blocks
                receipt = effect.receipt
                print_receipt(self._printer, receipt_bytes(receipt.text().splitlines(), receipt.qr_text))
        elif isinstance(effect, _REQUESTS):
            self._runner.submit(effect)

    @property
    def scan_worker(self) -> ScanWorker | None:
        """The running scan worker, if any (for diagnostics: frames analysed and dropped)."""
        return self._worker

    def preview_taken(self) -> None:
        """The GUI has painted the last preview picture."""
        if self._worker is not None:
            self._worker.ack_preview()

    def frame_taken(self) -> None:
        """The GUI has shown the last frame; the worker may send the next."""
        if self._worker is not None:
            self._worker.ack()

    def more_time(self) -> None:
        """The shopper asked for more time on the head-turn (passed to the analysis thread)."""
        if self._worker is not None:
            self._worker.ask(self._analyser.more_time)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop everything and wait (briefly) for the threads; for window close."""
        self._ticks.stop()
        self._probes.stop()
        self.stall.stop()
        if self._till is not None:
            self._till.stop()
            self._till.wait(timeout_ms)
        self._stop_scan()
        for worker in self._retired:
            worker.wait(timeout_ms)
        self._retired.clear()
        self._runner.wait(timeout_ms)

    def _start_scan(self, amount_minor: int, *, enrol: bool = False, receipt: bool = False) -> None:
        previous = self._worker
        self._stop_scan()
        self._generation += 1
        judge: FaceAnalyser | Enroller | QrReader = self._analyser
        if receipt:
            judge = self._receipts
        elif enrol and self._enroller is not None:
            judge = self._enroller
        worker = ScanWorker(judge, self._camera, self._generation, previous, amount_minor=amount_minor)
        worker.frame_ready.connect(self._on_frame)
        worker.preview.connect(self._on_preview)
        worker.camera_lost.connect(self._on_camera_lost)
        self._worker = worker
        worker.start()

    def _stop_scan(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._retired.append(self._worker)
            self._worker = None
        self._retired = [w for w in self._retired if not w.isFinished()]

    def _on_preview(self, generation: int, image: QImage) -> None:
        if generation == self._generation and self._worker is not None:
            self.preview.emit(image)

    def _on_frame(self, generation: int, image: QImage, update: object) -> None:
        if generation == self._generation and self._worker is not None:
            self.frame.emit(image, update)

    def _on_camera_lost(self, generation: int, message: str) -> None:
        if generation == self._generation and self._worker is not None:
            log.warning("camera lost during a scan: %s", message)
            self.flow_event.emit(CameraLost(message))
