"""This terminal's own settings (printer, scanners, language, auto-lock), saved with a manager PIN.

The form is built from the service's declarations (`Terminal.settings()`): a check box for a
yes/no, a list for fixed choices, a number field, or a line of text. Changes apply at once
(`changed(values)`), except the language, which the window reads when it next starts.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from .history import ask_pin
from .messages import error_text
from .widgets import button, label
from .worker import TerminalWorker

SETTING_NAMES = {  # key -> (Turkish, English)
    "autolock_minutes": ("Otomatik kilit (dakika)", "Auto-lock (minutes)"),
    "receipt_printer": ("Fiş yazıcısı (boş: ilk yazıcı, file: PDF)",
                        "Receipt printer (empty: first printer, file: PDF)"),
    "receipt_width_mm": ("Fiş genişliği (mm)", "Receipt width (mm)"),
    "serial_scanner_port": ("Seri tarayıcı portu (ör. COM3, /dev/ttyACM0)",
                            "Serial scanner port (e.g. COM3, /dev/ttyACM0)"),
    "camera_scanner": ("Kamerayla kart okuma", "Read cards with the camera"),
    "language": ("Dil (yeniden başlatınca)", "Language (after a restart)"),
    "terminal_name": ("Kasa adı", "Terminal name"),
}
LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English"}


class LocalSettingsPage(QWidget):
    """One field per declared setting; Save asks a manager PIN and changes only what changed."""

    changed = Signal(dict)  # every setting's value after a save

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.ask_pin = ask_pin
        self.fields: dict[str, QWidget] = {}
        self.values: dict[str, Any] = {}
        box = QVBoxLayout(self)
        holder = QWidget()
        holder.setMaximumWidth(900)  # short fields read better than screen-wide ones
        self.form = QFormLayout(holder)
        box.addWidget(holder)
        save = button(self.tr("Kaydet (müdür PIN)"), "primary")
        save.setObjectName("settings_save")
        save.clicked.connect(self.save)
        box.addWidget(save)
        self.message = label("", "note", wrap=True)
        self.message.setObjectName("settings_message")
        box.addWidget(self.message)
        box.addStretch(1)

    def reload(self) -> None:
        """Fetch the declarations and values."""
        self.worker.call(lambda t: t.settings(), self._build)

    def _build(self, specs: list[dict[str, Any]]) -> None:
        if not self.fields:
            for spec in specs:
                field = _field_for(spec)
                field.setObjectName(f"setting_{spec['key']}")
                field.setToolTip(spec["help"])
                names = SETTING_NAMES.get(spec["key"], (spec["key"], spec["key"]))
                self.form.addRow(names[1] if self.lang.startswith("en") else names[0], field)
                self.fields[spec["key"]] = field
        for spec in specs:
            _set_value(self.fields[spec["key"]], spec["value"])
        self.values = {spec["key"]: spec["value"] for spec in specs}

    def edited(self) -> dict[str, Any]:
        """The settings whose field differs from the stored value."""
        now = {key: _value_of(field) for key, field in self.fields.items()}
        return {key: value for key, value in now.items() if value != self.values.get(key)}

    def save(self) -> None:
        """Save what changed, after a manager PIN (each change is audited by the service)."""
        changes = self.edited()
        if not changes:
            self.message.setText(self.tr("Değişiklik yok."))
            return
        pin = self.ask_pin(self, self.tr("Müdür onayı"), self.tr("Kasa ayarları değişecek."))
        if not pin:
            return
        self.worker.call(lambda t: _apply(t, changes, pin), self._saved, self._failed)

    def _saved(self, specs: list[dict[str, Any]]) -> None:
        language_before = self.values.get("language")
        self._build(specs)
        note = self.tr("Kaydedildi.")
        if self.values.get("language") != language_before:
            note += " " + self.tr("Dil değişikliği program yeniden açılınca geçerli olur.")
        self.message.setText(note)
        self.changed.emit(dict(self.values))

    def _failed(self, error: LoyaltyError) -> None:
        self.message.setText(error_text(error, self.lang))


def _apply(term: Any, changes: dict[str, Any], pin: str) -> list[dict[str, Any]]:
    """Set each changed setting (runs in the worker thread); return every setting after."""
    for key, value in changes.items():
        term.set_setting(key, value, pin)
    return term.settings()


def _field_for(spec: dict[str, Any]) -> QWidget:
    """The widget that edits one kind of setting."""
    if spec["type"] == "bool":
        return QCheckBox()
    if spec["choices"]:
        combo = QComboBox()
        for choice in spec["choices"]:
            combo.addItem(LANGUAGE_NAMES.get(str(choice), str(choice)), choice)
        return combo
    if spec["type"] == "int":
        spin = QSpinBox()
        spin.setRange(spec["minimum"] or 0, spec["maximum"] or 1_000_000)
        return spin
    line = QLineEdit()
    line.setMaxLength(200)
    return line


def _set_value(field: QWidget, value: Any) -> None:
    if isinstance(field, QCheckBox):
        field.setChecked(bool(value))
    elif isinstance(field, QComboBox):
        field.setCurrentIndex(max(field.findData(value), 0))
    elif isinstance(field, QSpinBox):
        field.setValue(int(value))
    elif isinstance(field, QLineEdit):
        field.setText(str(value))


def _value_of(field: QWidget) -> Any:
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, QComboBox):
        return field.currentData()
    if isinstance(field, QSpinBox):
        return field.value()
    assert isinstance(field, QLineEdit)
    return field.text().strip()
