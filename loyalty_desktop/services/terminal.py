"""The terminal facade the CLI and the UI call, and how it is opened."""

from __future__ import annotations

import logging
from pathlib import Path

from ..domain.errors import StoreError
from ..domain.ids import uuid7
from ..store import database as dbm
from .admin import AdminMixin
from .counter_ops import CounterOpsMixin
from .settings import SettingsMixin
from .sync_store import SyncStoreMixin

log = logging.getLogger(__name__)


class Terminal(AdminMixin, SyncStoreMixin, SettingsMixin, CounterOpsMixin):
    """Every use case of one terminal, over one data directory."""


def open_terminal(data_dir: Path | str, *, create: bool = True) -> Terminal:
    """Lock the data directory, check and migrate the database, and return the terminal."""
    data_dir = Path(data_dir).expanduser()
    if not data_dir.exists():
        if not create:
            raise StoreError(f"No data directory at {data_dir}.", code="no_data_dir")
        data_dir.mkdir(parents=True)
    lock = dbm.DataDirLock(data_dir)
    lock.acquire()
    try:
        path = data_dir / dbm.DB_NAME
        if not dbm.healthy_at_open(data_dir):
            good = next((b for b in dbm.list_backups(data_dir) if dbm.file_is_healthy(b)), None)
            hint = (f" The newest good backup is {good.name}: run "
                    f"`loyalty-desktop restore {good.name}` to use it."
                    if good else " No good backup was found.")
            raise StoreError(f"The database in {data_dir} is damaged.{hint}",
                             code="database_damaged", backup=str(good) if good else None)
        db = dbm.connect(path)
        dbm.migrate(db)
        dbm.mark_running(data_dir, True)
        note = dbm.sqlite_version_note()
        if note:
            log.info(note)
        return Terminal(data_dir, db, lock)
    except BaseException:
        lock.release()
        raise


def restore_backup(data_dir: Path | str, backup: Path) -> None:
    """Replace the data with a backup while holding the data directory's lock.

    The restored database continues as a new terminal identity: its old identity's events after
    the backup may already be on the server with the same sequence numbers, so reusing them
    would lose new events. Under the new id the old events are "another terminal's" and come
    back with the next pull; the terminal must be paired again (its token named the old id).
    """
    data_dir = Path(data_dir).expanduser()
    lock = dbm.DataDirLock(data_dir)
    lock.acquire()
    try:
        dbm.restore_file(data_dir, backup)
        db = dbm.connect(data_dir / dbm.DB_NAME)
        try:
            with db.atomic():
                old = db.execute("SELECT value FROM meta WHERE key = 'terminal_id'").fetchone()
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('terminal_id', ?)",
                           [uuid7()])
                if old:
                    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES "
                               "('previous_terminal_id', ?)", [old[0]])
                paired = db.execute("SELECT value FROM sync_state WHERE key = 'server_url'")
                server = paired.fetchone()
                db.execute("DELETE FROM sync_state")
                if server and server[0]:
                    db.execute("INSERT INTO sync_state (key, value) VALUES ('server_url', ?)",
                               [server[0]])
                    db.execute("INSERT INTO sync_state (key, value) VALUES ('last_error', ?)",
                               ["restored from a backup: pair this terminal again"])
        finally:
            db.conn.close()
    finally:
        lock.release()
