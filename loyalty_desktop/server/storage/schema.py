"""Schema migrations of the server database, one list per dialect, applied in order and recorded."""

from __future__ import annotations

from dataclasses import dataclass

from loyalty_desktop.domain.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One named, append-only step of the schema: never edited once released."""

    version: int
    name: str
    statements: tuple[str, ...]


SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "initial",
        (
            """CREATE TABLE instances (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
            """CREATE TABLE tenants (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                uid TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL UNIQUE,
                last_seq INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
            """CREATE TABLE instance_starts (
                instance_id TEXT NOT NULL REFERENCES instances(instance_id),
                tenant_id INTEGER NOT NULL REFERENCES tenants(id),
                start_seq INTEGER NOT NULL,
                PRIMARY KEY (instance_id, tenant_id))""",
            """CREATE TABLE stores (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id INTEGER NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                UNIQUE (tenant_id, name))""",
            """CREATE TABLE pairing_codes (
                code_hash TEXT PRIMARY KEY,
                tenant_id INTEGER NOT NULL REFERENCES tenants(id),
                store_id INTEGER REFERENCES stores(id),
                expires_at REAL NOT NULL,
                used_at REAL,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
            """CREATE TABLE terminals (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id INTEGER NOT NULL REFERENCES tenants(id),
                terminal_id TEXT NOT NULL,
                store_id INTEGER REFERENCES stores(id),
                name TEXT,
                token_hash TEXT NOT NULL UNIQUE,
                acked_seq INTEGER NOT NULL DEFAULT 0,
                paired_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                revoked_at TEXT,
                UNIQUE (tenant_id, terminal_id))""",
            # No foreign key on the hot table: a check per inserted row costs more than the
            # insert; the tenant row is locked by every push and tenants are never deleted.
            """CREATE TABLE events (
                tenant_id INTEGER NOT NULL,
                server_seq INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL,
                body TEXT NOT NULL,
                received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                PRIMARY KEY (tenant_id, server_seq),
                UNIQUE (tenant_id, event_id),
                UNIQUE (tenant_id, terminal_id, seq))""",
            """CREATE TABLE conflicts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id INTEGER NOT NULL REFERENCES tenants(id),
                event_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                reason TEXT NOT NULL,
                existing_event_id TEXT,
                digest TEXT NOT NULL,
                body TEXT NOT NULL,
                detected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                UNIQUE (tenant_id, event_id, digest))""",
            "CREATE INDEX conflicts_by_terminal ON conflicts (tenant_id, terminal_id, seq)",
            """CREATE TABLE rate_buckets (
                key TEXT PRIMARY KEY,
                tokens REAL NOT NULL,
                at REAL NOT NULL,
                allowed INTEGER NOT NULL)""",
        ),
    ),
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "initial",
        (
            """CREATE TABLE instances (
                position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                instance_id TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
            """CREATE TABLE tenants (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                uid TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL UNIQUE,
                last_seq BIGINT NOT NULL DEFAULT 0,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
            """CREATE TABLE instance_starts (
                instance_id TEXT NOT NULL REFERENCES instances(instance_id),
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                start_seq BIGINT NOT NULL,
                PRIMARY KEY (instance_id, tenant_id))""",
            """CREATE TABLE stores (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                UNIQUE (tenant_id, name))""",
            """CREATE TABLE pairing_codes (
                code_hash TEXT PRIMARY KEY,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                store_id BIGINT REFERENCES stores(id),
                expires_at DOUBLE PRECISION NOT NULL,
                used_at DOUBLE PRECISION,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
            """CREATE TABLE terminals (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                terminal_id TEXT NOT NULL,
                store_id BIGINT REFERENCES stores(id),
                name TEXT,
                token_hash TEXT NOT NULL UNIQUE,
                acked_seq BIGINT NOT NULL DEFAULT 0,
                paired_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                revoked_at TIMESTAMPTZ,
                UNIQUE (tenant_id, terminal_id))""",
            # No foreign key on the hot table (see the SQLite schema).
            """CREATE TABLE events (
                tenant_id BIGINT NOT NULL,
                server_seq BIGINT NOT NULL,
                event_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                seq BIGINT NOT NULL,
                kind TEXT NOT NULL,
                body TEXT NOT NULL,
                received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, server_seq),
                UNIQUE (tenant_id, event_id),
                UNIQUE (tenant_id, terminal_id, seq))""",
            """CREATE TABLE conflicts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id BIGINT NOT NULL REFERENCES tenants(id),
                event_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                seq BIGINT NOT NULL,
                reason TEXT NOT NULL,
                existing_event_id TEXT,
                digest TEXT NOT NULL,
                body TEXT NOT NULL,
                detected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, event_id, digest))""",
            "CREATE INDEX conflicts_by_terminal ON conflicts (tenant_id, terminal_id, seq)",
            """CREATE TABLE rate_buckets (
                key TEXT PRIMARY KEY,
                tokens DOUBLE PRECISION NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                allowed BOOLEAN NOT NULL)""",
        ),
    ),
)

# What the app role may do with each table (PostgreSQL): no DELETE, no DDL, no TRUNCATE.
APP_ROLE_GRANTS: dict[str, str] = {
    "schema_migrations": "SELECT",
    "instances": "SELECT",
    "instance_starts": "SELECT",
    "tenants": "SELECT, UPDATE",
    "stores": "SELECT, INSERT",
    "pairing_codes": "SELECT, UPDATE",
    "terminals": "SELECT, INSERT, UPDATE",
    "events": "SELECT, INSERT",
    "conflicts": "SELECT, INSERT",
    "rate_buckets": "SELECT, INSERT, UPDATE",
}


def latest_version(migrations: tuple[Migration, ...]) -> int:
    """The schema version this code writes and expects."""
    return migrations[-1].version


def pending_migrations(current: int, migrations: tuple[Migration, ...]) -> list[Migration]:
    """Migrations still to apply on a database at `current`; refuse a newer database."""
    check_not_newer(current, migrations)
    return [m for m in migrations if m.version > current]


def check_not_newer(current: int, migrations: tuple[Migration, ...]) -> None:
    """Raise StoreError when the database was written by a newer server."""
    latest = latest_version(migrations)
    if current > latest:
        raise StoreError(
            f"The server database has schema version {current}, newer than this server "
            f"understands ({latest}). Upgrade the server; the database was left untouched.",
            code="schema_too_new",
        )


def check_current(current: int, migrations: tuple[Migration, ...], how_to_migrate: str) -> None:
    """Raise StoreError unless the database is at exactly this code's schema version."""
    check_not_newer(current, migrations)
    if current < latest_version(migrations):
        raise StoreError(
            f"The server database has schema version {current}; this server needs "
            f"{latest_version(migrations)}. {how_to_migrate}",
            code="schema_too_old",
        )


