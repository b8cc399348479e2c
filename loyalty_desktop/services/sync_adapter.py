"""The terminal seen through the sync client's `LocalSyncStore` protocol."""

from __future__ import annotations

from typing import Any

from .sync_store import SyncStoreMixin


class TerminalSyncStore:
    """Adapts a Terminal to loyalty_desktop.sync.protocol.LocalSyncStore."""

    def __init__(self, terminal: SyncStoreMixin) -> None:
        self._t = terminal

    def terminal_id(self) -> str:
        """This terminal's id (the `terminal_id` of its events)."""
        return self._t.terminal_id

    def events_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """Own events after a sequence number."""
        return self._t.events_after(seq, limit)

    def sync_state(self) -> dict[str, Any]:
        """Cursors, server and token."""
        return self._t.sync_state()

    def save_sync_state(self, **changes: Any) -> None:
        """Save cursors."""
        self._t.save_sync_state(**changes)

    def apply_remote(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply pulled events."""
        return self._t.apply_remote(events)
