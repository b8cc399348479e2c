"""Settings for managers and owners: this terminal, the program document, backups, the audit log."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QListWidget, QListWidgetItem, QPlainTextEdit, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from ..domain.program import program_from_toml, program_to_toml
from .history import ask_pin
from .local_settings import LocalSettingsPage
from .messages import error_text
from .widgets import ask_yes, button, label
from .worker import TerminalWorker

AUDIT_COLUMNS = ("at", "action", "subject", "staff_id", "after")


class SettingsScreen(QTabWidget):
    """Program rules (view, validate, publish), backups (list, make, restore), audit log."""

    restore_requested = Signal(str)  # backup path: the window closes the store and restores

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.staff: dict[str, Any] | None = None
        self.ask_pin, self.ask_yes = ask_pin, ask_yes
        self.local = LocalSettingsPage(worker, lang)
        self.addTab(self.local, self.tr("Bu kasa"))
        self.addTab(self._program_page(), self.tr("Program kuralları"))
        self.addTab(self._backup_page(), self.tr("Yedekler"))
        self.addTab(self._audit_page(), self.tr("İşlem kaydı"))

    def _program_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.version = label("", "title")
        box.addWidget(self.version)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("program_editor")
        box.addWidget(self.editor, 1)
        row = QHBoxLayout()
        check = button(self.tr("Doğrula"))
        check.setObjectName("program_check")
        check.clicked.connect(self.validate)
        publish = button(self.tr("Yayınla (sahip PIN)"), "primary")
        publish.setObjectName("program_publish")
        publish.clicked.connect(self.publish)
        row.addWidget(check)
        row.addWidget(publish)
        box.addLayout(row)
        self.program_message = label("", "error", wrap=True)
        self.program_message.setObjectName("program_message")
        box.addWidget(self.program_message)
        return page

    def _backup_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.backup_list = QListWidget()
        self.backup_list.setObjectName("backup_list")
        box.addWidget(self.backup_list, 1)
        row = QHBoxLayout()
        make = button(self.tr("Şimdi yedek al"), "primary")
        make.setObjectName("backup_make")
        make.clicked.connect(self.make_backup)
        restore = button(self.tr("Seçili yedeğe dön"), "danger")
        restore.setObjectName("backup_restore")
        restore.clicked.connect(self.restore)
        row.addWidget(make)
        row.addWidget(restore)
        box.addLayout(row)
        self.backup_message = label("", "note", wrap=True)
        box.addWidget(self.backup_message)
        return page

    def _audit_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.audit = QTableWidget(0, len(AUDIT_COLUMNS))
        self.audit.setObjectName("audit_table")
        self.audit.setHorizontalHeaderLabels([self.tr("Zaman"), self.tr("İşlem"), self.tr("Konu"),
                                              self.tr("Personel"), self.tr("Ayrıntı")])
        self.audit.horizontalHeader().setStretchLastSection(True)
        box.addWidget(self.audit)
        return page

    def reload(self) -> None:
        """Fetch this terminal's settings, the program, the backups and the audit log."""
        self.local.reload()
        self.worker.call(lambda t: (t.program.version, program_to_toml(t.program)),
                         self._show_program)
        self.worker.call(lambda t: t.backups(), self._show_backups)
        self.worker.call(lambda t: t.audit_log(200), self._show_audit)

    def _show_program(self, result: tuple[int, str]) -> None:
        version, text = result
        self.version.setText(self.tr("Yürürlükteki program: sürüm {0}").format(version))
        self.editor.setPlainText(text)
        self.program_message.clear()

    def validate(self) -> bool:
        """Check the edited document with the domain's own reader; errors name the field."""
        try:
            program_from_toml(self.editor.toPlainText())
        except LoyaltyError as exc:
            field = exc.details.get("field")
            prefix = self.tr("Alan {0}: ").format(field) if field else ""
            self.program_message.setProperty("role", "error")
            self.program_message.setText(prefix + error_text(exc, self.lang))
            return False
        self.program_message.setText(self.tr("Program geçerli."))
        return True

    def publish(self) -> None:
        """Publish the edited program as the next version (owner PIN)."""
        if not self.validate():
            return
        pin = self.ask_pin(self, self.tr("Sahip onayı"), self.tr("Yeni program yayınlanacak."))
        if not pin:
            return
        text = self.editor.toPlainText()
        self.worker.call(lambda t: t.publish_program(text, pin), lambda _r: self.reload(),
                         lambda e: self.program_message.setText(error_text(e, self.lang)))

    def _show_backups(self, backups: list[dict[str, Any]]) -> None:
        self.backup_list.clear()
        for item in backups:
            row = QListWidgetItem(f"{item['name']}  ({item['size'] // 1024} KB)")
            row.setData(256, item["path"])
            self.backup_list.addItem(row)

    def make_backup(self) -> None:
        """Write a rotating backup now."""
        self.worker.call(lambda t: t.backup(), lambda r: self._backup_made(r),
                         lambda e: self.backup_message.setText(error_text(e, self.lang)))

    def _backup_made(self, result: dict[str, Any]) -> None:
        self.backup_message.setText(self.tr("Yedek alındı: {0}").format(result["path"]))
        self.worker.call(lambda t: t.backups(), self._show_backups)

    def restore(self) -> None:
        """Go back to the chosen backup after a confirmation (the program restarts the store)."""
        item = self.backup_list.currentItem()
        if item is None:
            self.backup_message.setText(self.tr("Önce bir yedek seçin."))
            return
        if self.ask_yes(self, self.tr("Yedeğe dön"), self.tr(
                "Veriler {0} yedeğindeki hâline dönecek; sonraki kayıtlar bu kasada kaybolur. "
                "Emin misiniz?").format(item.text())):
            self.restore_requested.emit(item.data(256))

    def _show_audit(self, rows: list[dict[str, Any]]) -> None:
        self.audit.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, key in enumerate(AUDIT_COLUMNS):
                value = row.get(key)
                self.audit.setItem(i, j, QTableWidgetItem("" if value is None else str(value)))