# Report rollups (migration 2): derived from the events by the report projector
# (server/report_rollups.py), never by the push; dropped and refolded at will.
def _report_tables(big: str) -> tuple[str, ...]:
    """The report rollup tables; `big` is the dialect's 64-bit integer type."""
    n = f"{big} NOT NULL DEFAULT 0"
    return (
        f"""CREATE TABLE report_cursors (tenant_id {big} PRIMARY KEY, last_seq {n},
            timezone TEXT NOT NULL, program_version {n}, program_doc TEXT)""",
        f"""CREATE TABLE report_members (tenant_id {big} NOT NULL, member_id TEXT NOT NULL,
            enrolled_at TEXT NOT NULL, store_id {n}, merged_into TEXT, erased_at TEXT,
            name TEXT, card_number TEXT, PRIMARY KEY (tenant_id, member_id))""",
        f"""CREATE TABLE report_sales (tenant_id {big} NOT NULL, sale_id TEXT NOT NULL,
            member_id TEXT, at TEXT NOT NULL, total {n}, refunded {n},
            PRIMARY KEY (tenant_id, sale_id))""",
        "CREATE INDEX report_sales_member ON report_sales (tenant_id, member_id, at)",
        f"""CREATE TABLE report_member_months (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            member_id TEXT NOT NULL, sales {n}, purchases {n}, total {n}, refunded {n},
            first_at TEXT, last_at TEXT, PRIMARY KEY (tenant_id, month, member_id))""",
        f"""CREATE TABLE report_days (tenant_id {big} NOT NULL, day TEXT NOT NULL,
            store_id {big} NOT NULL, member_sales {n}, member_total {n}, member_money_paid {n},
            walk_in_sales {n}, walk_in_total {n}, refunds {n}, refunded_total {n},
            refunded_money {n}, points_issued {n}, points_redeemed {n}, new_members {n},
            PRIMARY KEY (tenant_id, day, store_id))""",
        f"""CREATE TABLE report_flows (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            earn {n}, bonus {n}, adjust_in {n}, adjust_out {n}, redeem {n}, restore {n},
            reverse {n}, cashback {n}, wallet_spend {n}, cashback_cancel {n},
            wallet_restore {n}, wallet_adjust {n}, PRIMARY KEY (tenant_id, month))""",
        f"""CREATE TABLE report_coupons (tenant_id {big} NOT NULL, code TEXT NOT NULL,
            kind TEXT NOT NULL, PRIMARY KEY (tenant_id, code))""",
        f"""CREATE TABLE report_coupon_months (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            kind TEXT NOT NULL, issued {n}, redeemed {n}, returned {n}, cancelled {n},
            issued_value {n}, PRIMARY KEY (tenant_id, month, kind))""",
        f"""CREATE TABLE report_feedback (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            metric TEXT NOT NULL, score {n}, answers {n},
            PRIMARY KEY (tenant_id, month, metric, score))""",
        f"""CREATE TABLE report_wallet_pending (tenant_id {big} NOT NULL, entry_id TEXT NOT NULL,
            at TEXT NOT NULL, available_at TEXT NOT NULL, wallet {n},
            PRIMARY KEY (tenant_id, entry_id))""",
        "CREATE INDEX report_wallet_pending_at ON report_wallet_pending (tenant_id, available_at)",
    )


