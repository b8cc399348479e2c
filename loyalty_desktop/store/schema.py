"""The terminal's schema as named, append-only migrations (never edit one that shipped)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "loyalty_desktop"
_STEPS: list[tuple[str, Any]] = []


def _migration(name: str):
    """Register a migration step (named; the names are what the database records)."""
    def deco(fn):
        _STEPS.append((name, fn))
        return fn
    return deco

_APPEND_ONLY = ("events", "ledger", "audit", "consents")


@_migration("0001_initial")
def initial(db: Database) -> None:
    """Events (the sync unit), the ledger, projections, caches, staff and the audit log."""
    _run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

        CREATE TABLE events (
            id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, seq INTEGER NOT NULL,
            kind TEXT NOT NULL, member_id TEXT, at TEXT NOT NULL, recorded_at TEXT NOT NULL,
            program_version INTEGER NOT NULL, payload TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'local', server_seq INTEGER,
            redacted INTEGER NOT NULL DEFAULT 0,
            UNIQUE (terminal_id, seq)
        ) STRICT;
        CREATE INDEX events_member ON events(member_id);
        CREATE INDEX events_server_seq ON events(server_seq);

        CREATE TABLE ledger (
            id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events(id),
            member_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
            points INTEGER NOT NULL DEFAULT 0, wallet INTEGER NOT NULL DEFAULT 0,
            spend INTEGER NOT NULL DEFAULT 0, available_at TEXT, expires_at TEXT,
            ref TEXT, data TEXT
        ) STRICT;
        CREATE INDEX ledger_member ON ledger(member_id, id);
        CREATE INDEX ledger_kind_at ON ledger(kind, at);

        CREATE TABLE members (
            member_id TEXT PRIMARY KEY, card_number TEXT NOT NULL UNIQUE,
            card_generation INTEGER NOT NULL DEFAULT 1, name TEXT NOT NULL,
            name_fold TEXT NOT NULL, phone TEXT, email TEXT, birthday TEXT,
            referrer_id TEXT, consents TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL, blocked INTEGER NOT NULL DEFAULT 0,
            merged_into TEXT, erased_at TEXT
        ) STRICT;
        CREATE INDEX members_phone ON members(phone);
        CREATE INDEX members_name_fold ON members(name_fold);
        CREATE INDEX members_merged ON members(merged_into);

        CREATE TABLE cards (
            card_number TEXT PRIMARY KEY, member_id TEXT NOT NULL, generation INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'blocked', 'replaced')),
            payload TEXT, issued_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX cards_member ON cards(member_id);

        CREATE TABLE sales (
            sale_id TEXT PRIMARY KEY, member_id TEXT, at TEXT NOT NULL, total INTEGER NOT NULL,
            money_paid INTEGER NOT NULL, points_earned INTEGER NOT NULL,
            refunded INTEGER NOT NULL DEFAULT 0, idempotency_key TEXT UNIQUE,
            staff_id TEXT, terminal_id TEXT NOT NULL, pricing TEXT NOT NULL, result TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sales_member ON sales(member_id, at);
        CREATE INDEX sales_at ON sales(at);

        CREATE TABLE refunds (
            refund_id TEXT PRIMARY KEY, sale_id TEXT NOT NULL, at TEXT NOT NULL,
            amount INTEGER NOT NULL, idempotency_key TEXT UNIQUE, staff_id TEXT,
            pricing TEXT NOT NULL, result TEXT NOT NULL
        ) STRICT;
        CREATE INDEX refunds_sale ON refunds(sale_id);

        CREATE TABLE coupons (
            code TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind TEXT NOT NULL,
            issued_event TEXT NOT NULL, valid_until TEXT NOT NULL
        ) STRICT;
        CREATE INDEX coupons_member ON coupons(member_id);

        CREATE TABLE lots (
            lot_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, source TEXT NOT NULL,
            points INTEGER NOT NULL, remaining INTEGER NOT NULL, earned_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX lots_member ON lots(member_id);
        CREATE INDEX lots_expires ON lots(expires_at);

        CREATE TABLE balances (
            member_id TEXT PRIMARY KEY, points_total INTEGER NOT NULL, debt INTEGER NOT NULL,
            wallet_total INTEGER NOT NULL, entries INTEGER NOT NULL, last_entry TEXT
        ) STRICT;

        CREATE TABLE staff (
            staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL
                CHECK (role IN ('cashier', 'manager', 'owner')),
            pin_hash TEXT NOT NULL, failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT, active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, staff_id TEXT,
            terminal_id TEXT NOT NULL, action TEXT NOT NULL, subject TEXT,
            before TEXT, after TEXT
        ) STRICT;
        CREATE INDEX audit_at ON audit(at);

        CREATE TABLE consents (
            id INTEGER PRIMARY KEY AUTOINCREMENT, member_id TEXT NOT NULL, channel TEXT NOT NULL,
            granted INTEGER NOT NULL, at TEXT NOT NULL, wording_version TEXT NOT NULL,
            event_id TEXT NOT NULL
        ) STRICT;
        CREATE INDEX consents_member ON consents(member_id);

        CREATE TABLE feedback (
            id TEXT PRIMARY KEY, sale_id TEXT, member_id TEXT, at TEXT NOT NULL,
            nps INTEGER CHECK (nps BETWEEN 0 AND 10), csat INTEGER CHECK (csat BETWEEN 1 AND 5)
        ) STRICT;
        CREATE TABLE complaints (
            id TEXT PRIMARY KEY, member_id TEXT, sale_id TEXT, at TEXT NOT NULL,
            text TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'complaint',
            resolved_at TEXT
        ) STRICT;

        CREATE TABLE issuer_keys (
            key_id INTEGER PRIMARY KEY, public_key BLOB NOT NULL, private_key BLOB,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE programs (
            version INTEGER PRIMARY KEY, doc TEXT NOT NULL, published_at TEXT NOT NULL,
            event_id TEXT
        ) STRICT;
        CREATE VIRTUAL TABLE members_fts USING fts5(
            member_id UNINDEXED, name_fold, tokenize = 'trigram'
        );
        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT) STRICT;
        CREATE TABLE conflicts (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, member_id TEXT, detail TEXT NOT NULL,
            detected_at TEXT NOT NULL, resolved_at TEXT
        ) STRICT;
        """
    )
    for table in _APPEND_ONLY:
        db.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    for table in ("ledger", "audit", "consents"):
        db.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    # Events may only change by redaction (KVKK erasure) or by getting their server sequence.
    db.execute(
        """
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        WHEN NEW.id IS NOT OLD.id OR NEW.terminal_id IS NOT OLD.terminal_id
          OR NEW.seq IS NOT OLD.seq OR NEW.kind IS NOT OLD.kind OR NEW.at IS NOT OLD.at
          OR NEW.member_id IS NOT OLD.member_id OR NEW.recorded_at IS NOT OLD.recorded_at
          OR NEW.program_version IS NOT OLD.program_version
          OR (NEW.payload IS NOT OLD.payload AND NOT (NEW.redacted = 1 AND OLD.redacted = 0))
          OR NEW.redacted < OLD.redacted
          OR (OLD.server_seq IS NOT NULL AND NEW.server_seq IS NOT OLD.server_seq)
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
        """
    )


