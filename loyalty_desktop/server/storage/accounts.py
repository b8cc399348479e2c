"""Tenants, stores, pairing codes, terminals and instance ids: the storage side of accounts."""

from __future__ import annotations

import uuid
from typing import Any

from loyalty_desktop.domain.errors import NotFound, PermissionDenied, Refused


class AccountsMixin:
    """Account queries, mixed into SqlStorage (uses its _q, _one, _all, _read, _write)."""

    _q: Any
    _one: Any
    _all: Any
    _read: Any
    _write: Any

    def add_tenant(self, name: str) -> dict[str, Any]:
        """Create a tenant (a chain or a shop); its name must be new."""
        clean = name.strip()
        if not clean:
            raise Refused("A tenant needs a name.", code="tenant_name_missing")
        uid = str(uuid.uuid4())
        with self._write() as cur:
            if self._one(cur, "SELECT 1 FROM tenants WHERE name = ?", (clean,)):
                raise Refused(f"A tenant named {clean!r} already exists.", code="tenant_exists")
            cur.execute(self._q("INSERT INTO tenants (uid, name) VALUES (?, ?)"), (uid, clean))
        return {"tenant_id": uid, "name": clean}

    def find_tenant(self, ref: str) -> tuple[int, str, str]:
        """(pk, tenant_id, name) of a tenant given by its id or its exact name."""
        with self._read() as cur:
            row = self._one(
                cur, "SELECT id, uid, name FROM tenants WHERE uid = ? OR name = ? ORDER BY id",
                (ref, ref),
            )
        if row is None:
            raise NotFound(f"No tenant {ref!r}.", code="tenant_not_found")
        return int(row[0]), row[1], row[2]

    def list_tenants(self) -> list[dict[str, Any]]:
        """Every tenant with its event count (last server_seq)."""
        with self._read() as cur:
            rows = self._all(cur, "SELECT uid, name, last_seq FROM tenants ORDER BY id")
        return [{"tenant_id": r[0], "name": r[1], "last_server_seq": int(r[2])} for r in rows]

    def _store_id(self, cur: Any, tenant_pk: int, name: str) -> int:
        """The id of a tenant's store, created on first use."""
        cur.execute(
            self._q(
                "INSERT INTO stores (tenant_id, name) VALUES (?, ?)"
                " ON CONFLICT (tenant_id, name) DO NOTHING"
            ),
            (tenant_pk, name),
        )
        return int(self._one(
            cur, "SELECT id FROM stores WHERE tenant_id = ? AND name = ?", (tenant_pk, name)
        )[0])

    def add_pairing_code(
        self, tenant_ref: str, store_name: str | None, code_hash: str, expires_at: float
    ) -> dict[str, Any]:
        """Record a one-time pairing code (given hashed) for a tenant and optionally a store."""
        pk, uid, name = self.find_tenant(tenant_ref)
        with self._write() as cur:
            store_id = self._store_id(cur, pk, store_name.strip()) if store_name else None
            cur.execute(
                self._q(
                    "INSERT INTO pairing_codes (code_hash, tenant_id, store_id, expires_at)"
                    " VALUES (?, ?, ?, ?)"
                ),
                (code_hash, pk, store_id, expires_at),
            )
        return {"tenant_id": uid, "tenant_name": name, "store": store_name}

    def pair(
        self,
        code_hash: str,
        now: float,
        terminal_id: str,
        terminal_name: str | None,
        store_name: str | None,
        token_hash: str,
    ) -> dict[str, Any]:
        """Use a pairing code once and give the terminal its (hashed) token, in one transaction."""
        with self._write() as cur:
            row = self._one(
                cur,
                "UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"
                " AND expires_at > ? RETURNING tenant_id, store_id",
                (now, code_hash, now),
            )
            if row is None:
                raise PermissionDenied(
                    "This pairing code is unknown, already used or expired. Ask the owner "
                    "for a new one.",
                    code="pairing_code_invalid",
                )
            tenant_pk, store_id = int(row[0]), row[1]
            store = self._pairing_store(cur, tenant_pk, store_id, store_name)
            cur.execute(
                self._q(
                    "INSERT INTO terminals (tenant_id, terminal_id, store_id, name, token_hash)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, terminal_id) DO UPDATE SET"
                    " token_hash = excluded.token_hash, store_id = excluded.store_id,"
                    " name = excluded.name, revoked_at = NULL"
                ),
                (tenant_pk, terminal_id, store[0], terminal_name, token_hash),
            )
            tenant = self._one(cur, "SELECT uid, name FROM tenants WHERE id = ?", (tenant_pk,))
        return {
            "tenant_id": tenant[0], "tenant_name": tenant[1],
            "terminal_id": terminal_id, "store": store[1],
        }

    def _pairing_store(
        self, cur: Any, tenant_pk: int, code_store_id: Any, wanted: str | None
    ) -> tuple[int | None, str | None]:
        """(store id, name) a pairing lands in: the code's store, or the one the terminal names."""
        if code_store_id is not None:
            name = self._one(cur, "SELECT name FROM stores WHERE id = ?", (code_store_id,))[0]
            if wanted and wanted.strip() != name:
                raise Refused(
                    f"This pairing code is for the store {name!r}, not {wanted!r}.",
                    code="pairing_store_mismatch",
                )
            return int(code_store_id), name
        if wanted and wanted.strip():
            return self._store_id(cur, tenant_pk, wanted.strip()), wanted.strip()
        return None, None

    def revoke_terminal(self, tenant_ref: str, terminal_id: str, now_iso: str) -> dict[str, Any]:
        """Revoke a terminal's token: its next request gets 401."""
        pk, uid, _ = self.find_tenant(tenant_ref)
        with self._write() as cur:
            row = self._one(
                cur,
                "UPDATE terminals SET revoked_at = ? WHERE tenant_id = ? AND terminal_id = ?"
                " RETURNING terminal_id",
                (now_iso, pk, terminal_id),
            )
        if row is None:
            raise NotFound(f"No terminal {terminal_id!r} in that tenant.", code="terminal_not_found")
        return {"tenant_id": uid, "terminal_id": terminal_id, "revoked": True}

    def list_terminals(self, tenant_ref: str) -> list[dict[str, Any]]:
        """A tenant's terminals with their store, progress and whether they are revoked."""
        pk, _, _ = self.find_tenant(tenant_ref)
        with self._read() as cur:
            rows = self._all(
                cur,
                "SELECT t.terminal_id, t.name, s.name, t.acked_seq, t.revoked_at IS NOT NULL"
                " FROM terminals t LEFT JOIN stores s ON s.id = t.store_id"
                " WHERE t.tenant_id = ? ORDER BY t.id",
                (pk,),
            )
        return [
            {"terminal_id": r[0], "name": r[1], "store": r[2], "acked_seq": int(r[3]),
             "revoked": bool(r[4])}
            for r in rows
        ]

    def start_instance(self, cur: Any) -> str:
        """Begin a new life of the database: a new instance id, remembering each tenant's seq."""
        instance_id = str(uuid.uuid4())
        cur.execute(self._q("INSERT INTO instances (instance_id) VALUES (?)"), (instance_id,))
        cur.execute(
            self._q(
                "INSERT INTO instance_starts (instance_id, tenant_id, start_seq)"
                " SELECT ?, id, last_seq FROM tenants"
            ),
            (instance_id,),
        )
        return instance_id

    def mark_restored(self) -> str:
        """After restoring a backup: a new instance id, so terminals re-push what is missing."""
        with self._write() as cur:
            return self.start_instance(cur)
