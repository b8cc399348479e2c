"""SQLite dialect: one shop's back office in one file (WAL, synchronous=FULL, one guarded writer)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from loyalty_desktop.domain.errors import StoreError

from .accounts import AccountsMixin
from .base import SqlStorage
from .reads import ReadsMixin
from .schema import SQLITE_MIGRATIONS, check_current, pending_migrations

MIN_SQLITE = (3, 35, 0)  # RETURNING and UPSERT

_BUCKET_SQL = """
INSERT INTO rate_buckets (key, tokens, at, allowed) VALUES (:key, :burst - 1, :now, 1)
ON CONFLICT (key) DO UPDATE SET
  allowed = (min(:burst, tokens + max(0, :now - at) * :rate) >= 1),
  tokens = min(:burst, tokens + max(0, :now - at) * :rate)
           - (CASE WHEN min(:burst, tokens + max(0, :now - at) * :rate) >= 1 THEN 1 ELSE 0 END),
  at = :now
RETURNING allowed, tokens
"""


def sqlite_path(url: str) -> Path:
    """The file of an SQLite URL (sqlite:///abs/path, sqlite:relative) or a plain path."""
    for prefix in ("sqlite:///", "sqlite://", "sqlite:"):
        if url.startswith(prefix):
            rest = url[len(prefix):]
            return Path("/" + rest if prefix == "sqlite:///" else rest)
    return Path(url)


class SqliteStorage(AccountsMixin, ReadsMixin, SqlStorage):
    """The server's storage in an SQLite file; every statement goes through one locked connection."""

    def __init__(self, path: Path, *, migrate: bool) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StoreError(
                f"SQLite {sqlite3.sqlite_version} is too old; the server needs 3.35 or newer.",
                code="sqlite_too_old",
            )
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=10.0
        )
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            if migrate:
                self.migrate()
            else:
                check_current(
                    self._current_version(), SQLITE_MIGRATIONS,
                    "Start the server with migrations enabled (the default) to upgrade it.",
                )
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Cursor]:
        """Hold the lock for one transaction; commit on success, roll back on error."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute(begin)
            try:
                yield cur
            except BaseException:
                self._conn.rollback()
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def _read(self) -> Any:
        """A cursor in a read transaction."""
        return self._transaction("BEGIN")

    def _write(self) -> Any:
        """A cursor in a write transaction taken at once (BEGIN IMMEDIATE)."""
        return self._transaction("BEGIN IMMEDIATE")

    def _lock_tenant_sql(self) -> str:
        """The writer lock already serialises pushes: a plain read of last_seq."""
        return (
            "SELECT n.last_seq, t.acked_seq FROM tenants n JOIN terminals t ON t.tenant_id = n.id"
            " WHERE n.id = ? AND t.terminal_id = ?"
        )

    def _bucket_sql(self) -> str:
        """The token bucket upsert in SQLite syntax."""
        return _BUCKET_SQL

    def _current_version(self) -> int:
        """The recorded schema version (0 for a new file)."""
        with self._lock:
            exists = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
            if not exists:
                return 0
            row = self._conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
            return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply the missing migrations, each in its own transaction; refuse a newer file."""
        applied = []
        for migration in pending_migrations(self._current_version(), SQLITE_MIGRATIONS):
            with self._write() as cur:
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at TEXT NOT NULL"
                    " DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
                )
                for statement in migration.statements:
                    cur.execute(statement)
                cur.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )
                if migration.version == 1:
                    self.start_instance(cur)
            applied.append(migration.version)
        return applied

    def backup_to(self, destination: Path) -> None:
        """Copy the live database into a file with SQLite's online backup."""
        target = sqlite3.connect(str(destination))
        try:
            with self._lock:
                self._conn.backup(target)
        finally:
            target.close()
