"""An in-memory LocalSyncStore: the reference for the real store, used by tests and benchmarks."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from loyalty_desktop.domain.ids import uuid7

EMPTY_STATE: dict[str, Any] = {
    "server_url": None, "token": None, "pushed_seq": 0, "pull_cursor": 0,
    "server_instance_id": None, "last_sync_at": None,
}


class MemorySyncStore:
    """Own events with a gap-free seq, others' events applied once by id, a sync state dict."""

    def __init__(self, terminal_id: str | None = None) -> None:
        self._terminal_id = terminal_id or str(uuid.uuid4())
        self._lock = threading.Lock()
        self.own: list[dict[str, Any]] = []
        self.remote: dict[str, dict[str, Any]] = {}
        self.apply_calls = 0
        self.state: dict[str, Any] = dict(EMPTY_STATE)

    def record(self, kind: str = "sale", payload: dict[str, Any] | None = None,
               member_id: str | None = None, at: str = "2026-11-23T10:15:00+03:00") -> dict[str, Any]:
        """Record an own event with the next seq (what a sale or an enrolment does)."""
        with self._lock:
            event = {
                "id": uuid7(), "terminal_id": self._terminal_id, "seq": len(self.own) + 1,
                "kind": kind, "member_id": member_id, "at": at,
                "recorded_at": "2026-11-23T10:15:00.123+03:00", "program_version": 1,
                "payload": payload if payload is not None else {"total": 1000 * (len(self.own) + 1)},
            }
            self.own.append(event)
            return event

    def terminal_id(self) -> str:
        """This terminal's id."""
        return self._terminal_id

    def events_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """Own events with seq > `seq` (seq n sits at index n - 1)."""
        with self._lock:
            return [dict(e) for e in self.own[seq: seq + limit]]

    def sync_state(self) -> dict[str, Any]:
        """A copy of the sync state."""
        with self._lock:
            return dict(self.state)

    def save_sync_state(self, **changes: Any) -> None:
        """Save some fields of the sync state."""
        unknown = set(changes) - set(EMPTY_STATE)
        if unknown:
            raise KeyError(f"unknown sync state fields: {sorted(unknown)}")
        with self._lock:
            self.state.update(changes)

    def apply_remote(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Keep others' events once each by id."""
        with self._lock:
            self.apply_calls += 1
            fresh = [e for e in events if e["id"] not in self.remote]
            for event in fresh:
                self.remote[event["id"]] = {k: v for k, v in event.items() if k != "server_seq"}
            return {"applied": len(fresh), "conflicts": []}
