"""Staff sign-in as people: the cashier's own id, then their PIN, and the kiosk's own slow-down
of repeated wrong staff PINs (before the ledger locks a cashier).

The ledger locks one cashier after 5 wrong PINs in 15 minutes; the kiosk adds a growing wait
between tries from this terminal, whatever cashier id is typed, so guessing at the staff pad
is slow and the wait is shown on screen. The kiosk keeps no lock of its own: once the
ledger's lockout ends, the right PIN signs in again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from checkout._wording import say

__all__ = ["StaffSignIn", "StaffThrottle", "staff_refusal"]


@dataclass(frozen=True)
class StaffThrottle:
    """How the kiosk itself slows repeated wrong staff PINs, before the ledger locks a cashier
    (the kiosk settings section holds the reasons). Wrong PINs of any cashier id count: someone
    trying ids or PINs at the staff pad waits longer after each failure.

    Attributes:
        free_tries: wrong staff PINs in a row that cost no wait (a typo).
        wait_s: the wait after the first wrong PIN beyond those; it doubles with each further one.
        wait_max_s: the longest wait.
        window_s: wrong PINs older than this (since the last one) are forgotten.
    """

    free_tries: int = 1
    wait_s: float = 10.0
    wait_max_s: float = 120.0
    window_s: float = 900.0

    def wait_after(self, failures: int) -> float:
        """Seconds before the next try after ``failures`` wrong staff PINs in a row."""
        if failures <= self.free_tries:
            return 0.0
        return float(min(self.wait_max_s, self.wait_s * 2 ** (failures - self.free_tries - 1)))


class StaffSignIn:
    """What the staff sign-in remembers: the shop's cashier list, who is signing in, and the
    wrong staff PINs in a row at this kiosk."""

    def __init__(self, cashiers: tuple[str, ...], throttle: StaffThrottle) -> None:
        self.cashiers = cashiers  # offered as buttons on the staff sign-in
        self.throttle = throttle
        self.cashier_id = ""
        self.failures = 0
        self.last_failure = -math.inf

    def wait_until(self) -> float:
        """When the staff PIN pad takes the next try (in the past when it takes it now)."""
        if not self.failures:
            return -math.inf
        return self.last_failure + self.throttle.wait_after(self.failures)

    def failed(self, now: float) -> None:
        """The ledger refused a staff sign-in at ``now``."""
        if now - self.last_failure > self.throttle.window_s:
            self.failures = 0
        self.failures += 1
        self.last_failure = now

    def signed_in(self) -> None:
        """A cashier signed in: the count starts again."""
        self.failures = 0


def staff_refusal(cashier_id: str, code: str, retry_after_s: float | None) -> str:
    """What the staff sign-in says when the ledger refused a cashier."""
    if code == "pin_locked":
        if retry_after_s is None:
            return say("staff.refused.locked", cashier=cashier_id)
        minutes = max(1, math.ceil(retry_after_s / 60))
        unit = say("unit.minute") if minutes == 1 else say("unit.minutes")
        return say("staff.refused.locked_for", cashier=cashier_id, minutes=minutes, unit=unit)
    if code == "unknown_cashier":
        return say("staff.refused.unknown", cashier=cashier_id)
    if code == "too_many_pin_attempts":
        wait = ""
        if retry_after_s is not None:
            wait = say("staff.refused.wait", minutes=max(1, math.ceil(retry_after_s / 60)))
        return say("staff.refused.paused", wait=wait)
    return say("staff.refused.wrong_pin", cashier=cashier_id)
