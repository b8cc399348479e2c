"""A server restored from an old backup: new instance id, terminals push again what it lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import PG_ENV, Backend, ServerProcess, make_backend
from loyalty_desktop.sync import SyncClient, pair_terminal
from loyalty_desktop.sync.memory import MemorySyncStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh server database of each kind."""
    made = make_backend(request.param, tmp_path)
    if made is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    yield made
    made.drop()


def take_backup(backend: Backend, server: ServerProcess, folder: Path) -> str:
    """Back the server database up as an admin would: an SQLite copy, a PostgreSQL copy."""
    if backend.pg is None:
        return str(admin.backup_sqlite(backend.admin_url, str(folder / "backup.db"))["backup"])
    server.stop()  # CREATE DATABASE ... TEMPLATE needs the database idle
    copy = backend.pg.copy()
    server.start()
    return copy


def restore(backend: Backend, backup: str) -> str:
    """Restore the backup in place (server stopped) and mark it restored: the new instance id."""
    if backend.pg is None:
        return str(admin.restore_sqlite(backup, backend.admin_url)["instance_id"])
    backend.pg.replace_with(backup)
    return str(admin.mark_restored(backend.admin_url)["instance_id"])


def sync(store: MemorySyncStore) -> Any:
    """One sync run."""
    with SyncClient(store) as client:
        return client.sync_once()


def held(server: ServerProcess, store: MemorySyncStore) -> list[dict[str, Any]]:
    """Every event the server holds for the tenant."""
    headers = {"Authorization": f"Bearer {store.state['token']}"}
    found, after = [], 0
    while True:
        page = httpx.get(f"{server.url}/v1/events", params={"after": after}, headers=headers).json()
        found += page["events"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return found


def test_restored_server_gets_back_what_it_lost(backend: Backend, tmp_path: Path) -> None:
    tenant = admin.add_tenant(backend.admin_url, "Zincir")["tenant_id"]
    server = ServerProcess(backend.app_url).start()
    try:
        a, b, late = MemorySyncStore(), MemorySyncStore(), MemorySyncStore()
        for store in (a, b, late):
            pair_terminal(store, server.url, admin.create_pairing_code(backend.admin_url, tenant)["code"])
        for _ in range(100):
            a.record()
        for _ in range(50):
            b.record()
        sync(a), sync(b), sync(late)
        old_instance = a.state["server_instance_id"]
        backup = take_backup(backend, server, tmp_path)

        for _ in range(100):
            a.record()
        for _ in range(50):
            b.record()
        sync(a), sync(b), sync(a)
        assert len(a.remote) == 100 and len(b.remote) == 200

        server.stop()
        new_instance = restore(backend, backup)
        server.start()
        assert new_instance != old_instance
        assert len(held(server, a)) == 150  # the backup lost 150 events

        first = sync(a)
        assert first.instance_id == new_instance and a.state["server_instance_id"] == new_instance
        assert first.pushed == 100 and first.acked_seq == 200
        second = sync(b)
        assert second.pushed == 50 and second.pulled == 0  # b already had a's re-pushed events
        assert sync(a).pulled == 0
        caught_up = sync(late)  # synced before the backup: pulls everything it never saw
        assert caught_up.pulled == 300 - 150 and len(late.remote) == 300

        events = held(server, a)
        assert [e["server_seq"] for e in events] == list(range(1, 301))
        by_terminal: dict[str, list[int]] = {}
        for item in events:
            by_terminal.setdefault(item["event"]["terminal_id"], []).append(item["event"]["seq"])
        assert sorted(by_terminal[a.terminal_id()]) == list(range(1, 201))
        assert sorted(by_terminal[b.terminal_id()]) == list(range(1, 101))
        assert len({e["event"]["id"] for e in events}) == 300
    finally:
        server.close()
