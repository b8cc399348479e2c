"""Receipts in the background: render the slip off the GUI thread, then print or write a file.

A failure never touches the sale (already recorded): it becomes a status-bar message.
ReportLab (printing.receipt) and QtPdf / QtPrintSupport (printing_qt) load on first use, so the
counter starts without them.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ..domain.errors import LoyaltyError
from .worker import TerminalWorker, preload

if TYPE_CHECKING:
    from .printing_qt import PrintQueue

TO_FILE = "file"  # meta receipt_printer value: write PDFs into <data dir>/receipts
DEFAULT_WIDTH_MM = 80


def render_sale(sale: dict[str, Any], context: dict[str, Any]) -> bytes:
    """The sale slip as PDF bytes (in the worker: ReportLab loads there, never on the GUI)."""
    from ..printing.receipt import ReceiptContext, render_sale_receipt

    return render_sale_receipt(sale, ReceiptContext(**context))


def render_refund(refund: dict[str, Any], sale: dict[str, Any], context: dict[str, Any]) -> bytes:
    """The refund slip as PDF bytes (in the worker, like render_sale)."""
    from ..printing.receipt import ReceiptContext, render_refund_receipt

    return render_refund_receipt(refund, sale, ReceiptContext(**context))


def load_renderer() -> None:
    """Import ReportLab and the slip layout ahead of the first receipt."""
    from ..printing import receipt  # noqa: F401


def printer_names() -> list[str]:
    """Printers Qt knows of (loads QtPrintSupport)."""
    from .printing_qt import available_printers

    return available_printers()


class ReceiptPrinter(QObject):
    """Turns a sale result into a printed (or saved) slip."""

    message = Signal(str)

    def __init__(self, worker: TerminalWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._queue: PrintQueue | None = None
        self._files: dict[str, str] = {}  # job id -> file written instead of printing
        self.printer: str | None = None
        self.folder: Path | None = None
        self.shop: dict[str, Any] = {}
        self.width_mm = DEFAULT_WIDTH_MM
        self._printer_setting: str | None = None
        self._printer_known = False

    @property
    def queue(self) -> PrintQueue:
        """The print queue, made (and QtPdf loaded) when the first slip goes out."""
        if self._queue is None:
            from .printing_qt import PrintQueue

            self._queue = PrintQueue(self)
            self._queue.finished.connect(self._finished)
            self._queue.failed.connect(
                lambda _job, text: self.message.emit(self.tr("Fiş yazdırılamadı: {0}").format(text)))
        return self._queue

    def wait(self, timeout_ms: int) -> bool:
        """Let queued slips finish (True at once when nothing was ever printed)."""
        return self._queue is None or self._queue.wait(timeout_ms)

    def configure(self, shop: dict[str, Any], printer_setting: str | None, data_dir: Path,
                  width_mm: int = DEFAULT_WIDTH_MM) -> None:
        """Where slips go and the paper width; the printer is looked up by `find_printer`."""
        self.shop = shop
        self.folder = data_dir / "receipts"
        self.width_mm = int(width_mm)
        self._printer_setting: str | None = printer_setting
        self._printer_known = False

    def find_printer(self) -> None:
        """The named printer, the default one, or files (loads QtPrintSupport: after start)."""
        if self._printer_known:
            return
        setting = self._printer_setting
        printers = [] if setting == TO_FILE else printer_names()
        self.printer = (setting or printers[0]) if printers else None
        self._printer_known = True

    def state(self) -> str:
        """Printer state for the status bar."""
        if self.printer:
            return self.tr("Yazıcı: {0}").format(self.printer)
        return self.tr("Yazıcı yok: fişler dosyaya")

    def _context(self, cashier: str) -> dict[str, Any]:
        """The fields of printing.receipt.ReceiptContext for a slip printed now."""
        return {"shop_name": self.shop.get("shop_name") or "",
                "terminal_name": self.shop.get("terminal_name") or "",
                "cashier": cashier, "lang": self.shop.get("language", "tr"),
                "timezone": self.shop.get("timezone", "Europe/Istanbul"),
                "width_mm": self.width_mm}

    def warm_up(self) -> threading.Thread:
        """Load the renderer while the counter is idle (first slip not slower), on a thread of
        its own so that a scan never waits behind it in the worker."""
        return preload(load_renderer, "receipt-renderer")

    def print_sale(self, sale: dict[str, Any], cashier: str) -> None:
        """Render in the worker thread, then queue the job."""
        ctx = self._context(cashier)
        self.worker.call(lambda _t: render_sale(sale, ctx),
                         lambda pdf: self._send(sale["sale_id"], pdf), self._failed)

    def print_refund(self, refund: dict[str, Any], cashier: str) -> None:
        """The refund slip (it needs the original sale, read in the worker)."""
        ctx = self._context(cashier)
        self.worker.call(
            lambda t: render_refund(refund, t.sale_detail(refund["sale_id"]), ctx),
            lambda pdf: self._send(refund["refund_id"], pdf), self._failed)

    def _send(self, sale_id: str, pdf: bytes) -> None:
        self.find_printer()
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
