"""The small part of sqlite-utils' Database the store uses every day, without importing it.

Importing sqlite_utils also imports numpy (for its column types), a quarter of a second at
every start of the counter. Day to day the store only needs `execute`, `atomic` and the raw
connection; sqlite-utils itself is loaded when migrations have to run (`store.database`).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

# Savepoint names: unique within the process (a counter; `secrets` would load libcrypto at
# start for nothing).
_SAVEPOINTS = itertools.count(1)


class Database:
    """A connection with sqlite-utils' `execute` and `atomic` semantics."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rollup_zone: str | None = None  # see store.rollups.rollup_zone

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
                ) -> sqlite3.Cursor:
        """Run one statement."""
        return self.conn.execute(sql, parameters if parameters is not None else ())

    @contextmanager
    def page_cache(self, kib: int) -> Iterator[Database]:
        """A page cache of `kib` KiB while the block runs, the connection's own again after.

        For bulk writes (a catch-up's groups of pulled events): with the default 2 MB, the
        indexes a group inserts into at random places (ledger and sales by member) no longer
        fit, and their pages are read again and written to the WAL more than once."""
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield self
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction; nested blocks are savepoints (as in sqlite-utils)."""
        if self.conn.in_transaction:
            savepoint = f"ld_{next(_SAVEPOINTS)}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
