"""Work that must not run on the GUI thread: camera + analysis, and ledger calls.

Workers never touch widgets; results travel by signal. The scan worker keeps
only the newest camera frame (a slow model drops frames, it never queues them)
and hands the GUI at most one analysed frame at a time: until the GUI has
taken the last one (``ack``), newer ones replace it, except that an update
carrying a decision is always delivered.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal
from PySide6.QtGui import QImage

from checkout import (
    Enroller,
    EnrolmentRequest,
    FaceAnalyser,
    FinishTillSale,
    FrameCapture,
    HealthChanged,
    LedgerRequest,
    PaymentsPort,
    SendEnrolment,
    SendErasure,
    TillDesk,
    answer,
    answer_enrolment,
    finish_till_sale,
    till_news,
)
from vision import QrReader

__all__ = ["CameraFactory", "PaymentsRunner", "ScanWorker", "TillPoller", "to_qimage"]

log = logging.getLogger(__name__)

# Opens the camera for one scan: an iterable of BGR frames (numpy arrays, or records with an
# ``image`` array such as vision's ``Frame``). It may raise when the camera is gone.
CameraFactory = Callable[[], Iterable[Any]]


def to_qimage(frame: np.ndarray) -> QImage:
    """A QImage that owns a copy of a BGR (or grey) frame; safe to build off the GUI thread."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    fmt = QImage.Format.Format_Grayscale8 if frame.ndim == 2 else QImage.Format.Format_BGR888
    return QImage(frame.data, w, h, frame.strides[0], fmt).copy()


class _Ended:
    def __init__(self, message: str) -> None:
        self.message = message


