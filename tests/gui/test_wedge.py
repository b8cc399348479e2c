"""The wedge event filter carries out the domain detector's decisions on real Qt key events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from loyalty_desktop.domain.cards import encode_card_payload, new_issuer_key
from loyalty_desktop.domain.scanning import US_TO_TR_Q
from loyalty_desktop.ui.wedge import WedgeFilter

PAYLOAD = encode_card_payload("9790123456789010", 2, new_issuer_key(1))


class FakeClock:
    """Milliseconds the test sets by hand."""

    def __init__(self) -> None:
        self.ms = 1000.0

    def __call__(self) -> float:
        return self.ms


@pytest.fixture
def rig(qtbot):
    """A focused line edit, a filter on the application and the scans it emitted."""
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    got: list[str] = []
    wedge.scanned.connect(got.append)
    QApplication.instance().installEventFilter(wedge)
    yield field, wedge, clock, got
    QApplication.instance().removeEventFilter(wedge)


def press(field: QLineEdit, clock: FakeClock, text: str, gap_ms: float,
          key: Qt.Key = Qt.Key.Key_unknown) -> None:
    """Key presses `gap_ms` apart, each carrying its text."""
    for char in text:
        clock.ms += gap_ms
        QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, key,
                                                Qt.KeyboardModifier.NoModifier, char))


def enter(field: QLineEdit, clock: FakeClock, gap_ms: float) -> None:
    """An Enter key press `gap_ms` after the last key."""
    clock.ms += gap_ms
    QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return,
                                            Qt.KeyboardModifier.NoModifier, "\r"))


def test_a_fast_burst_and_enter_is_one_scan_and_nothing_reaches_the_field(rig):
    field, _wedge, clock, got = rig
    press(field, clock, PAYLOAD, 3)
    enter(field, clock, 3)
    assert got == [PAYLOAD]
    assert field.text() == ""


def test_shifted_turkish_q_symbols_are_scanned_as_digits(rig):
    field, _wedge, clock, got = rig
    shifted = {d: US_TO_TR_Q[s] for d, s in zip("1234567890", "!@#$%^&*()", strict=True)}
    press(field, clock, "".join(shifted[c] for c in PAYLOAD), 4)
    enter(field, clock, 4)
    assert got == [PAYLOAD]


def test_slow_typing_is_released_to_the_field_by_the_timer(rig, qtbot):
    field, _wedge, clock, got = rig
    press(field, clock, "12", 200)
    clock.ms += 100  # the person paused: the deadline has passed when the timer fires
    qtbot.waitUntil(lambda: field.text() == "12", timeout=1000)
    assert got == []


def test_a_late_key_releases_the_old_burst_first_and_keeps_the_order(rig):
    field, _wedge, clock, got = rig
    press(field, clock, "ab", 100)
    press(field, clock, "c", 100)
    enter(field, clock, 100)  # a slow Enter: typing, passed on
    assert field.text() == "abc" and got == []


def test_typed_prefix_before_a_scan_goes_to_the_field(rig):
    field, _wedge, clock, got = rig
    press(field, clock, "4", 300)
    press(field, clock, PAYLOAD, 3)
    enter(field, clock, 3)
    assert got == [PAYLOAD]
    assert field.text() == "4"


def test_a_short_burst_with_enter_is_typing(rig):
    field, _wedge, clock, got = rig
    press(field, clock, "125", 5)
    with_enter = []
    field.returnPressed.connect(lambda: with_enter.append(field.text()))
    enter(field, clock, 5)
    assert got == [] and with_enter == ["125"]


def test_backspace_flushes_what_was_held_before_it_acts(rig):
    field, _wedge, clock, got = rig
    press(field, clock, "78", 5)
    clock.ms += 5
    QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Backspace,
                                            Qt.KeyboardModifier.NoModifier, ""))
    assert field.text() == "7" and got == []


def test_disabled_filter_lets_everything_through(rig):
    field, wedge, clock, got = rig
    wedge.enabled = False
    press(field, clock, PAYLOAD[:20], 1)
    assert field.text() == PAYLOAD[:20] and got == []
