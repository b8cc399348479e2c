"""The basket side of the counter: amount with keypad, points, wallet, coupon, pay and confirm."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLineEdit, QSizePolicy, QSpinBox, QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from .format import money, points
from .widgets import Keypad, button, label


def service_redeem_limit(term: Any, basket: dict[str, Any]) -> int:
    """The service's maximum; a coupon it refuses is left out (the preview shows why)."""
    try:
        return term.redeem_limit(basket["member_id"], basket["total"], coupon=basket["coupon"])
    except LoyaltyError:
        return term.redeem_limit(basket["member_id"], basket["total"])


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
        self.undo = button(self.tr("Son satışı geri al"))
        self.undo.setObjectName("undo_sale")
        self.undo.setVisible(False)  # shown for a minute after each sale
        last = QHBoxLayout()
        last.addWidget(self.last_sale, 1)
        last.addWidget(self.undo)
        box.addLayout(last)
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
        self.redeem.setMaximumWidth(96)  # room for "En çok 1234" at 1024 pixels
        steps = QHBoxLayout()
        for text, sign in (("−", -1), ("+", 1)):
            step = button(text, "step")
            step.setObjectName(f"redeem_{'down' if sign < 0 else 'up'}")
            step.clicked.connect(lambda _=False, s=sign: self.redeem.stepBy(s))
            steps.addWidget(step)
        self.redeem_max = button(self.tr("En çok"))
        self.redeem_max.setObjectName("redeem_max")
        # never narrower than its text ("En çok 1234" was cut to "n çok 12" at 1024 pixels)
        self.redeem_max.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.redeem_max.setMinimumWidth(self.redeem_max.sizeHint().width())
        self.redeem_max.clicked.connect(lambda: self.redeem.setValue(self.redeem.maximum()))
        grid.addWidget(label(self.tr("Puan kullan"), wrap=True), 0, 0)
        grid.addWidget(self.redeem, 0, 1)
        grid.addLayout(steps, 0, 2)
        grid.addWidget(self.redeem_max, 0, 3)
        self.wallet = QLineEdit()
        self.wallet.setObjectName("wallet")
        self.wallet.setPlaceholderText("0,00")
        grid.addWidget(label(self.tr("Cüzdandan öde"), wrap=True), 1, 0)
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
        self.redeem_max.setMinimumWidth(self.redeem_max.sizeHint().width())
        self.redeem.setEnabled(most > 0)

    def preview_lines(self, result: dict[str, Any], with_member: bool, lang: str) -> str:
        """What the basket does, line by line, from a sale preview (docs/contracts.md)."""
        lines = [self.tr("Tutar: {0}").format(money(result["total"], lang))]
        if result["club_discount"]:
            lines.append(self.tr("Kulüp indirimi: −{0}").format(money(result["club_discount"], lang)))
        if result["coupon_discount"]:
            lines.append(self.tr("Kupon: −{0}").format(money(result["coupon_discount"], lang)))
        if result["points_redeemed"]:
            lines.append(self.tr("Puan ({0}): −{1}").format(
                points(result["points_redeemed"], lang), money(result["points_value"], lang)))
        if result["wallet_used"]:
            lines.append(self.tr("Cüzdan: −{0}").format(money(result["wallet_used"], lang)))
        if with_member:
            earned = result["points_earned"] + result["bonus_points"]
            lines.append(self.tr("Kazanılacak: {0}").format(points(earned, lang)))
            if result["cashback_pending"]:
                lines.append(self.tr("Para iadesi (cüzdana): {0}").format(
                    money(result["cashback_pending"], lang)))
        return "\n".join(lines)
