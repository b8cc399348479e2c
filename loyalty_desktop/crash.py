"""Unhandled exceptions in the counter window: into the log, and a message saying where it is.

`install_crash_handler(log_path)` replaces `sys.excepthook` (Qt slots report their exceptions
through it). Each crash is written to the rotating log with its traceback, still printed on
stderr, and, when a Qt application runs and this is its thread, shown in a message box that
names the log file. Qt is used only if the window already loaded it: the CLI never imports it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

CRASH_TITLE = "Loyalty Desktop: beklenmeyen hata / unexpected error"


def crash_message(log_path: Path) -> str:
    """What the user reads: what happened, that recorded sales are safe, where the log is."""
    return (
        "Beklenmeyen bir hata oluştu. Kaydedilmiş satışlar güvende.\n"
        f"Ayrıntılar günlük dosyasına yazıldı:\n{log_path}\n"
        "Destek isterken bu dosyayı gönderin.\n\n"
        "An unexpected error occurred. Recorded sales are safe.\n"
        f"The details are in the log file:\n{log_path}\n"
        "Send this file when you ask for support."
    )


def show_crash_dialog(text: str) -> bool:
    """A critical message box on the GUI thread of a running Qt application; True if shown."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    core = sys.modules.get("PySide6.QtCore")
    if widgets is None or core is None:
        return False
    app = widgets.QApplication.instance()
    if app is None or core.QThread.currentThread() is not app.thread():
        return False
    widgets.QMessageBox.critical(None, CRASH_TITLE, text)
    return True


class CrashReporter:
    """The excepthook: log the crash, hand it to the previous hook, tell the user once."""

    def __init__(self, log_path: Path, show: Callable[[str], object],
                 previous: ExceptHook) -> None:
        self.log_path = Path(log_path)
        self.show = show
        self.previous = previous
        self.showing = False

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        """Handle one unhandled exception."""
        if issubclass(exc_type, KeyboardInterrupt):
            self.previous(exc_type, exc, tb)
            return
        log.critical("Unhandled exception", exc_info=(exc_type, exc, tb))
        self.previous(exc_type, exc, tb)
        if self.showing:  # a second crash while the first message is still open
            return
        self.showing = True
        try:
            self.show(crash_message(self.log_path))
        except Exception:  # noqa: BLE001 (the report must never crash in turn)
            log.exception("The crash message could not be shown")
        finally:
            self.showing = False


def install_crash_handler(log_path: Path,
                          show: Callable[[str], object] | None = None) -> CrashReporter:
    """Route unhandled exceptions to the log and a message naming `log_path`."""
    reporter = CrashReporter(log_path, show or show_crash_dialog, sys.excepthook)
    sys.excepthook = reporter
    return reporter
