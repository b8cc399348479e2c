"""Opening the terminal's data directory: one process, one writer, durable, checked, backed up."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path


from ..domain.clock import now_utc
from ..domain.errors import StoreError
from .schema import KNOWN_MIGRATIONS, MIGRATION_SET, migration_set
from .sqlite_db import Database

log = logging.getLogger(__name__)

DB_NAME = "loyalty.db"
LOCK_NAME = "loyalty.lock"
BACKUP_DIR = "backups"
KEEP_BACKUPS = 14
FIXED_WAL_RESET = (3, 51, 3)


class DataDirLock:
    """An exclusive OS lock on the data directory: a second process is refused, not queued."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fh = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError saying another instance has this data."""
        fh = open(self.path, "a+")
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreError(
                f"Another Loyalty Desktop is already using the data in {self.path.parent}. "
                "Close it first (only one program may use the same data at a time).",
                code="data_dir_locked",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Give the lock back."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def sqlite_version_note() -> str | None:
    """A warning when the SQLite library has the WAL-reset bug (we keep one writer regardless)."""
    if sqlite3.sqlite_version_info < FIXED_WAL_RESET:
        return (f"SQLite {sqlite3.sqlite_version} predates 3.51.3 (WAL-reset bug with two writing "
                "connections); Loyalty Desktop keeps a single writer connection.")
    return None


def connect(path: Path) -> Database:
    """The single writer connection, with durable settings."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def applied_migrations(db: Database) -> list[str]:
    """Names of the migrations this database has had."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                      "name = '_sqlite_migrations'").fetchone():
        return []
    rows = db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? "
                      "ORDER BY rowid", [MIGRATION_SET]).fetchall()
    return [r[0] for r in rows]


def migrate(db: Database) -> None:
    """Apply pending migrations; refuse a database written by a newer program."""
    applied = applied_migrations(db)
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise StoreError(
            "This data was written by a newer version of Loyalty Desktop "
            f"(unknown changes: {', '.join(unknown)}). Install the newer version; "
            "nothing was changed.",
            code="database_too_new",
        )
    if [name for name in KNOWN_MIGRATIONS if name not in applied]:
        from sqlite_utils import Database as FullDatabase

        migration_set().apply(FullDatabase(db.conn, execute_plugins=False))


def integrity_ok(db: Database) -> bool:
    """SQLite's own integrity check passes."""
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError:
        return False
    return rows == [("ok",)]


def snapshot_backup(data_dir: Path, keep: int = KEEP_BACKUPS,
                    when: datetime | None = None) -> Path:
    """A rotating backup through a read-only connection of its own, in one step.

    Safe from any thread while the writer keeps selling: in WAL mode the reader sees one
    consistent snapshot and neither side waits for the other (the counter's writer connection
    is never touched)."""
    target = _backup_name(data_dir, when)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True)
    dest = sqlite3.connect(str(tmp))
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    os.replace(tmp, target)
    _prune(data_dir, keep)
    return target


def _backup_name(data_dir: Path, when: datetime | None) -> Path:
    stamp = (when or now_utc()).strftime("%Y%m%dT%H%M%S%fZ")
    return data_dir / BACKUP_DIR / f"loyalty-{stamp}.db"


def _prune(data_dir: Path, keep: int) -> None:
    for old in list_backups(data_dir)[keep:]:
        old.unlink(missing_ok=True)


def list_backups(data_dir: Path) -> list[Path]:
    """Backups, newest first."""
    folder = data_dir / BACKUP_DIR
    if not folder.exists():
        return []
    return sorted(folder.glob("loyalty-*.db"), reverse=True)


def file_is_healthy(path: Path, quick: bool = False) -> bool:
    """A database file opens and passes the integrity check (`quick`: SQLite's quick_check)."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute(f"PRAGMA {pragma}").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


RUNNING_MARK = "loyalty.running"
FULL_CHECK_BELOW = 64 * 1024 * 1024
# After an unclean stop every page is read up to this size (about 15 s on a slow disk); beyond
# it WAL with synchronous=FULL is trusted and the full check is left to `check`: reading
# 4 GB at start took 8 minutes here, too long for a shop opening after a power cut.
UNCLEAN_CHECK_BELOW = 512 * 1024 * 1024


def healthy_at_open(data_dir: Path) -> bool:
    """The check at start: every page of a small database, or of a mid-sized one whose last
    session did not close cleanly; otherwise only its schema is read (the full check runs
    with `check`, and every backup is checked when restored), so a multi-gigabyte shop still
    opens in well under a second."""
    path = data_dir / DB_NAME
    if not path.exists():
        return True
    size = path.stat().st_size
    unclean = (data_dir / RUNNING_MARK).exists()
    if size < FULL_CHECK_BELOW or (unclean and size < UNCLEAN_CHECK_BELOW):
        return file_is_healthy(path, quick=True)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA schema_version").fetchone()
            return True
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def mark_running(data_dir: Path, running: bool) -> None:
    """Note that a session is open (removed again on a clean close)."""
    mark = data_dir / RUNNING_MARK
    if running:
        mark.write_text("open\n")
    else:
        mark.unlink(missing_ok=True)


def restore_file(data_dir: Path, backup: Path) -> None:
    """Replace the database with a backup (the caller holds the lock and has closed the db)."""
    if not file_is_healthy(backup):
        raise StoreError(f"The backup {backup.name} is damaged; choose another.",
                         code="backup_damaged")
    live = data_dir / DB_NAME
    if live.exists():
        damaged = data_dir / f"{DB_NAME}.replaced-{now_utc().strftime('%Y%m%dT%H%M%S')}"
        os.replace(live, damaged)
    for suffix in ("-wal", "-shm"):
        (data_dir / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dest = sqlite3.connect(str(live))
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
