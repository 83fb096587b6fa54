"""The workers: newest frame only, one frame in flight to the GUI, clean stops, ledger answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from checkout import (
    Approved,
    CashierRejected,
    CashierVerified,
    DebitApproved,
    DebitDeclined,
    Declined,
    Evidence,
    LedgerUnreachable,
    PaymentsUnavailable,
    RefundFailed,
    RequestSummary,
    SendDebit,
    SendRefund,
    VerifyCashier,
    answer,
)
from terminal_ui.workers import ScanWorker, to_qimage
from vision import Guidance, Match, ScanUpdate

from .conftest import NOT_SENT, FakePayments, synthetic_frame


class SlowAnalyser:
    def __init__(self, delay_s: float, decide_at: int | None = None) -> None:
        self.delay_s, self.decide_at, self.calls = delay_s, decide_at, 0

    def reset(self, *, amount_minor: int = 0) -> None:
        self.calls = 0

    def more_time(self) -> None:
        """Nothing to extend: this analyser never asks for a head-turn."""

    def analyse(self, frame: np.ndarray) -> ScanUpdate:
        time.sleep(self.delay_s)
        self.calls += 1
        decision = Match("c-anna", 0.8, 0.3, 0.9) if self.calls == self.decide_at else None
        return ScanUpdate(self.calls, (1, 2, 3, 4), Guidance.HOLD_STILL, False, decision)


class Camera:
    def __init__(self, frames: int, period_s: float, fail_at: int | None = None) -> None:
        self.frames, self.period_s, self.fail_at = frames, period_s, fail_at
        self.delivered = 0
        self.closed = threading.Event()

    def __call__(self) -> Iterator[np.ndarray]:
        return self._run()

    def _run(self) -> Iterator[np.ndarray]:
        try:
            for i in range(self.frames):
                if i == self.fail_at:
                    raise OSError("camera unplugged")
                time.sleep(self.period_s)
                self.delivered += 1
                yield synthetic_frame(i)
        finally:
            self.closed.set()


def test_a_slow_model_drops_frames_instead_of_queueing(qtbot: QtBot) -> None:
    camera = Camera(frames=80, period_s=0.004)
    worker = ScanWorker(SlowAnalyser(0.04), camera, generation=1)
    got: list[int] = []

    def take(generation: int, image: QImage, update: ScanUpdate) -> None:
        got.append(update.frame_index)
        worker.ack()

    worker.frame_ready.connect(take)
    with qtbot.waitSignal(worker.camera_lost, timeout=10_000):
        worker.start()
    worker.wait(2000)
    assert camera.delivered == 80
    assert worker.analysed < 40  # most camera frames were replaced by newer ones, not queued
    assert worker.dropped >= 80 - worker.analysed - 1
    assert got == sorted(got) and len(got) >= 2


def test_gui_gets_one_frame_at_a_time_but_always_the_decision(qtbot: QtBot) -> None:
    worker = ScanWorker(SlowAnalyser(0.005, decide_at=30), Camera(frames=1000, period_s=0.002), 1)
    got: list[ScanUpdate] = []
    worker.frame_ready.connect(lambda g, image, update: got.append(update))
    worker.start()
    qtbot.waitUntil(lambda: worker.analysed >= 10)
    assert len(got) == 1  # the GUI has not taken the first one: the rest were skipped
    worker.frame_ready.connect(lambda *a: worker.ack())  # from now on the GUI keeps up
    worker.ack()
    qtbot.waitUntil(
        lambda: bool(got) and got[-1].decision is not None,
        timeout=5000,
    )
    assert worker.wait(3000)
    assert worker.skipped > 0


def test_stop_returns_at_once_and_closes_the_camera(qtbot: QtBot) -> None:
    camera = Camera(frames=10_000, period_s=0.005)
    worker = ScanWorker(SlowAnalyser(0.01), camera, 1)
    worker.frame_ready.connect(lambda *a: worker.ack())
    worker.start()
    qtbot.waitUntil(lambda: camera.delivered > 5)
    worker.stop()
    assert worker.wait(3000)
    assert camera.closed.wait(2)


def test_camera_error_becomes_camera_lost(qtbot: QtBot) -> None:
    worker = ScanWorker(SlowAnalyser(0.0), Camera(frames=100, period_s=0.002, fail_at=5), 1)
    worker.frame_ready.connect(lambda *a: worker.ack())
    with qtbot.waitSignal(worker.camera_lost, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == [1, "camera unplugged"]
    worker.wait(2000)


def test_next_scan_waits_for_the_previous_one_to_finish(qtbot: QtBot) -> None:
    analyser = SlowAnalyser(0.02)
    first = ScanWorker(analyser, Camera(10_000, 0.002), 1)
    first.frame_ready.connect(lambda *a: first.ack())
    first.start()
    qtbot.waitUntil(lambda: first.analysed > 2)
    first.stop()
    second = ScanWorker(analyser, Camera(10_000, 0.002), 2, previous=first)
    second.frame_ready.connect(lambda *a: second.ack())
    second.start()
    qtbot.waitUntil(lambda: second.analysed > 2)
    assert first.isFinished()
    second.stop()
    assert second.wait(3000)


def test_frames_become_images_of_the_same_size() -> None:
    image = to_qimage(synthetic_frame(0))
    assert (image.width(), image.height()) == (640, 480)
    assert to_qimage(np.zeros((10, 20), np.uint8)).width() == 20


def test_ledger_answers_become_flow_events() -> None:
    ledger = FakePayments(answers=[Approved("tr-9", 5.0), Declined("wrong_pin", "no", 2)])
    debit = SendDebit(7, "c-anna", 100, "EUR", "1234", Evidence("face+pin"), False)
    assert answer(ledger, debit) == DebitApproved(7, "tr-9", 5.0)
    assert answer(ledger, debit) == DebitDeclined(7, "wrong_pin", "no", 2)
    assert answer(ledger, VerifyCashier(8, "1001", "0000")) == CashierRejected(8, "wrong_pin")
    assert answer(ledger, VerifyCashier(9, "1001", "9999")) == CashierVerified(9)
    ledger.locked["1001"] = 720.0
    assert answer(ledger, VerifyCashier(10, "1001", "9999")) == CashierRejected(10, "pin_locked", 720.0)
    ledger.unreachable = True
    assert answer(ledger, debit) == LedgerUnreachable(7, NOT_SENT)


def test_refund_refused_and_unexpected_errors() -> None:
    class Broken(FakePayments):
        def refund(self, transfer_id, amount_minor, *, void=False):
            return Declined("nothing_left", "")

        def today_summary(self):
            raise RuntimeError("bug")

    assert answer(Broken(), SendRefund(3, "tr-1", 100)) == RefundFailed(3, "nothing_left")
    assert answer(Broken(), RequestSummary(4)) is None  # no answer: the flow times out


def test_payments_unavailable_is_an_exception() -> None:
    assert issubclass(PaymentsUnavailable, Exception)


def test_camera_objects_are_closed_and_frame_records_are_unwrapped(qtbot: QtBot) -> None:
    from dataclasses import dataclass

    @dataclass
    class Record:
        image: np.ndarray

    class Source:
        closed = False

        def __iter__(self) -> Iterator[Record]:
            for i in range(3):
                time.sleep(0.01)
                yield Record(synthetic_frame(i))

        def close(self) -> None:
            Source.closed = True

    analyser = SlowAnalyser(0.0)
    worker = ScanWorker(analyser, Source, 1)
    worker.frame_ready.connect(lambda *a: worker.ack())
    with qtbot.waitSignal(worker.camera_lost, timeout=5000):
        worker.start()
    assert worker.wait(3000)
    assert analyser.calls >= 1 and Source.closed


def test_preview_runs_at_camera_rate_while_the_model_is_slow(qtbot: QtBot) -> None:
    camera = Camera(frames=60, period_s=0.005)
    worker = ScanWorker(SlowAnalyser(0.1), camera, 1)
    previews: list[int] = []

    def show(generation: int, image: QImage) -> None:
        previews.append(image.width())
        worker.ack_preview()

    worker.preview.connect(show)
    worker.frame_ready.connect(lambda *a: worker.ack())
    with qtbot.waitSignal(worker.camera_lost, timeout=10_000):
        worker.start()
    assert worker.wait(3000)
    qtbot.wait(50)
    assert len(previews) > 2 * worker.analysed


def test_a_request_runs_on_the_analysis_thread_before_the_next_frame(qtbot: QtBot) -> None:
    analyser = SlowAnalyser(0.01)
    ran_on: list[object] = []
    worker = ScanWorker(analyser, Camera(frames=10_000, period_s=0.005), 1)
    worker.frame_ready.connect(lambda *a: worker.ack())
    worker.start()
    qtbot.waitUntil(lambda: analyser.calls > 2)
    worker.ask(lambda: ran_on.append(threading.current_thread()))
    qtbot.waitUntil(lambda: bool(ran_on))
    assert ran_on[0] is not threading.main_thread()
    worker.stop()
    assert worker.wait(3000)