@_migration("0002_member_rollups")
def member_rollups(db: Database) -> None:
    """Per-member monthly rollups and monthly point flows (filled from sales and ledger by
    0004, once their last columns exist: `rebuild` writes the current columns)."""
    from .rollups import TABLES_SQL

    for statement in TABLES_SQL:
        db.execute(statement)


@_migration("0003_balance_state")
def balance_state(db: Database) -> None:
    """The member's folded ledger kept beside the balances, filled for every member now (a
    sale then extends it instead of reading and folding the member's whole ledger)."""
    from .ledger_repo import fill_states

    db.execute("ALTER TABLE balances ADD COLUMN state TEXT")
    fill_states(db)


@_migration("0004_rollup_micros")
def rollup_micros(db: Database) -> None:
    """Each member month's first and last purchase also as microseconds since the epoch
    (the monthly report's MIN/MAX over them), filled from the text times (exact: the
    conversion is tested against Python's), or the rollups built whole for a store that
    comes from before 0002."""
    from .rollups import US_SQL, rebuild

    db.execute("ALTER TABLE member_months ADD COLUMN first_us INTEGER")
    db.execute("ALTER TABLE member_months ADD COLUMN last_us INTEGER")
    if not db.execute("SELECT 1 FROM meta WHERE key = 'rollup_timezone'").fetchone():
        rebuild(db)  # a store from before 0002: its rollups were never built
        return
    db.execute(f"UPDATE member_months SET first_us = {US_SQL.format('first_at')}, "
               f"last_us = {US_SQL.format('last_at')} WHERE first_at IS NOT NULL "
               "OR last_at IS NOT NULL")


@_migration("0005_shared_key_ids")
def shared_key_ids(db: Database) -> None:
    """Issuer keys keyed by (key id, public key). Each terminal of a chain draws its two-digit
    key id at random, so two terminals may draw the same one (for 20 terminals, more likely
    than not); a card names only the id and is checked against every key with it. Keys that
    an earlier version set aside as clashing are learned from their events now."""
    _run_script(db, """CREATE TABLE issuer_keys_by_key (
            key_id INTEGER NOT NULL, public_key BLOB NOT NULL, private_key BLOB,
            created_at TEXT NOT NULL, PRIMARY KEY (key_id, public_key)
        ) STRICT;
        INSERT INTO issuer_keys_by_key SELECT key_id, public_key, private_key, created_at
            FROM issuer_keys;
        DROP TABLE issuer_keys;
        ALTER TABLE issuer_keys_by_key RENAME TO issuer_keys;
        DELETE FROM conflicts WHERE kind = 'issuer_key_clash'""")
    published = db.execute("SELECT json_extract(payload, '$.key_id'),"
                           " json_extract(payload, '$.public_key'), at FROM events"
                           " WHERE kind = 'issuer_key_published'").fetchall()
    for key_id, public_hex, at in published:
        db.execute("INSERT OR IGNORE INTO issuer_keys (key_id, public_key, private_key,"
                   " created_at) VALUES (?, ?, NULL, ?)", [key_id, bytes.fromhex(public_hex), at])


def _run_script(db: Database, script: str) -> None:
    """Run statements one by one: executescript would commit the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


KNOWN_MIGRATIONS = [name for name, _ in _STEPS]


def migration_set() -> Migrations:
    """The steps as a sqlite-utils Migrations set (imported only when something must run)."""
    from sqlite_utils.migrations import Migrations

    steps = Migrations(MIGRATION_SET)
    for name, fn in _STEPS:
        steps(name=name)(fn)
    return steps
