"""Sale history with refunds: pick a sale, see what a refund would reverse, manager PIN, done."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QLineEdit, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from ..domain.money import parse_amount
from .format import moment_text, money, points
from .messages import error_text
from .widgets import PinDialog, button, label
from .worker import TerminalWorker


def ask_pin(parent: QWidget, title: str, detail: str = "") -> str | None:
    """The manager PIN dialog; None when cancelled."""
    dialog = PinDialog(title, detail, parent)
    return dialog.pin() if dialog.exec() == QDialog.DialogCode.Accepted else None


class HistoryScreen(QWidget):
    """Recent sales (all, or one member's) with a refund flow."""

    refunded = Signal(dict)

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.ask_pin = ask_pin  # tests replace this with a function that returns a PIN
        self.rows: list[dict[str, Any]] = []
        self.pending: dict[str, Any] | None = None
        self.refund_key = uuid.uuid4().hex
        layout = QVBoxLayout(self)
        layout.addWidget(label(self.tr("Satış geçmişi"), "title"))
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("sales_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Zaman"), self.tr("Tutar"), self.tr("Ödenen"), self.tr("Puan"),
             self.tr("İade edilen")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("refund_amount")
        self.amount.setPlaceholderText(self.tr("İade tutarı (boş: kalanın tamamı)"))
        self.preview_button = button(self.tr("İadeyi göster"))
        self.preview_button.setObjectName("refund_preview")
        self.preview_button.clicked.connect(self.preview)
        self.refund_button = button(self.tr("İade et (müdür PIN)"), "danger")
        self.refund_button.setObjectName("refund_confirm")
        self.refund_button.setEnabled(False)
        self.refund_button.clicked.connect(self.confirm)
        row.addWidget(self.amount, 1)
        row.addWidget(self.preview_button)
        row.addWidget(self.refund_button)
        layout.addLayout(row)
        self.preview_text = label("", wrap=True)
        self.preview_text.setObjectName("refund_preview_text")
        self.message = label("", "error", wrap=True)
        layout.addWidget(self.preview_text)
        layout.addWidget(self.message)

    def reload(self, member_id: str | None = None) -> None:
        """Fetch the newest sales."""
        self.worker.call(lambda t: t.sales(member_id=member_id, limit=100), self._fill,
                         self._show_error)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        lang = self.lang
        for i, sale in enumerate(rows):
            cells = [moment_text(sale["at"], lang), money(sale["total"], lang),
                     money(sale["money_paid"], lang), points(sale["points_earned"], lang),
                     money(sale["refunded"], lang)]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def selected_sale(self) -> dict[str, Any] | None:
        """The sale chosen in the table."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        self.pending = None
        self.refund_key = uuid.uuid4().hex
        self.refund_button.setEnabled(False)
        self.preview_text.clear()
        self.message.clear()

    def _amount(self) -> int | None:
        text = self.amount.text().strip()
        return parse_amount(text) if text else None

    def preview(self) -> None:
        """Show what the refund would reverse, with nothing written."""
        sale = self.selected_sale()
        if sale is None:
            self.message.setText(self.tr("Önce bir satış seçin."))
            return
        try:
            amount = self._amount()
        except LoyaltyError as exc:
            self._show_error(exc)
            return
        sale_id = sale["sale_id"]
        self.worker.call(lambda t: t.preview_refund(sale_id, amount=amount),
                         lambda result: self._show_preview(sale_id, amount, result),
                         self._show_error)

    def _show_preview(self, sale_id: str, amount: int | None, result: dict[str, Any]) -> None:
        lang = self.lang
        lines = [self.tr("İade: {0} (satış {1})").format(money(result["amount"], lang),
                                                         money(result["sale_total"], lang)),
                 self.tr("Müşteriye ödenecek: {0}").format(money(result["money_refunded"], lang)),
                 self.tr("Geri alınacak puan: {0}").format(
                     points(result["points_reversed"] + result["bonus_reversed"], lang)),
                 self.tr("Geri verilecek puan: {0}").format(points(result["points_restored"], lang)),
                 self.tr("Cüzdana dönecek: {0}").format(money(result["wallet_restored"], lang)),
                 self.tr("İptal edilecek para iadesi: {0}").format(
                     money(result["cashback_cancelled"], lang))]
        self.preview_text.setText("\n".join(lines))
        self.pending = {"sale_id": sale_id, "amount": amount}
        self.refund_button.setEnabled(True)
        self.message.clear()

    def confirm(self) -> None:
        """Ask for the manager PIN and record the refund previewed."""
        if self.pending is None:
            return
        pin = self.ask_pin(self, self.tr("Müdür onayı"), self.preview_text.text())
        if not pin:
            return
        pending, key = dict(self.pending), self.refund_key
        self.refund_button.setEnabled(False)
        self.worker.call(lambda t: t.refund(pending["sale_id"], amount=pending["amount"],
                                            manager_pin=pin, idempotency_key=key),
                         self._done, self._failed)

    def _done(self, result: dict[str, Any]) -> None:
        self.pending = None
        self.refund_key = uuid.uuid4().hex
        self.message.setText(self.tr("İade kaydedildi: {0}").format(
            money(result["money_refunded"], self.lang)))
        self.refunded.emit(result)
        self.reload()

    def _failed(self, error: LoyaltyError) -> None:
        self.refund_button.setEnabled(True)
        self._show_error(error)

    def _show_error(self, error: LoyaltyError) -> None:
        self.message.setText(error_text(error, self.lang))
