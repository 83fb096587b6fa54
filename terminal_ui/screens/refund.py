"""Refund or void a payment of the day: the list of today's payments, and the confirmation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QScroller

from checkout import (
    Cancel,
    Confirm,
    PaymentPicked,
    RefundConfirmView,
    RefundListView,
    ScanReceipt,
    View,
    VoidPayment,
    say,
)
from terminal_ui.screens._base import BaseScreen
from terminal_ui.style import label

__all__ = ["RefundConfirmScreen", "RefundListScreen"]

DONE_INK = "#5A636E"  # a fully refunded line: still readable, plainly not the usual ink


class RefundListScreen(BaseScreen):
    """Shows a ``RefundListView``: touch a payment (or its number key 1-9) to refund or void it,
    or "Scan receipt" (key S) to pick it by the receipt's QR code; Escape goes back to the
    cashier's menu."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("refund.title"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.subtitle = label(say("refund.subtitle"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.notice = label("", "error", align=Qt.AlignmentFlag.AlignLeft)
        self.empty = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the screen
        self.list.setStyleSheet(
            "QListWidget { border: 2px solid #C9CED6; border-radius: 14px; font-size: 30px; }"
            "QListWidget::item { min-height: 64px; padding: 0 16px; border-bottom: 1px solid #E3E6EA; }"
        )
        QScroller.grabGesture(self.list.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.list.itemClicked.connect(self._picked)
        for widget in (self.heading, self.subtitle, self.notice, self.empty):
            self.page.addWidget(widget)
        self.page.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.action(say("refund.back"), Cancel()))
        row.addStretch(1)
        self.scan: QPushButton = self.action(say("refund.scan"), ScanReceipt(), "primary")
        self.scan.setVisible(False)  # shown when this terminal can check its receipts
        row.addWidget(self.scan)
        self.page.addLayout(row)
        self._can_scan = False

    def show_view(self, view: View) -> None:
        assert isinstance(view, RefundListView)
        self.notice.setText(view.notice)
        self.notice.setVisible(bool(view.notice))
        self.list.clear()
        for number, line in enumerate(view.lines, start=1):
            prefix = f"{number}   " if number <= 9 else "     "
            item = QListWidgetItem(prefix + line.text)
            item.setData(Qt.ItemDataRole.UserRole, line.transfer_id)
            if not line.open:
                item.setForeground(QColor(DONE_INK))
            self.list.addItem(item)
        empty = say("refund.loading") if view.loading else say("refund.none")
        self.empty.setText(empty)
        self.empty.setVisible(not view.lines)
        self.list.setVisible(bool(view.lines))
        self._can_scan = view.can_scan and not view.loading
        self.scan.setVisible(self._can_scan)

    def on_other_key(self, text: str) -> bool:
        if text.lower() == "s" and self._can_scan:
            self.send(ScanReceipt())
            return True
        return False

    def _picked(self, item: QListWidgetItem) -> None:
        self.send(PaymentPicked(str(item.data(Qt.ItemDataRole.UserRole))))

    def on_digit(self, digit: str) -> None:
        row = int(digit) - 1
        if 0 <= row < self.list.count():
            self._picked(self.list.item(row))

    def on_enter(self) -> None:
        """Enter picks the highlighted line, if any."""
        item = self.list.currentItem()
        if item is not None:
            self._picked(item)


class RefundConfirmScreen(BaseScreen):
    """Shows a ``RefundConfirmView``: Refund (Enter), Void the whole payment (when it can be
    voided), or Back (Escape). Nothing is sent before one of the first two."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = label(say("refund.title"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.prompt = label("", "prompt")
        self.detail = label("", "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.page.addWidget(self.heading)
        self.page.addStretch(1)
        self.page.addWidget(self.prompt)
        self.page.addWidget(self.detail)
        self.page.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.action(say("refund.back"), Cancel()))
        self.void: QPushButton = self.action("", VoidPayment())
        self.void.setVisible(False)  # shown with its amount when nothing was refunded yet
        row.addWidget(self.void)
        row.addWidget(self.action(say("refund.confirm"), Confirm(), "primary"))
        self.page.addLayout(row)

    def show_view(self, view: View) -> None:
        assert isinstance(view, RefundConfirmView)
        self.prompt.setText(view.prompt)
        self.detail.setText(view.detail)
        self.void.setText(view.void_option)
        self.void.setVisible(bool(view.void_option))
