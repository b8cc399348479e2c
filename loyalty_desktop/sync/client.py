"""One sync run: push own events until the server holds them all, then pull the others' events.

Safe to interrupt anywhere: the server is idempotent by event id and reports, per terminal,
the highest seq it holds with no gap (`acked_seq`), so a run always pushes from there; a
pulled page applied twice changes nothing (the store skips ids it holds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from . import errors
from .errors import SyncError
from .http import DEFAULT_TIMEOUT, ServerApi, make_http_client
from .protocol import LocalSyncStore

BATCH_SIZE = 500  # the server's limit per push
PAGE_SIZE = 500
# Events applied in one store transaction while catching up: each group refreshes every
# member it touches once (the larger the group, the fewer refreshes: a week of 20,000 events
# applied ~0.6 s faster in groups of 10,000 than of 5,000), and an interrupted catch-up
# applies at most one group again.
APPLY_BATCH = 10_000
WAITING_CAP = 10_000  # the status bar shows "10000+" beyond


@dataclass
class SyncReport:
    """What one run did."""

    pushed: int = 0
    pulled: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    duplicates: int = 0
    acked_seq: int = 0
    instance_id: str | None = None


def _now() -> str:
    """The wall clock, timezone-aware, as ISO 8601."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class SyncClient:
    """Syncs a LocalSyncStore with the server named in its sync state."""

    def __init__(
        self,
        store: LocalSyncStore,
        transport: httpx.BaseTransport | None = None,
        *,
        ca_file: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Callable[[], str] = _now,
    ) -> None:
        self.store = store
        self.transport = transport
        self.ca_file = ca_file
        self.timeout = timeout
        self.clock = clock
        self._api: ServerApi | None = None
        self._api_for: tuple[str, str] | None = None

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._api is not None:
            self._api.close()
            self._api = None

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _server(self, state: dict[str, Any]) -> ServerApi:
        """The API client for the state's server and token (kept while they do not change)."""
        url, token = state.get("server_url"), state.get("token")
        if not url or not token:
            raise SyncError("This terminal is not paired with a server.", code=errors.NOT_PAIRED)
        if self._api is None or self._api_for != (url, token):
            self.close()
            self._api = ServerApi(make_http_client(
                url, token, transport=self.transport, ca_file=self.ca_file, timeout=self.timeout
            ))
            self._api_for = (url, token)
        return self._api

    def sync_once(self) -> SyncReport:
        """Push until the server holds every own event, then pull until caught up."""
        state = self.store.sync_state()
        api = self._server(state)
        status = api.status(state.get("server_instance_id"))
        instance = str(status["instance_id"])
        cursor = self._cursor_for(state, status)
        report = SyncReport(instance_id=instance, cursor=cursor)
        self._push(api, instance, int(status["acked_seq"]), report)
        self._pull(api, instance, cursor, report)
        self.store.save_sync_state(last_sync_at=self.clock())
        return report

    def _cursor_for(self, state: dict[str, Any], status: dict[str, Any]) -> int:
        """The pull cursor, moved back when the server was restored from an older backup."""
        cursor = int(state.get("pull_cursor") or 0)
        known, instance = state.get("server_instance_id"), str(status["instance_id"])
        if known == instance:
            return cursor
        floor = status.get("pull_floor")
        if known is not None and floor is not None:
            cursor = min(cursor, int(floor))
        self.store.save_sync_state(server_instance_id=instance, pull_cursor=cursor)
        return cursor

    def _push(self, api: ServerApi, instance: str, acked: int, report: SyncReport) -> None:
        """Send own events after what the server holds, in batches, until none is left."""
        sent_up_to = acked
        batch_size = BATCH_SIZE
        report.acked_seq = acked
        self.store.save_sync_state(pushed_seq=acked)  # the server's word, even if lower
        while True:
            batch = self.store.events_after(sent_up_to, batch_size)
            if not batch:
                break
            try:
                answer = api.push(batch)
            except SyncError as error:
                if error.code == errors.TOO_LARGE and batch_size > 1:
                    batch_size = max(1, batch_size // 2)  # large payloads: smaller batches
                    continue
                raise
            _same_instance(answer, instance)
            report.pushed += len(answer["accepted"]) + len(answer["duplicate"])
            report.duplicates += len(answer["duplicate"])
            report.conflicts += [{**r, "source": "push"} for r in answer["rejected"]]
            report.acked_seq = int(answer["acked_seq"])
            sent_up_to = max(int(batch[-1]["seq"]), report.acked_seq)
            self.store.save_sync_state(pushed_seq=sent_up_to)

    def _pull(self, api: ServerApi, instance: str, cursor: int, report: SyncReport) -> None:
        """Fetch pages after the cursor, apply the other terminals' events, save the cursor.

        Pages are applied in groups of up to APPLY_BATCH events, one store transaction each,
        so a terminal catching up on a week refreshes each member's balances a few times, not
        once per page; the cursor is saved only after its events are applied. Each event
        handed to `apply_remote` carries its `server_seq` as an extra key.
        """
        own = self.store.terminal_id()
        pending: list[dict[str, Any]] = []
        while True:
            page = api.pull(cursor, PAGE_SIZE)
            _same_instance(page, instance)
            pending += [
                {**item["event"], "server_seq": item["server_seq"]}
                for item in page["events"] if item["event"].get("terminal_id") != own
            ]
            next_cursor = int(page["next_cursor"])
            last_page = not page["has_more"] or not page["events"]
            if len(pending) >= APPLY_BATCH or last_page or next_cursor == cursor:
                self._apply(pending, report)
                pending = []
                if next_cursor != cursor:
                    self.store.save_sync_state(pull_cursor=next_cursor)
            cursor = next_cursor
            report.cursor = cursor
            if last_page:
                break

    def _apply(self, events: list[dict[str, Any]], report: SyncReport) -> None:
        if not events:
            return
        result = self.store.apply_remote(events)
        report.pulled += int(result.get("applied", 0))
        report.conflicts += [
            {**c, "source": "apply"} if isinstance(c, dict) else {"detail": c, "source": "apply"}
            for c in result.get("conflicts", [])
        ]

    def waiting_events(self, cap: int = WAITING_CAP) -> int:
        """How many own events the server may not hold yet (the store's count if it keeps one)."""
        state = self.store.sync_state()
        if state.get("waiting") is not None:
            return int(state["waiting"])
        return len(self.store.events_after(int(state.get("pushed_seq") or 0), cap))


def _same_instance(answer: dict[str, Any], instance: str) -> None:
    """Stop the run if the server changed life (restored) while it ran; the next run resumes."""
    if answer.get("instance_id") != instance:
        raise SyncError(
            "The server was restored from a backup during this sync; it will resume.",
            code=errors.SERVER_CHANGED,
        )


def pair(
    server_url: str,
    code: str,
    store_name: str | None = None,
    *,
    terminal_id: str | None = None,
    terminal_name: str | None = None,
    ca_file: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Pair with a one-time code: {"token", "tenant_id", "terminal_id", "store", "instance_id",
    "server_url", ...}. Raises SyncError (code sync_pairing_failed for a bad code)."""
    api = ServerApi(make_http_client(server_url, transport=transport, ca_file=ca_file, timeout=timeout))
    try:
        answer = api.pair(
            code, terminal_id=terminal_id, terminal_name=terminal_name, store_name=store_name
        )
    except SyncError as error:
        if error.status in (403, 409, 422):
            raise SyncError(error.message, code=errors.PAIRING_FAILED, status=error.status) from error
        raise
    finally:
        api.close()
    return {**answer, "server_url": server_url.rstrip("/")}


def pair_terminal(
    store: LocalSyncStore, server_url: str, code: str, store_name: str | None = None, **options: Any
) -> dict[str, Any]:
    """Pair this terminal (with its own id) and save the server and token in its sync state."""
    paired = pair(server_url, code, store_name, terminal_id=store.terminal_id(), **options)
    state = store.sync_state()
    same_server = state.get("server_instance_id") == paired["instance_id"]
    store.save_sync_state(
        server_url=paired["server_url"],
        token=paired["token"],
        server_instance_id=paired["instance_id"],
        pull_cursor=int(state.get("pull_cursor") or 0) if same_server else 0,
        pushed_seq=int(state.get("pushed_seq") or 0) if same_server else 0,
    )
    return paired
