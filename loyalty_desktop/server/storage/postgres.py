"""PostgreSQL dialect: a chain's server, several processes on one database, least-privilege app role.

Migrations run as an admin role (the owner of the tables); the app connects as a role that
may only read and append what the protocol needs (schema.APP_ROLE_GRANTS), and refuses to
start as the tables' owner or as a superuser.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from loyalty_desktop.domain.errors import StoreError

from .accounts import AccountsMixin
from .base import SqlStorage
from .reads import ReadsMixin
from .batch import IncomingEvent
from .schema import APP_ROLE_GRANTS, POSTGRES_MIGRATIONS, check_current, pending_migrations

MIGRATION_LOCK = 0x4C6F79616C7479  # pg_advisory_xact_lock key: one migrator at a time

_BUCKET_SQL = """
INSERT INTO rate_buckets AS b (key, tokens, at, allowed)
VALUES (%(key)s, %(burst)s - 1, %(now)s, true)
ON CONFLICT (key) DO UPDATE SET
  allowed = LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1,
  tokens = LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s)
           - (CASE WHEN LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1
              THEN 1 ELSE 0 END),
  at = %(now)s
RETURNING allowed, tokens
"""

# Events go in by binary COPY: several times faster than a multi-row INSERT (no text escaping
# of the JSON bodies). Splitting the body in PostgreSQL instead (json_array_elements) took
# the server less CPU but PostgreSQL more, and PostgreSQL is what a chain's servers share.
COPY_EVENTS = (
    "COPY events (tenant_id, server_seq, event_id, terminal_id, seq, kind, body)"
    " FROM STDIN (FORMAT BINARY)"
)
COPY_TYPES = ["int8", "int8", "text", "text", "int8", "text", "text"]

HOW_TO_MIGRATE = (
    "Run `loyalty-desktop server migrate --db ADMIN_URL --app-role ROLE` as the tables' owner."
)


def is_postgres_url(url: str) -> bool:
    """True for postgresql:// and postgres:// URLs."""
    return url.startswith(("postgresql://", "postgres://"))


class PostgresStorage(AccountsMixin, ReadsMixin, SqlStorage):
    """The server's storage in PostgreSQL through a psycopg connection pool."""

    placeholder = "%s"

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 10, as_app: bool = True):
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, name="loyalty-server"
        )
        try:
            self.pool.open(wait=True, timeout=15.0)
            check_current(self._current_version(), POSTGRES_MIGRATIONS, HOW_TO_MIGRATE)
            if as_app:
                self._refuse_privileged_role()
        except BaseException:
            self.pool.close()
            raise

    def close(self) -> None:
        """Close the pool."""
        self.pool.close()

    @contextmanager
    def _write(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor in a transaction committed when the block ends without error."""
        with self.pool.connection() as conn, conn.cursor() as cur:
            yield cur

    _read = _write

    def _lock_tenant_sql(self) -> str:
        """Lock the tenant's row: pushes of one tenant commit in server_seq order."""
        return (
            "SELECT n.last_seq, t.acked_seq FROM tenants n JOIN terminals t ON t.tenant_id = n.id"
            " WHERE n.id = ? AND t.terminal_id = ? FOR UPDATE OF n"
        )

    def _relax_durability(self, cur: Any) -> None:
        """A rate-limit update lost in a crash is harmless: no WAL flush wait for it."""
        cur.execute("SET LOCAL synchronous_commit TO OFF")

    def _bucket_sql(self) -> str:
        """The token bucket upsert in PostgreSQL syntax."""
        return _BUCKET_SQL

    def _ids_clause(self, ids: Sequence[str]) -> tuple[str, list[Any]]:
        """`= ANY(array)`: one binary parameter whatever the batch size."""
        return "= ANY(%b)", [list(ids)]

    def _insert_events(self, cur: Any, tenant_pk: int, rows: list[tuple[int, IncomingEvent]]) -> None:
        """Insert a batch with one binary COPY."""
        with cur.copy(COPY_EVENTS) as copy:
            copy.set_types(COPY_TYPES)
            for server_seq, e in rows:
                copy.write_row((tenant_pk, server_seq, e.event_id, e.terminal_id, e.seq, e.kind, e.body))

    def _insert_if_all_new(self, cur: Any, tenant_pk: int, rows: list[tuple[int, IncomingEvent]]) -> bool:
        """The usual case, a batch never seen: COPY it at once; a held id or seq undoes it.

        The unique indexes on (tenant, event_id) and (tenant, terminal_id, seq) make the
        attempt exact; on a violation the savepoint is rolled back and the batch classified.
        """
        try:
            with cur.connection.transaction():
                self._insert_events(cur, tenant_pk, rows)
        except psycopg.errors.UniqueViolation:
            return False
        return True

    def _current_version(self) -> int:
        """The recorded schema version (0 when the database was never migrated)."""
        with self._read() as cur:
            cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if not cur.fetchone()[0]:
                return 0
            cur.execute("SELECT max(version) FROM schema_migrations")
            return int(cur.fetchone()[0] or 0)

    def _refuse_privileged_role(self) -> None:
        """Refuse to serve as the owner of the tables or as a superuser."""
        with self._read() as cur:
            cur.execute(
                "SELECT current_user, r.rolsuper, c.relowner = r.oid FROM pg_roles r"
                " JOIN pg_class c ON c.oid = 'events'::regclass WHERE r.rolname = current_user"
            )
            user, superuser, owner = cur.fetchone()
        if superuser or owner:
            raise StoreError(
                f"The server must not connect as {user!r}, "
                + ("a superuser" if superuser else "the owner of its tables")
                + ". Connect with the app role given to `server migrate --app-role`.",
                code="privileged_app_role",
            )


def migrate_postgres(admin_url: str, app_role: str | None = None, app_password: str | None = None) -> dict[str, Any]:
    """Apply missing migrations as the admin, then grant the app role its rights."""
    applied = []
    with psycopg.connect(admin_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        cur.execute("SELECT max(version) FROM schema_migrations")
        current = int(cur.fetchone()[0] or 0)
        for migration in pending_migrations(current, POSTGRES_MIGRATIONS):
            for statement in migration.statements:
                cur.execute(statement)  # type: ignore[call-overload]
            cur.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            if migration.version == 1:
                cur.execute("INSERT INTO instances (instance_id) VALUES (gen_random_uuid()::text)")
            applied.append(migration.version)
        if app_role:
            grant_app_role(cur, app_role, app_password)
    return {"applied": applied, "app_role": app_role}


def grant_app_role(cur: psycopg.Cursor[Any], role: str, password: str | None) -> None:
    """Create the app role if missing and give it exactly the rights the server needs."""
    name = sql.Identifier(role)
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
    if password is not None:
        cur.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
    cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cur.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
    for table, rights in APP_ROLE_GRANTS.items():
        cur.execute(
            sql.SQL("GRANT " + rights + " ON {} TO {}").format(sql.Identifier(table), name)
        )
