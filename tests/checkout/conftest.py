"""A driver around the checkout machine: a fake clock and the effects it produced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from checkout import (
    CheckoutMachine,
    Confirm,
    DebitApproved,
    Effect,
    Event,
    OpenSale,
    ScanUpdated,
    SendDebit,
    ShowScreen,
    State,
    Tick,
    Timeouts,
    View,
)
from vision import Guidance, Match, NeedPin, Reason, Reject, ScanUpdate

NAMES = {"c-anna": "Anna Kowalska", "c-ben": "Ben Okafor"}
TIMEOUTS = Timeouts(
    sale_open_s=300, no_face_s=8, scan_s=30, confirm_s=20, pin_s=30, processing_s=30, result_s=8, cashier_s=60
)


class FakeDirectory:
    def display_name(self, customer_id: str) -> str | None:
        return NAMES.get(customer_id)


def face(
    decision: object = None,
    guidance: Guidance = Guidance.HOLD_STILL,
    *,
    masked: bool = False,
    box: tuple[int, int, int, int] | None = (100, 80, 120, 150),
) -> ScanUpdated:
    return ScanUpdated(ScanUpdate(0, box, guidance, masked, decision))  # type: ignore[arg-type]


def no_face() -> ScanUpdated:
    return ScanUpdated(ScanUpdate(0, None, Guidance.LOOK_AT_CAMERA))


MATCH = Match("c-anna", score=0.71, margin=0.3, liveness=0.95)
NEED_PIN_MASKED = NeedPin(("c-ben", "c-anna"), Reason.MASKED)
STRANGER = NeedPin((), Reason.STRANGER)
SPOOF = Reject(Reason.SPOOF)


@dataclass
class Driver:
    machine: CheckoutMachine
    now: float = 1000.0
    effects: list[Effect] = field(default_factory=list)
    shown: ShowScreen | None = None

    def send(self, event: Event, after: float = 0.0) -> list[Effect]:
        self.now += after
        out = self.machine.handle(event, self.now)
        self.effects.extend(out)
        for effect in out:
            if isinstance(effect, ShowScreen):
                self.shown = effect
        return out

    def tick(self, after: float) -> list[Effect]:
        return self.send(Tick(), after)

    @property
    def state(self) -> State:
        return self.machine.state

    @property
    def view(self) -> View:
        assert self.shown is not None
        return self.shown.view

    def last(self, kind: type) -> object:
        found = [e for e in self.effects if isinstance(e, kind)]
        assert found, f"no {kind.__name__} effect among {self.effects}"
        return found[-1]

    def debit(self) -> SendDebit:
        effect = self.last(SendDebit)
        assert isinstance(effect, SendDebit)
        return effect

    # paths used by many tests
    def open_sale(self, amount: int = 1250) -> None:
        self.send(OpenSale(amount, "EUR"))
        assert self.state is State.SALE_OPEN

    def scan(self) -> None:
        self.open_sale()
        self.send(Confirm())
        assert self.state is State.SCANNING

    def to_confirm(self) -> None:
        self.scan()
        self.send(face(MATCH), 0.5)
        assert self.state is State.CONFIRM

    def to_processing(self) -> None:
        self.to_confirm()
        self.send(Confirm())
        assert self.state is State.PROCESSING

    def to_pin(self) -> None:
        self.scan()
        self.send(face(NEED_PIN_MASKED, masked=True), 0.5)
        assert self.state is State.PIN_ENTRY

    def approve(self) -> None:
        self.send(DebitApproved(self.debit().request_id, "tr-1", at=1_800_000_000.0))


@pytest.fixture
def drive() -> Driver:
    machine = CheckoutMachine(FakeDirectory(), merchant="Corner Shop", timeouts=TIMEOUTS, tz=dt.UTC)
    d = Driver(machine)
    d.effects.extend(machine.start(d.now))
    d.shown = next(e for e in d.effects if isinstance(e, ShowScreen))
    return d
