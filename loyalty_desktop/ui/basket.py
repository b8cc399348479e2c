"""The basket side of the counter: amount with keypad, points, wallet, coupon, pay and confirm."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from .widgets import Keypad, button, label


def redeem_limit(points: int, total: int, point_value: int, min_redeem: int) -> int:
    """The most points a basket may take: the balance, the basket's value, 0 below the minimum."""
    most = min(max(points, 0), total // max(point_value, 1))
    return most if most >= min_redeem else 0


class BasketForm(QFrame):
    """The widgets the cashier fills in; `changed` whenever the basket changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        box = QVBoxLayout(self)
        box.setSpacing(4)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setProperty("role", "amount")
        self.amount.setPlaceholderText(self.tr("Sepet tutarı  0,00"))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.addWidget(self.amount)
        box.addWidget(Keypad(self.amount, columns=4))
        box.addLayout(self._payment_grid())
        self.to_pay = label("", "huge")
        self.to_pay.setObjectName("to_pay")
        box.addWidget(self.to_pay)
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("counter_error")
        box.addWidget(self.error)
        row = QHBoxLayout()
        self.clear_button = button(self.tr("Yeni müşteri (Esc)"))
        self.confirm = button(self.tr("Onayla (Enter)"), "primary")
        self.confirm.setObjectName("confirm_sale")
        row.addWidget(self.clear_button)
        row.addWidget(self.confirm, 1)
        box.addLayout(row)
        self.last_sale = label("", "note", wrap=True)
        self.last_sale.setObjectName("last_sale")
        box.addWidget(self.last_sale)
        box.addStretch(1)
        for field in (self.amount, self.wallet, self.coupon):
            field.textChanged.connect(self.changed)
        self.redeem.valueChanged.connect(self.changed)

    def _payment_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        self.redeem = QSpinBox()
        self.redeem.setObjectName("redeem")
        self.redeem.setRange(0, 0)
        self.redeem.setSingleStep(50)
        steps = QHBoxLayout()
        for text, sign in (("−", -1), ("+", 1)):
            step = button(text, "step")
            step.setObjectName(f"redeem_{'down' if sign < 0 else 'up'}")
            step.clicked.connect(lambda _=False, s=sign: self.redeem.stepBy(s))
            steps.addWidget(step)
        self.redeem_max = button(self.tr("En çok"))
        self.redeem_max.setObjectName("redeem_max")
        self.redeem_max.clicked.connect(lambda: self.redeem.setValue(self.redeem.maximum()))
        grid.addWidget(label(self.tr("Puan kullan")), 0, 0)
        grid.addWidget(self.redeem, 0, 1)
        grid.addLayout(steps, 0, 2)
        grid.addWidget(self.redeem_max, 0, 3)
        self.wallet = QLineEdit()
        self.wallet.setObjectName("wallet")
        self.wallet.setPlaceholderText("0,00")
        grid.addWidget(label(self.tr("Cüzdandan öde")), 1, 0)
        grid.addWidget(self.wallet, 1, 1, 1, 3)
        self.coupon = QLineEdit()
        self.coupon.setObjectName("coupon")
        self.coupon.setPlaceholderText(self.tr("Kupon kodu (okutun veya yazın)"))
        grid.addWidget(label(self.tr("Kupon")), 2, 0)
        grid.addWidget(self.coupon, 2, 1, 1, 3)
        return grid

    def set_redeem_limit(self, most: int) -> None:
        """Show and enforce the most points this basket may take."""
        self.redeem.setMaximum(most)
        self.redeem_max.setText(self.tr("En çok {0}").format(most))
        self.redeem.setEnabled(most > 0)
