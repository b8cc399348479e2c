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
from .base import CURRENT_INSTANCE, PushResult, SqlStorage, TerminalAuth
from .reads import ReadsMixin
from .batch import EventBatch, IncomingEvent
from .schema import APP_ROLE_GRANTS, POSTGRES_MIGRATIONS, check_current, pending_migrations

MIGRATION_LOCK = 0x4C6F79616C7479  # pg_advisory_xact_lock key: one migrator at a time

_BUCKET_INSERT = "INSERT INTO rate_buckets AS b (key, tokens, at, allowed)"
_BUCKET_UPDATE = """
ON CONFLICT (key) DO UPDATE SET
  allowed = LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1,
  tokens = LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s)
           - (CASE WHEN LEAST(%(burst)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1
              THEN 1 ELSE 0 END),
  at = %(now)s
RETURNING allowed, tokens
"""
_BUCKET_SQL = _BUCKET_INSERT + " VALUES (%(key)s, %(burst)s - 1, %(now)s, true)" + _BUCKET_UPDATE

# The slow path (a batch holding an id or seq already stored) inserts its new events by binary
# COPY. The benchmark's direct-insert baseline uses the same statement.
COPY_EVENTS = (
    "COPY events (tenant_id, server_seq, event_id, terminal_id, seq, kind, body)"
    " FROM STDIN (FORMAT BINARY)"
)
COPY_TYPES = ["int8", "int8", "text", "text", "int8", "text", "text"]

# The usual push, a batch never seen, in one round trip (pipeline: BEGIN, these two, COMMIT),
# so the tenant's row is locked only while PostgreSQL works, never while this process waits
# for the GIL between statements. The first statement takes the lock (UPDATE), numbers the
# batch after the tenant's last server_seq and inserts it; the columns travel as four texts
# split by PostgreSQL (one line per event: ids, kinds and compact JSON hold no raw newline),
# as fast as COPY and far cheaper for this process than array parameters. A held event id or
# seq raises a unique violation: the transaction is rolled back and the batch classified.
FAST_INSERT = """
WITH t AS (
  UPDATE tenants SET last_seq = last_seq + %(n)s WHERE id = %(tenant)s
  RETURNING last_seq - %(n)s AS base
)
INSERT INTO events (tenant_id, server_seq, event_id, terminal_id, seq, kind, body)
SELECT %(tenant)s, t.base + e.ord, e.event_id, %(terminal)s, e.seq, e.kind, e.body
FROM t, unnest(string_to_array(%(ids)s, E'\\n'), string_to_array(%(seqs)s, ',')::int8[],
               string_to_array(%(kinds)s, E'\\n'), string_to_array(%(bodies)s, E'\\n'))
     WITH ORDINALITY AS e(event_id, seq, kind, body, ord)
"""
# Then (a new statement: it sees the rows just inserted) the terminal's acked_seq moves over
# every held seq without a gap, as SqlStorage._advance_acked does. When the batch's seqs are
# one run s0..s1 and acked was at least s0 - 1 (the usual case), everything up to s1 is held
# and only seqs beyond s1 are read (normally none); otherwise from acked.
FAST_ACK = """
WITH start AS (
  SELECT CASE WHEN acked_seq >= %(s0)s::int8 - 1 THEN greatest(acked_seq, %(s1)s::int8)
         ELSE acked_seq END AS seq
  FROM terminals WHERE tenant_id = %(tenant)s AND terminal_id = %(terminal)s
), held AS (
  SELECT seq FROM events WHERE tenant_id = %(tenant)s AND terminal_id = %(terminal)s
    AND seq > (SELECT seq FROM start)
  UNION
  SELECT seq FROM conflicts WHERE tenant_id = %(tenant)s AND terminal_id = %(terminal)s
    AND seq > (SELECT seq FROM start)
), run AS (
  SELECT coalesce(max(seq), (SELECT seq FROM start)) AS acked
  FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM held) h
  WHERE seq = (SELECT seq FROM start) + n
)
UPDATE terminals SET acked_seq = run.acked FROM run
WHERE tenant_id = %(tenant)s AND terminal_id = %(terminal)s
RETURNING run.acked, (SELECT last_seq FROM tenants WHERE id = %(tenant)s)
"""

# The token's terminal and its rate-limit bucket in one statement (the bucket is touched only
# for a known, unrevoked token: unknown tokens add no rows).
AUTHORIZE = """
WITH t AS (
  SELECT t.tenant_id, n.uid, t.terminal_id FROM terminals t JOIN tenants n ON n.id = t.tenant_id
  WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL
), b AS (
  """ + _BUCKET_INSERT + """ SELECT %(key)s, %(burst)s - 1, %(now)s, true FROM t
  """ + _BUCKET_UPDATE + """
)
SELECT t.tenant_id, t.uid, t.terminal_id, """ + CURRENT_INSTANCE + """, b.allowed, b.tokens
FROM t LEFT JOIN b ON true
"""

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

    def authorize(
        self, token_hash: str, now: float, rate: float, burst: float
    ) -> tuple[TerminalAuth | None, float | None]:
        """SqlStorage.authorize in one round trip (pipeline: BEGIN, SET LOCAL, AUTHORIZE, COMMIT)."""
        params = {"hash": token_hash, "key": "token:" + token_hash, "now": now, "rate": rate,
                  "burst": burst}
        with self.pool.connection() as conn:
            with conn.pipeline():
                conn.execute("SET LOCAL synchronous_commit TO OFF")  # only a bucket moves
                cur = conn.execute(AUTHORIZE, params)
                conn.commit()
            row = cur.fetchone()
        if row is None:
            return None, None
        auth = TerminalAuth(int(row[0]), row[1], row[2], token_hash, row[3])
        return auth, None if row[4] else max(0.001, (1.0 - float(row[5])) / rate)

    def push_batch(self, auth: TerminalAuth, batch: EventBatch) -> PushResult:
        """A batch never seen in one round trip; any other through SqlStorage.push."""
        if not batch.ids:
            return self.push(auth, [])
        low, high = min(batch.seqs), max(batch.seqs)
        run = high - low + 1 == len(batch.seqs)  # one run of seqs (a repeated one fails the insert)
        params = {
            "tenant": auth.tenant_pk, "terminal": auth.terminal_id, "n": len(batch.ids),
            "ids": "\n".join(batch.ids), "seqs": ",".join(map(str, batch.seqs)),
            "kinds": "\n".join(batch.kinds), "bodies": "\n".join(batch.bodies),
            "s0": low if run else None, "s1": high,
        }
        with self.pool.connection() as conn:
            try:
                with conn.pipeline():
                    conn.execute(FAST_INSERT, params)
                    cur = conn.execute(FAST_ACK, params)
                    conn.commit()
            except psycopg.errors.UniqueViolation:
                conn.rollback()
                return self.push(auth, batch.events())
            acked, last_seq = cur.fetchone()
        return PushResult(list(batch.ids), [], [], int(acked), int(last_seq))

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
