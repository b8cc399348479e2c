"""The counter window end to end: login, scan, sale with points and coupon, refund."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from loyalty_desktop.ui.window import MainWindow

from .conftest import CASHIER_PIN, MANAGER_PIN, scan_burst, staff_id, wait_idle


@pytest.fixture
def window(worker, qtbot):
    win = MainWindow(worker)
    qtbot.addWidget(win)
    win.show()
    wait_idle(qtbot, worker)
    yield win
    win.close()


def login(window, qtbot, worker, role: str = "cashier", pin: str = CASHIER_PIN) -> None:
    """Tap the staff button, type the PIN on the keypad, press Giriş."""
    person = staff_id(worker.term, role)
    qtbot.mouseClick(window.login.findChild(type(window.login.enter), f"staff_{person}"),
                     Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(window.login.findChild(type(window.login.enter), f"key_{digit}"),
                         Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.login.enter, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, worker)


def member_payload(term) -> str:
    row = term.search_members("Şule")[0]
    return term.member(row["member_id"])["card_payload"]


def test_wrong_pin_is_refused_and_right_pin_opens_the_counter(window, qtbot, worker):
    login(window, qtbot, worker, pin="0000")
    assert window.stack.currentWidget() is window.login
    assert window.login.message.text() == "PIN yanlış."
    login(window, qtbot, worker)
    assert window.stack.currentWidget() is window.tabs
    assert window.status.staff.text() == "Ayşe Kasiyer (Kasiyer)"
    assert window.status.sync.text() == "Sunucu yok (tek başına)"
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.settings))


def test_five_wrong_pins_show_the_lockout(window, qtbot, worker):
    for _ in range(5):
        login(window, qtbot, worker, pin="9999")
    login(window, qtbot, worker)
    assert "kilitli" in window.login.message.text()
    assert window.stack.currentWidget() is window.login


def test_scanner_burst_shows_the_member_wherever_the_focus_is(window, qtbot, worker):
    login(window, qtbot, worker)
    window.counter.amount.setFocus()
    scan_burst(window.counter.amount, member_payload(worker.term))
    wait_idle(qtbot, worker)
    assert window.counter.panel.name.text() == "Şule Öztürk"
    assert window.counter.amount.text() == ""  # the burst never reached the amount field
    assert "150 puan" in window.counter.panel.points.text()
    assert window.display.greeting.text() == "Merhaba Şule!"


def test_human_typing_reaches_the_field(window, qtbot, worker):
    login(window, qtbot, worker)
    window.counter.amount.setFocus()
    for digit in "125":
        QTest.keyClick(window.counter.amount, digit)
        QTest.qWait(80)  # slower than a scanner
    qtbot.waitUntil(lambda: window.counter.amount.text() == "125", timeout=2000)


def test_sale_with_points_redemption_records_once_and_resets(window, qtbot, worker):
    login(window, qtbot, worker)
    counter = window.counter
    scan_burst(counter.amount, member_payload(worker.term))
    wait_idle(qtbot, worker)
    counter.amount.setText("200,00")
    qtbot.waitUntil(lambda: counter.redeem.maximum() == 150, timeout=2000)
    assert counter.redeem_max.text() == "En çok 150"
    counter.redeem.setValue(100)
    qtbot.waitUntil(lambda: counter.preview is not None
                    and counter.preview["points_redeemed"] == 100, timeout=3000)
    wait_idle(qtbot, worker)
    assert counter.to_pay.text() == "Ödenecek: 190,00 ₺"
    sales_before = len(worker.term.sales())
    QTest.keyClick(counter.amount, Qt.Key.Key_Return)
    QTest.keyClick(counter.amount, Qt.Key.Key_Return)  # a double Enter records one sale
    wait_idle(qtbot, worker)
    sales = worker.term.sales()
    assert len(sales) == sales_before + 1
    assert sales[0]["money_paid"] == 19000
    assert counter.member is None and counter.amount.text() == ""
    assert "190,00 ₺" in counter.last_sale.text()
    assert window.display.question.isVisibleTo(window.display)


def test_receipt_is_written_in_the_background_and_reported(window, qtbot, worker):
    login(window, qtbot, worker)
    window.receipts.configure(worker.term.shop, "file", worker.term.data_dir)
    window.counter.amount.setText("99,90")
    window.counter.confirm_sale()
    wait_idle(qtbot, worker)
    sale_id = worker.term.sales()[0]["sale_id"]
    receipt = worker.term.data_dir / "receipts" / f"{sale_id}.pdf"
    qtbot.waitUntil(receipt.exists, timeout=5000)
    assert receipt.read_bytes().startswith(b"%PDF-")
    qtbot.waitUntil(lambda: "Fiş dosyaya yazıldı" in window.statusBar().currentMessage(),
                    timeout=5000)


def test_invalid_amount_shows_the_service_message(window, qtbot, worker):
    login(window, qtbot, worker)
    window.counter.amount.setText("1.234")
    qtbot.waitUntil(lambda: "belirsiz" in window.counter.error.text(), timeout=2000)


def test_sale_without_a_member(window, qtbot, worker):
    login(window, qtbot, worker)
    window.counter.amount.setText("45,50")
    window.counter.confirm_sale()
    wait_idle(qtbot, worker)
    sale = worker.term.sales()[0]
    assert sale["member_id"] is None and sale["total"] == 4550


def test_coupon_scanned_while_a_member_is_shown_is_applied(window, qtbot, worker):
    term = worker.term
    member = term.search_members("Şule")[0]
    code = term.member(member["member_id"])["coupons"][0]["code"]  # next-order, 50 TL
    login(window, qtbot, worker)
    counter = window.counter
    scan_burst(counter.amount, member_payload(term))
    wait_idle(qtbot, worker)
    counter.amount.setText("300")
    scan_burst(counter.amount, code)
    assert counter.coupon.text() == code
    qtbot.waitUntil(lambda: counter.preview is not None
                    and counter.preview["coupon_discount"] == 5000, timeout=3000)
    counter.confirm_sale()
    wait_idle(qtbot, worker)
    assert term.sale_detail(term.sales()[0]["sale_id"])["coupon_used"] == code


def test_refund_needs_the_manager_pin_and_shows_the_preview(window, qtbot, worker):
    login(window, qtbot, worker)
    window.tabs.setCurrentWidget(window.history)
    wait_idle(qtbot, worker)
    history = window.history
    history.table.selectRow(0)
    history.amount.setText("400")
    history.preview()
    wait_idle(qtbot, worker)
    assert "Müşteriye ödenecek: 400,00 ₺" in history.preview_text.text()
    assert "Geri alınacak puan: 40 puan" in history.preview_text.text()
    window.receipts.configure(worker.term.shop, "file", worker.term.data_dir)
    pins = iter(["1111", MANAGER_PIN])
    history.ask_pin = lambda *_args: next(pins)
    history.confirm()
    wait_idle(qtbot, worker)
    assert history.message.text() == "PIN yanlış."
    history.confirm()
    wait_idle(qtbot, worker)
    assert worker.term.sales()[0]["refunded"] == 40000
    assert "İade kaydedildi" in history.message.text()
    refund_id = worker.term.sale_detail(worker.term.sales()[0]["sale_id"])["refunds"][0]["refund_id"]
    slip = worker.term.data_dir / "receipts" / f"{refund_id}.pdf"
    qtbot.waitUntil(slip.exists, timeout=5000)
    assert slip.read_bytes().startswith(b"%PDF-")


def test_customer_display_feedback_and_detractor_note(window, qtbot, worker):
    login(window, qtbot, worker)
    window.counter.amount.setText("20")
    window.counter.confirm_sale()
    wait_idle(qtbot, worker)
    display = window.display
    qtbot.mouseClick(display.nps_buttons[3], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.findChild(type(display.nps_buttons[0]), "csat_2"),
                     Qt.MouseButton.LeftButton)
    wait_idle(qtbot, worker)
    assert "müdürümüz" in display.note.text()
    row = worker.term.db.execute("SELECT nps, csat FROM feedback").fetchone()
    assert tuple(row) == (3, 2)


def test_inactivity_locks_the_screen(window, qtbot, worker):
    login(window, qtbot, worker)
    window.autolock.setInterval(50)
    window.autolock.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.login, timeout=2000)
    assert window.status.staff.text() == "Kilitli"


def test_counter_fits_a_1024_by_768_screen(window, qtbot, worker):
    login(window, qtbot, worker, role="owner", pin="4321")
    scan_burst(window.counter.amount, member_payload(worker.term))
    wait_idle(qtbot, worker)
    window.counter.amount.setText("300")
    qtbot.waitUntil(lambda: window.counter.preview is not None, timeout=3000)
    for tab in (window.counter, window.history, window.members, window.settings):
        window.tabs.setCurrentWidget(tab)
        wait_idle(qtbot, worker)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 768 - 30  # room for a title bar


def test_one_screen_keeps_the_counter_in_front_of_the_customer_display(window, qtbot, worker):
    from PySide6.QtGui import QGuiApplication

    assert len(QGuiApplication.screens()) == 1  # the offscreen platform: one screen
    login(window, qtbot, worker)
    display = window.display
    assert display.isVisible() and not display.isFullScreen()
    assert display.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    room = QGuiApplication.primaryScreen().availableGeometry()
    # In the screen's bottom-right corner (the offscreen platform adds a 2 px frame and its
    # 800 px wide screen is the display's least width: the corner, give or take the frame).
    shown = display.geometry()
    assert shown.bottom() == room.bottom() and abs(shown.right() - room.right()) <= 2
    assert shown.height() < room.height()