class _Newest:
    """A one-slot mailbox: a newer item replaces one nobody took yet."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: object | None = None
        self.dropped = 0

    def put(self, item: object) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float) -> object | None:
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None, timeout)
            item, self._item = self._item, None
            return item


class ScanWorker(QThread):
    """Reads the camera on a helper thread and analyses the newest frame on this one.

    Signals carry ``generation`` so the GUI can ignore a worker it already stopped.
    Ends by itself after a decision, when the camera ends or fails, or on ``stop()``.
    """

    frame_ready = Signal(int, QImage, object)  # generation, picture, ScanUpdate
    preview = Signal(int, QImage)  # generation, newest camera picture (camera rate)
    camera_lost = Signal(int, str)  # generation, what happened

    def __init__(
        self,
        analyser: FaceAnalyser | FrameCapture | QrReader,
        camera: CameraFactory,
        generation: int,
        previous: ScanWorker | None = None,
        *,
        amount_minor: int = 0,
    ) -> None:
        super().__init__()
        self._analyser, self._camera = analyser, camera
        self._amount_minor = amount_minor
        self.generation = generation
        self._previous = previous
        self._stop = threading.Event()
        self._gui_free = threading.Event()
        self._gui_free.set()
        self._preview_free = threading.Event()
        self._preview_free.set()
        self._frames = _Newest()
        self._asked: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.analysed = 0
        self.skipped = 0

    @property
    def dropped(self) -> int:
        """Camera frames replaced before analysis plus analysed frames the GUI never got."""
        return self._frames.dropped + self.skipped

    def stop(self) -> None:
        """Ask the worker to end; returns at once (the GUI never waits for a model)."""
        self._stop.set()
        self._gui_free.set()

    def ack_preview(self) -> None:
        """The GUI has painted the last preview picture; the next may be sent."""
        self._preview_free.set()

    def ack(self) -> None:
        """The GUI has taken the last frame; the next one may be sent."""
        self._gui_free.set()

    def ask(self, call: Callable[[], None]) -> None:
        """Run ``call`` on the analysis thread before the next frame (the analyser is not
        thread-safe: only this thread touches it)."""
        self._asked.put(call)

    def run(self) -> None:
        if self._previous is not None:
            self._previous.wait()  # one user of the analyser and the camera at a time
            self._previous = None
        if self._stop.is_set():
            return
        self._analyser.reset(amount_minor=self._amount_minor)
        try:
            opened = self._camera()
            source = iter(opened)
        except Exception as exc:  # any camera failure means the same to the shopper
            log.warning("camera could not be opened: %s", exc)
            self.camera_lost.emit(self.generation, str(exc) or type(exc).__name__)
            return
        reader = threading.Thread(target=self._read, args=(opened, source), name="camera-reader", daemon=True)
        reader.start()
        try:
            self._analyse_loop()
        finally:
            self._stop.set()
            reader.join(timeout=2.0)

    def _read(self, opened: Any, source: Any) -> None:
        try:
            for item in source:
                if self._stop.is_set():
                    break
                frame = item if isinstance(item, np.ndarray) else item.image
                self._frames.put(frame)
                if self._preview_free.is_set():  # the picture moves at camera rate, boxes at model rate
                    self._preview_free.clear()
                    self.preview.emit(self.generation, to_qimage(frame))
            else:
                self._frames.put(_Ended("the camera stopped delivering frames"))
        except Exception as exc:  # reported to the flow as CameraLost
            log.warning("camera lost: %s", exc)
            self._frames.put(_Ended(str(exc) or type(exc).__name__))
        finally:
            for thing in {id(source): source, id(opened): opened}.values():
                close = getattr(thing, "close", None)  # generator and/or camera object
                if callable(close):
                    close()

    def _analyse_loop(self) -> None:
        while not self._stop.is_set():
            item = self._frames.take(timeout=0.1)
            if item is None:
                continue
            if isinstance(item, _Ended):
                self.camera_lost.emit(self.generation, item.message)
                return
            assert isinstance(item, np.ndarray)
            try:
                while not self._asked.empty():
                    self._asked.get_nowait()()
                update = self._analyser.analyse(item)
            except Exception as exc:
                log.exception("frame analysis failed")
                self.camera_lost.emit(self.generation, f"analysis failed: {exc}")
                return
            self.analysed += 1
            if not self._deliver(item, update):
                continue
            if update.decision is not None:
                return

    def _deliver(self, frame: np.ndarray, update: Any) -> bool:
        if update.decision is not None:
            while not self._gui_free.wait(0.1):
                if self._stop.is_set():
                    return False
        elif not self._gui_free.is_set():
            self.skipped += 1
            return False
        if self._stop.is_set():
            return False
        self._gui_free.clear()
        self.frame_ready.emit(self.generation, to_qimage(frame), update)
        return True


class _Job(QRunnable):
    def __init__(self, run: Callable[[], None]) -> None:
        super().__init__()
        self._run = run

    def run(self) -> None:
        self._run()


class PaymentsRunner(QObject):
    """Runs ``PaymentsPort`` calls on a small thread pool; answers come back as ``answered``."""

    answered = Signal(object)  # a flow event

    def __init__(
        self,
        port: PaymentsPort,
        threads: int = 2,
        enroller: Enroller | None = None,
        till: TillDesk | None = None,
    ) -> None:
        super().__init__()
        self._port = port
        self._enroller = enroller
        self._till = till
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(threads)

    def submit(self, request: LedgerRequest | EnrolmentRequest | FinishTillSale) -> None:
        """Start ``request``; returns at once."""

        def run() -> None:
            if isinstance(request, FinishTillSale):
                if self._till is not None:
                    finish_till_sale(self._till, request)
                return
            if isinstance(request, SendEnrolment | SendErasure):
                if self._enroller is None:
                    log.error("%s without an enroller", type(request).__name__)
                    return
                event = answer_enrolment(self._enroller, request)
            else:
                event = answer(self._port, request)
            if event is not None:
                self.answered.emit(event)

        self._pool.start(_Job(run))

    def probe(self, ledger_up: Callable[[], bool]) -> None:
        """Ask whether the ledger answers (blocking, on the pool); the answer comes back as a
        ``HealthChanged`` event."""

        def run() -> None:
            try:
                up = bool(ledger_up())
            except Exception:  # a probe that breaks says nothing about the ledger
                log.exception("ledger probe failed")
                return
            self.answered.emit(HealthChanged(ledger=up))

        self._pool.start(_Job(run))

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Wait for running calls (at shutdown)."""
        return self._pool.waitForDone(timeout_ms)


class TillPoller(QThread):
    """Asks the till's desk what happened, on its own thread; news comes back as ``news``.

    It takes a new sale only while the kiosk is free (``set_ready``); a cancel of the sale on
    screen is heard at any time.
    """

    news = Signal(object)  # a flow event: TillSaleOpened or TillCancel

    def __init__(self, desk: TillDesk, wait_s: float = 0.25) -> None:
        super().__init__()
        self._desk, self._wait_s = desk, wait_s
        self._stop = threading.Event()
        self._ready = threading.Event()

    def set_ready(self, ready: bool) -> None:
        """Whether the kiosk may take a new sale now (it is idle)."""
        if ready:
            self._ready.set()
        else:
            self._ready.clear()

    def stop(self) -> None:
        """Ask the poller to end (within one wait)."""
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                event = till_news(self._desk, self._wait_s, free=self._ready.is_set)
            except Exception:  # the till is an extra: the kiosk goes on with its own pad
                log.exception("till desk poll failed")
                self._stop.wait(1.0)
                continue
            if event is not None:
                self.news.emit(event)
