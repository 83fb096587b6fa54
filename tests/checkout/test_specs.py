"""Every state has exactly one spec, and every spec is usable: a real screen, a time-out
taken from the kiosk's ``Timeouts``, a view it can draw, and an entry that fits the state."""

from __future__ import annotations

import typing
from dataclasses import fields

import pytest

from checkout import BUSY_STATES, SCAN_STATES, SPECS, Consent, Entry, Screen, State, Timeouts, View
from checkout._context import Context, Kiosk
from checkout._enrolment import EnrolContext
from checkout._staff import StaffSignIn, StaffThrottle
from checkout._views import Look

from .conftest import NAMES


class Names:
    def display_name(self, customer_id: str) -> str | None:
        return NAMES.get(customer_id)


def test_every_state_has_exactly_one_spec() -> None:
    assert list(SPECS) == list(State)


@pytest.mark.parametrize("state", list(State))
def test_every_spec_is_usable(state: State) -> None:
    spec = SPECS[state]
    assert isinstance(spec.screen, Screen)
    distinct = Timeouts(*(float(i + 1) for i in range(len(fields(Timeouts)))))
    if spec.wait is not None:
        assert spec.wait(distinct) in {getattr(distinct, f.name) for f in fields(Timeouts)}
    kiosk = Kiosk(Names(), "Shop", "EUR", Timeouts(), None)
    enrol = EnrolContext(Consent("v1", "text"))
    look = Look(Context(state=state), kiosk, StaffSignIn(("1001",), StaffThrottle()), enrol)
    assert isinstance(spec.view(look), typing.get_args(View))


def test_scan_states_wait_for_the_scan_and_busy_states_ask_the_ledger() -> None:
    distinct = Timeouts(*(float(i + 1) for i in range(len(fields(Timeouts)))))
    for state in SCAN_STATES:
        wait = SPECS[state].wait
        assert wait is not None and wait(distinct) == distinct.scan_s
    for state in BUSY_STATES:
        wait = SPECS[state].wait
        assert wait is not None and wait(distinct) == distinct.processing_s
        assert SPECS[state].entry not in (Entry.NONE, Entry.SCAN, Entry.CAPTURE, Entry.STAFF_PIN)
        assert SPECS[state].screen is Screen.BUSY
    camera = (Entry.NONE, Entry.SCAN, Entry.CAPTURE, Entry.RECEIPT)
    requests = {s for s, spec in SPECS.items() if spec.entry not in camera}
    assert requests == BUSY_STATES | {State.CASHIER, State.CASHIER_LOGIN, State.REFUND_LIST}
