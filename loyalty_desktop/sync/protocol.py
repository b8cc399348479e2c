"""What the sync client needs from the terminal's store (implemented by loyalty_desktop.store)."""

from __future__ import annotations

from typing import Any, Protocol


class LocalSyncStore(Protocol):
    """The terminal's side of sync. The client calls it from the sync thread.

    - `events_after(seq, limit)`: the terminal's own events with seq > `seq`, ascending, in
      the wire format of docs/contracts.md "Events".
    - `sync_state()`: {"server_url", "token", "pushed_seq", "pull_cursor",
      "server_instance_id", "last_sync_at"} (None or 0 when never set).
    - `apply_remote(events)`: applies other terminals' events (each with an extra
      `server_seq` key) in one transaction, skipping ids it already holds (a page may be
      applied twice after a crash); returns {"applied": n, "conflicts": [...]}.
    - `sync_state()` may add {"waiting": n} (own events after pushed_seq) for the status bar.
    """

    def terminal_id(self) -> str:
        """This terminal's id (the `terminal_id` of its events)."""
        ...

    def events_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """Own events with seq > `seq`, ascending, at most `limit`."""
        ...

    def sync_state(self) -> dict[str, Any]:
        """The saved sync state."""
        ...

    def save_sync_state(self, **changes: Any) -> None:
        """Save some fields of the sync state."""
        ...

    def apply_remote(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply others' events in one transaction."""
        ...
