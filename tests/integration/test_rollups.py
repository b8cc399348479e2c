"""Member and point rollups: kept by the projector, equal to a recomputation from the ledger
whatever the arrival order, backfilled by migration 0002, and read by the monthly report."""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from loyalty_desktop.domain.clock import from_db, micros_of, month_bounds
from loyalty_desktop.services import open_terminal
from loyalty_desktop.services import report_members as rm
from loyalty_desktop.services import report_queries as q
from loyalty_desktop.services import reports
from loyalty_desktop.store import database as dbm
from loyalty_desktop.store.rollups import rebuild, rollups_match_ledger
from loyalty_desktop.store.schema import migration_set

from .conftest import MANAGER_PIN, OWNER_PIN, t

MEMBER_COLS = "member_id, month, sales, purchases, total, refunded, first_at, last_at, spend"


def rollup_rows(db) -> tuple[list, list]:
    """Both rollup tables, sorted, without rows that hold nothing."""
    members = db.execute(f"SELECT {MEMBER_COLS} FROM member_months WHERE sales != 0 OR "
                         "spend != 0 ORDER BY member_id, month").fetchall()
    points = db.execute("SELECT * FROM point_months ORDER BY month").fetchall()
    return members, points


def busy_shop(terminal, enrol, seed: int = 3) -> list[dict]:
    """Sales over four months (some across a month end at 23:59), partial and full refunds,
    redemptions, an adjustment and a merge."""
    rng = random.Random(seed)
    members = [enrol(f"Üye {i}", phone=f"0532111{i:04d}") for i in range(5)]
    sales = []
    for n in range(60):
        month, day = 1 + n // 20, 1 + (n * 7) % 28
        m = rng.choice(members)
        hour = "23:59" if n % 9 == 0 else "10:00"
        at = t(f"2026-0{month}-{day:02d} {hour}")
        sale = terminal.sale(m["member_id"], rng.randint(5000, 120000), at=at)
        sales.append(sale)
        if rng.random() < 0.35:
            amount = None if rng.random() < 0.4 else sale["total"] // 3
            terminal.refund(sale["sale_id"], amount=amount, manager_pin=MANAGER_PIN,
                            at=at + timedelta(hours=13))
    terminal.adjust(members[0]["member_id"], -40, "düzeltme", MANAGER_PIN,
                    at=t("2026-02-10 12:00"))
    terminal.merge_members(members[1]["member_id"], members[2]["member_id"], MANAGER_PIN)
    terminal.sale(members[1]["member_id"], 30000, at=t("2026-04-02 10:00"))
    return members


def test_rollups_equal_the_ledger_and_converge_in_any_order(tmp_path, terminal, enrol):
    busy_shop(terminal, enrol)
    assert rollups_match_ledger(terminal.db) == []
    assert terminal.check()["rollup_mismatches"] == []
    mine = rollup_rows(terminal.db)
    assert mine[0] and mine[1]
    events = terminal.events_after(0, 10_000)
    first = [e for e in events if e["kind"] in ("program_published", "member_enrolled")]
    rest = [e for e in events if e not in first]
    for seed in (1, 2):
        random.Random(seed).shuffle(rest)
        other = open_terminal(tmp_path / f"other{seed}")
        try:
            other.apply_remote(first + rest)
            assert rollups_match_ledger(other.db) == []
            assert rollup_rows(other.db) == mine
            assert other.apply_remote(events)["applied"] == 0
            assert rollup_rows(other.db) == mine  # duplicates changed nothing
        finally:
            other.close()


def test_check_reports_a_rollup_that_drifted(terminal, enrol):
    busy_shop(terminal, enrol)
    terminal.db.execute("UPDATE point_months SET earn = earn + 1 WHERE month = '2026-02'")
    report = terminal.check()
    assert not report["ok"]
    assert report["rollup_mismatches"] == ["points 2026-02"]
    with terminal.db.atomic():
        rebuild(terminal.db)
    assert terminal.check()["rollup_mismatches"] == []


def test_migration_0002_backfills_a_store_built_at_0001(tmp_path, terminal, enrol):
    busy_shop(terminal, enrol)
    expected = rollup_rows(terminal.db)
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    from sqlite_utils import Database

    old = Database(str(data_dir / dbm.DB_NAME))
    migration_set().apply(old, stop_before="0002_member_rollups")
    old.conn.close()
    source = str(terminal.data_dir / dbm.DB_NAME)
    conn = sqlite3.connect(data_dir / dbm.DB_NAME)
    conn.execute("ATTACH DATABASE ? AS src", [source])
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '_sqlite%' AND name NOT LIKE 'members_fts_%'")]
    assert "member_months" not in tables
    for table in tables:  # the columns the table had then (later steps add some)
        cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM src.{table}")
    conn.execute("DELETE FROM main.meta WHERE key = 'rollup_timezone'")
    conn.commit()
    conn.close()
    with open_terminal(data_dir) as upgraded:
        assert rollup_rows(upgraded.db) == expected
        assert upgraded.check()["rollup_mismatches"] == []
        # 0003 filled every member's cached fold, and it equals a fresh fold of the ledger.
        assert upgraded.db.execute("SELECT COUNT(*) FROM balances WHERE state IS NULL"
                                   ).fetchone()[0] == 0
        assert upgraded.check()["ok"]


