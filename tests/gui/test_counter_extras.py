"""Counter additions: local settings page, serial/camera scanners, true redeem limit, undo."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from loyalty_desktop.ui.scanner_sources import CAMERA_MODULE, SERIAL_MODULE, ScannerSources
from loyalty_desktop.ui.window import MainWindow

from .conftest import MANAGER_PIN, wait_idle
from .test_counter import login, member_payload, scan_burst


class FakeSerial(QObject):
    """Stands in for ui/serial_scanner.SerialScanner (no port on the test machine)."""

    scanned = Signal(str)
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.port = ""

    def start(self, port: str) -> bool:
        self.port = port
        return True

    def stop(self) -> None:
        self.port = ""

    def is_open(self) -> bool:
        return bool(self.port)


class FakeCamera(FakeSerial):
    """Stands in for ui/camera_scanner.CameraScanner."""

    def start(self, camera_id=None) -> bool:
        self.port = "camera"
        return True


class FakePreview(QLabel):
    def __init__(self, scanner, parent=None):
        super().__init__("preview", parent)


FAKES = {SERIAL_MODULE: SimpleNamespace(SerialScanner=FakeSerial),
         CAMERA_MODULE: SimpleNamespace(CameraScanner=FakeCamera, CameraPreview=FakePreview)}


@pytest.fixture
def window(worker, qtbot, monkeypatch):
    monkeypatch.setattr("loyalty_desktop.ui.window.ScannerSources",
                        lambda parent: ScannerSources(parent, load=FAKES.__getitem__))
    win = MainWindow(worker)
    qtbot.addWidget(win)
    win.show()
    wait_idle(qtbot, worker)
    yield win
    win.close()


def test_settings_page_saves_with_a_manager_pin_and_applies_scanners(window, qtbot, worker):
    login(window, qtbot, worker, role="manager", pin=MANAGER_PIN)
    window.tabs.setCurrentWidget(window.settings)
    wait_idle(qtbot, worker)
    page = window.settings.local
    assert page.fields["terminal_name"].text() == "Kasa 1"
    page.fields["serial_scanner_port"].setText("/dev/ttyACM0")
    page.fields["camera_scanner"].setChecked(True)
    page.fields["autolock_minutes"].setValue(9)
    page.ask_pin = lambda *_a: "1111"  # a cashier's PIN: refused, nothing saved
    page.save()
    wait_idle(qtbot, worker)
    assert page.message.text() == "PIN yanlış."
    assert worker.term.setting("autolock_minutes") == 5
    page.ask_pin = lambda *_a: MANAGER_PIN
    page.save()
    wait_idle(qtbot, worker)
    assert page.message.text() == "Kaydedildi."
    assert worker.term.setting("serial_scanner_port") == "/dev/ttyACM0"
    assert window.autolock.interval() == 9 * 60_000
    assert window.sources.serial.port == "/dev/ttyACM0"
    assert not window.counter.camera_button.isHidden()
    audit = [r for r in worker.term.audit_log() if r["action"] == "setting_changed"]
    assert {r["subject"] for r in audit} == {"serial_scanner_port", "camera_scanner",
                                              "autolock_minutes"}


def test_serial_and_camera_scans_reach_the_counter_like_the_wedge(window, qtbot, worker):
    term = worker.term
    term.set_setting("serial_scanner_port", "COM3", MANAGER_PIN)
    term.set_setting("camera_scanner", True, MANAGER_PIN)
    window.apply_settings({s["key"]: s["value"] for s in term.settings()})
    wait_idle(qtbot, worker)
    login(window, qtbot, worker)
    window.sources.serial.scanned.emit(member_payload(term))
    wait_idle(qtbot, worker)
    assert window.counter.panel.name.text() == "Şule Öztürk"
    window.counter.reset()
    qtbot.mouseClick(window.counter.camera_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QWidget, "camera_dialog")
    assert dialog is not None and dialog.isVisible() and window.sources.camera.is_open()
    window.sources.camera.scanned.emit(member_payload(term))
    wait_idle(qtbot, worker)
    assert window.counter.panel.name.text() == "Şule Öztürk"
    assert not window.sources.camera.is_open()
    qtbot.waitUntil(lambda: window.findChild(QWidget, "camera_dialog") is None, timeout=1000)


def test_missing_scanner_module_is_reported_not_fatal(qtbot):
    def missing(name):
        raise ImportError(f"No module named {name!r}")
    sources = ScannerSources(load=missing)
    with qtbot.waitSignal(sources.error, timeout=1000) as signal:
        sources.configure("COM3", False)
    assert "kullanılamıyor" in signal.args[0] and sources.serial is None


def test_redeem_maximum_is_the_offline_allowance(window, qtbot, worker):
    term = worker.term
    member_id = term.search_members("Şule")[0]["member_id"]
    term.adjust(member_id, 1000, "test", MANAGER_PIN)  # 1150 points
    login(window, qtbot, worker)
    counter = window.counter
    scan_burst(counter.amount, member_payload(term))
    wait_idle(qtbot, worker)
    counter.amount.setText("200")
    qtbot.waitUntil(lambda: counter.redeem.maximum() == 1150, timeout=3000)
    term.save_sync_state(server_url="https://example.invalid")  # paired, never synced
    counter.amount.setText("201")
    qtbot.waitUntil(lambda: counter.redeem.maximum() == 500, timeout=3000)
    assert counter.redeem_max.text() == "En çok 500"


def test_undo_last_sale_within_a_minute(window, qtbot, worker):
    term = worker.term
    login(window, qtbot, worker)
    counter = window.counter
    scan_burst(counter.amount, member_payload(term))
    wait_idle(qtbot, worker)
    counter.amount.setText("80")
    counter.confirm_sale()
    wait_idle(qtbot, worker)
    assert counter.undo_button.isVisible()
    counter.ask_yes = lambda *_a: True
    qtbot.mouseClick(counter.undo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, worker)
    assert counter.last_sale.text() == "Son satış geri alındı: 80,00 ₺ iade."
    assert not counter.undo_button.isVisible()
    assert term.sales()[0]["refunded"] == 8000
    assert term.member(term.search_members("Şule")[0]["member_id"])["points"] == 150


def test_undo_button_hides_after_the_minute(window, qtbot, worker):
    login(window, qtbot, worker)
    counter = window.counter
    counter._undo_timer.setInterval(50)
    counter.amount.setText("20")
    counter.confirm_sale()
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: not counter.undo_button.isVisible(), timeout=2000)
