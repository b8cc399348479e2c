"""Reading the tenant's events, conflicts, terminals and sync position (no writes)."""

from __future__ import annotations

from typing import Any

from .base import TerminalAuth


class ReadsMixin:
    """Read queries, mixed into the dialect classes (uses SqlStorage's _read, _one, _all)."""

    _read: Any
    _one: Any
    _all: Any

    def pull(self, tenant_pk: int, after: int, limit: int) -> list[tuple[int, str]]:
        """The tenant's events with server_seq > after, ascending: (server_seq, body)."""
        with self._read() as cur:
            rows = self._all(
                cur,
                "SELECT server_seq, body FROM events WHERE tenant_id = ? AND server_seq > ?"
                " ORDER BY server_seq LIMIT ?",
                (tenant_pk, after, limit),
            )
        return [(int(r[0]), r[1]) for r in rows]

    def event(self, tenant_pk: int, event_id: str) -> tuple[int, str] | None:
        """One event of the tenant by id: (server_seq, body), or None."""
        with self._read() as cur:
            row = self._one(
                cur, "SELECT server_seq, body FROM events WHERE tenant_id = ? AND event_id = ?",
                (tenant_pk, event_id),
            )
        return None if row is None else (int(row[0]), row[1])

    def last_server_seq(self, cur: Any, tenant_pk: int) -> int:
        """The tenant's last assigned server_seq."""
        return int(self._one(cur, "SELECT last_seq FROM tenants WHERE id = ?", (tenant_pk,))[0])

    def conflicts(self, tenant_pk: int, after_id: int, limit: int) -> list[tuple[Any, ...]]:
        """Flagged conflicts of the tenant, oldest first, after a conflict id."""
        with self._read() as cur:
            return self._all(
                cur,
                "SELECT id, event_id, terminal_id, seq, reason, existing_event_id, body,"
                " detected_at FROM conflicts WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                (tenant_pk, after_id, limit),
            )

    def terminal(self, tenant_pk: int, terminal_id: str) -> tuple[Any, ...] | None:
        """One terminal of the tenant: (terminal_id, name, store, acked_seq, paired_at, revoked_at)."""
        with self._read() as cur:
            return self._one(
                cur,
                "SELECT t.terminal_id, t.name, s.name, t.acked_seq, t.paired_at, t.revoked_at"
                " FROM terminals t LEFT JOIN stores s ON s.id = t.store_id"
                " WHERE t.tenant_id = ? AND t.terminal_id = ?",
                (tenant_pk, terminal_id),
            )

    def sync_position(self, auth: TerminalAuth) -> tuple[int, int, list[str], dict[str, int]]:
        """(acked_seq, last_server_seq, instance lineage, instance start seqs) for a terminal."""
        with self._read() as cur:
            acked = int(self._one(
                cur, "SELECT acked_seq FROM terminals WHERE tenant_id = ? AND terminal_id = ?",
                (auth.tenant_pk, auth.terminal_id),
            )[0])
            last = self.last_server_seq(cur, auth.tenant_pk)
            lineage = [r[0] for r in self._all(
                cur, "SELECT instance_id FROM instances ORDER BY position"
            )]
            starts = {r[0]: int(r[1]) for r in self._all(
                cur, "SELECT instance_id, start_seq FROM instance_starts WHERE tenant_id = ?",
                (auth.tenant_pk,),
            )}
        return acked, last, lineage, starts

