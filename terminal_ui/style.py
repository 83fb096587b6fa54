"""One look for every screen: colours, type sizes, the style sheet and widget helpers.

High contrast only (near-black on white, white on near-black or dark blue), body
text >= 28 px, touch targets >= 64 px. Colour never carries meaning alone: every
coloured mark comes with a word and a shape.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

__all__ = [
    "BODY_PX",
    "HEADING_PX",
    "INK",
    "PAPER",
    "STYLE_SHEET",
    "TOUCH_PX",
    "button",
    "label",
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

FONT = "'DejaVu Sans', 'Noto Sans', sans-serif"

STYLE_SHEET = f"""
QWidget {{ background: {PAPER}; color: {INK}; font-family: {FONT}; font-size: {BODY_PX}px; }}
QLabel[role="heading"] {{ font-size: {HEADING_PX}px; font-weight: bold; }}
QLabel[role="amount"] {{ font-size: {AMOUNT_PX}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {MUTED}; font-size: {SMALL_PX}px; }}
QLabel[role="notice"] {{ background: #F1F3F6; border-left: 8px solid {PRIMARY};
    padding: 14px 20px; }}
QLabel[role="error"] {{ background: #FDECEA; color: {INK}; border-left: 8px solid {BAD_RED};
    padding: 14px 20px; font-weight: bold; }}
QLabel[role="prompt"] {{ background: {INK}; color: {PAPER}; font-size: 40px; font-weight: bold;
    padding: 16px 28px; border-radius: 12px; }}
QPushButton {{ min-height: {TOUCH_PX}px; padding: 0 36px; border-radius: 14px;
    font-size: 34px; font-weight: bold; border: 3px solid {INK}; background: {PAPER}; color: {INK}; }}
QPushButton[role="primary"] {{ background: {PRIMARY}; border-color: {PRIMARY}; color: {PAPER}; }}
QPushButton[role="key"] {{ min-height: 88px; min-width: 120px; padding: 0; font-size: 40px;
    border: 2px solid {LINE}; background: #F6F7F9; }}
QPushButton[role="small"] {{ min-height: 64px; font-size: {SMALL_PX}px; padding: 0 24px;
    border: 2px solid {LINE}; color: {MUTED}; }}
QPushButton:pressed {{ background: #DDE3EC; color: {INK}; }}
QPushButton:disabled {{ border-color: {LINE}; color: #8A929C; background: #F1F3F6; }}
"""


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
