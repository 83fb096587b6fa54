"""The kiosk's options from the terminal's settings (the composition root reads settings; the
Qt layer only receives the options)."""

from __future__ import annotations

import dataclasses

from app.settings import Settings
from terminal_ui import KioskOptions

__all__ = ["kiosk_options"]


def kiosk_options(settings: Settings, *, fullscreen: bool | None = None) -> KioskOptions:
    """Options from the terminal's settings (``fullscreen`` overrides, e.g. ``--windowed``)."""
    kiosk = settings.kiosk
    timeouts = dataclasses.replace(kiosk.timeouts, challenge_s=settings.liveness.challenge.timeout_s)
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
        throttle=kiosk.staff,
        language=kiosk.language,
        high_contrast=kiosk.high_contrast,
        audio_cues=kiosk.audio_cues,
        audio_pin=kiosk.audio_pin,
    )
