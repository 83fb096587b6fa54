"""Approved / declined / rejected / unknown, with a receipt and its QR code when approved.

Each outcome has a shape (tick, cross, exclamation, question mark) and a headline
in words as well as a colour, so nothing depends on seeing colour.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from checkout import Confirm, Outcome, Receipt, ResultView, View, say
from terminal_ui.qr import qr_fitting
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import BAD_RED, OK_GREEN, WARN_AMBER, label

__all__ = ["OutcomeMark", "ResultScreen"]

_COLOUR = {
    Outcome.APPROVED: OK_GREEN,
    Outcome.DECLINED: BAD_RED,
    Outcome.REJECTED: BAD_RED,
    Outcome.UNKNOWN: WARN_AMBER,
}


# Side of the receipt's QR code on screen: whole modules of at least 4 px that a phone reads from
# an arm's length, within the receipt box of a 1280x800 panel.
QR_SIDE_PX = 240


# The main button says where it leads (an unknown outcome goes to the cashier's PIN pad).
def _done_text(outcome: Outcome) -> str:
    """The main button's words, in the shopper's language at the time the result shows."""
    if outcome is Outcome.APPROVED:
        return say("ui.done")
    if outcome is Outcome.UNKNOWN:
        return say("result.call_cashier")
    return say("ui.ok")


class OutcomeMark(QWidget):
    """A filled circle with a white tick, cross, exclamation or question mark."""

    def __init__(self) -> None:
        super().__init__()
        self.outcome = Outcome.APPROVED
        self.setFixedSize(132, 132)
        self.setAccessibleName(say("access.result"))

    def set_outcome(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(6, 6, self.width() - 12, self.height() - 12)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(_COLOUR[self.outcome]))
        p.drawEllipse(r)
        pen = QPen(
            QColor("white"), 13, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )
        p.setPen(pen)
        c, s = r.center(), r.width() / 2
        if self.outcome is Outcome.APPROVED:
            path = QPainterPath(QPointF(c.x() - s * 0.45, c.y() + s * 0.02))
            path.lineTo(c.x() - s * 0.12, c.y() + s * 0.35)
            path.lineTo(c.x() + s * 0.48, c.y() - s * 0.32)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
        elif self.outcome is Outcome.UNKNOWN:
            font = QFont("DejaVu Sans", int(s * 1.1), QFont.Weight.Bold)
            p.setFont(font)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "?")
        elif self.outcome is Outcome.REJECTED:
            p.drawLine(QPointF(c.x(), c.y() - s * 0.48), QPointF(c.x(), c.y() + s * 0.12))
            p.drawPoint(QPointF(c.x(), c.y() + s * 0.42))
        else:
            d = s * 0.36
            p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
            p.drawLine(QPointF(c.x() + d, c.y() - d), QPointF(c.x() - d, c.y() + d))
        p.end()


class ResultScreen(BaseScreen):
    """Shows a ``ResultView``. Enter/Done and Escape both leave (the flow decides where)."""

    def __init__(self) -> None:
        super().__init__()
        top = QHBoxLayout()
        top.setSpacing(32)
        self.mark = OutcomeMark()
        self.headline = label("", "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.message = label("", align=Qt.AlignmentFlag.AlignLeft)
        words = QVBoxLayout()
        words.addWidget(self.headline)
        words.addWidget(self.message)
        top.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(words, 1)
        self.page.addStretch(0)  # index 0: centres the words when there is no receipt
        self.page.addLayout(top)
        self.receipt_box = QFrame()
        self.receipt_box.setStyleSheet(
            "QFrame { border: 2px solid #C9CED6; border-radius: 14px; }QLabel { border: none; }"
        )
        box = QHBoxLayout(self.receipt_box)
        box.setContentsMargins(32, 12, 32, 12)
        box.setSpacing(32)
        self.receipt_title = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.receipt_title.setStyleSheet("font-weight: bold;")
        self.receipt = label("", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.receipt.setTextFormat(Qt.TextFormat.PlainText)
        text_column = QVBoxLayout()
        text_column.setSpacing(4)
        text_column.addWidget(self.receipt_title)
        text_column.addWidget(self.receipt, 1)
        # The caption sits beside the code, not under it: the code gets the box's full height.
        text_column.addWidget(label(say("result.scan_receipt"), "muted", align=Qt.AlignmentFlag.AlignLeft))
        self.qr = QLabel()
        self.qr.setAccessibleName(say("access.qr"))
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addLayout(text_column, 1)
        box.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignVCenter)
        self.page.addWidget(self.receipt_box)
        self.page.addStretch(1)
        self.done = self.action(say("ui.done"), Confirm(), "primary")
        self.page.addWidget(self.done)
        self.page.addLayout(self.staff_row())

    def show_view(self, view: View) -> None:
        assert isinstance(view, ResultView)
        self.mark.set_outcome(view.outcome)
        self.mark.setAccessibleName(view.headline)
        self.headline.setText(view.headline)
        self.message.setText(view.message)
        self.receipt_box.setVisible(view.receipt is not None)
        self.page.setStretch(0, 0 if view.receipt is not None else 1)
        if view.receipt is not None:
            self._show_receipt(view.receipt)
        self.done.setText(_done_text(view.outcome))

    def _show_receipt(self, receipt: Receipt) -> None:
        lines = receipt.text().splitlines()
        self.receipt_title.setText(say("result.receipt_title", merchant=lines[0]))
        self.receipt.setText("\n".join(lines[1:]))
        picture = QPixmap.fromImage(qr_fitting(receipt.qr_text, QR_SIDE_PX))
        self.qr.setPixmap(picture)
        self.qr.setFixedSize(picture.size())  # drawn whole: the layout may not shrink it
