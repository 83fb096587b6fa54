from __future__ import annotations

from app.kiosk_options import kiosk_options
from app.settings import load_settings
from checkout import Timeouts


def test_options_follow_the_kiosk_settings() -> None:
    settings = load_settings(
        env={
            "FACEPAY_KIOSK_PIN_S": "12",
            "FACEPAY_KIOSK_MERCHANT": "Corner Shop",
            "FACEPAY_KIOSK_SHUFFLE_PIN_PAD": "yes",
            "FACEPAY_PAYMENTS_CURRENCY": "GBP",
            "FACEPAY_SHOP_TIMEZONE": "Europe/Berlin",
        }
    )
    options = kiosk_options(settings, fullscreen=False)
    assert options.timeouts.pin_s == 12.0
    assert options.timeouts.processing_s == settings.kiosk.timeouts.processing_s
    assert (options.merchant, options.currency, options.shuffle_pin, options.fullscreen) == (
        "Corner Shop",
        "GBP",
        True,
        False,
    )
    assert kiosk_options(settings).fullscreen is True
    assert str(options.tz) == "Europe/Berlin"  # receipt and refund-list times on the shop's clock


def test_flow_defaults_match_the_settings_defaults() -> None:
    kiosk = load_settings(env={}).kiosk
    assert kiosk_options(load_settings(env={})).timeouts == Timeouts()
    assert kiosk.timeouts.no_face_s == Timeouts().no_face_s
