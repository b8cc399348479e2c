"""Admin functions behind `loyalty-desktop server ...`: run as the database owner, not the app."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from loyalty_desktop.domain.errors import InvalidInput

from . import auth
from .settings import ServerSettings
from .storage import (
    SqliteStorage,
    SqlStorage,
    is_postgres_url,
    migrate_postgres,
    open_storage,
    sqlite_path,
)

SHOP_TZ = ZoneInfo("Europe/Istanbul")
ADMIN_SETTINGS = ServerSettings(pool_min_size=1, pool_max_size=1)


@contextmanager
def admin_storage(db_url: str) -> Iterator[SqlStorage]:
    """The database opened as its owner for one admin command."""
    storage = open_storage(db_url, ADMIN_SETTINGS, as_app=False)
    try:
        yield storage
    finally:
        storage.close()


def _iso(epoch: float) -> str:
    """An epoch time as ISO 8601 in the shop's time zone."""
    return datetime.fromtimestamp(epoch, tz=SHOP_TZ).isoformat(timespec="seconds")


def migrate(db_url: str, app_role: str | None = None, app_password: str | None = None) -> dict[str, Any]:
    """Create or upgrade the schema; on PostgreSQL also grant the app role its rights."""
    if is_postgres_url(db_url):
        return migrate_postgres(db_url, app_role, app_password)
    if app_role:
        raise InvalidInput("--app-role is for PostgreSQL only.", code="app_role_sqlite")
    with admin_storage(db_url) as storage:
        return {"applied": [], "schema_version": storage.schema_version(), "app_role": None}


def add_tenant(db_url: str, name: str) -> dict[str, Any]:
    """Create a tenant (a chain or a shop)."""
    with admin_storage(db_url) as storage:
        return storage.add_tenant(name)  # type: ignore[attr-defined,no-any-return]


def list_tenants(db_url: str) -> list[dict[str, Any]]:
    """Every tenant."""
    with admin_storage(db_url) as storage:
        return storage.list_tenants()  # type: ignore[attr-defined,no-any-return]


def create_pairing_code(
    db_url: str, tenant: str, store: str | None = None, *, minutes: int = 15,
    now: float | None = None,
) -> dict[str, Any]:
    """A one-time pairing code for a tenant (and optionally a store), valid `minutes`."""
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("A pairing code lives 1 to 1440 minutes.", code="pairing_minutes")
    code = auth.new_pairing_code()
    expires_at = (time.time() if now is None else now) + minutes * 60
    with admin_storage(db_url) as storage:
        info = storage.add_pairing_code(  # type: ignore[attr-defined]
            tenant, store, auth.hash_secret(code), expires_at
        )
    return {**info, "code": auth.format_code(code), "expires_at": _iso(expires_at)}


def list_terminals(db_url: str, tenant: str) -> list[dict[str, Any]]:
    """A tenant's terminals."""
    with admin_storage(db_url) as storage:
        return storage.list_terminals(tenant)  # type: ignore[attr-defined,no-any-return]


def revoke_terminal(db_url: str, tenant: str, terminal_id: str) -> dict[str, Any]:
    """Revoke a terminal's token (it must pair again with a new code)."""
    with admin_storage(db_url) as storage:
        return storage.revoke_terminal(  # type: ignore[attr-defined,no-any-return]
            tenant, terminal_id, _iso(time.time())
        )


def mark_restored(db_url: str) -> dict[str, Any]:
    """After a restore from backup: a new instance id, so terminals push again what is missing."""
    with admin_storage(db_url) as storage:
        return {"instance_id": storage.mark_restored()}  # type: ignore[attr-defined]


def backup_sqlite(db_url: str, destination: str) -> dict[str, Any]:
    """Copy a live SQLite server database to a file (PostgreSQL: use pg_dump)."""
    if is_postgres_url(db_url):
        raise InvalidInput("Back up PostgreSQL with pg_dump.", code="backup_postgres")
    target = Path(destination)
    if target.exists():
        raise InvalidInput(f"{target} already exists.", code="backup_exists")
    with admin_storage(db_url) as storage:
        assert isinstance(storage, SqliteStorage)
        storage.backup_to(target)
    return {"backup": str(target)}


def restore_sqlite(backup: str, db_url: str) -> dict[str, Any]:
    """Put a backup in place of a stopped server's SQLite database and give it a new instance id."""
    if is_postgres_url(db_url):
        raise InvalidInput(
            "Restore PostgreSQL with pg_restore, then run `server mark-restored`.",
            code="restore_postgres",
        )
    source, target = Path(backup), sqlite_path(db_url)
    if not source.is_file():
        raise InvalidInput(f"No backup file {source}.", code="backup_missing")
    for suffix in ("-wal", "-shm"):
        side = target.with_name(target.name + suffix)
        if side.exists():
            side.unlink()
    if target.exists():
        shutil.copy2(target, target.with_name(target.name + ".before-restore"))
    shutil.copy2(source, target)
    return {**mark_restored(db_url), "restored_from": str(source)}
