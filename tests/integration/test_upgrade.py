"""Upgrades: today's database reopens as it was, older schemas are brought up to date, and a
database from a newer version is refused and left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from loyalty_desktop.domain.errors import StoreError
from loyalty_desktop.services import open_terminal
from loyalty_desktop.store import database as dbm
from loyalty_desktop.store.schema import KNOWN_MIGRATIONS, migration_set

from .conftest import MANAGER_PIN, OWNER_PIN, t

ROOT = Path(__file__).resolve().parents[2]
FUTURE = "9001_loyalty_desktop_from_the_future"


def fill_shop(data_dir: Path) -> dict:
    """A shop with a member, two sales and a partial refund; returns the member as valued."""
    with open_terminal(data_dir) as term:
        term.init_shop("Kahve Dükkanı", "Oya Sahip", OWNER_PIN, at=t("2025-01-01 09:00"))
        term.add_staff("Mehmet Müdür", "manager", MANAGER_PIN, by_pin=OWNER_PIN)
        member = term.enrol("Çiğdem Işık", phone="05321234567", at=t("2025-01-02 10:00"))
        sale = term.sale(member["member_id"], 80000, at=t("2025-01-03 10:00"))
        term.sale(member["member_id"], 12000, at=t("2025-01-04 10:00"))
        term.refund(sale["sale_id"], amount=30000, manager_pin=MANAGER_PIN,
                    at=t("2025-01-05 10:00"))
        return term.member(member["member_id"], at=t("2025-02-01 10:00"))


def applied_migrations(path: Path) -> list[tuple[str, str]]:
    """(name, applied_at) of every migration recorded in the database file, read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT name, applied_at FROM _sqlite_migrations "
                            "ORDER BY rowid").fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_future_migration(data_dir: Path) -> None:
    """Make the database look written by a newer version: one migration we do not know."""
    conn = sqlite3.connect(data_dir / dbm.DB_NAME)
    try:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('loyalty_desktop', ?, '2031-06-01T00:00:00')", (FUTURE,))
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def test_a_database_written_now_survives_reopening(tmp_path):
    data_dir = tmp_path / "data"
    before = fill_shop(data_dir)
    migrations_before = applied_migrations(data_dir / dbm.DB_NAME)
    assert [name for name, _ in migrations_before] == KNOWN_MIGRATIONS
    for _ in range(2):
        with open_terminal(data_dir) as term:
            assert term.member(before["member_id"], at=t("2025-02-01 10:00")) == before
            assert len(term.sales(before["member_id"])) == 2
            report = term.check()
            assert report["ok"], report
    assert applied_migrations(data_dir / dbm.DB_NAME) == migrations_before  # nothing re-ran


@pytest.mark.parametrize("stop_before", KNOWN_MIGRATIONS)
def test_an_older_schema_is_brought_up_to_date(tmp_path, stop_before):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    from sqlite_utils import Database

    old = Database(str(data_dir / dbm.DB_NAME))
    migration_set().apply(old, stop_before=stop_before)
    old.conn.close()
    with open_terminal(data_dir) as term:
        term.init_shop("Kahve Dükkanı", "Oya Sahip", OWNER_PIN)
        assert term.check()["ok"]
    assert [name for name, _ in applied_migrations(data_dir / dbm.DB_NAME)] == KNOWN_MIGRATIONS


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(tmp_path):
    data_dir = tmp_path / "data"
    fill_shop(data_dir)
    record_future_migration(data_dir)
    db_file = data_dir / dbm.DB_NAME
    before = digest(db_file)
    for _ in range(2):  # a second try is refused the same way
        with pytest.raises(StoreError) as refused:
            open_terminal(data_dir)
        assert refused.value.code == "database_too_new"
        assert FUTURE in refused.value.message and "newer version" in refused.value.message
    assert digest(db_file) == before
    assert not dbm.list_backups(data_dir)  # no backup or restore was attempted either
    lock = dbm.DataDirLock(data_dir)  # the refusal let go of the data folder
    lock.acquire()
    lock.release()


def test_the_cli_reports_a_newer_database_and_leaves_it_unchanged(tmp_path):
    data_dir = tmp_path / "data"
    fill_shop(data_dir)
    record_future_migration(data_dir)
    before = digest(data_dir / dbm.DB_NAME)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "loyalty_desktop.cli", "--data-dir", str(data_dir), "--json",
         "check"], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 1
    assert '"code": "database_too_new"' in result.stdout
    assert digest(data_dir / dbm.DB_NAME) == before
