"""Start-up stays light (heavy libraries load on first use); the receipt width setting reaches slips."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from loyalty_desktop.ui.lazy_tab import LazyTab
from loyalty_desktop.ui.window import MainWindow

from .conftest import MANAGER_PIN, wait_idle
from .test_counter import login, member_payload

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "qrcode", "numpy", "scipy", "zxingcpp", "sqlite_utils",
         "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "PySide6.QtMultimedia")
IMPORT_WINDOW = """
import sys
import loyalty_desktop.ui.main, loyalty_desktop.ui.window, loyalty_desktop.services
print(" ".join(sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[1:])))))
"""


@pytest.fixture
def window(worker, qtbot):
    """The main window without the customer display, closed after the test."""
    win = MainWindow(worker, with_display=False)
    qtbot.addWidget(win)
    win.show()
    wait_idle(qtbot, worker)
    yield win
    win.close()


def page_width_mm(pdf: bytes) -> float:
    """Width of the first page's MediaBox in millimetres."""
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf)
    assert box is not None
    return (float(box.group(3)) - float(box.group(1))) * 25.4 / 72


def test_window_modules_import_without_heavy_libraries():
    out = subprocess.run([sys.executable, "-c", IMPORT_WINDOW, *HEAVY], capture_output=True,
                         text=True, check=True, cwd=ROOT, timeout=60)
    assert out.stdout.split() == []


def test_lazy_tab_builds_its_screen_once_when_first_shown(qtbot):
    made: list[QWidget] = []
    tab = LazyTab(lambda: made.append(QWidget()) or made[-1])
    qtbot.addWidget(tab)
    assert made == [] and tab.screen is None
    tab.show()
    tab.hide()
    tab.show()
    assert len(made) == 1 and tab.screen is made[0]
    assert tab.screen.parent() is tab


def test_reports_tab_is_built_when_a_manager_opens_it(window, qtbot, worker):
    login(window, qtbot, worker, "manager", MANAGER_PIN)
    assert window.reports.screen is None
    window.tabs.setCurrentWidget(window.reports)
    assert type(window.reports.screen).__name__ == "ReportsScreen"


def test_receipt_width_setting_reaches_the_slip(window, qtbot, worker):
    term = worker.term
    worker.run_now(lambda t: t.set_setting("receipt_width_mm", 58, MANAGER_PIN))
    worker.run_now(lambda t: t.set_setting("receipt_printer", "file", MANAGER_PIN))
    window.apply_settings({s["key"]: s["value"] for s in worker.run_now(lambda t: t.settings())})
    wait_idle(qtbot, worker)
    assert window.receipts.width_mm == 58
    login(window, qtbot, worker)
    window.counter.amount.setText("42,00")
    window.counter.confirm_sale()
    wait_idle(qtbot, worker)
    receipt = term.data_dir / "receipts" / f"{term.sales()[0]['sale_id']}.pdf"
    qtbot.waitUntil(receipt.exists, timeout=5000)
    qtbot.waitUntil(lambda: window.receipts.wait(0), timeout=5000)
    assert abs(page_width_mm(receipt.read_bytes()) - 58) < 0.1


def test_default_receipt_is_80_mm(window, qtbot, worker):
    login(window, qtbot, worker)
    window.receipts.configure(worker.term.shop, "file", worker.term.data_dir)
    window.counter.amount.setText("10,00")
    window.counter.confirm_sale()
    wait_idle(qtbot, worker)
    receipt = worker.term.data_dir / "receipts" / f"{worker.term.sales()[0]['sale_id']}.pdf"
    qtbot.waitUntil(receipt.exists, timeout=5000)
    qtbot.waitUntil(lambda: window.receipts.wait(0), timeout=5000)
    assert abs(page_width_mm(receipt.read_bytes()) - 80) < 0.1


def test_every_screen_fits_1024_by_768_with_the_status_bar(window, qtbot, worker):
    login(window, qtbot, worker, "manager", MANAGER_PIN)
    member = worker.run_now(lambda t: t.find_member("Şule Öztürk"))
    window.counter.show_member(member)
    window.members.show_detail(member)
    window.counter.basket_form.set_redeem_limit(12345)
    window.resize(1024, 768)
    for tab in (window.counter, window.history, window.members, window.settings, window.reports):
        window.tabs.setCurrentWidget(tab)
        wait_idle(qtbot, worker)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 768, tab
    redeem_max = window.counter.redeem_max
    assert redeem_max.minimumWidth() >= redeem_max.sizeHint().width()  # "En çok 12345" whole


def test_automatic_backup_waits_instead_of_blocking_the_first_scans(window, qtbot, worker):
    login(window, qtbot, worker)
    assert worker.run_now(lambda t: t.backups()) == []
    assert window.status.backup_timer.isActive()
    assert window.status.backup.text() == ""
    window.status.backup_timer.stop()
    window.status.make_backup()
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: window.status.backup.text() == "Yedek: 1 saatten yeni", timeout=5000)
    assert len(worker.run_now(lambda t: t.backups())) == 1


def test_automatic_backup_waits_for_a_quiet_counter(window, qtbot, worker):
    login(window, qtbot, worker)
    timer = window.status.backup_timer
    assert timer.isActive()
    timer.start(10_000)
    qtbot.waitUntil(lambda: timer.remainingTime() < 9_000, timeout=5000)
    window.on_scanned(member_payload(worker.term))  # a serial or camera scan types no keys
    assert timer.remainingTime() > 9_000  # restarted: the backup waits for a pause again
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: timer.remainingTime() < 9_000, timeout=5000)
    QTest.keyClick(window.counter.amount, "5")
    assert timer.remainingTime() > 9_000
    timer.stop()


def test_keep_warm_looks_the_last_card_up_again_without_writing(window, qtbot, worker):
    login(window, qtbot, worker)
    assert window.keep_warm.isActive()
    window._keep_warm()  # nothing scanned yet: nothing to look up
    assert worker.idle
    window.on_scanned(member_payload(worker.term))
    wait_idle(qtbot, worker)
    assert window.counter.last_card is not None
    count = "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM audit)"
    rows = worker.run_now(lambda t: t.db.execute(count).fetchone()[0])
    calls = []
    original = worker.call
    worker.call = lambda work, *rest: calls.append(work) or original(work, *rest)
    try:
        window._keep_warm()
    finally:
        worker.call = original
    wait_idle(qtbot, worker)
    assert len(calls) == 1
    assert worker.run_now(calls[0])["card_number"] == window.counter.last_card
    assert worker.run_now(lambda t: t.db.execute(count).fetchone()[0]) == rows
    window.lock()
    assert not window.keep_warm.isActive()


def test_only_a_paired_terminal_reads_its_sync_state_at_start(worker, qtbot):
    """sync_state() counts the events not yet sent: every event of an unpaired store."""
    term = worker.term
    calls = []
    real = term.sync_state
    term.sync_state = lambda: calls.append(1) or real()

    def started() -> bool:
        win = MainWindow(worker, with_display=False)
        wait_idle(qtbot, worker)
        running = win.sync.loop is not None
        win.close()
        win.deleteLater()
        return running

    try:
        assert not started() and calls == []
        worker.run_now(lambda t: t.save_sync_state(server_url="http://127.0.0.1:9", token="t"))
        assert started() and calls  # (the loop itself reads it too)
    finally:
        term.sync_state = real
