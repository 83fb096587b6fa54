"""One look for every screen: colours, type sizes, the style sheet and widget helpers.

High contrast only (near-black on white, white on near-black or dark blue), body
text >= 28 px, touch targets >= 64 px; a large-text mode (``style_sheet(large=True)``) makes
everything a third bigger in white and yellow on black. Colour never carries meaning alone: every
coloured mark comes with a word and a shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

__all__ = [
    "BODY_PX",
    "HEADING_PX",
    "INK",
    "LARGE",
    "PAPER",
    "STANDARD",
    "STYLE_SHEET",
    "TOUCH_PX",
    "Palette",
    "button",
    "label",
    "style_sheet",
]

INK = "#111418"  # text: contrast 18:1 on white
PAPER = "#FFFFFF"
MUTED = "#3B4450"  # secondary text, still 10:1 on white
PRIMARY = "#0B3D91"  # main action background, white text 10:1
OK_GREEN = "#136F2F"  # approved mark (with a tick and the word)
BAD_RED = "#B3261E"  # declined/rejected mark (with a cross and the word)
WARN_AMBER = "#8A5A00"  # unknown outcome (with a question mark and the word)
LINE = "#C9CED6"

BODY_PX = 30
SMALL_PX = 28
HEADING_PX = 52
AMOUNT_PX = 76
TOUCH_PX = 88  # button height; pads use >= 64 px keys

# CJK glyphs come from Noto Sans CJK / WenQuanYi when DejaVu has none (the Chinese catalogue).
FONT = "'DejaVu Sans', 'Noto Sans', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"


@dataclass(frozen=True)
class Palette:
    """The colours and sizes of one look.

    Attributes:
        ink: text; paper: background; muted: secondary text; primary: main action;
        panel: notice and key background; line: light borders; scale: type size factor.
    """

    ink: str
    paper: str
    muted: str
    primary: str
    primary_ink: str
    panel: str
    line: str
    scale: float


STANDARD = Palette(INK, PAPER, MUTED, PRIMARY, PAPER, "#F1F3F6", LINE, 1.0)
# Large text: white and yellow on black (21:1 and 19:1), everything a quarter bigger (WCAG 1.4.6).
LARGE = Palette("#FFFFFF", "#000000", "#FFFF00", "#FFFF00", "#000000", "#1A1A1A", "#FFFFFF", 1.25)


def style_sheet(large: bool = False) -> str:
    """The kiosk's style sheet: the standard look, or large high-contrast text."""
    p = LARGE if large else STANDARD

    def px(size: int) -> int:
        return round(size * p.scale)

    return f"""
QWidget {{ background: {p.paper}; color: {p.ink}; font-family: {FONT}; font-size: {px(BODY_PX)}px; }}
QLabel[role="heading"] {{ font-size: {px(HEADING_PX)}px; font-weight: bold; }}
QLabel[role="amount"] {{ font-size: {px(AMOUNT_PX)}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {p.muted}; font-size: {px(SMALL_PX)}px; }}
QLabel[role="notice"] {{ background: {p.panel}; border-left: 8px solid {p.primary};
    padding: 14px 20px; }}
QLabel[role="error"] {{ background: {"#FDECEA" if not large else p.panel}; color: {p.ink};
    border-left: 8px solid {BAD_RED if not large else p.muted}; padding: 14px 20px; font-weight: bold; }}
QLabel[role="entry"] {{ font-size: {px(56)}px; font-weight: bold; border: 3px solid {p.ink};
    border-radius: 14px; min-height: 84px; }}
QLabel[role="prompt"] {{ background: {p.ink}; color: {p.paper}; font-size: {px(40)}px; font-weight: bold;
    padding: 16px 28px; border-radius: 12px; }}
QPushButton {{ min-height: {px(TOUCH_PX)}px; padding: 0 36px; border-radius: 14px;
    font-size: {px(34)}px; font-weight: bold; border: 3px solid {p.ink}; background: {p.paper};
    color: {p.ink}; }}
QPushButton[role="primary"] {{ background: {p.primary}; border-color: {p.primary}; color: {p.primary_ink}; }}
QPushButton[role="key"] {{ min-height: {px(88)}px; min-width: 120px; padding: 0; font-size: {px(40)}px;
    border: 2px solid {p.line}; background: {p.panel}; }}
QPushButton[role="small"], QPushButton[role="language"] {{ min-height: 64px; font-size: {px(SMALL_PX)}px;
    padding: 0 24px; border: 2px solid {p.line}; color: {p.muted}; }}
QPushButton[role="language"]:checked {{ border: 3px solid {p.ink}; background: {p.ink}; color: {p.paper}; }}
QPushButton:pressed {{ background: {p.panel}; color: {p.ink}; }}
QPushButton:disabled {{ border-color: {p.line}; color: #8A929C; background: {p.panel}; }}
"""


STYLE_SHEET = style_sheet()


def label(
    text: str = "",
    role: str = "",
    *,
    wrap: bool = True,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
) -> QLabel:
    """A label styled by ``role`` ("heading", "amount", "muted", "notice", "error", "prompt")."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setAlignment(align)
    return widget


def button(text: str, role: str = "", parent: QWidget | None = None) -> QPushButton:
    """A touch button. Keys are handled by the screen, so buttons never take the focus."""
    widget = QPushButton(text, parent)
    if role:
        widget.setProperty("role", role)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    return widget
