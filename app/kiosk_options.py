"""The kiosk's options from the terminal's settings (the composition root reads settings; the
Qt layer only receives the options)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from zoneinfo import ZoneInfo

from app.doctor import configured_cashiers
from app.settings import Settings
from terminal_ui import KioskOptions

__all__ = ["kiosk_options"]


def kiosk_options(settings: Settings, *, fullscreen: bool | None = None) -> KioskOptions:
    """Options from the terminal's settings (``fullscreen`` overrides, e.g. ``--windowed``)."""
    kiosk = settings.kiosk
    timeouts = dataclasses.replace(kiosk.timeouts, challenge_s=settings.liveness.challenge.timeout_s)
    cashiers = tuple(configured_cashiers(settings))  # the default first, no repeats
    return KioskOptions(
        merchant=kiosk.merchant,
        currency=settings.payments.currency,
        timeouts=timeouts,
        shuffle_pin=kiosk.shuffle_pin_pad,
        fullscreen=kiosk.fullscreen if fullscreen is None else fullscreen,
        cashiers=cashiers,
        throttle=kiosk.staff,
        receipt_printer=Path(kiosk.receipt_printer) if kiosk.receipt_printer else None,
        max_sale_minor=settings.payments.max_sale_minor,
        ledger_probe_s=kiosk.ledger_probe_s,
        language=kiosk.language,
        high_contrast=kiosk.high_contrast,
        audio_cues=kiosk.audio_cues,
        audio_pin=kiosk.audio_pin,
        tz=ZoneInfo(settings.shop.timezone),  # receipt and refund-list times on the shop's clock
    )
