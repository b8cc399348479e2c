"""The manager's report screen: pick a month, see the KPI tiles and the PDF, print or save it.

The report is computed and rendered in the terminal worker (never on the GUI thread); the
PDF preview is QtPdf's QPdfView and printing goes through the shared PrintQueue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from ..domain.report_math import month_key, shift_month
from .format import money, points
from .messages import error_text
from .printing_qt import PrintQueue, load_pdf
from .widgets import button, label
from .worker import TerminalWorker

MONTHS_BACK = 24


def build_report(term: Any, year: int, month: int, lang: str) -> tuple[dict, bytes]:
    """In the worker: the monthly report and its PDF."""
    from ..printing.report import render_monthly_report
    from ..services.reports import monthly_report

    report = monthly_report(term, year, month)
    return report, render_monthly_report(report, lang)


class ReportsScreen(QWidget):
    """Month picker, KPI tiles, PDF preview, print and save."""

    report_ready = Signal(dict)

    def __init__(self, worker: TerminalWorker, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.queue = PrintQueue(self)
        self.queue.failed.connect(lambda _job, message: self.status.setText(message))
        self.queue.finished.connect(lambda _job: self.status.setText(self.tr("Gönderildi.")))
        self.report: dict[str, Any] | None = None
        self.pdf: bytes = b""
        self.document: QPdfDocument | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(label(self.tr("Aylık sadakat raporu"), "title"))
        layout.addLayout(self._controls(today or date.today()))
        self.tiles: dict[str, QLabel] = {}
        layout.addLayout(self._tile_grid())
        self.view = QPdfView(self)
        self.view.setObjectName("report_preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view, 1)
        self.status = label("", wrap=True)
        self.status.setObjectName("report_status")
        layout.addWidget(self.status)

    def _controls(self, today: date) -> QHBoxLayout:
        row = QHBoxLayout()
        self.month = QComboBox()
        self.month.setObjectName("report_month")
        for back in range(MONTHS_BACK):
            y, m = shift_month(today.year, today.month, -back)
            self.month.addItem(month_key(y, m), (y, m))
        self.lang = QComboBox()
        self.lang.setObjectName("report_lang")
        self.lang.addItem("Türkçe", "tr")
        self.lang.addItem("English", "en")
        self.make_button = button(self.tr("Raporu hazırla"), "primary")
        self.make_button.setObjectName("report_make")
        self.make_button.clicked.connect(self.make)
        self.print_button = button(self.tr("Yazdır"))
        self.print_button.setObjectName("report_print")
        self.print_button.clicked.connect(lambda: self.print_report(None))
        self.save_button = button(self.tr("PDF kaydet"))
        self.save_button.setObjectName("report_save")
        self.save_button.clicked.connect(self._ask_save)
        for widget in (self.month, self.lang, self.make_button, self.print_button,
                       self.save_button):
            row.addWidget(widget)
        row.addStretch(1)
        self._set_ready(False)
        return row

    def _tile_grid(self) -> QGridLayout:
        grid = QGridLayout()
        names = [("revenue", self.tr("Üye cirosu")), ("active", self.tr("Alışveriş yapan üye")),
                 ("new", self.tr("Yeni üye")), ("basket", self.tr("Ortalama sepet")),
                 ("liability", self.tr("Puan yükümlülüğü")), ("tie_out", self.tr("Puan mutabakatı")),
                 ("nps", self.tr("NPS")), ("clv", self.tr("Ortalama CLV"))]
        for i, (key, title) in enumerate(names):
            box = QVBoxLayout()
            box.addWidget(label(title))
            value = label("–", "title")
            value.setObjectName(f"tile_{key}")
            self.tiles[key] = value
            box.addWidget(value)
            grid.addLayout(box, i // 4, i % 4)
        return grid

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def make(self) -> None:
        """Compute and render the chosen month in the worker."""
        year, month = self.month.currentData()
        lang = self.lang.currentData()
        self.make_button.setEnabled(False)
        self.status.setText(self.tr("Rapor hazırlanıyor…"))
        self.worker.call(lambda term: build_report(term, year, month, lang), self._shown,
                         self._failed)

    def _shown(self, result: tuple[dict, bytes]) -> None:
        self.report, self.pdf = result
        self.make_button.setEnabled(True)
        lang = self.lang.currentData()
        r = self.report
        nps = r["feedback"]["nps"]["score"]
        values = {"revenue": money(r["sales"]["member_total"], lang),
                  "active": str(r["members"]["active"]), "new": str(r["members"]["new"]),
                  "basket": money(r["sales"]["average_basket"], lang),
                  "liability": money(r["points"]["liability"], lang),
                  "tie_out": (self.tr("tutuyor") if r["points"]["checked"] else
                              self.tr("FARK: %s") % points(r["points"]["difference"], lang)),
                  "nps": "–" if nps is None else str(nps),
                  "clv": money(r["clv"]["average"], lang)}
        for key, text in values.items():
            self.tiles[key].setText(text)
        self.document = load_pdf(self.pdf)
        self.document.setParent(self)
        self.view.setDocument(self.document)
        self._set_ready(True)
        self.status.setText(" ".join(r["summary"][lang]))
        self.report_ready.emit(r)

    def _failed(self, error: LoyaltyError) -> None:
        self.make_button.setEnabled(True)
        self.status.setText(error_text(error, self.lang.currentData()))

    def print_report(self, printer: str | None) -> str:
        """Queue the PDF for a printer (None: the default one); returns the job id."""
        return self.queue.print_pdf(self.pdf, printer)

    def save_report(self, path: str) -> str:
        """Queue writing the PDF to a file; returns the job id."""
        return self.queue.print_to_file(self.pdf, path)

    def _ask_save(self) -> None:
        default = f"sadakat-raporu-{self.report['month'] if self.report else ''}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("PDF kaydet"), default, "PDF (*.pdf)")
        if path:
            self.save_report(path)
