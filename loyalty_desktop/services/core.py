"""The terminal's core: the open store, the clock, the program, recording events, auditing."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..store.sqlite_db import Database

from ..domain.clock import DEFAULT_TZ, now_utc, to_db, to_json
from ..domain.errors import StoreError
from ..domain.ids import uuid7
from ..domain.ledger import Entry
from ..domain.program import DEFAULT_PROGRAM, Program, program_from_toml
from ..store import database as dbm
from ..store.ledger_repo import Known, entry_to_data, next_seq
from ..store.projector import apply_event

log = logging.getLogger(__name__)


class TerminalCore:
    """Holds the single writer connection and records events through the projector."""

    def __init__(self, data_dir: Path, db: Database, lock: dbm.DataDirLock) -> None:
        self.data_dir = data_dir
        self.db = db
        self._lock = lock
        self._meta_cache: dict[str, str | None] = {}
        self._last_seq: int | None = None  # this terminal's last committed event seq, if known
        self.terminal_id = self._meta_setdefault("terminal_id", uuid7())
        self._program: Program | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the database and release the data directory."""
        try:
            self.db.conn.close()
            dbm.mark_running(self.data_dir, False)
        finally:
            self._lock.release()

    def __enter__(self) -> TerminalCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta and settings -------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        """A value of the meta table (cached: this process is the only writer)."""
        if key not in self._meta_cache:
            row = self.db.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            self._meta_cache[key] = row[0] if row else None
        value = self._meta_cache[key]
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (inside the caller's transaction if any)."""
        self._meta_cache.pop(key, None)
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def _meta_setdefault(self, key: str, value: str) -> str:
        current = self.meta(key)
        if current is not None:
            return current
        with self.db.atomic():
            self.set_meta(key, value)
        return value

    @property
    def initialised(self) -> bool:
        return self.meta("shop_name") is not None

    def require_shop(self) -> None:
        """Refuse work on a data directory that has no shop yet."""
        if not self.initialised:
            raise StoreError("This terminal has no shop yet: run `loyalty-desktop init` first "
                             "(or the first-run wizard).", code="not_initialised")

    @property
    def timezone(self) -> str:
        return self.meta("timezone", DEFAULT_TZ) or DEFAULT_TZ

    @property
    def language(self) -> str:
        return self.meta("language", "tr") or "tr"

    # -- program -----------------------------------------------------------------------------
    @property
    def program(self) -> Program:
        """The program in force (the newest published version)."""
        if self._program is None:
            row = self.db.execute("SELECT doc FROM programs ORDER BY version DESC LIMIT 1").fetchone()
            self._program = program_from_toml(row[0]) if row else DEFAULT_PROGRAM
        return self._program

    def _forget_program(self) -> None:
        self._program = None

    # -- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The current time (tests and replays pass `at` instead)."""
        return now_utc()

    def moment(self, at: datetime | None) -> datetime:
        """The operation's time: the given one, or now."""
        return at if at is not None else self.now()

    def iso(self, moment: datetime | None) -> str | None:
        """A time for JSON output, in the shop's zone."""
        return to_json(moment, self.timezone)

    # -- recording ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Database]:
        """One user action = one transaction; a rollback forgets cached settings.

        `durable=False` (only for rows that move no money or points, like the audit row of a
        refused scan) commits without waiting for the disk, so the cashier is not kept
        waiting on a slow fsync; WAL still keeps the database consistent.
        """
        if not durable and not self.db.conn.in_transaction:
            self.db.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with self.db.atomic():
                yield self.db
        except BaseException:
            self._meta_cache.clear()
            self._program = None
            self._last_seq = None
            raise
        finally:
            if not durable:
                self.db.conn.execute("PRAGMA synchronous=FULL")

    def record(self, kind: str, member_id: str | None, at: datetime, payload: dict[str, Any],
               entries: Iterable[Entry] = (), event_id: str | None = None,
               known: dict[str, Known] | None = None,
               result: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create this terminal's next event and apply it (caller holds the transaction)."""
        # The single writer knows its own last seq; any rollback forgets it (read again).
        seq = self._last_seq + 1 if self._last_seq is not None else next_seq(self.db,
                                                                             self.terminal_id)
        event = {
            "id": event_id or uuid7(), "terminal_id": self.terminal_id,
            "seq": seq, "kind": kind, "member_id": member_id,
            "at": to_db(at), "recorded_at": to_db(self.now()),
            "program_version": self.program.version,
            "payload": {**payload, "entries": [entry_to_data(e) for e in entries]},
        }
        apply_event(self.db, event, origin="local", known=known, result=result)
        self._last_seq = seq
        return event

    def audit(self, action: str, subject: str | None = None, before: Any = None,
              after: Any = None, staff_id: str | None = None, at: datetime | None = None) -> None:
        """Append a row to the audit log."""
        self.db.execute(
            "INSERT INTO audit (at, staff_id, terminal_id, action, subject, before, after) "
            "VALUES (?,?,?,?,?,?,?)",
            [to_db(self.moment(at)), staff_id, self.terminal_id, action, subject,
             json.dumps(before, ensure_ascii=False, sort_keys=True) if before is not None else None,
             json.dumps(after, ensure_ascii=False, sort_keys=True) if after is not None else None],
        )

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest audit rows."""
        rows = self.db.execute(
            "SELECT id, at, staff_id, terminal_id, action, subject, before, after FROM audit "
            "ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        keys = ("id", "at", "staff_id", "terminal_id", "action", "subject", "before", "after")
        out = []
        for row in rows:
            item = dict(zip(keys, row))
            for k in ("before", "after"):
                item[k] = json.loads(item[k]) if item[k] else None
            out.append(item)
        return out
