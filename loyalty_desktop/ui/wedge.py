"""Keyboard-wedge scanners in the Qt event loop: a thin event filter over the domain's detector.

Every rule (what a burst is, when held keys go back to the widget, how keyboard layouts are
undone) lives in `loyalty_desktop.domain.scanning.WedgeDetector`. This filter only turns key
presses into `feed`/`enter`/`flush` calls, fires the detector's timer at `pending_deadline()`,
and carries out the actions: a `Release` sends the held key events to the focused widget, a
`Scan` emits `scanned(payload)` and swallows the burst and its Enter, a `PassEnter` lets the
Enter through.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from ..domain.scanning import Action, PassEnter, Release, Scan, WedgeDetector

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TYPING_MODIFIERS = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)


def typed_char(event: QKeyEvent) -> str | None:
    """The one printable character a key press types, or None (shortcuts, repeats, keys)."""
    text = event.text()
    if len(text) != 1 or not text.isprintable() or event.isAutoRepeat():
        return None
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return text if mods in _TYPING_MODIFIERS else None


class WedgeFilter(QObject):
    """Application-wide event filter that turns scanner bursts into `scanned(payload)`."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, detector: WedgeDetector | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__(parent)
        self.detector = detector or WedgeDetector()
        self._elapsed = QElapsedTimer()
        self._elapsed.start()
        self.clock = clock or (lambda: float(self._elapsed.elapsed()))  # milliseconds
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._replaying = False
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timeout)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Hold typed characters, decide on Enter, flush on any other key."""
        if (self._replaying or not self.enabled or not isinstance(event, QKeyEvent)
                or event.type() != QEvent.Type.KeyPress):
            return False
        now = self.clock()
        char = typed_char(event)
        if char is not None:
            self._run(self.detector.feed(char, now))
            self._held.append((obj, QKeyEvent(event.type(), event.key(), event.modifiers(),
                                              event.text())))
            self._arm_timer(now)
            return True
        if event.key() in ENTER_KEYS and not event.isAutoRepeat():
            actions = self.detector.enter(now)
            self._run(actions)
            self._timer.stop()
            return not any(isinstance(a, PassEnter) for a in actions)
        if self._held:
            self.flush()
        return False

    @Slot()
    def flush(self) -> None:
        """Give everything held back now (another key, a focus change, the window closing)."""
        self._timer.stop()
        self._run(self.detector.flush())

    def _arm_timer(self, now: float) -> None:
        """Wake up when the held burst must be released if no key comes."""
        deadline = self.detector.pending_deadline()
        if deadline is not None:
            self._timer.start(max(0, int(deadline - now + 0.999)))

    def _on_timeout(self) -> None:
        now = self.clock()
        actions = self.detector.timeout(now)
        self._run(actions)
        if not actions:
            self._arm_timer(now)  # the timer fired a little early

    def _run(self, actions: list[Action]) -> None:
        """Carry out the detector's decisions in order."""
        for action in actions:
            if isinstance(action, Release):
                self._release(len(action.text))
            elif isinstance(action, Scan):
                self._held.clear()
                self.scanned.emit(action.payload)

    def _release(self, count: int) -> None:
        """Send the first `count` held key presses, in order, to the widget with the focus."""
        events, self._held = self._held[:count], self._held[count:]
        self._replaying = True
        try:
            for target, event in events:
                receiver = QApplication.focusWidget() or target
                QCoreApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False
