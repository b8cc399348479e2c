"""Send PDF bytes to a system printer through Qt, off the GUI thread.

Each page is rendered by QtPdf to an image on white paper at the printer's resolution and
painted onto a QPrinter. Jobs run one at a time on a printing thread; the result comes back to
the GUI thread as `finished(job_id)` or `failed(job_id, message)`, never as an exception.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    QSize,
    QSizeF,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

MAX_RENDER_DPI = 300  # above this the page image grows large and prints no sharper


class PrintError(Exception):
    """A printing problem to report to the cashier (missing printer, unreadable PDF...)."""


def available_printers() -> list[str]:
    """Names of the printers the system knows, default printer first."""
    names = [info.printerName() for info in QPrinterInfo.availablePrinters()]
    default = QPrinterInfo.defaultPrinter()
    if not default.isNull() and default.printerName() in names:
        names.remove(default.printerName())
        names.insert(0, default.printerName())
    return names


def open_printer(name: str | None) -> QPrinter:
    """A QPrinter for the printer called `name` (None: the system's default printer)."""
    info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        known = ", ".join(available_printers()) or "none"
        if name:
            raise PrintError(f"Printer {name!r} is not available (printers here: {known}).")
        raise PrintError("No default printer is set up on this computer; print to a file.")
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def load_pdf(pdf_bytes: bytes) -> QPdfDocument:
    """A QPdfDocument read from bytes, or PrintError if the bytes are not a readable PDF."""
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintError(f"The document cannot be read as a PDF ({document.error().name}).")
    return document


def render_page(document: QPdfDocument, page: int, dpi: int) -> QImage:
    """Page `page` as an image on a white background (QtPdf leaves the paper transparent)."""
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)),
                 max(1, round(points.height() * dpi / 72)))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, size))
    painter.end()
    return image


def _set_page(printer: QPrinter, points: QSizeF) -> None:
    """Give the printer the PDF page's size, with no margins (receipts set their own)."""
    # Fuzzy: a PDF's A4 (595.28 x 841.89 pt) becomes the driver's named A4, not a custom size.
    size = QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageSize(size)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def paint_pdf(pdf_bytes: bytes, printer: QPrinter) -> int:
    """Render every page of the PDF onto `printer`; return the number of pages printed."""
    document = load_pdf(pdf_bytes)
    printer.setFullPage(True)
    _set_page(printer, document.pagePointSize(0))
    dpi = min(printer.resolution(), MAX_RENDER_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"Printer {printer.printerName()!r} could not start the job.")
    try:
        for page in range(document.pageCount()):
            if page:
                _set_page(printer, document.pagePointSize(page))
                printer.newPage()
            image = render_page(document, page, dpi)
            painter.drawImage(_fit(image.size(), printer.width(), printer.height()), image)
    finally:
        painter.end()
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        raise PrintError(f"Printer {printer.printerName()!r} reported an error.")
    return document.pageCount()


def _fit(image: QSize, width: int, height: int) -> QRectF:
    """The largest rectangle with the image's proportions in a width x height page, top-left."""
    scale = min(width / image.width(), height / image.height())
    return QRectF(0, 0, image.width() * scale, image.height() * scale)


def write_file(pdf_bytes: bytes, path: Path) -> None:
    """Write the PDF to `path` whole or not at all (a .part file renamed at the end)."""
    if not pdf_bytes.startswith(b"%PDF-"):
        raise PrintError("The document is not a PDF.")
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(pdf_bytes)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PrintError(f"Could not write {path}: {exc.strerror or exc}.") from exc


class _Relay(QObject):
    """Carries a job's outcome from the printing thread to the queue in the GUI thread."""

    done = Signal(str, str)  # job id, error message ("" when the job succeeded)


def _run_job(job_id: str, work: Callable[[], object], relay: _Relay) -> None:
    """One print job in the printing thread; every error becomes a message."""
    try:
        work()
    except PrintError as exc:
        relay.done.emit(job_id, str(exc))
    except Exception as exc:  # a driver or Qt failure must not be lost in a thread
        relay.done.emit(job_id, f"Printing failed: {exc}")
    else:
        relay.done.emit(job_id, "")


class PrintQueue(QObject):
    """Print jobs run one after another off the GUI thread; results come back as signals.

    A one-thread executor, not a QThreadPool: PySide's QThreadPool keeps a reference to every
    Python QRunnable it ran, and with it the job's PDF (the counter grew ~13 MB per 1,000
    sales). A finished job here is forgotten."""

    finished = Signal(str)  # job id
    failed = Signal(str, str)  # job id, message for the cashier

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # one thread: a printer takes one job at a time, in order
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loyalty-print")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)

    def print_pdf(self, pdf_bytes: bytes, printer_name: str | None = None) -> str:
        """Queue the PDF for the printer called `printer_name` (None: default); return job id."""
        return self._submit(lambda: paint_pdf(pdf_bytes, open_printer(printer_name)))

    def print_to_file(self, pdf_bytes: bytes, path: str | os.PathLike[str]) -> str:
        """Queue writing the PDF to `path` (always available, no printer needed)."""
        return self._submit(lambda: write_file(pdf_bytes, Path(path)))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued jobs are done (for shutdown); False if time ran out."""
        with self._lock:
            pending = list(self._pending)
        return not wait_futures(pending, timeout=msecs / 1000).not_done

    def pending(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return len(self._pending)

    def _submit(self, work: Callable[[], object]) -> str:
        """Start `work` in the printing thread under a new job id."""
        job_id = uuid.uuid4().hex
        future = self._pool.submit(_run_job, job_id, work, self._relay)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return job_id

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    @Slot(str, str)
    def _on_done(self, job_id: str, error: str) -> None:
        """In the GUI thread: announce the job's outcome."""
        if error:
            self.failed.emit(job_id, error)
        else:
            self.finished.emit(job_id)