REPORT_TABLES = ("report_cursors", "report_members", "report_sales", "report_member_months",
                 "report_days", "report_flows", "report_coupons", "report_coupon_months",
                 "report_feedback", "report_wallet_pending")
SQLITE_MIGRATIONS += (Migration(2, "report_rollups", _report_tables("INTEGER")),)
POSTGRES_MIGRATIONS += (Migration(2, "report_rollups", _report_tables("BIGINT")),)
# Migration 3: `report_sales` holds every member sale, not only refunded ones (the member
# sections of the chain report read single sales, and a full refund recounts its month's first
# and last purchase). The rollups are derived: emptied here, the projector refolds every event.
def _refold(tables: tuple[str, ...]) -> tuple[str, ...]:
    """Statements emptying the rollup `tables` and rewinding the cursors (a full refold)."""
    return tuple(f"DELETE FROM {table}" for table in tables if table != "report_cursors") + (
        "UPDATE report_cursors SET last_seq = 0, program_version = 0, program_doc = NULL",)


_REFOLD = _refold(REPORT_TABLES)
SQLITE_MIGRATIONS += (Migration(3, "report_every_sale", _REFOLD),)
POSTGRES_MIGRATIONS += (Migration(3, "report_every_sale", _REFOLD),)


# Migration 4: member sales indexed by (month, member), not (member, time): a day's new sales
# then land in the current month's part of the index instead of on random pages of all of it
# (the day fold); a month's first and last purchase are recounted by (month, member). Member
# snapshots: each member's purchases, net, first and last purchase and last month with a sale,
# over every month up to `upto` (the last closed months, listed in `report_cursors.snapshots`),
# kept by the projector, so the chain report adds its own month to them instead of grouping the
# whole history. Refolded.
def _report_tables_4(big: str) -> tuple[str, ...]:
    n = f"{big} NOT NULL DEFAULT 0"
    return (
        "DROP INDEX report_sales_member",
        "ALTER TABLE report_sales ADD COLUMN month TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX report_sales_month ON report_sales (tenant_id, month, member_id)",
        "ALTER TABLE report_cursors ADD COLUMN snapshots TEXT NOT NULL DEFAULT ''",
        f"""CREATE TABLE report_member_snapshots (tenant_id {big} NOT NULL, upto TEXT NOT NULL,
            member_id TEXT NOT NULL, purchases {n}, net {n}, first_at TEXT, last_at TEXT,
            sale_month TEXT, PRIMARY KEY (tenant_id, upto, member_id))""",
    )


