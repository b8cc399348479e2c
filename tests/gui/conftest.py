"""GUI fixtures: real screens over real services on a temporary store, closed after each test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from loyalty_desktop.services import open_terminal

OWNER_PIN, MANAGER_PIN, CASHIER_PIN = "4321", "9876", "1111"


@pytest.fixture
def shop(tmp_path):
    """A shop with an owner, a manager, a cashier and one member with points and a coupon."""
    term = open_terminal(tmp_path / "d")
    term.init_shop("Kahve Dükkânı", "Oya Sahip", OWNER_PIN)
    term.add_staff("Mehmet Müdür", "manager", MANAGER_PIN, by_pin=OWNER_PIN)
    term.add_staff("Ayşe Kasiyer", "cashier", CASHIER_PIN, by_pin=OWNER_PIN)
    member = term.enrol("Şule Öztürk", phone="05321234567", consents=["sms"],
                        at=term.now() - timedelta(days=3))
    term.sale(member["member_id"], 100000, at=term.now() - timedelta(days=2))  # 150 points
    yield term
    term.close()


@pytest.fixture
def worker(shop, qtbot):
    """The worker thread that owns the terminal."""
    from loyalty_desktop.ui.worker import TerminalWorker

    w = TerminalWorker(shop)
    yield w
    w.shutdown()


def wait_idle(qtbot, worker, timeout: int = 5000) -> None:
    """Let queued terminal calls finish and their results reach the screens."""
    qtbot.waitUntil(lambda: worker.idle, timeout=timeout)


def staff_id(term, role: str) -> str:
    """The staff id of the first person with this role."""
    return next(s["staff_id"] for s in term.list_staff() if s["role"] == role)


def type_text(widget: QWidget, text: str) -> None:
    """Type text as individual key events with the text set (safe for ü, ş, İ, ₺)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def scan_burst(widget: QWidget, payload: str) -> None:
    """A keyboard-wedge scanner: characters 2 ms apart, then Enter.

    The 2 ms are the scanner's, on the window's wedge clock: a test process descheduled for
    25 ms mid-burst on a busy machine would otherwise turn the scan into typing (the detector's
    own timing is tested in test_wedge.py)."""
    wedge = getattr(widget.window(), "wedge", None)
    real = wedge.clock if wedge is not None else None
    at = real() if real is not None else 0.0
    if wedge is not None:
        wedge.clock = lambda: at
    try:
        for char in payload:
            at += 2.0
            QTest.keyClick(widget, char)
        at += 2.0
        QTest.keyClick(widget, Qt.Key.Key_Return)
    finally:
        if wedge is not None:
            wedge.clock = real