def test_migration_0004_fills_the_integer_times_of_a_store_at_0003(tmp_path, terminal, enrol):
    busy_shop(terminal, enrol)
    cols = "member_id, month, first_at, last_at, first_us, last_us"
    expected = terminal.db.execute(f"SELECT {cols} FROM member_months ORDER BY 1, 2").fetchall()
    assert any(r[4] is not None for r in expected)
    for _, _, first_at, last_at, first_us, last_us in expected:  # the same instants
        assert (first_us, last_us) == tuple(
            None if t is None else micros_of(from_db(t)) for t in (first_at, last_at))
    terminal.close()
    data_dir = tmp_path / "at0003"
    shutil.copytree(terminal.data_dir, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    conn = sqlite3.connect(data_dir / dbm.DB_NAME)
    conn.execute("ALTER TABLE member_months DROP COLUMN first_us")
    conn.execute("ALTER TABLE member_months DROP COLUMN last_us")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0004_rollup_micros'")
    conn.commit()
    conn.close()
    with open_terminal(data_dir) as upgraded:
        assert upgraded.db.execute(f"SELECT {cols} FROM member_months ORDER BY 1, 2"
                                   ).fetchall() == expected
        assert upgraded.check()["rollup_mismatches"] == []


def test_the_rollup_path_gives_what_the_sales_scan_gives(terminal, enrol):
    busy_shop(terminal, enrol)
    db, program, tz = terminal.db, terminal.program, terminal.timezone
    root = q.roots(db)
    for month in (2, 3, 4):
        start, end = month_bounds(2026, month, tz)
        fast = rm.member_scan(db, root, [start, end], program)
        slow = rm._member_scan_sales(db, root, [start, end], program)
        assert fast[0] == slow[0]
        for a, b in zip(fast[1], slow[1]):
            # Window and pre-grace window exactly; the in-grace sum (only a bound that picks
            # whom to walk) is net of refunds here, gross in the scan, so at most that.
            for m in set(a) | set(b):
                mine, theirs = a.get(m, [0, 0, 0]), b.get(m, [0, 0, 0])
                assert mine[:2] == theirs[:2] and mine[2] <= theirs[2]
        moments = [start - rm.TICK, end - rm.TICK]
        ids = [rm.member_ids(db, start), rm.member_ids(db, end)]
        assert (rm.tiers_at(db, root, moments, program, ids, fast[1])
                == rm.tiers_at(db, root, moments, program, ids, slow[1]))
        prev = month_bounds(2026, month - 1, tz)[0]
        since = month_bounds(2026, 1, tz)[0]
        fast_buyers = q.buyers(db, start, end, root, since=since, previous=prev)
        assert fast_buyers == _buyers_by_scan(db, start, end, root, since, prev)
        report = reports.monthly_report(terminal, 2026, month)
        assert report["points"]["checked"], report["points"]


def _buyers_by_scan(db, start, end, root, since, previous) -> dict:
    """q.buyers' answer computed straight from the sales rows."""
    out: dict = {}
    for member, at, total, refunded in db.execute(
            "SELECT member_id, at, total, refunded FROM sales WHERE member_id IS NOT NULL"):
        moment = from_db(at)
        if not since <= moment < end:
            continue
        acc = out.setdefault(root.get(member, member), [0, 0, 0, 0, 0])
        if moment >= start:
            acc[0] += 1
            acc[1] += total
            acc[2] += total - refunded
        else:
            acc[3] += moment >= previous
            acc[4] += 1
    return out


@pytest.mark.parametrize("zone_name", ["Europe/Berlin"])
def test_a_shop_in_another_zone_gets_its_months(tmp_path, zone_name):
    with open_terminal(tmp_path / "berlin") as term:
        term.init_shop("Laden", "Inhaber", OWNER_PIN, timezone=zone_name,
                       at=t("2025-01-01 09:00"))
        member = term.enrol("Jörg Berg", phone="05320000001", at=t("2026-01-02 10:00"))
        # 23:30 Berlin on 31 January is already February in Istanbul.
        late = datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo(zone_name))
        term.sale(member["member_id"], 20000, at=late)
        report = reports.monthly_report(term, 2026, 1)
        assert report["members"]["active"] == 1
        assert rollups_match_ledger(term.db) == []
        months = [r[1] for r in rollup_rows(term.db)[0]]
        assert months == ["2026-01"]