REPORT_TABLES += ("report_member_snapshots",)
_REFOLD_4 = _refold(REPORT_TABLES) + ("UPDATE report_cursors SET snapshots = ''",)
SQLITE_MIGRATIONS += (Migration(4, "report_month_index_and_snapshots",
                                _report_tables_4("INTEGER") + _REFOLD_4),)
POSTGRES_MIGRATIONS += (Migration(4, "report_month_index_and_snapshots",
                                  _report_tables_4("BIGINT") + _REFOLD_4),)


# Migration 5: point lots and tiers on the server (server/report_ledgers.py): each member's
# point entries and sale spends with their refold (`report_ledgers`), points left in lots by
# the month they expire and points restored into expired lots (`report_point_months`), and
# tier changes at month ends by (rank before, rank after) (`report_tier_months`), each
# member's stretches of months above the entry tier (`report_member_tiers`); the tier
# rules the series were walked with (`report_cursors.tier_rules`). Refolded.
def _report_tables_5(big: str) -> tuple[str, ...]:
    n = f"{big} NOT NULL DEFAULT 0"
    return (
        "ALTER TABLE report_cursors ADD COLUMN tier_rules TEXT NOT NULL DEFAULT ''",
        f"""CREATE TABLE report_ledgers (tenant_id {big} NOT NULL, member_id TEXT NOT NULL,
            state TEXT NOT NULL, PRIMARY KEY (tenant_id, member_id))""",
        f"""CREATE TABLE report_point_months (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            expiring {n}, lost {n}, PRIMARY KEY (tenant_id, month))""",
        f"""CREATE TABLE report_tier_months (tenant_id {big} NOT NULL, month TEXT NOT NULL,
            before_rank {n}, after_rank {n}, members {n},
            PRIMARY KEY (tenant_id, month, before_rank, after_rank))""",
        f"""CREATE TABLE report_member_tiers (tenant_id {big} NOT NULL, member_id TEXT NOT NULL,
            since TEXT NOT NULL, until TEXT NOT NULL, rank {n},
            PRIMARY KEY (tenant_id, member_id, since))""",
    )


REPORT_TABLES += ("report_ledgers", "report_point_months", "report_tier_months",
                  "report_member_tiers")
_REFOLD_5 = _refold(REPORT_TABLES) + ("UPDATE report_cursors SET snapshots = '', tier_rules = ''",)
SQLITE_MIGRATIONS += (Migration(5, "report_point_lots_and_tiers",
                                _report_tables_5("INTEGER") + _REFOLD_5),)
POSTGRES_MIGRATIONS += (Migration(5, "report_point_lots_and_tiers",
                                  _report_tables_5("BIGINT") + _REFOLD_5),)
# Rollups are derived data: the projector rewrites them when the shop's zone changes.
APP_ROLE_GRANTS.update({table: "SELECT, INSERT, UPDATE, DELETE" for table in REPORT_TABLES})
