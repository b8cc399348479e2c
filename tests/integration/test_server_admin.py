"""Migrations, the least-privilege PostgreSQL role, and the admin commands."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from loyalty_desktop.domain.errors import StoreError
from loyalty_desktop.server import admin
from loyalty_desktop.server.cli import main
from loyalty_desktop.server.storage import open_storage
from loyalty_desktop.server.storage.schema import (
    POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, latest_version,
)
from loyalty_desktop.server.testing import PG_ENV, REPO_ROOT, TempPostgres


@pytest.fixture
def pg() -> Any:
    """A fresh migrated PostgreSQL database with its app role."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    database = TempPostgres(url).create()
    yield database
    database.drop()


def serve_fails(db_url: str) -> str:
    """Start `server serve` expecting it to refuse: its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "loyalty_desktop.server", "serve", "--db", db_url, "--port", "1"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode != 0
    return done.stderr


def test_sqlite_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    admin.migrate(db)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    conn.close()
    with pytest.raises(StoreError) as refused:
        open_storage(db)
    assert refused.value.code == "schema_too_new" and "newer" in refused.value.message
    assert "schema version 99, newer than this server" in serve_fails(db)
    with sqlite3.connect(db) as conn:  # left untouched
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 99
    conn.close()


def test_sqlite_migrations_are_recorded_once(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    admin.migrate(db)
    admin.migrate(db)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert rows == [(m.version, m.name) for m in SQLITE_MIGRATIONS] and mode == "wal"


@pytest.mark.postgres
def test_postgres_of_a_newer_or_older_schema_is_refused(pg: TempPostgres) -> None:
    with psycopg.connect(pg.admin_url) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    with pytest.raises(StoreError) as newer:
        open_storage(pg.app_url)
    assert newer.value.code == "schema_too_new"
    with pytest.raises(StoreError):
        admin.migrate(pg.admin_url)
    with psycopg.connect(pg.admin_url) as conn:
        conn.execute("DELETE FROM schema_migrations")
    with pytest.raises(StoreError) as older:
        open_storage(pg.app_url)
    assert older.value.code == "schema_too_old" and "server migrate" in older.value.message


@pytest.mark.postgres
def test_app_role_has_only_the_rights_it_needs(pg: TempPostgres) -> None:
    forbidden = [
        "DELETE FROM events", "UPDATE events SET body = '{}'", "TRUNCATE events",
        "DROP TABLE events", "CREATE TABLE mine (x int)", "ALTER TABLE events ADD COLUMN x int",
        "DELETE FROM tenants", "INSERT INTO tenants (uid, name) VALUES ('x', 'x')",
        "UPDATE schema_migrations SET version = 2", "INSERT INTO instances (instance_id) VALUES ('x')",
        "DELETE FROM conflicts", "UPDATE conflicts SET reason = 'x'",
    ]
    for statement in forbidden:
        with psycopg.connect(pg.app_url) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    storage = open_storage(pg.app_url)  # and yet the server works as that role
    try:
        assert storage.schema_version() == latest_version(POSTGRES_MIGRATIONS)
    finally:
        storage.close()


@pytest.mark.postgres
def test_server_refuses_to_run_as_the_owner(pg: TempPostgres) -> None:
    with pytest.raises(StoreError) as refused:
        open_storage(pg.admin_url)
    assert refused.value.code == "privileged_app_role"
    assert "must not connect as" in serve_fails(pg.admin_url)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    """Run `server ...` in-process: (exit code, parsed JSON output or error)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out or err)


def test_cli_commands_print_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "server.db")
    code, tenant = run_cli(capsys, "tenant", "add", "Çınar Market", "--db", db, "--json")
    assert code == 0 and tenant["name"] == "Çınar Market"
    code, pairing = run_cli(
        capsys, "pairing-code", "Çınar Market", "--store", "Kadıköy", "--db", db, "--json"
    )
    assert code == 0 and len(pairing["code"]) == 9 and pairing["store"] == "Kadıköy"
    assert pairing["expires_at"].endswith("+03:00")
    code, tenants = run_cli(capsys, "tenant", "list", "--db", db, "--json")
    assert [t["name"] for t in tenants] == ["Çınar Market"]
    code, error = run_cli(capsys, "tenant", "add", "Çınar Market", "--db", db, "--json")
    assert code == 2 and error["code"] == "tenant_exists"
    code, error = run_cli(capsys, "terminal", "revoke", "Çınar Market", "nope", "--db", db, "--json")
    assert code == 2 and error["code"] == "terminal_not_found"
    code, terminals = run_cli(capsys, "terminal", "list", tenant["tenant_id"], "--db", db, "--json")
    assert code == 0 and terminals == []


def test_cli_text_output_and_missing_db(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOYALTY_SERVER_DB", raising=False)
    db = str(tmp_path / "server.db")
    assert main(["tenant", "add", "Simit Sarayı", "--db", db]) == 0
    assert main(["pairing-code", "Simit Sarayı", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "name=Simit Sarayı" in out and "valid until" in out
    assert main(["tenant", "list"]) == 1
    assert "--db" in capsys.readouterr().err


def test_sqlite_backup_and_restore_change_the_instance(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    db, copy = str(tmp_path / "server.db"), str(tmp_path / "backup.db")
    admin.add_tenant(db, "Fırın")
    before = open_storage(db)
    old_instance = before.instance_id()
    before.close()
    code, _ = run_cli(capsys, "backup", copy, "--db", db, "--json")
    assert code == 0
    admin.add_tenant(db, "after the backup")
    code, restored = run_cli(capsys, "restore", copy, "--db", db, "--json")
    assert code == 0 and restored["instance_id"] != old_instance
    assert [t["name"] for t in admin.list_tenants(db)] == ["Fırın"]
    after = open_storage(db)
    assert after.instance_id() == restored["instance_id"]
    after.close()


def test_several_workers_need_postgres(tmp_path: Path) -> None:
    from loyalty_desktop.domain.errors import InvalidInput
    from loyalty_desktop.server.serve import serve

    with pytest.raises(InvalidInput) as refused:
        serve(str(tmp_path / "server.db"), workers=2)
    assert refused.value.code == "workers_need_postgres"
