"""One worker thread owns every Terminal call; results come back to the GUI thread as signals.

SQLite has one writer connection and PIN checks (Argon2) and durable commits (fsync) take
longer than a frame, so no Terminal method runs on the GUI thread. Calls run in the order
they were submitted, one at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread, Signal, Slot

from ..domain.errors import LoyaltyError

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[LoyaltyError], None]


def preload(load: Callable[[], object], name: str) -> threading.Thread:
    """Import a library on a thread of its own, ahead of its first use: not on the worker, where
    a scan would queue behind the import (ReportLab's took it ~0.2 s), nor on the GUI thread.
    A failure is logged; the first real use reports it as usual. Not a daemon: the interpreter
    waits for it at exit (quitting in the middle of a native library's import aborted)."""

    def run() -> None:
        try:
            load()
        except Exception:  # noqa: BLE001 (logged; the first real use raises it again)
            log.exception("preloading %s failed", name)

    thread = threading.Thread(target=run, name=f"preload-{name}", daemon=False)
    thread.start()
    return thread


class _Runner(QObject):
    """Lives in the worker thread and runs the submitted callables against the terminal."""

    finished = Signal(int, object, object)  # request id, result, error

    def __init__(self, term: Any) -> None:
        super().__init__()
        self.term = term

    @Slot(int, object)
    def run(self, request_id: int, work: Callable[[Any], Any]) -> None:
        """Run one call; every error becomes a LoyaltyError for the screen to show."""
        try:
            result = work(self.term)
        except LoyaltyError as exc:
            self.finished.emit(request_id, None, exc)
        except Exception as exc:  # an unexpected failure must reach the screen, not vanish
            log.exception("terminal call failed")
            self.finished.emit(request_id, None,
                               LoyaltyError(f"Unexpected error: {exc}", code="internal_error"))
        else:
            self.finished.emit(request_id, result, None)

    @Slot(object, object)
    def run_for_thread(self, work: Callable[[Any], Any], future: Future) -> None:
        """Run a call submitted from another thread (the sync loop) and hand back its result."""
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work(self.term))
        except BaseException as exc:  # the waiting thread re-raises it
            future.set_exception(exc)


class TerminalWorker(QObject):
    """Submit `work(term)` callables; `on_done(result)` / `on_error(err)` run in the GUI thread."""

    _submit = Signal(int, object)
    _submit_for_thread = Signal(object, object)
    failed = Signal(object)  # errors nobody handled (shown in the status bar)
    idle_changed = Signal(bool)

    def __init__(self, term: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.term = term
        self._thread = QThread()
        self._thread.setObjectName("terminal-worker")
        self._runner = _Runner(term)
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._submit_for_thread.connect(self._runner.run_for_thread)
        self._runner.finished.connect(self._on_finished)
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self._next_id = 0
        self._thread.start()

    @property
    def idle(self) -> bool:
        """No call is waiting or running."""
        return not self._callbacks

    def call(self, work: Callable[[Any], Any], on_done: Done | None = None,
             on_error: Failed | None = None) -> int:
        """Queue `work(term)`; return the request id."""
        self._next_id += 1
        self._callbacks[self._next_id] = (on_done, on_error)
        if len(self._callbacks) == 1:
            self.idle_changed.emit(False)
        self._submit.emit(self._next_id, work)
        return self._next_id

    @Slot(int, object, object)
    def _on_finished(self, request_id: int, result: Any, error: LoyaltyError | None) -> None:
        on_done, on_error = self._callbacks.pop(request_id, (None, None))
        try:
            if error is None:
                if on_done is not None:
                    on_done(result)
            elif on_error is not None:
                on_error(error)
            else:
                self.failed.emit(error)
        finally:
            if not self._callbacks:
                self.idle_changed.emit(True)

    def run_from_thread(self, work: Callable[[Any], Any], timeout: float = 60.0) -> Any:
        """From a thread that is not the GUI's: run `work(term)` in the worker, in turn with the
        screen's calls, and wait for its result (the sync loop's store calls, each short)."""
        future: Future = Future()
        self._submit_for_thread.emit(work, future)
        return future.result(timeout)

    def run_now(self, work: Callable[[Any], Any]) -> Any:
        """Run `work(term)` in the worker and wait for it (start-up only: no screen is shown)."""
        box: dict[str, Any] = {}
        self.call(work, lambda r: box.setdefault("result", r),
                  lambda e: box.setdefault("error", e))
        self.drain()
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def drain(self, timeout_ms: int = 10_000) -> bool:
        """Run the GUI event loop until every queued call has finished (False on timeout)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._callbacks and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not self._callbacks

    def shutdown(self) -> None:
        """Let queued calls (a sale!) finish, then stop the thread."""
        self.drain()
        self._callbacks.clear()
        self._thread.quit()
        self._thread.wait()
