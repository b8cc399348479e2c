"""Login: staff as big buttons, a PIN on the on-screen keypad (or the keyboard)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ..domain.errors import LoyaltyError
from .messages import error_text
from .widgets import Keypad, button, label
from .worker import TerminalWorker

ROLE_NAMES = {"owner": ("Sahip", "Owner"), "manager": ("Müdür", "Manager"),
              "cashier": ("Kasiyer", "Cashier")}


def role_name(role: str, lang: str) -> str:
    """A role as shown on screen."""
    pair = ROLE_NAMES.get(role, (role, role))
    return pair[1] if lang.startswith("en") else pair[0]


class LoginScreen(QWidget):
    """Pick a staff member, type the PIN; `logged_in(staff)` on success."""

    logged_in = Signal(dict)

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.staff: list[dict[str, Any]] = []
        self.selected: dict[str, Any] | None = None
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.shop_label = label("", "title")
        left.addWidget(self.shop_label)
        left.addWidget(label(self.tr("Kim çalışıyor?"), "big"))
        self.staff_box = QVBoxLayout()
        left.addLayout(self.staff_box)
        left.addStretch(1)
        outer.addLayout(left, 3)
        right = QVBoxLayout()
        self.who = label(self.tr("Listeden adınızı seçin"), "big")
        right.addWidget(self.who)
        self.pin = QLineEdit()
        self.pin.setObjectName("login_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setProperty("role", "amount")
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        right.addWidget(self.pin)
        right.addWidget(Keypad(self.pin, comma=False))
        self.enter = button(self.tr("Giriş"), "primary")
        self.enter.setObjectName("login_enter")
        self.enter.clicked.connect(self.submit)
        right.addWidget(self.enter)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("login_message")
        right.addWidget(self.message)
        right.addStretch(1)
        outer.addLayout(right, 2)

    def reload(self) -> None:
        """Fetch the staff list and the shop name again (after a lock or a new account)."""
        self.pin.clear()
        self.message.clear()
        self.worker.call(lambda t: (t.shop, t.list_staff()), self._show_staff, self._show_error)

    def _show_staff(self, result: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        shop, staff = result
        self.shop_label.setText(shop.get("shop_name") or "")
        self.staff = staff
        while self.staff_box.count():
            item = self.staff_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for person in staff:
            role = role_name(person["role"], self.lang)
            staff_button = button(f"{person['name']}   ({role})", "staff")
            staff_button.setObjectName(f"staff_{person['staff_id']}")
            staff_button.clicked.connect(lambda _=False, p=person: self.choose(p))
            self.staff_box.addWidget(staff_button)
        if len(staff) == 1:
            self.choose(staff[0])

    def choose(self, person: dict[str, Any]) -> None:
        """Select who is logging in and move the focus to the PIN."""
        self.selected = person
        self.who.setText(person["name"])
        self.message.clear()
        self.pin.clear()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        """Check the PIN through the service (wrong PINs count toward the lockout)."""
        if self.selected is None:
            self.message.setText(self.tr("Önce listeden adınızı seçin."))
            return
        staff_id, pin = self.selected["staff_id"], self.pin.text().strip()
        self.enter.setEnabled(False)
        self.worker.call(lambda t: t.login(staff_id, pin), self._ok, self._show_error)

    def _ok(self, staff: dict[str, Any]) -> None:
        self.enter.setEnabled(True)
        self.pin.clear()
        self.message.clear()
        self.logged_in.emit(staff)

    def _show_error(self, error: LoyaltyError) -> None:
        self.enter.setEnabled(True)
        self.pin.clear()
        self.message.setText(error_text(error, self.lang))
