"""The transition table, checked as data: a graph with no traps and no orphans."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import pytest

from checkout import (
    BUSY_STATES,
    SCAN_STATES,
    SPECS,
    TRANSITIONS,
    Branch,
    EventType,
    State,
    Target,
)

# Rest states: idle waits for a sale, locked for the cashier, unknown for the cashier's check.
# Out of service waits for the part to come back (a HEALTH event) or for staff.
WAIT_FOR_SOMEONE = {State.IDLE, State.LOCKED, State.UNKNOWN, State.OUT_OF_SERVICE}


def in_order(states: Iterable[State]) -> list[State]:
    """States sorted by value, so parametrize ids come out in a stable order."""
    return sorted(states, key=lambda s: s.value)


def targets(target: Target) -> set[State]:
    if isinstance(target, Branch):
        return {target.then} | targets(target.otherwise)
    return {target}


def graph() -> dict[State, set[State]]:
    edges: dict[State, set[State]] = {s: set() for s in State}
    for (state, _), target in TRANSITIONS.items():
        edges[state] |= targets(target)
    return edges


def reachable(start: State, edges: dict[State, set[State]]) -> set[State]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in edges[todo.popleft()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_every_state_is_reachable_from_idle() -> None:
    assert reachable(State.IDLE, graph()) == set(State)


@pytest.mark.parametrize("state", list(State))
def test_idle_is_reachable_from_every_state(state: State) -> None:
    assert State.IDLE in reachable(state, graph())


@pytest.mark.parametrize("state", in_order(set(State) - WAIT_FOR_SOMEONE))
def test_every_state_ends_by_itself_on_a_timeout(state: State) -> None:
    assert (state, EventType.TIMEOUT) in TRANSITIONS
    assert SPECS[state].wait is not None


@pytest.mark.parametrize("state", in_order(WAIT_FOR_SOMEONE))
def test_rest_states_have_no_timeout_and_open_to_the_cashier(state: State) -> None:
    assert (state, EventType.TIMEOUT) not in TRANSITIONS
    if state is not State.IDLE:
        assert TRANSITIONS[(state, EventType.CASHIER_KEY)] is State.CASHIER_ID


@pytest.mark.parametrize(
    "state",
    in_order(set(State) - BUSY_STATES - {State.IDLE, State.LOCKED, State.OUT_OF_SERVICE}),
)
def test_shopper_and_cashier_can_always_back_out(state: State) -> None:
    assert (state, EventType.CANCEL) in TRANSITIONS


@pytest.mark.parametrize("state", in_order(BUSY_STATES))
def test_busy_states_cannot_be_cancelled_only_answered_or_timed_out(state: State) -> None:
    assert (state, EventType.CANCEL) not in TRANSITIONS
    assert (state, EventType.CASHIER_KEY) not in TRANSITIONS
    assert (state, EventType.TIMEOUT) in TRANSITIONS


def test_cashier_key_works_everywhere_a_shopper_can_be() -> None:
    shopper_states = (
        set(State) - BUSY_STATES - {State.CASHIER_ID, State.CASHIER_LOGIN, State.CASHIER, State.AMOUNT_ENTRY}
    )
    missing = [s for s in shopper_states if (s, EventType.CASHIER_KEY) not in TRANSITIONS]
    assert missing == []


def test_a_ledger_that_never_answers_is_never_approved() -> None:
    assert TRANSITIONS[(State.PROCESSING, EventType.TIMEOUT)] is State.UNKNOWN
    approved_from = {s for (s, e), t in TRANSITIONS.items() if State.APPROVED in targets(t)}
    approving_events = {e for (s, e), t in TRANSITIONS.items() if State.APPROVED in targets(t)}
    assert approved_from == {State.PROCESSING, State.UNKNOWN}
    assert approving_events == {EventType.DEBIT_APPROVED}


def test_camera_states_are_left_on_cancel_timeout_and_camera_loss() -> None:
    for state in SCAN_STATES:
        for event in (EventType.CANCEL, EventType.TIMEOUT, EventType.CAMERA_LOST):
            assert targets(TRANSITIONS[(state, event)]).isdisjoint(SCAN_STATES)


def test_the_states_with_a_time_out_edge_are_those_whose_spec_waits() -> None:
    assert {s for (s, e) in TRANSITIONS if e is EventType.TIMEOUT} == {
        s for s, spec in SPECS.items() if spec.wait is not None
    }


def test_every_event_type_is_used() -> None:
    assert {e for (_, e) in TRANSITIONS} == set(EventType)


def test_staff_sign_in_asks_for_the_id_then_the_pin() -> None:
    assert TRANSITIONS[(State.CASHIER_ID, EventType.CASHIER_CHOSEN)] is State.CASHIER_LOGIN
    assert TRANSITIONS[(State.CASHIER_LOGIN, EventType.CANCEL)] is State.CASHIER_ID
    # a wrong PIN stays on the pad; a locked or unknown cashier goes back to the id
    assert TRANSITIONS[(State.CASHIER_VERIFYING, EventType.CASHIER_BAD)] is State.CASHIER_LOGIN
    assert TRANSITIONS[(State.CASHIER_VERIFYING, EventType.CASHIER_REFUSED)] is State.CASHIER_ID
    assert {s for (s, e), t in TRANSITIONS.items() if State.CASHIER_LOGIN in targets(t)} == {
        State.CASHIER_ID,
        State.CASHIER_LOGIN,
        State.CASHIER_VERIFYING,
    }


def test_no_enrolment_reaches_the_ledger_without_the_account_holders_proof() -> None:
    """Every way into the enrolment request passes the proof: the account's PIN or a code."""
    into = {s for (s, e), t in TRANSITIONS.items() if State.ENROL_CONSENT in targets(t)}
    assert into == {State.ENROL_PROOF, State.ENROL_CODE}
    assert {s for (s, e), t in TRANSITIONS.items() if State.ENROL_PROOF in targets(t)} == {
        State.ENROL_CUSTOMER,
        State.ENROL_PROOF,
    }
