"""The kiosk's options from the terminal's settings (the composition root reads settings; the
Qt layer only receives the options)."""

from __future__ import annotations

import dataclasses

from app.settings import Settings
from checkout import StaffThrottle, Timeouts
from terminal_ui import KioskOptions

__all__ = ["kiosk_options"]


def kiosk_options(settings: Settings, *, fullscreen: bool | None = None) -> KioskOptions:
    """Options from the terminal's settings (``fullscreen`` overrides, e.g. ``--windowed``)."""
    kiosk = settings.kiosk
    timeouts = Timeouts(
        **{f.name: getattr(kiosk, f.name) for f in dataclasses.fields(Timeouts) if f.name != "challenge_s"},
        challenge_s=settings.liveness.challenge_timeout_s,
    )
    throttle = StaffThrottle(
        kiosk.staff_free_tries, kiosk.staff_wait_s, kiosk.staff_wait_max_s, kiosk.staff_window_s
    )
    listed = [c.strip() for c in settings.ledger.cashier_ids.split(",") if c.strip()]
    default = [settings.ledger.cashier_id] if settings.ledger.cashier_id else []
    cashiers = tuple(dict.fromkeys(default + listed))  # the default first, no repeats
    return KioskOptions(
        merchant=kiosk.merchant,
        currency=settings.payments.currency,
        timeouts=timeouts,
        shuffle_pin=kiosk.shuffle_pin_pad,
        fullscreen=kiosk.fullscreen if fullscreen is None else fullscreen,
        cashiers=cashiers,
        throttle=throttle,
    )
