"""The enrolment form: name, phone, e-mail, birthday, referrer, consent per channel (KVKK)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from ..domain.errors import LoyaltyError
from ..services.members import CHANNELS, CONSENT_WORDING
from .format import pick
from .messages import error_text
from .widgets import button, label

CHANNEL_NAMES = {"sms": ("SMS", "SMS"), "email": ("E-posta", "e-mail")}


class EnrolForm(QWidget):
    """Enrol a member through the service; `enrolled(member)` on success."""

    enrolled = Signal(dict)

    def __init__(self, worker: Any, lang: str = "tr", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.staff: dict[str, Any] | None = None
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Yeni üye"), "title"))
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, text, hint in (("name", self.tr("Ad soyad"), ""),
                                ("phone", self.tr("Telefon"), "0532 123 45 67"),
                                ("email", self.tr("E-posta"), "ad@ornek.com"),
                                ("birthday", self.tr("Doğum günü"), "1990-03-14"),
                                ("referrer", self.tr("Öneren üyenin kart no"), "")):
            field = QLineEdit()
            field.setObjectName(f"enrol_{key}")
            field.setPlaceholderText(hint)
            form.addRow(text, field)
            self.fields[key] = field
        box.addLayout(form)
        box.addWidget(label(self.tr(
            "Kampanya izni (KVKK): Üye, seçilen kanallardan kampanya ve bilgilendirme mesajı "
            "almayı kabul eder; izni her zaman geri alabilir. Metin sürümü: {0}").format(
            CONSENT_WORDING), "note", wrap=True))
        self.consents: dict[str, QCheckBox] = {}
        for channel in CHANNELS:
            check = QCheckBox(self.tr("{0} ile kampanya mesajı almayı kabul ediyor").format(
                pick(CHANNEL_NAMES.get(channel, (channel, channel)), lang)))
            check.setObjectName(f"consent_{channel}")
            box.addWidget(check)
            self.consents[channel] = check
        save = button(self.tr("Üyeyi kaydet"), "primary")
        save.setObjectName("enrol_save")
        save.clicked.connect(self.submit)
        box.addWidget(save)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("enrol_message")
        box.addWidget(self.message)
        box.addStretch(1)

    def start(self, staff: dict[str, Any] | None) -> None:
        """An empty form for the next enrolment."""
        self.staff = staff
        for field in self.fields.values():
            field.clear()
        for check in self.consents.values():
            check.setChecked(False)
        self.message.clear()
        self.fields["name"].setFocus()

    def submit(self) -> None:
        """Send the form to the service; its checks (phone, e-mail, birthday) are the rules."""
        values = {k: f.text().strip() or None for k, f in self.fields.items()}
        consents = tuple(c for c, check in self.consents.items() if check.isChecked())
        staff_id = self.staff["staff_id"] if self.staff else None
        self.worker.call(lambda t: t.enrol(values["name"] or "", phone=values["phone"],
                                           email=values["email"], birthday=values["birthday"],
                                           referrer=values["referrer"], consents=consents,
                                           staff_id=staff_id),
                         self.enrolled.emit, self._failed)

    def _failed(self, error: LoyaltyError) -> None:
        self.message.setText(error_text(error, self.lang))
