"""First-run set-up: shop name, language, time zone, the owner's name and PIN."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from ..domain.errors import LoyaltyError
from .messages import error_text
from .widgets import button, label
from .worker import TerminalWorker

TIMEZONES = ("Europe/Istanbul", "Europe/Berlin", "Europe/London", "Europe/Amsterdam",
             "Asia/Baku", "Asia/Nicosia", "UTC")


class FirstRunWizard(QDialog):
    """Calls term.init_shop; accepted once the shop exists, `done_shop(result)` carries it."""

    done_shop = Signal(dict)

    def __init__(self, worker: TerminalWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.result_data: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("İlk kurulum"))
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Hoş geldiniz! Dükkânınızı kuralım."), "title"))
        form = QFormLayout()
        self.shop = QLineEdit()
        self.shop.setObjectName("wizard_shop")
        self.language = QComboBox()
        self.language.setObjectName("wizard_language")
        self.language.addItem("Türkçe", "tr")
        self.language.addItem("English", "en")
        self.timezone = QComboBox()
        self.timezone.setObjectName("wizard_timezone")
        self.timezone.setEditable(True)
        self.timezone.addItems(TIMEZONES)
        self.owner = QLineEdit()
        self.owner.setObjectName("wizard_owner")
        self.pin = QLineEdit()
        self.pin.setObjectName("wizard_pin")
        self.pin2 = QLineEdit()
        self.pin2.setObjectName("wizard_pin2")
        for field in (self.pin, self.pin2):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(8)
        form.addRow(self.tr("Dükkân adı"), self.shop)
        form.addRow(self.tr("Dil"), self.language)
        form.addRow(self.tr("Saat dilimi"), self.timezone)
        form.addRow(self.tr("Sahibin adı"), self.owner)
        form.addRow(self.tr("Sahip PIN (4-8 rakam)"), self.pin)
        form.addRow(self.tr("PIN tekrar"), self.pin2)
        box.addLayout(form)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("wizard_message")
        box.addWidget(self.message)
        self.finish = button(self.tr("Kurulumu bitir"), "primary")
        self.finish.setObjectName("wizard_finish")
        self.finish.clicked.connect(self.submit)
        box.addWidget(self.finish)

    def submit(self) -> None:
        """Check the PIN repeat here; everything else is the service's rule."""
        if self.pin.text() != self.pin2.text():
            self.message.setText(self.tr("İki PIN aynı değil."))
            return
        args = {"shop_name": self.shop.text(), "owner_name": self.owner.text(),
                "owner_pin": self.pin.text(), "language": self.language.currentData(),
                "timezone": self.timezone.currentText().strip()}
        self.finish.setEnabled(False)
        self.worker.call(lambda t: t.init_shop(**args), self._done, self._failed)

    def _done(self, result: dict[str, Any]) -> None:
        self.result_data = result
        self.done_shop.emit(result)
        self.accept()

    def _failed(self, error: LoyaltyError) -> None:
        self.finish.setEnabled(True)
        lang = self.language.currentData() or "tr"
        self.message.setText(error_text(error, lang))
