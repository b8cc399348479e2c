"""SyncLoop: backoff with jitter, never raising into the caller, a status for the status bar."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import ServerProcess, free_port
from loyalty_desktop.sync import (
    SyncClient,
    SyncError,
    SyncLoop,
    SyncReport,
    backoff_delay,
    pair_terminal,
)
from loyalty_desktop.sync.memory import MemorySyncStore


class ScriptedClient:
    """A client whose runs follow a script: an exception to raise or a report to return."""

    def __init__(self, script: list[Any]) -> None:
        self.store = MemorySyncStore()
        self.script = list(script)
        self.runs = 0
        self.closed = False

    def sync_once(self) -> SyncReport:
        self.runs += 1
        step = self.script.pop(0) if self.script else SyncReport()
        if isinstance(step, BaseException):
            raise step
        self.store.save_sync_state(last_sync_at="2026-11-23T10:15:00+03:00")
        return step  # type: ignore[no-any-return]

    def waiting_events(self) -> int:
        return len(self.store.own)

    def close(self) -> None:
        self.closed = True


def offline() -> SyncError:
    """The error of an unreachable server."""
    return SyncError("The server cannot be reached (ConnectError).", code="sync_offline")


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for failures in range(1, 12):
        ceiling = min(60.0, 2.0 * 2 ** (failures - 1))
        delays = [backoff_delay(failures, 2.0, 60.0, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, not a constant
    assert backoff_delay(30, 2.0, 60.0, rng) <= 60.0


def test_failures_back_off_and_a_success_resets() -> None:
    client = ScriptedClient([offline(), offline(), offline(), SyncReport(pushed=3)])
    client.store.record()
    loop = SyncLoop(client, interval=30.0, min_backoff=1.0, max_backoff=100.0,  # type: ignore[arg-type]
                    rng=random.Random(1))
    delays = [loop.run_once() for _ in range(3)]
    status = loop.status()
    assert status.online is False and status.consecutive_failures == 3
    assert status.last_error_code == "sync_offline" and status.waiting_events == 1
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[2] <= 4.0
    assert loop.run_once() == 30.0
    status = loop.status()
    assert status.online is True and status.consecutive_failures == 0 and status.last_error is None
    assert status.last_sync_at == "2026-11-23T10:15:00+03:00"
    assert status.last_report is not None and status.last_report.pushed == 3


def test_retry_after_is_honoured_and_a_bug_does_not_escape() -> None:
    limited = SyncError("slow down", code="sync_rate_limited", retry_after=42.0)
    client = ScriptedClient([limited, ZeroDivisionError("bug"), SyncError("x", code="sync_not_paired")])
    seen: list[Any] = []
    loop = SyncLoop(client, interval=30.0, min_backoff=1.0,  # type: ignore[arg-type]
                    on_change=seen.append)
    assert loop.run_once() >= 42.0
    assert loop.status().online is True  # rate limited: the server is there
    assert loop.run_once() <= 4.0
    assert loop.status().last_error_code == "sync_failed" and "bug" in str(loop.status().last_error)
    assert loop.run_once() == 30.0
    assert loop.status().paired is False
    assert len(seen) == 3 and not seen[-1].syncing


def test_thread_runs_off_the_caller_and_stops(tmp_path: Path) -> None:
    client = ScriptedClient([offline()] * 1000)
    loop = SyncLoop(client, interval=0.01, min_backoff=0.01, max_backoff=0.02)  # type: ignore[arg-type]
    caller = threading.get_ident()
    ran_on: set[int] = set()
    original = client.sync_once

    def recording() -> SyncReport:
        ran_on.add(threading.get_ident())
        return original()

    client.sync_once = recording  # type: ignore[method-assign]
    loop.start()
    deadline = time.monotonic() + 5
    while client.runs < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.stop()
    assert client.runs >= 5 and caller not in ran_on and client.closed
    runs = client.runs
    time.sleep(0.05)
    assert client.runs == runs


def test_offline_then_online_against_a_real_server(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    admin.migrate(db)
    tenant = admin.add_tenant(db, "Köşe Bakkal")["tenant_id"]
    port = free_port()
    server = ServerProcess(db, port=port)
    store = MemorySyncStore()
    try:
        server.start()
        code = admin.create_pairing_code(db, tenant)["code"]
        pair_terminal(store, server.url, code)
        server.stop()
        for _ in range(3):
            store.record()
        loop = SyncLoop(SyncClient(store, timeout=2.0), interval=60.0, min_backoff=0.05,
                        max_backoff=0.2)
        loop.start()
        _wait(lambda: loop.status().consecutive_failures >= 2)
        assert loop.status().online is False and loop.status().waiting_events == 3
        server.start()
        loop.sync_now()
        _wait(lambda: loop.status().online is True)
        loop.stop()
        status = loop.status()
        assert status.waiting_events == 0 and status.last_sync_at is not None
        assert store.state["pushed_seq"] == 3
    finally:
        server.close()


def _wait(condition: Any, timeout: float = 20.0) -> None:
    """Poll until a condition holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.02)
