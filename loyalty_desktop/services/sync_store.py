"""The terminal side of sync: the outbox is the events table; pulled events go through the projector.

Implements the `LocalSyncStore` protocol the HTTP sync client (loyalty_desktop.sync) drives.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.clock import to_db
from ..domain.ids import derived_id
from ..domain.ledger import Entry, MemberLedger
from ..store.ledger_repo import (
    EVENT_COLUMNS, event_row_to_dict, refresh_extended, refresh_member,
)
from ..store.projector import Batch, apply_event
from .core import TerminalCore

APPLY_CACHE_KIB = 64 * 1024  # page cache while applying pulled events (grows only as used)
_STATE_KEYS = ("server_url", "token", "pushed_seq", "pull_cursor", "server_instance_id",
               "last_sync_at", "last_error")


class SyncStoreMixin(TerminalCore):
    """Outbox reads, sync cursors and applying other terminals' events."""

    def events_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """This terminal's own events with seq > `seq`, ascending (the outbox)."""
        rows = self.db.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE terminal_id = ? AND seq > ? "
            "ORDER BY seq LIMIT ?", [self.terminal_id, seq, limit]).fetchall()
        return [event_row_to_dict(r) for r in rows]

    def sync_state(self) -> dict[str, Any]:
        """Where sync stands: server, token, cursors, last success."""
        rows = dict(self.db.execute("SELECT key, value FROM sync_state").fetchall())
        state: dict[str, Any] = {k: rows.get(k) for k in _STATE_KEYS}
        state["pushed_seq"] = int(state["pushed_seq"] or 0)
        state["pull_cursor"] = int(state["pull_cursor"] or 0)
        state["waiting"] = self.db.execute(
            "SELECT COUNT(*) FROM events WHERE terminal_id = ? AND seq > ?",
            [self.terminal_id, state["pushed_seq"]]).fetchone()[0]
        return state

    def save_sync_state(self, **changes: Any) -> None:
        """Update sync cursors (one transaction)."""
        unknown = set(changes) - set(_STATE_KEYS)
        if unknown:
            raise ValueError(f"unknown sync state keys: {sorted(unknown)}")
        with self.transaction():
            for key, value in changes.items():
                self.db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)",
                                [key, None if value is None else str(value)])
            if "server_url" in changes:
                self.set_meta("sync_server_url", str(changes["server_url"] or ""))
            if changes.get("last_sync_at"):
                self.set_meta("sync_last_success", to_db(self.now()))

    def apply_remote(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply other terminals' events in one transaction; flag what only shows after merging."""
        applied = 0
        with self.db.page_cache(APPLY_CACHE_KIB), self.transaction():
            theirs = [e for e in events if e["terminal_id"] != self.terminal_id]
            with Batch(self.db, theirs) as batch:
                for event in theirs:
                    # the event is stored with its server_seq (if the server sent one)
                    if apply_event(self.db, event, origin="remote", batch=batch):
                        applied += 1
            folded = self._refresh(batch)
            conflicts = self._flag_conflicts(folded)
            if any(e["kind"] == "program_published" for e in events):
                self._forget_program()
        return {"applied": applied, "conflicts": conflicts}

    def _refresh(self, batch: Batch) -> dict[str, Any]:
        """Refresh the caches of the members a batch touched, each once.

        Unless the batch merged members, a member whose cached fold exists and whose new
        entries all sort after its last cached entry gets that fold extended with them (as a
        local sale does) instead of its whole ledger read and folded again; the others are
        folded from the ledger.
        """
        batch.roots.clear()  # merges may have moved them
        members = {batch.root(m) for m in batch.touched}
        by_root: dict[str, list[Entry]] = {}
        if not batch.merged:
            for member_id, entries in batch.new.items():
                by_root.setdefault(batch.root(member_id), []).extend(entries)
        folded: dict[str, MemberLedger] = {}
        for member_id in sorted(members):
            mine = by_root.get(member_id)
            led = refresh_extended(self.db, member_id, mine) if mine else None
            folded[member_id] = led if led is not None else refresh_member(self.db, member_id)
        return folded

    def _flag_conflicts(self, folded: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for member_id, led in sorted(folded.items()):
            kinds = []
            if led.overdraft:
                kinds.append("overdraft")
            if any(c.used > 1 for c in led.coupons.values()):
                kinds.append("coupon_reused")
            if led.debt > 0:
                kinds.append("negative_points")
            for kind in kinds:
                found.append(self._conflict(kind, member_id, {"debt": led.debt}))
        over = self.db.execute("SELECT sale_id, member_id, total, refunded FROM sales "
                               "WHERE refunded > total").fetchall()
        for sale_id, member_id, total, refunded in over:
            found.append(self._conflict("refund_over_total", member_id,
                                        {"sale_id": sale_id, "total": total,
                                         "refunded": refunded}))
        return [f for f in found if f]

    def _conflict(self, kind: str, member_id: str | None, detail: dict) -> dict[str, Any]:
        conflict_id = derived_id("conflict", kind, member_id, json.dumps(detail, sort_keys=True))
        self.db.execute(
            "INSERT OR IGNORE INTO conflicts (id, kind, member_id, detail, detected_at) "
            "VALUES (?,?,?,?,?)",
            [conflict_id, kind, member_id, json.dumps(detail, sort_keys=True), to_db(self.now())])
        return {"id": conflict_id, "kind": kind, "member_id": member_id, "detail": detail}

    def conflicts(self, include_resolved: bool = False) -> list[dict[str, Any]]:
        """Conflicts flagged by sync, for managers."""
        sql = "SELECT id, kind, member_id, detail, detected_at, resolved_at FROM conflicts"
        if not include_resolved:
            sql += " WHERE resolved_at IS NULL"
        keys = ("id", "kind", "member_id", "detail", "detected_at", "resolved_at")
        return [{**dict(zip(keys, r)), "detail": json.loads(r[3])}
                for r in self.db.execute(sql + " ORDER BY detected_at").fetchall()]

