"""The store: durability settings, append-only ledger, one process, migrations, backups."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from loyalty_desktop.domain.errors import PermissionDenied, StoreError
from loyalty_desktop.services import open_terminal
from loyalty_desktop.services.terminal import restore_backup
from loyalty_desktop.store import database as dbm

from .conftest import MANAGER_PIN, OWNER_PIN, t


def test_pragmas_are_durable(terminal):
    assert terminal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert terminal.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert terminal.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_ledger_and_events_refuse_update_and_delete(terminal, enrol):
    m = enrol()
    terminal.sale(m["member_id"], 10000, at=t("2026-01-01 10:00"))
    for sql in ("UPDATE ledger SET points = 999", "DELETE FROM ledger",
                "DELETE FROM events", "UPDATE events SET kind = 'x'",
                "UPDATE events SET payload = '{}'", "DELETE FROM audit",
                "UPDATE audit SET action = 'x'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            terminal.db.execute(sql)


def test_second_process_on_same_data_is_refused(tmp_path):
    term = open_terminal(tmp_path / "d")
    try:
        code = ("import sys\nfrom loyalty_desktop.services import open_terminal\n"
                "from loyalty_desktop.domain.errors import StoreError\n"
                "try:\n    open_terminal(sys.argv[1])\nexcept StoreError as e:\n"
                "    print(e.code); sys.exit(3)\n")
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 3 and out.stdout.strip() == "data_dir_locked"
    finally:
        term.close()


def test_database_from_newer_version_is_refused(tmp_path):
    term = open_terminal(tmp_path / "d")
    term.db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                    "VALUES ('loyalty_desktop', '9999_from_the_future', '2030-01-01')")
    term.db.conn.commit()
    term.close()
    with pytest.raises(StoreError) as err:
        open_terminal(tmp_path / "d")
    assert err.value.code == "database_too_new"


def test_backup_and_restore_round_trip(terminal, enrol, tmp_path):
    m = enrol()
    terminal.sale(m["member_id"], 50000, at=t("2026-01-01 10:00"))
    backup = terminal.backup()
    terminal.sale(m["member_id"], 50000, at=t("2026-01-02 10:00"))
    data_dir = terminal.data_dir
    terminal.close()
    restore_backup(data_dir, dbm.list_backups(data_dir)[0])
    with open_terminal(data_dir) as again:
        assert again.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 1
        assert again.check()["ok"]
    assert backup["size"] > 0


def test_damaged_database_offers_the_last_good_backup(terminal, enrol):
    enrol()
    terminal.backup()
    data_dir = terminal.data_dir
    terminal.close()
    path = data_dir / dbm.DB_NAME
    raw = bytearray(path.read_bytes())
    for i in range(4096, min(len(raw), 4096 * 6)):
        raw[i] = 0xAB
    path.write_bytes(bytes(raw))
    (data_dir / "loyalty.db-wal").unlink(missing_ok=True)
    with pytest.raises(StoreError) as err:
        open_terminal(data_dir)
    assert err.value.code == "database_damaged"
    assert "restore" in err.value.message
    restore_backup(data_dir, dbm.list_backups(data_dir)[0])
    with open_terminal(data_dir) as again:
        assert again.check()["ok"]


def test_lockout_after_five_wrong_pins_survives_restart(terminal):
    owner = next(s for s in terminal.list_staff() if s["role"] == "owner")
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            terminal.login(owner["staff_id"], "0000", at=t("2026-01-01 10:00"))
    data_dir = terminal.data_dir
    terminal.close()
    with open_terminal(data_dir) as again:
        with pytest.raises(PermissionDenied) as err:
            again.login(owner["staff_id"], OWNER_PIN, at=t("2026-01-01 10:05"))
        assert err.value.code == "locked_out"
        assert again.login(owner["staff_id"], OWNER_PIN, at=t("2026-01-01 10:16"))["role"] == "owner"


def test_refund_needs_a_manager_pin(terminal, enrol):
    m = enrol()
    s = terminal.sale(m["member_id"], 10000, at=t("2026-01-01 10:00"))
    with pytest.raises(PermissionDenied):
        terminal.refund(s["sale_id"], manager_pin="1111")  # a cashier's PIN
    with pytest.raises(PermissionDenied):
        terminal.refund(s["sale_id"], manager_pin=None)
    assert terminal.refund(s["sale_id"], manager_pin=MANAGER_PIN)["money_refunded"] == 10000


def test_check_reports_cache_equal_to_ledger(terminal, enrol):
    m = enrol()
    for day in range(1, 6):
        terminal.sale(m["member_id"], 30000 * day, at=t(f"2026-01-0{day} 10:00"))
    report = terminal.check()
    assert report["ok"] and report["members_checked"] == 1 and report["sequence_gaps"] == 0


def test_a_sale_extends_the_cached_fold_and_check_catches_a_stale_one(terminal, enrol):
    m = enrol()
    terminal.sale(m["member_id"], 40000, at=t("2026-01-02 10:00"))
    stale = terminal.db.execute("SELECT state FROM balances WHERE member_id = ?",
                                [m["member_id"]]).fetchone()[0]
    terminal.sale(m["member_id"], 90000, redeem_points=50, at=t("2026-01-03 10:00"))
    assert terminal.check()["ok"]  # the fold the second sale extended equals a fresh one
    with terminal.db.atomic():  # a fold one sale behind the ledger must not pass
        terminal.db.execute("UPDATE balances SET state = ? WHERE member_id = ?",
                            [stale, m["member_id"]])
    report = terminal.check()
    assert not report["ok"] and report["cache_mismatches"] == [m["member_id"]]


def test_large_clean_database_opens_without_a_full_scan_but_unclean_one_is_checked(
        terminal, enrol, monkeypatch):
    for i in range(30):
        enrol(f"Üye {i}", phone=f"0532555{i:04d}")
    data_dir = terminal.data_dir
    terminal.close()
    assert not (data_dir / dbm.RUNNING_MARK).exists()  # a clean close removes the mark
    path = data_dir / dbm.DB_NAME
    raw = bytearray(path.read_bytes())
    page = 4096
    raw[len(raw) - page:len(raw) - page + 200] = b"\xab" * 200  # damage a page deep inside
    path.write_bytes(bytes(raw))
    monkeypatch.setattr(dbm, "FULL_CHECK_BELOW", 0)  # pretend the file is large
    assert dbm.healthy_at_open(data_dir)  # only the schema is read after a clean close
    (data_dir / dbm.RUNNING_MARK).write_text("open\n")  # as a crash would leave it
    assert not dbm.healthy_at_open(data_dir)


def test_snapshot_backup_runs_while_the_writer_keeps_selling(terminal, enrol):
    import threading

    m = enrol()
    for day in range(1, 10):
        terminal.sale(m["member_id"], 10_000, at=t(f"2026-01-0{day} 10:00"))
    done = {}
    thread = threading.Thread(target=lambda: done.setdefault(
        "path", dbm.snapshot_backup(terminal.data_dir)))
    thread.start()
    terminal.sale(m["member_id"], 10_000, at=t("2026-01-10 10:00"))  # not blocked
    thread.join(30)
    assert dbm.file_is_healthy(done["path"])
    assert terminal.note_backup(done["path"])["size"] > 0
    assert any(a["action"] == "backup" for a in terminal.audit_log())


def test_a_rolled_back_event_leaves_no_gap_in_the_terminal_sequence(terminal, enrol):
    m = enrol()
    terminal.sale(m["member_id"], 20000, at=t("2026-01-02 10:00"))
    with pytest.raises(RuntimeError):
        with terminal.transaction():
            terminal.record("adjustment", m["member_id"], t("2026-01-02 11:00"), {"reason": "x"})
            raise RuntimeError("the till lost power")
    terminal.sale(m["member_id"], 30000, at=t("2026-01-02 12:00"))
    seqs = [r[0] for r in terminal.db.execute(
        "SELECT seq FROM events WHERE terminal_id = ? ORDER BY seq", [terminal.terminal_id])]
    assert seqs == list(range(1, len(seqs) + 1))
    assert terminal.check()["sequence_gaps"] == 0
