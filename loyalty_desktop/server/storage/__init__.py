"""Server storage: SQLite by default (one shop), PostgreSQL for a chain (postgresql:// URL)."""

from __future__ import annotations

from loyalty_desktop.server.settings import ServerSettings

from .base import PushResult, SqlStorage, TerminalAuth
from .postgres import PostgresStorage, is_postgres_url, migrate_postgres
from .sqlite import SqliteStorage, sqlite_path

__all__ = [
    "PushResult", "SqlStorage", "TerminalAuth", "PostgresStorage", "SqliteStorage",
    "open_storage", "is_postgres_url", "migrate_postgres", "sqlite_path",
]


def open_storage(
    db_url: str, settings: ServerSettings | None = None, *, as_app: bool = True
) -> SqlStorage:
    """Open the database a URL names; `as_app=False` for admin commands run as the owner."""
    settings = settings or ServerSettings()
    if is_postgres_url(db_url):
        return PostgresStorage(
            db_url, min_size=settings.pool_min_size, max_size=settings.pool_max_size,
            as_app=as_app,
        )
    return SqliteStorage(sqlite_path(db_url), migrate=settings.auto_migrate)
