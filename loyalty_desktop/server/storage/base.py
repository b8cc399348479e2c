"""The server's storage: every query of the protocol, written once for SQLite and PostgreSQL.

Queries use `?` placeholders; a dialect converts them and supplies its connections, its
transaction and lock, and the few statements that differ (see sqlite.py, postgres.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from .batch import (
    Conflict,
    EventBatch,
    IncomingEvent,
    accept_all,
    contiguous_high_water,
    digest,
    plan_push,
)

SCAN_LIMIT = 5000  # most held seqs read at once when advancing a terminal's high-water mark

CURRENT_INSTANCE = "(SELECT instance_id FROM instances ORDER BY position DESC LIMIT 1)"


@dataclass(frozen=True)
class TerminalAuth:
    """Who a bearer token speaks for: every query of the request is scoped to this tenant."""

    tenant_pk: int
    tenant_id: str
    terminal_id: str
    token_hash: str
    instance_id: str


@dataclass(frozen=True)
class PushResult:
    """What a push changed, as the protocol answers it."""

    accepted: list[str]
    duplicate: list[str]
    rejected: list[dict[str, object]]
    acked_seq: int
    last_server_seq: int


class SqlStorage(ABC):
    """Protocol queries over a DB-API connection; subclasses provide the dialect."""

    placeholder = "?"

    # -- provided by the dialect -------------------------------------------------------------
    @abstractmethod
    def _read(self) -> AbstractContextManager[Any]:
        """A cursor in a read transaction."""
        ...

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A cursor in the write transaction (committed on success, rolled back on error)."""
        ...

    @abstractmethod
    def _lock_tenant_sql(self) -> str:
        """SELECT the tenant's last_seq and the terminal's acked_seq, holding the tenant's row."""
        ...

    @abstractmethod
    def _bucket_sql(self) -> str:
        """Upsert of one token bucket returning (allowed, tokens)."""
        ...

    def _ids_clause(self, ids: Sequence[str]) -> tuple[str, list[Any]]:
        """`IN (...)` for a list of ids, with its parameters."""
        return "IN (" + ",".join("?" * len(ids)) + ")", list(ids)

    def _insert_events(self, cur: Any, tenant_pk: int, rows: list[tuple[int, IncomingEvent]]) -> None:
        """Insert accepted events with their server_seq."""
        cur.executemany(
            self._q(
                "INSERT INTO events (tenant_id, server_seq, event_id, terminal_id, seq, kind, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
            ),
            [(tenant_pk, s, e.event_id, e.terminal_id, e.seq, e.kind, e.body) for s, e in rows],
        )

    def _insert_if_all_new(self, cur: Any, tenant_pk: int, rows: list[tuple[int, IncomingEvent]]) -> bool:
        """Insert a batch in one go if no event of it is held yet; False (nothing written) if not."""
        return False

    def close(self) -> None:
        """Release connections."""

    # -- helpers -------------------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        """The query in this dialect's placeholder style."""
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _one(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """First row of a query, or None."""
        cur.execute(self._q(sql), params)
        return cur.fetchone()

    def _all(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query."""
        cur.execute(self._q(sql), params)
        return list(cur.fetchall())

    # -- health and identity -------------------------------------------------------------------
    def instance_id(self) -> str:
        """The random id of this database's current life (changes when restored from a backup)."""
        with self._read() as cur:
            return str(self._one(cur, "SELECT " + CURRENT_INSTANCE)[0])

    def schema_version(self) -> int:
        """The schema version recorded in the database (0 when it has none)."""
        with self._read() as cur:
            row = self._one(cur, "SELECT max(version) FROM schema_migrations")
            return int(row[0] or 0)

    # -- auth and rate limits --------------------------------------------------------------------
    def authorize(
        self, token_hash: str, now: float, rate: float, burst: float
    ) -> tuple[TerminalAuth | None, float | None]:
        """The token's terminal (None if unknown or revoked) and, if it must wait, for how long.

        One transaction: the lookup and the token bucket of the token (rate limits hold across
        server processes because the bucket lives in the database).
        """
        with self._write() as cur:
            row = self._one(
                cur,
                "SELECT t.tenant_id, n.uid, t.terminal_id, " + CURRENT_INSTANCE + " FROM terminals t"
                " JOIN tenants n ON n.id = t.tenant_id"
                " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                (token_hash,),
            )
            if row is None:
                return None, None
            wait = self._take(cur, "token:" + token_hash, now, rate, burst)
        return TerminalAuth(int(row[0]), row[1], row[2], token_hash, row[3]), wait

    def take_token(self, key: str, now: float, rate: float, burst: float) -> float | None:
        """Take one request from a token bucket: None if allowed, else seconds to wait."""
        with self._write() as cur:
            return self._take(cur, key, now, rate, burst)

    def _take(self, cur: Any, key: str, now: float, rate: float, burst: float) -> float | None:
        """The bucket update inside the caller's transaction."""
        self._relax_durability(cur)
        allowed, tokens = self._one(
            cur, self._bucket_sql(), {"key": key, "now": now, "rate": rate, "burst": burst}
        )
        if allowed:
            return None
        return max(0.001, (1.0 - float(tokens)) / rate)

    def _relax_durability(self, cur: Any) -> None:
        """Let this transaction commit without waiting for the disk (it only moves a bucket)."""

    # -- push and pull -----------------------------------------------------------------------------
    def push_batch(self, auth: TerminalAuth, batch: EventBatch) -> PushResult:
        """`push` of a batch given as columns (a dialect may store it without the objects)."""
        return self.push(auth, batch.events())

    def push(self, auth: TerminalAuth, events: list[IncomingEvent]) -> PushResult:
        """Store a batch of the terminal's events exactly once, in one transaction."""
        tenant = auth.tenant_pk
        with self._write() as cur:
            last_seq, acked = self._one(cur, self._lock_tenant_sql(), (tenant, auth.terminal_id))
            plan = accept_all(events, int(last_seq))
            if not events or not self._insert_if_all_new(cur, tenant, plan.inserts):
                plan = plan_push(
                    events,
                    self._bodies_by_id(cur, tenant, [e.event_id for e in events]),
                    self._ids_by_seq(cur, tenant, auth.terminal_id, [e.seq for e in events]),
                    int(last_seq),
                )
                if plan.inserts:
                    self._insert_events(cur, tenant, plan.inserts)
            if plan.last_seq != last_seq:
                cur.execute(
                    self._q("UPDATE tenants SET last_seq = ? WHERE id = ?"), (plan.last_seq, tenant)
                )
            if plan.conflicts:
                self._insert_conflicts(cur, tenant, plan.conflicts)
            acked = self._advance_acked(cur, auth, int(acked), sorted(plan.inserted_seqs))
        return PushResult(plan.accepted, plan.duplicate, plan.rejected, acked, plan.last_seq)

    def _bodies_by_id(self, cur: Any, tenant_pk: int, ids: list[str]) -> dict[str, str]:
        """Stored bodies of those event ids in the tenant."""
        if not ids:
            return {}
        clause, params = self._ids_clause(ids)
        rows = self._all(
            cur, f"SELECT event_id, body FROM events WHERE tenant_id = ? AND event_id {clause}",
            [tenant_pk, *params],
        )
        return {row[0]: row[1] for row in rows}

    def _ids_by_seq(self, cur: Any, tenant_pk: int, terminal_id: str, seqs: list[int]) -> dict[int, str]:
        """Stored event ids of the terminal's seqs in the batch's range."""
        if not seqs:
            return {}
        rows = self._all(
            cur,
            "SELECT seq, event_id FROM events WHERE tenant_id = ? AND terminal_id = ?"
            " AND seq BETWEEN ? AND ?",
            (tenant_pk, terminal_id, min(seqs), max(seqs)),
        )
        return {int(row[0]): row[1] for row in rows}

    def _insert_conflicts(self, cur: Any, tenant_pk: int, conflicts: list[Conflict]) -> None:
        """Record rejected events once each (the same rejected content is not repeated)."""
        sql = self._q(
            "INSERT INTO conflicts (tenant_id, event_id, terminal_id, seq, reason,"
            " existing_event_id, digest, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant_id, event_id, digest) DO NOTHING"
        )
        for c in conflicts:
            e = c.event
            cur.execute(
                sql,
                (tenant_pk, e.event_id, e.terminal_id, e.seq, c.reason, c.existing_event_id,
                 digest(e.body), e.body),
            )

    def _advance_acked(self, cur: Any, auth: TerminalAuth, acked: int, inserted: list[int]) -> int:
        """Move the terminal's contiguous high-water mark over the seqs now held.

        First over the seqs just inserted, then over what was held beyond (pushed out of
        order before, or recorded as conflicts), read from the database.
        """
        key = (auth.tenant_pk, auth.terminal_id)
        start = acked
        acked = contiguous_high_water(acked, [seq for seq in inserted if seq > acked])
        while True:
            held = [int(r[0]) for r in self._all(
                cur,
                "SELECT seq FROM events WHERE tenant_id = ? AND terminal_id = ? AND seq > ?"
                " UNION SELECT seq FROM conflicts WHERE tenant_id = ? AND terminal_id = ?"
                " AND seq > ? ORDER BY seq LIMIT " + str(SCAN_LIMIT),
                (*key, acked, *key, acked),
            )]
            advanced = contiguous_high_water(acked, held)
            if advanced == acked or len(held) < SCAN_LIMIT:
                acked = advanced
                break
            acked = advanced
        if acked != start:
            cur.execute(
                self._q("UPDATE terminals SET acked_seq = ? WHERE tenant_id = ? AND terminal_id = ?"),
                (acked, *key),
            )
        return acked
