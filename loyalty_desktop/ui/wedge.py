"""Keyboard-wedge scanners: tell a scanner's burst of digits from a person typing.

A USB scanner types its code as key presses a few milliseconds apart, then Enter. The
application-wide filter holds digit keys while they arrive faster than `max_gap_ms`; a burst
of at least `min_length` digits ending in Enter (or a full card payload followed by silence)
is a scan, anything else is released unchanged to the widget that had the focus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from ..domain.cards import PAYLOAD_LENGTH

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


@dataclass
class WedgeDetector:
    """Pure decision logic: feed key presses with times in ms, get what to do with them."""

    max_gap_ms: int = 50
    min_length: int = 8
    held: list[str] = field(default_factory=list)
    last_ms: float = 0.0

    def digit(self, char: str, now_ms: float) -> str:
        """A digit arrived: 'hold' it, or 'release' the stale burst first and then hold it."""
        stale = bool(self.held) and now_ms - self.last_ms > self.max_gap_ms
        self.last_ms = now_ms
        return "release_then_hold" if stale else "hold"

    def enter(self, now_ms: float) -> str:
        """Enter arrived: 'scan' if it ends a fast burst, else 'release' (then pass Enter)."""
        fast = now_ms - self.last_ms <= self.max_gap_ms
        if self.held and fast and len(self.held) >= self.min_length:
            return "scan"
        return "release" if self.held else "pass"

    def timeout(self) -> str:
        """Silence after a burst: a whole card payload is a scan, anything else is released."""
        return "scan" if len(self.held) == PAYLOAD_LENGTH else "release"

    def take(self) -> str:
        """The held digits as text, emptying the buffer."""
        text = "".join(self.held)
        self.held.clear()
        return text


def _digit_of(event: QKeyEvent) -> str | None:
    """The ASCII digit a key press types, or None (layouts differ, the digit row does not)."""
    text = event.text()
    if len(text) == 1 and "0" <= text <= "9" and not event.isAutoRepeat():
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            return text
    return None


class WedgeFilter(QObject):
    """Application-wide event filter that turns scanner bursts into `scanned(text)`."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, max_gap_ms: int = 50, min_length: int = 8,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__(parent)
        self.detector = WedgeDetector(max_gap_ms=max_gap_ms, min_length=min_length)
        self._elapsed = QElapsedTimer()
        self._elapsed.start()
        self._clock = clock or (lambda: float(self._elapsed.elapsed()))
        self._held_events: list[tuple[QObject, QKeyEvent]] = []
        self._replaying = False
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max_gap_ms)
        self._timer.timeout.connect(self._on_timeout)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Hold digits, decide on Enter, let everything else through."""
        if self._replaying or not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        char = _digit_of(event)
        now = self._clock()
        if char is not None:
            if self.detector.digit(char, now) == "release_then_hold":
                self.release()
            self.detector.held.append(char)
            self._held_events.append((obj, QKeyEvent(event.type(), event.key(), event.modifiers(),
                                                     event.text())))
            self._timer.start()
            return True
        if not self.detector.held:
            return False
        if event.key() in ENTER_KEYS and self.detector.enter(now) == "scan":
            self._emit_scan()
            return True
        self.release()
        return False

    def _on_timeout(self) -> None:
        if self.detector.held and self.detector.timeout() == "scan":
            self._emit_scan()
        else:
            self.release()

    def _emit_scan(self) -> None:
        self._timer.stop()
        self._held_events.clear()
        self.scanned.emit(self.detector.take())

    def release(self) -> None:
        """Give held keys back, in order, to the widget they were meant for (human typing)."""
        self._timer.stop()
        events, self._held_events = self._held_events, []
        self.detector.take()
        self._replaying = True
        try:
            for target, event in events:
                receiver = QApplication.focusWidget() or target
                QCoreApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False
