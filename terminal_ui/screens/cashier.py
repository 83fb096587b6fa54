"""The cashier's menu (behind the cashier PIN): open or cancel a sale, refund, lock, totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout

from checkout import (
    Cancel,
    CancelSale,
    CashierView,
    ChooseRefund,
    EnrolShopper,
    EraseShopper,
    Event,
    LockTerminal,
    NewSale,
    View,
    say,
)
from terminal_ui.screens._base import BaseScreen, ToggleLargeText
from terminal_ui.style import label

__all__ = ["CashierScreen"]


def cashier_actions() -> tuple[tuple[str, str, Event], ...]:
    """(key, text, event), in the current language: digit keys reach every action without touch."""
    return (
        ("1", say("cashier.open_sale"), NewSale()),
        ("2", say("cashier.cancel_sale"), CancelSale()),
        ("3", say("cashier.refund"), ChooseRefund()),
        ("4", say("cashier.lock"), LockTerminal()),
        ("5", say("cashier.enrol"), EnrolShopper()),
        ("6", say("cashier.erase"), EraseShopper()),
    )


ENROLMENT_KEYS = ("5", "6")  # shown only where enrolment is available
OFFLINE_KEYS = ("4",)  # all a cashier whose PIN could not be checked may do: lock


class CashierScreen(BaseScreen):
    """Shows a ``CashierView``. Keys 1-6 pick an action; Escape leaves the menu.

    Left: the open sale, the last action's result, today's totals and the
    reconciliation verdict. Right: the actions, one per row.
    """

    def __init__(self) -> None:
        super().__init__()
        columns = QHBoxLayout()
        columns.setSpacing(40)
        self.page.addLayout(columns, 1)
        info = QVBoxLayout()
        info.setSpacing(18)
        columns.addLayout(info, 4)
        self.heading = label(say("cashier.heading"), "heading", align=Qt.AlignmentFlag.AlignLeft)
        self.sale = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.warning = label("", "error", align=Qt.AlignmentFlag.AlignLeft)
        self.notice = label("", "notice", align=Qt.AlignmentFlag.AlignLeft)
        for line in (self.heading, self.sale, self.warning, self.notice):
            info.addWidget(line)
        self.totals_box = QFrame()
        self.totals_box.setStyleSheet(
            "QFrame { border: 2px solid #C9CED6; border-radius: 14px; }QLabel { border: none; }"
        )
        totals = QVBoxLayout(self.totals_box)
        totals.setContentsMargins(24, 14, 24, 14)
        self.totals_title = label(say("cashier.today"), "muted", align=Qt.AlignmentFlag.AlignLeft)
        self.totals = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.verdict = label("", align=Qt.AlignmentFlag.AlignLeft)
        self.verdict.setStyleSheet("font-weight: bold;")
        for row in (self.totals_title, self.totals, self.verdict):
            totals.addWidget(row)
        info.addWidget(self.totals_box)
        info.addWidget(self.action(say("ui.large_text"), ToggleLargeText()))
        info.addStretch(1)
        actions = QVBoxLayout()
        actions.setSpacing(10)
        columns.addLayout(actions, 5)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, event in cashier_actions():
            self.buttons[key] = self.action(f"{key}  {text}", event, "primary" if key == "1" else "")
            actions.addWidget(self.buttons[key])
        actions.addStretch(1)
        actions.addWidget(self.action(say("cashier.exit"), Cancel()))
        for button in self.findChildren(QPushButton):  # the words must not squeeze the totals
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(320)
            # seven rows must fit a 1024x600 panel: 64 px is still a full touch target
            button.setStyleSheet("padding: 0 12px; font-size: 30px; min-height: 64px;")

    def show_view(self, view: View) -> None:
        assert isinstance(view, CashierView)
        self.sale.setText(say("cashier.sale", amount=view.sale) if view.sale else say("cashier.no_sale"))
        for key, button in self.buttons.items():
            offered = view.enrolment or key not in ENROLMENT_KEYS
            shown = offered and (key in OFFLINE_KEYS or not view.offline)
            button.setVisible(shown)
            button.setEnabled(shown)
        self.buttons["2"].setEnabled(bool(view.sale) and not view.offline)
        self.warning.setText(view.warning)
        self.warning.setVisible(bool(view.warning))
        self.totals_box.setVisible(not view.offline)
        self.notice.setText(view.notice)
        self.notice.setVisible(bool(view.notice))
        self.totals.setText("\n".join(view.totals) if view.totals else say("cashier.loading"))
        self.verdict.setText(say("cashier.verdict", verdict=view.verdict) if view.verdict else "")
        self.verdict.setVisible(bool(view.verdict))

    def on_enter(self) -> None:
        self.send(NewSale())

    def on_digit(self, digit: str) -> None:
        for key, _, event in cashier_actions():
            if key == digit and self.buttons[key].isEnabled():
                self.send(event)
