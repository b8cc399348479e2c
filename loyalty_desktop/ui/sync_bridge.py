"""Background sync for the window: the network on the sync loop's thread, the store on the worker.

The SyncClient talks HTTP on its own thread and reaches the store only through the terminal
worker, one short call at a time, so a slow or absent network never holds up a sale and the
single SQLite connection is only ever used by the worker thread.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from .worker import TerminalWorker

log = logging.getLogger(__name__)


class WorkerSyncStore:
    """The sync client's LocalSyncStore, with every call run by the terminal worker."""

    def __init__(self, worker: TerminalWorker) -> None:
        self._worker = worker

    def terminal_id(self) -> str:
        """This terminal's id."""
        return self._worker.run_from_thread(lambda t: t.terminal_id)

    def events_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """Own events after a sequence number."""
        return self._worker.run_from_thread(lambda t: t.events_after(seq, limit))

    def sync_state(self) -> dict[str, Any]:
        """Cursors, server and token."""
        return self._worker.run_from_thread(lambda t: t.sync_state())

    def save_sync_state(self, **changes: Any) -> None:
        """Save cursors."""
        self._worker.run_from_thread(lambda t: t.save_sync_state(**changes))

    def apply_remote(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply pulled events (one transaction, in turn with the counter's calls)."""
        return self._worker.run_from_thread(lambda t: t.apply_remote(events))


class BackgroundSync(QObject):
    """Runs the SyncLoop while the window is open, when this terminal is paired."""

    changed = Signal(object)  # a loyalty_desktop.sync.loop.SyncStatus

    def __init__(self, worker: TerminalWorker, interval: float = 30.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.interval = interval
        self.loop: Any = None

    def start_if_paired(self, state: dict[str, Any]) -> bool:
        """Start the loop when the sync state has a server and a token."""
        if self.loop is not None or not state.get("server_url") or not state.get("token"):
            return False
        from ..sync.client import SyncClient
        from ..sync.loop import SyncLoop

        client = SyncClient(WorkerSyncStore(self.worker))
        self.loop = SyncLoop(client, interval=self.interval, on_change=self.changed.emit)
        self.loop.start()
        return True

    def sync_now(self) -> None:
        """Sync soon (after a sale)."""
        if self.loop is not None:
            self.loop.sync_now()

    def stop(self) -> None:
        """Stop before the worker stops (the loop's store calls need it)."""
        if self.loop is not None:
            self.loop.stop(timeout=10.0)
            self.loop = None
