"""A shopper picks their language on the kiosk; money and times follow it; the next shopper
starts in the shop's language again."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.settings import SettingsError, load_settings
from checkout import Screen, format_amount, use_localiser
from terminal_ui import save_screenshot
from terminal_ui.i18n import LANGUAGES, Languages, format_money, format_time, language
from tests.terminal_ui.conftest import CASHIER_ID, CASHIER_PIN, Kiosk

EN, ZH, DE = LANGUAGES
NBSP = "\xa0"


@pytest.fixture(autouse=True)
def plain_english_after() -> Iterator[None]:
    yield
    use_localiser(None)


@pytest.mark.parametrize(
    ("lang", "minor", "currency", "shown"),
    [
        (EN, 1250, "EUR", "EUR 12.50"),
        (DE, 1250, "EUR", "12,50 €"),
        (ZH, 1250, "EUR", "€12.50"),
        (DE, 123456789, "EUR", "1.234.567,89 €"),
        (ZH, 123456789, "EUR", "€1,234,567.89"),
        (DE, -500, "EUR", "-5,00 €"),
        (DE, 1250, "JPY", "1.250 ¥"),  # no minor digits in yen
        (ZH, 1250, "CHF", "CHF 12.50"),  # no symbol known: the ISO code
        (DE, 5, "EUR", "0,05 €"),
    ],
)
def test_money_is_written_as_the_shoppers_locale_writes_it(lang, minor, currency, shown) -> None:
    assert format_money(minor, currency, lang).replace(NBSP, " ") == shown


def test_times_follow_the_locale() -> None:
    at = 1_764_770_700.0  # 2025-12-03 14:05 UTC
    assert format_time(at, dt.UTC, EN) == "2025-12-03 14:05"
    assert format_time(at, dt.UTC, DE) == "03.12.25 14:05"
    assert format_time(at, dt.UTC, ZH) == "2025/12/3 14:05"


def test_the_flow_formats_through_the_installed_language(qtbot: object) -> None:
    languages = Languages("de")
    try:
        assert format_amount(1250, "EUR").replace(NBSP, " ") == "12,50 €"
        languages.use("en")
        assert format_amount(1250, "EUR") == "EUR 12.50"
    finally:
        languages.close()
    assert format_amount(1250, "EUR") == "EUR 12.50"


def test_an_unknown_language_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="en, zh_CN, de"):
        language("fr")
    cfg = tmp_path / "facepay.toml"
    cfg.write_text("[kiosk]\nlanguage = 'fr'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="language"):
        load_settings(cfg, env={})


def test_a_missing_catalogue_leaves_the_kiosk_in_english(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("terminal_ui.i18n.TRANSLATIONS", tmp_path)
    caplog.set_level(logging.ERROR)
    languages = Languages("de")
    try:
        from checkout import say

        assert say("idle.heading") == "Welcome"
        assert "cannot be loaded" in caplog.text
    finally:
        languages.close()


def _pick(kiosk: Kiosk, name: str) -> None:
    kiosk.touch(name)
    kiosk.qtbot.waitUntil(lambda: kiosk.window.languages.current.name == name)  # type: ignore[attr-defined]


def test_a_german_shopper_pays_in_german_and_the_next_one_gets_english(kiosk: Kiosk) -> None:
    assert kiosk.shows("Welcome")
    _pick(kiosk, "Deutsch")
    assert kiosk.shows("Willkommen")
    assert kiosk.window.current_widget.language_buttons["de"].isChecked()
    kiosk.open_sale("1250")
    assert kiosk.shows(f"12,50{NBSP}€")
    assert kiosk.shows("Zu zahlender Betrag")
    kiosk.analyser.queue.append("anna")
    kiosk.key(Qt.Key.Key_Return)  # Enter = pay with face
    kiosk.wait_for(Screen.CONFIRM)
    assert kiosk.shows(f"12,50{NBSP}€ als Anna K. bezahlen?")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    assert kiosk.shows("Zahlung erfolgreich")
    assert kiosk.shows(f"Betrag: 12,50{NBSP}€")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.IDLE)
    assert kiosk.window.languages.current == EN
    assert kiosk.shows("Welcome")
    assert kiosk.window.current_widget.language_buttons["en"].isChecked()


def test_chinese_chosen_on_the_open_sale_ends_when_the_sale_is_cancelled(kiosk: Kiosk) -> None:
    kiosk.open_sale("800")
    _pick(kiosk, "中文")
    assert kiosk.shows("€8.00")
    assert kiosk.shows("应付金额")
    kiosk.touch("取消")
    kiosk.wait_for(Screen.IDLE)
    assert kiosk.shows("Welcome")


def _words(kiosk: Kiosk) -> list[str]:
    """Every visible label and button text of the screen on show."""
    buttons = kiosk.window.current_widget.findChildren(QPushButton)
    return kiosk.texts() + [b.text() for b in buttons if b.isVisible() and b.text().strip()]


def _chinese(texts: list[str]) -> list[str]:
    return [t for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t)]


def test_staff_screens_speak_the_shops_language_and_the_next_shopper_starts_in_it(kiosk: Kiosk) -> None:
    _pick(kiosk, "中文")
    assert kiosk.shows("欢迎")
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    assert kiosk.shows("Staff sign-in") and not _chinese(_words(kiosk))
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.IDLE)
    assert kiosk.window.languages.current == EN
    assert kiosk.shows("Welcome")


@pytest.mark.parametrize("kiosk", ["de"], indirect=True)
def test_in_a_german_shop_the_cashier_menu_stays_german_when_a_shopper_picked_chinese(kiosk: Kiosk) -> None:
    assert kiosk.shows("Willkommen")
    kiosk.open_sale("800")
    _pick(kiosk, "中文")
    assert kiosk.shows("应付金额")
    kiosk.key(Qt.Key.Key_F2)  # the cashier steps in during the sale
    kiosk.wait_for(Screen.STAFF)
    assert kiosk.shows("Personalanmeldung") and not _chinese(_words(kiosk))
    kiosk.keys(CASHIER_ID)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    assert not _chinese(_words(kiosk))  # the cashier's PIN pad too
    kiosk.keys(CASHIER_PIN)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    words = _words(kiosk)
    assert "Kasse" in words and any("Terminal sperren" in w for w in words), words
    assert not _chinese(words) and kiosk.window.languages.current == DE
    kiosk.key(Qt.Key.Key_Escape)  # back to the same shopper's open sale: their language again
    kiosk.wait_for(Screen.SALE)
    assert kiosk.shows("应付金额")
    kiosk.key(Qt.Key.Key_F2)
    kiosk.wait_for(Screen.STAFF)
    kiosk.keys(CASHIER_ID)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    kiosk.keys(CASHIER_PIN)
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CASHIER)
    assert kiosk.shows("Kasse")
    kiosk.keys("2")  # cancel the sale: the cashier leaves to the idle screen
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.IDLE)
    assert kiosk.window.languages.current == DE and kiosk.shows("Willkommen")  # the next shopper
    assert kiosk.window.current_widget.language_buttons["de"].isChecked()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("FACEPAY_SCREENS_DIR", tmp_path))


def snap(kiosk: Kiosk, shots: Path, name: str) -> None:
    kiosk.qtbot.wait(120)  # type: ignore[attr-defined]  # a camera frame or two
    assert save_screenshot(kiosk.window, shots / f"{name}.png").stat().st_size > 5_000


@pytest.mark.parametrize("kiosk", ["zh_CN", "de"], indirect=True)
def test_a_sale_in_each_language_renders(kiosk: Kiosk, shots: Path) -> None:
    """Screenshots of every screen a shopper (and, last, the cashier) meets in a shop speaking
    ``code`` (docs/screens/<code>-*.png)."""
    code = kiosk.window.options.language
    kiosk.window.cues.player = None
    snap(kiosk, shots, f"{code}-01-idle")
    kiosk.open_sale("1250")
    snap(kiosk, shots, f"{code}-02-sale")
    kiosk.analyser.queue.append("challenge")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.CHALLENGE)
    save_screenshot(kiosk.window, shots / f"{code}-03-challenge.png")  # at once: it lasts a few frames
    kiosk.wait_for(Screen.CONFIRM)
    snap(kiosk, shots, f"{code}-04-confirm")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    snap(kiosk, shots, f"{code}-05-approved")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.IDLE)
    kiosk.open_sale("800")
    kiosk.analyser.queue.append("masked")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    kiosk.keys("12")
    snap(kiosk, shots, f"{code}-06-pin")
    kiosk.key(Qt.Key.Key_Escape)
    kiosk.wait_for(Screen.SALE)
    kiosk.analyser.queue.append("photo")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.RESULT)
    snap(kiosk, shots, f"{code}-07-rejected")
    kiosk.cashier_login()
    snap(kiosk, shots, f"{code}-08-cashier")


def test_large_text_screens_render(kiosk: Kiosk, shots: Path) -> None:
    kiosk.window.set_large_text(True)
    snap(kiosk, shots, "large-01-idle")
    kiosk.open_sale("1250")
    snap(kiosk, shots, "large-02-sale")
    kiosk.analyser.queue.append("masked")
    kiosk.key(Qt.Key.Key_Return)
    kiosk.wait_for(Screen.PIN)
    snap(kiosk, shots, "large-03-pin")


def test_the_settings_offer_exactly_the_shipped_languages() -> None:
    from app.settings import LANGUAGES as setting_choices

    assert tuple(lang.code for lang in LANGUAGES) == setting_choices
