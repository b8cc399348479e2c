"""Receipts in the background: render the slip off the GUI thread, then print or write a file.

A failure never touches the sale (already recorded): it becomes a status-bar message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..domain.errors import LoyaltyError
from ..printing.receipt import ReceiptContext, render_refund_receipt, render_sale_receipt
from .printing_qt import PrintQueue, available_printers
from .worker import TerminalWorker

TO_FILE = "file"  # meta receipt_printer value: write PDFs into <data dir>/receipts


class ReceiptPrinter(QObject):
    """Turns a sale result into a printed (or saved) slip."""

    message = Signal(str)

    def __init__(self, worker: TerminalWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.queue = PrintQueue(self)
        self.queue.finished.connect(self._finished)
        self._files: dict[str, str] = {}  # job id -> file written instead of printing
        self.queue.failed.connect(
            lambda _job, text: self.message.emit(self.tr("Fiş yazdırılamadı: {0}").format(text)))
        self.printer: str | None = None
        self.folder: Path | None = None
        self.shop: dict[str, Any] = {}

    def configure(self, shop: dict[str, Any], printer_setting: str | None, data_dir: Path) -> None:
        """Where slips go: the named printer, the default one, or files when there is none."""
        self.shop = shop
        self.folder = data_dir / "receipts"
        printers = available_printers()
        if printer_setting == TO_FILE or not printers:
            self.printer = None
        else:
            self.printer = printer_setting or printers[0]

    def state(self) -> str:
        """Printer state for the status bar."""
        if self.printer:
            return self.tr("Yazıcı: {0}").format(self.printer)
        return self.tr("Yazıcı yok: fişler dosyaya")

    def _context(self, cashier: str) -> ReceiptContext:
        return ReceiptContext(shop_name=self.shop.get("shop_name") or "",
                              terminal_name=self.shop.get("terminal_name") or "",
                              cashier=cashier, lang=self.shop.get("language", "tr"),
                              timezone=self.shop.get("timezone", "Europe/Istanbul"))

    def print_sale(self, sale: dict[str, Any], cashier: str) -> None:
        """Render in the worker thread, then queue the job."""
        ctx = self._context(cashier)
        self.worker.call(lambda _t: render_sale_receipt(sale, ctx),
                         lambda pdf: self._send(sale["sale_id"], pdf), self._failed)

    def print_refund(self, refund: dict[str, Any], cashier: str) -> None:
        """The refund slip (it needs the original sale, read in the worker)."""
        ctx = self._context(cashier)
        self.worker.call(
            lambda t: render_refund_receipt(refund, t.sale_detail(refund["sale_id"]), ctx),
            lambda pdf: self._send(refund["refund_id"], pdf), self._failed)

    def _send(self, sale_id: str, pdf: bytes) -> None:
        if self.printer:
            self.queue.print_pdf(pdf, self.printer)
            return
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{sale_id}.pdf"
        self._files[self.queue.print_to_file(pdf, path)] = str(path)

    def _finished(self, job_id: str) -> None:
        path = self._files.pop(job_id, None)
        if path:
            self.message.emit(self.tr("Fiş dosyaya yazıldı: {0}").format(path))
        else:
            self.message.emit(self.tr("Fiş yazdırıldı."))

    def _failed(self, error: LoyaltyError) -> None:
        self.message.emit(self.tr("Fiş hazırlanamadı: {0}").format(error.message))
