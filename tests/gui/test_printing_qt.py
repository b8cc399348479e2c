"""The Qt print path: jobs off the GUI thread, clear failures, codes that survive the raster."""

from __future__ import annotations

import gc
import time
import weakref

import pytest
import zxingcpp
from PySide6.QtPrintSupport import QPrinter

from loyalty_desktop.printing import samples
from loyalty_desktop.printing.receipt import ReceiptContext, render_sale_receipt
from loyalty_desktop.ui.printing_qt import PrintError, PrintQueue, paint_pdf
from tests.integration.test_printing_support import decode, needs_poppler, rasterize

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def receipt_pdf() -> bytes:
    """A 58 mm sale slip with two coupon barcodes."""
    ctx = ReceiptContext(shop_name="Köşebaşı", terminal_name="Kasa 1", cashier="Ayşe",
                         width_mm=58)
    return render_sale_receipt(samples.sample_sale(coupons=2), ctx)


@pytest.fixture
def queue(qtbot):
    """A print queue, drained before the test ends."""
    print_queue = PrintQueue()
    yield print_queue
    assert print_queue.wait(10_000)


def test_print_to_file_writes_the_pdf_and_reports_finished(qtbot, queue, tmp_path, receipt_pdf):
    target = tmp_path / "slip.pdf"
    with qtbot.waitSignal(queue.finished, timeout=10_000) as finished:
        job_id = queue.print_to_file(receipt_pdf, target)
    assert finished.args == [job_id]
    assert target.read_bytes() == receipt_pdf
    assert not (tmp_path / "slip.pdf.part").exists()


def test_finished_jobs_are_forgotten_with_their_pdf(qtbot, queue, tmp_path, receipt_pdf):
    """A finished job keeps no reference to its work and PDF. (The QThreadPool this replaced
    kept some of its Python QRunnables only under the counter's load, which this small test
    does not reproduce; benchmarks/counter.py's RSS slope shows that one.)"""

    class Work:
        def __call__(self) -> None:
            (tmp_path / "w.pdf").write_bytes(receipt_pdf)
            time.sleep(0.002)  # jobs still queued when the next ones come

    refs = []
    for _ in range(40):
        work = Work()
        refs.append(weakref.ref(work))
        queue._submit(work)
        del work
        time.sleep(0.001)
    assert queue.wait(10_000)
    qtbot.waitUntil(lambda: queue.pending() == 0, timeout=10_000)
    gc.collect()
    assert [ref for ref in refs if ref() is not None] == []


def test_results_arrive_through_the_event_loop_not_inside_the_call(qtbot, queue, tmp_path,
                                                                    receipt_pdf):
    received: list[str] = []
    queue.finished.connect(received.append)
    job_id = queue.print_to_file(receipt_pdf, tmp_path / "a.pdf")
    assert queue.wait(10_000)
    assert received == []  # the job is done, but its signal waits for the GUI event loop
    qtbot.waitUntil(lambda: received == [job_id], timeout=10_000)


def test_a_printer_that_does_not_exist_fails_with_a_clear_message(qtbot, queue, receipt_pdf):
    with qtbot.waitSignal(queue.failed, timeout=10_000) as failed:
        job_id = queue.print_pdf(receipt_pdf, "Kasa Yazıcısı (yok)")
    assert failed.args[0] == job_id
    assert "Printer 'Kasa Yazıcısı (yok)' is not available" in failed.args[1]


def test_unwritable_file_and_non_pdf_fail_without_raising(qtbot, queue, tmp_path, receipt_pdf):
    with qtbot.waitSignal(queue.failed, timeout=10_000) as failed:
        queue.print_to_file(receipt_pdf, tmp_path / "missing-folder" / "slip.pdf")
    assert "Could not write" in failed.args[1]
    with qtbot.waitSignal(queue.failed, timeout=10_000) as failed:
        queue.print_to_file(b"hello", tmp_path / "hello.pdf")
    assert failed.args[1] == "The document is not a PDF."
    assert not (tmp_path / "hello.pdf").exists()


def test_jobs_finish_in_the_order_they_were_queued(qtbot, queue, tmp_path, receipt_pdf):
    done: list[str] = []
    queue.finished.connect(done.append)
    jobs = [queue.print_to_file(receipt_pdf, tmp_path / f"{n}.pdf") for n in range(5)]
    qtbot.waitUntil(lambda: len(done) == 5, timeout=10_000)
    assert done == jobs


def test_unreadable_pdf_is_a_print_error(qtbot, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    with pytest.raises(PrintError, match="cannot be read as a PDF"):
        paint_pdf(b"%PDF-1.4 broken", printer)


@needs_poppler
@pytest.mark.parametrize("printer_dpi", [203, 600])
def test_coupon_barcodes_survive_the_qt_raster_path(qtbot, tmp_path, receipt_pdf, printer_dpi):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(printer_dpi)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pdf(receipt_pdf, printer) == 1
    [page] = rasterize((tmp_path / "printed.pdf").read_bytes(), tmp_path, 203)
    assert page.size[0] == pytest.approx(58 / 25.4 * 203, abs=2)  # the slip's own paper size
    codes = decode(page, zxingcpp.BarcodeFormat.Code128)
    assert sorted(codes) == sorted(c["code"] for c in samples.sample_sale()["coupons_issued"])
