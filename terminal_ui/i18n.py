"""The shopper's language: Qt translators, ``QLocale`` money and times, one switch.

Every sentence comes from the wording table (``checkout.TEXT``, context ``Wording``), the
vision side's prompts (context ``Vision``) or a screen's own ``tr()``; the compiled
catalogues ``translations/facepay_<code>.qm`` are made from the ``.ts`` files by
``pyside6-lrelease`` (``./dev translations`` refreshes both; the ``.qm`` are committed so a
fresh clone and the wheel have them). ``Languages.use(code)`` installs the translator and a
``QtLocaliser`` for the flow; Qt then sends every widget a ``LanguageChange``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime, QTranslator

from checkout import plain_amount, use_localiser
from payments.money import CURRENCY_EXPONENTS

__all__ = [
    "CURRENCY_SYMBOLS",
    "LANGUAGES",
    "TRANSLATIONS",
    "Language",
    "Languages",
    "QtLocaliser",
    "format_money",
    "format_time",
    "language",
]

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# Symbols a shopper recognises; any other code is written as its ISO code ("CHF 12.50").
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CNY": "¥", "JPY": "¥"}


@dataclass(frozen=True)
class Language:
    """One language the kiosk speaks.

    Attributes:
        code: catalogue code ("en", "zh_CN", "de"); English needs no catalogue.
        name: the language's own name, as its speakers look for it on the button.
        locale: the ``QLocale`` name for money, dates and times.
    """

    code: str
    name: str
    locale: str

    @property
    def catalogue(self) -> Path | None:
        """The compiled translation, None for English (the source language)."""
        return None if self.code == "en" else TRANSLATIONS / f"facepay_{self.code}.qm"


LANGUAGES = (
    Language("en", "English", "en_GB"),
    Language("zh_CN", "中文", "zh_CN"),
    Language("de", "Deutsch", "de_DE"),
)


def language(code: str) -> Language:
    """The shipped language with ``code``; ValueError names the known ones."""
    for lang in LANGUAGES:
        if lang.code == code:
            return lang
    known = ", ".join(lang.code for lang in LANGUAGES)
    raise ValueError(f"unknown language {code!r}: the kiosk speaks {known}")


def format_money(amount_minor: int, currency: str, lang: Language) -> str:
    """The one money formatter: English as the shop's own receipts write it ("EUR 12.50"), others
    by their ``QLocale`` ("12,50 €", "€12.50"), minor digits per ISO 4217, never via a float."""
    if lang.code == "en":
        return plain_amount(amount_minor, currency)
    loc = QLocale(lang.locale)
    exp = CURRENCY_EXPONENTS.get(currency, 2)
    whole, minor = divmod(abs(amount_minor), 10**exp)
    number = loc.toString(whole) + (f"{loc.decimalPoint()}{minor:0{exp}d}" if exp else "")
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    text = loc.toCurrencyString(7, symbol).replace("7", number, 1)  # where the locale puts the symbol
    if text == f"{currency}{number}":  # an ISO code is never glued to the number ("CHF 12.50")
        text = f"{currency} {number}"
    return f"{loc.negativeSign()}{text}" if amount_minor < 0 else text


def format_time(epoch_s: float, tz: dt.tzinfo | None, lang: Language) -> str:
    """A posting's date and time: ISO in English ("2026-11-29 14:05"), the locale's short form
    otherwise ("29.11.26 14:05", "2026/11/29 14:05")."""
    when = dt.datetime.fromtimestamp(epoch_s, tz)
    if lang.code == "en":
        return when.strftime("%Y-%m-%d %H:%M")
    qt_when = QDateTime(QDate(when.year, when.month, when.day), QTime(when.hour, when.minute))
    return QLocale(lang.locale).toString(qt_when, QLocale.FormatType.ShortFormat)


class QtLocaliser:
    """The flow's ``Localiser`` for one language: Qt's installed translators and ``QLocale``."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang

    def translate(self, context: str, text: str) -> str:
        return QCoreApplication.translate(context, text) or text

    def amount(self, amount_minor: int, currency: str) -> str:
        return format_money(amount_minor, currency, self.lang)

    def when(self, epoch_s: float, tz: dt.tzinfo | None) -> str:
        return format_time(epoch_s, tz, self.lang)


class Languages:
    """The language in use and the shop's default; ``use`` switches, ``reset`` goes back.

    A catalogue that is missing or unreadable is logged and the kiosk stays in English:
    a shopper is never left without words.
    """

    def __init__(self, default: str = "en") -> None:
        self.default = language(default)
        self.current = LANGUAGES[0]
        self._translator: QTranslator | None = None
        self.use(self.default.code)

    def use(self, code: str) -> Language:
        """Speak ``code`` from now on (every widget gets a ``LanguageChange``)."""
        lang = language(code)
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        if lang.catalogue is not None:
            translator = QTranslator()
            if translator.load(str(lang.catalogue)):
                QCoreApplication.installTranslator(translator)
                self._translator = translator
            else:
                log.error("translation %s cannot be loaded: showing English", lang.catalogue)
        self.current = lang
        use_localiser(QtLocaliser(lang))
        return lang

    def next(self) -> Language:
        """The language after the current one on the button (wraps round)."""
        i = LANGUAGES.index(self.current)
        return LANGUAGES[(i + 1) % len(LANGUAGES)]

    def reset(self) -> bool:
        """Back to the shop's default; True when that changed the language."""
        if self.current == self.default:
            return False
        self.use(self.default.code)
        return True

    def close(self) -> None:
        """Remove the translator and the flow's localiser (the window is going)."""
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        use_localiser(None)
