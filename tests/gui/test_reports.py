"""The report screen: month picked, report built in the worker, tiles, preview, save to file."""

from __future__ import annotations

from PySide6.QtCore import Qt

from loyalty_desktop.domain.clock import zone
from loyalty_desktop.ui.format import money
from loyalty_desktop.ui.reports import ReportsScreen


def test_report_screen_shows_the_month(qtbot, worker, shop, tmp_path):
    today = shop.now().astimezone(zone(shop.timezone)).date()
    screen = ReportsScreen(worker, today=today)
    qtbot.addWidget(screen)
    assert not screen.print_button.isEnabled()
    with qtbot.waitSignal(screen.report_ready, timeout=20_000) as ready:
        qtbot.mouseClick(screen.make_button, Qt.MouseButton.LeftButton)
    report = ready.args[0]
    assert screen.month.currentData() == (today.year, today.month)
    # the fixture's member bought for 1.000 TL two days ago: this month unless it is the 1st/2nd
    expected = report["sales"]["member_total"]
    assert screen.tiles["revenue"].text() == money(expected, "tr")
    assert screen.tiles["tie_out"].text() == "tutuyor"
    assert screen.view.document().pageCount() == 4
    assert screen.print_button.isEnabled()
    out = tmp_path / "r.pdf"
    with qtbot.waitSignal(screen.queue.finished, timeout=10_000):
        screen.save_report(str(out))
    assert out.read_bytes() == screen.pdf


def test_report_screen_in_english_for_a_past_month(qtbot, worker, shop):
    today = shop.now().astimezone(zone(shop.timezone)).date()
    screen = ReportsScreen(worker, today=today)
    qtbot.addWidget(screen)
    screen.month.setCurrentIndex(13)
    screen.lang.setCurrentIndex(1)
    with qtbot.waitSignal(screen.report_ready, timeout=20_000) as ready:
        screen.make()
    assert ready.args[0]["sales"]["member_sales"] == 0
    assert screen.tiles["revenue"].text() == "₺0.00"
    assert "Members who bought" in screen.status.text()
