"""The chain's monthly report on the server: two stores built through the real sync path, on
SQLite and PostgreSQL; KPIs equal to the terminals' and to hand-computed values, Istanbul month
boundaries, the projector exactly-once (twice, or two processes at once), tenant isolation."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from loyalty_desktop.printing.report import render_monthly_report
from loyalty_desktop.server import admin
from loyalty_desktop.server.admin import admin_storage
from loyalty_desktop.domain.clock import UTC
from loyalty_desktop.server import report_chain, report_rollups
from loyalty_desktop.server.report_chain import chain_monthly_report
from loyalty_desktop.server.report_rollups import fold_tenants
from loyalty_desktop.server.storage.schema import REPORT_TABLES
from loyalty_desktop.server.testing import PG_ENV, REPO_ROOT, ServerProcess, make_backend
from loyalty_desktop.services import open_terminal
from loyalty_desktop.services.reports import monthly_report
from loyalty_desktop.services.sync_adapter import TerminalSyncStore
from loyalty_desktop.sync.client import SyncClient, pair_terminal

from .conftest import t

MANAGER_PIN = "9876"
SAME_AS_TERMINAL = {
    "members": None, "sales": None, "revenue_by_day": None, "cashback": None, "coupons": None,
    "nps_trend": None, "top_members": None,
}


def sync(term: Any) -> None:
    with SyncClient(TerminalSyncStore(term)) as client:
        client.sync_once()


def _token(term: Any) -> tuple[str, str]:
    state = term.sync_state()
    return state["server_url"], state["token"]


@contextlib.contextmanager
def chain_server(kind: str, folder: Any, stores: list[tuple[str, str]], opened: datetime
                 ) -> Iterator[dict[str, Any]]:
    """A fresh backend of `kind` with a server (no background folding: the tests decide when
    the projector runs) and a paired terminal per (store, tenant name) of `stores`; skips
    when PostgreSQL is not set up. Yields backend, server, terms and each tenant by name."""
    backend = make_backend(kind, folder)
    if backend is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    tenants = {name: admin.add_tenant(backend.admin_url, name)
               for name in dict.fromkeys(owner for _, owner in stores)}
    server = ServerProcess(backend.app_url, settings={"report_rollup_seconds": 0}).start()
    terms: list[Any] = []
    try:
        for i, (store, owner) in enumerate(stores):
            terms.append(paired_terminal(folder / f"t{i}", backend, server, tenants[owner],
                                         store, opened, i))
        yield {"backend": backend, "server": server, "terms": terms, "tenants": tenants}
    finally:
        for term in terms:
            term.close()
        server.close()
        backend.drop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A chain of two stores (one terminal each) with known sales, synced; and a second tenant."""
    with chain_server(request.param, tmp_path_factory.mktemp("report"), [
            ("Kadıköy", "Zincir Kahve"), ("Beşiktaş", "Zincir Kahve"), ("Tek", "Başka Dükkan")],
            t("2025-12-01 09:00")) as built:
        facts = _sell(*built["terms"])
        yield {**built, "facts": facts, "tenant": built["tenants"]["Zincir Kahve"],
               "other": built["tenants"]["Başka Dükkan"]}


def paired_terminal(folder: Any, backend: Any, server: ServerProcess, owner: dict[str, Any],
                    store: str, opened: datetime, i: int) -> Any:
    """A new terminal of the tenant `owner` (a manager with MANAGER_PIN) paired to `server` as
    the terminal of `store`."""
    term = open_terminal(folder)
    term.init_shop(owner["name"], f"Sahip {i}", f"24{i}8", at=opened)
    term.add_staff("Müdür", "manager", MANAGER_PIN, by_pin=f"24{i}8")
    code = admin.create_pairing_code(backend.admin_url, owner["tenant_id"], store=store)["code"]
    pair_terminal(TerminalSyncStore(term), server.url, code, store_name=store)
    return term


def _sell(a: Any, b: Any, lone: Any) -> dict[str, Any]:
    """Known sales on both sides of the January/February boundary (Istanbul time)."""
    ali = a.enrol("Ali Kadıköy", at=t("2026-01-05 10:00"))["member_id"]
    sync(a)
    sync(b)
    ayse = b.enrol("Ayşe Beşiktaş", at=t("2026-01-31 23:59:59"))["member_id"]
    cem = b.enrol("Cem Şubat", at=t("2026-02-01 00:00:00"))["member_id"]
    a.sale(ali, 50_000, at=t("2026-01-31 23:59:59"))  # January, the last second
    b.sale(ali, 30_000, at=t("2026-02-01 00:00:00"))  # February, the first second
    s = b.sale(ayse, 80_000, at=t("2026-02-10 12:00"))
    b.refund(s["sale_id"], amount=20_000, manager_pin=MANAGER_PIN, at=t("2026-02-11 12:00"))
    b.feedback(s["sale_id"], nps=10, csat=5, at=t("2026-02-10 12:05"))
    w = a.sale(None, 12_000, at=t("2026-02-12 09:00"))  # walk-in
    a.feedback(w["sale_id"], nps=3, csat=2, at=t("2026-02-12 09:05"))  # a detractor: follow-up
    b.sale(cem, 15_000, at=t("2026-02-28 23:59:59"))
    full = a.sale(ali, 10_000, at=t("2026-02-15 10:00"))
    a.refund(full["sale_id"], amount=10_000, manager_pin=MANAGER_PIN, at=t("2026-02-15 11:00"))
    dup = b.enrol("Ali İkinci Kart", at=t("2026-01-20 10:00"))["member_id"]
    deniz = b.enrol("Deniz Silinecek", at=t("2026-01-21 10:00"))["member_id"]
    b.sale(dup, 5_000, at=t("2026-02-20 10:00"))
    b.sale(deniz, 2_000, at=t("2026-02-21 10:00"))
    sync(b)
    sync(a)
    a.merge_members(ali, dup, MANAGER_PIN, at=t("2026-03-02 10:00"))  # one person, two cards
    b.erase_member(deniz, MANAGER_PIN, at=t("2026-03-03 10:00"))
    a.sale(ali, 40_000, at=t("2026-03-01 00:00:00"))  # March
    lone.sale(None, 99_900, at=t("2026-02-15 10:00"))  # the other tenant
    for _ in range(2):
        for term in (a, b, lone):
            sync(term)
    return {"ali": ali, "ayse": ayse, "cem": cem}


def _report(chain: Any, month: str, term: Any | None = None) -> dict[str, Any]:
    url, token = _token(term or chain["terms"][0])
    answer = httpx.get(url + "/v1/reports/monthly", params={"month": month},
                       headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_kpis_by_hand_and_month_boundaries(chain: Any) -> None:
    jan, feb, mar = (_report(chain, m) for m in ("2026-01", "2026-02", "2026-03"))
    assert jan["timezone"] == "Europe/Istanbul" and jan["scope"] == "chain"
    assert jan["sales"]["member_sales"] == 1 and jan["sales"]["member_total"] == 50_000
    assert feb["sales"]["member_sales"] == 6
    assert feb["sales"]["member_total"] == 30_000 + 80_000 + 15_000 + 10_000 + 5_000 + 2_000
    assert feb["sales"]["refunded_total"] == 20_000 + 10_000 and feb["sales"]["refunds"] == 2
    assert feb["sales"]["walk_in_sales"] == 1 and feb["sales"]["walk_in_total"] == 12_000
    assert feb["sales"]["net_total"] == 142_000 - 30_000
    assert feb["sales"]["average_basket"] == 23_667  # 142,000 / 6 rounded half up
    assert feb["members"]["repeat_buyers"] == 1  # Ali three times (one refunded, one merged)
    assert mar["sales"]["member_total"] == 40_000
    # Ayşe at 23:59:59 is January's; the merged duplicate counts no more; Deniz erased later
    assert jan["members"]["new"] == 3 and feb["members"]["new"] == 1
    assert feb["members"]["total"] == 4
    assert feb["members"]["active"] == 4 and feb["members"]["active_previous_month"] == 1
    assert feb["members"]["retained"] == 1 and feb["members"]["retention_percent"] == 100.0
    days = {d["day"]: d for d in feb["revenue_by_day"]}
    assert len(days) == 28 and days["2026-02-01"]["total"] == 30_000
    assert days["2026-02-28"]["total"] == 15_000
    assert {d["day"]: d["total"] for d in jan["revenue_by_day"]}["2026-01-31"] == 50_000
    stores = {s["store"]: s for s in feb["stores"]}
    assert stores["Beşiktaş"]["member_total"] == 132_000 and stores["Beşiktaş"]["refunds"] == 1
    assert stores["Kadıköy"]["walk_in_total"] == 12_000 and stores["Kadıköy"]["member_sales"] == 1
    assert stores["Kadıköy"]["refunded_total"] == 10_000
    top = feb["top_members"]
    assert [m["name"] for m in top] == ["Ayşe Beşiktaş", "Ali Kadıköy", "Cem Şubat",
                                        "[silindi / erased]"]
    assert [m["net"] for m in top] == [60_000, 35_000, 15_000, 2_000]
    assert feb["omitted"] == {}
    assert feb["clv"]["by_tier"]["bronz"]["members"] == 4 == feb["tiers"]["distribution"]["bronz"]
    assert feb["clv"]["members"] == 4  # Ali (with his merged card), Ayşe, Cem, Deniz erased
    assert sum(s["after"] for s in feb["segments"].values()) == 4


def test_equal_to_the_terminals_report(chain: Any) -> None:
    a, b, _ = chain["terms"]
    for month in ("2026-01", "2026-02"):
        server = _report(chain, month)
        year, number = int(month[:4]), int(month[5:])
        for term in (a, b):
            local = monthly_report(term, year, number)
            for key in SAME_AS_TERMINAL:
                assert server[key] == local[key], (month, key)
            assert server["points"] == local["points"], (month, "points")
            del local["tiers"]["recorded_changes"]  # the terminal's audit trail
            assert server["tiers"] == local["tiers"], (month, "tiers")
            for key in ("nps", "csat", "complaints", "follow_ups", "open_at_end"):
                assert server["feedback"][key] == local["feedback"][key], key
            assert server["segments"] == local["segments"], month
            assert server["at_risk"] == local["at_risk"], month
            assert server["clv"] == local["clv"], month


def test_member_months_equal_the_terminals(chain: Any) -> None:
    _report(chain, "2026-02")  # folds
    sql = ("SELECT member_id, month, sales, purchases, total, refunded, first_at, last_at"
           " FROM {} WHERE sales > 0 ORDER BY member_id, month")
    with admin_storage(chain["backend"].admin_url) as storage:
        with storage._read() as cur:
            cur.execute(sql.format("report_member_months"))
            server = [tuple(r) for r in cur.fetchall()]
    for term in chain["terms"][:2]:
        assert server == [tuple(r) for r in term.db.execute(sql.format("member_months"))]
    assert any(r[2] == 2 and r[3] == 1 for r in server)  # Ali's February: one fully refunded


def test_projector_counts_nothing_twice(chain: Any) -> None:
    backend = chain["backend"]
    before = _report(chain, "2026-02")
    with admin_storage(backend.admin_url) as storage:
        fold_tenants(storage)  # the other tenant's events, not reported yet
        assert sum(fold_tenants(storage).values()) == 0  # nothing new: nothing folded
        with storage._write() as cur:  # forget the rollups: fold everything again
            for table in REPORT_TABLES:
                cur.execute(f"DELETE FROM {table}")
    command = [sys.executable, "-m", "loyalty_desktop.server", "rollup", "--db", backend.app_url,
               "--json"]
    runs = [subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    after = _report(chain, "2026-02")
    for key in ("members", "sales", "stores", "revenue_by_day", "points", "cashback", "coupons",
                "top_members"):
        assert after[key] == before[key], key


def test_staged_writes_give_the_same_rollups(chain: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk path (temporary table, COPY on PostgreSQL) that busy folds take, and on
    PostgreSQL member months upserted chunk by chunk in pipeline mode (2 events a chunk)."""
    before = _report(chain, "2026-02")
    monkeypatch.setattr(report_rollups, "STAGE_FROM", 0)
    monkeypatch.setattr(report_rollups, "CHUNK", 2)
    with admin_storage(chain["backend"].admin_url) as storage:
        with storage._write() as cur:
            for table in REPORT_TABLES:
                cur.execute(f"DELETE FROM {table}")
        pk = storage.find_tenant("Zincir Kahve")[0]
        assert fold_tenants(storage, pk, batch=4)[pk] > 0  # several runs of 4 events
        again = chain_monthly_report(storage, pk, 2026, 2, datetime.now(UTC))
    for key in ("members", "sales", "stores", "revenue_by_day", "points", "cashback", "coupons",
                "top_members", "feedback", "nps_trend", "tiers"):
        assert again[key] == before[key], key


def test_tenant_isolation(chain: Any) -> None:
    lone = chain["terms"][2]
    mine = _report(chain, "2026-02", term=lone)
    assert mine["shop"] == "Başka Dükkan"
    assert mine["sales"]["walk_in_total"] == 99_900 and mine["sales"]["member_sales"] == 0
    assert [s["store"] for s in mine["stores"]] == ["Tek"]
    theirs = _report(chain, "2026-02")
    assert theirs["sales"]["walk_in_total"] == 12_000
    url, _ = _token(lone)
    assert httpx.get(url + "/v1/reports/monthly", params={"month": "2026-02"}).status_code == 401
    bad = httpx.get(url + "/v1/reports/monthly", params={"month": "2026-13"},
                    headers={"Authorization": f"Bearer {_token(lone)[1]}"})
    assert bad.status_code == 422


def cli_report(chain: Any, tenant: str, month: str, folder: Any) -> tuple[dict[str, Any], str]:
    """`server report monthly --json --out` in English: the dict it printed, the PDF's text."""
    pdf = folder / "chain.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "loyalty_desktop.server", "report", "monthly", tenant,
         "--month", month, "--out", str(pdf), "--lang", "en", "--json", "--db",
         chain["backend"].app_url], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return json.loads(done.stdout), text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_cli_pdf_has_every_section(chain: Any, tmp_path: Any) -> None:
    report, text = cli_report(chain, "Zincir Kahve", "2026-02", tmp_path)
    assert report["omitted"] == {} and "Sections the server does not compute" not in text
    assert "Kadıköy" in text and "Beşiktaş" in text
    p = report["points"]
    liability = f"₺{p['liability'] // 100:,}.{p['liability'] % 100:02d}"
    assert p["checked"] and re.search(rf"Points liability \(TL\)\s+{re.escape(liability)}", text)
    assert re.search(rf"Closing balance\s+{p['closing']:,}", text)
    assert re.search(r"Tiers at month end", text)
    assert "RFM segments" in text and "Valuable members at risk" in text
    assert render_monthly_report(_report(chain, "2026-02"), "tr").startswith(b"%PDF")


def test_rollups_follow_pushes_in_the_background(chain: Any) -> None:
    """A server with the projector on folds a push within its delay (the timer is far off)."""
    a = chain["terms"][0]
    second = ServerProcess(chain["backend"].app_url, settings={
        "report_rollup_seconds": 600, "report_rollup_delay": 0.2}).start()
    original = a.sync_state()["server_url"]
    try:
        a.save_sync_state(server_url=second.url)
        time.sleep(1.0)  # the worker's first run (at start) is over
        a.sale(chain["facts"]["ali"], 7_000, at=t("2026-05-05 10:00"))
        sync(a)
        deadline = time.monotonic() + 20
        with admin_storage(chain["backend"].admin_url) as storage:
            while True:
                with storage._read() as cur:
                    cur.execute("SELECT r.last_seq, n.last_seq FROM report_cursors r JOIN tenants n"
                                " ON n.id = r.tenant_id WHERE n.name = 'Zincir Kahve'")
                    folded, held = cur.fetchone()
                if folded == held or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        assert folded == held
        url, token = _token(a)
        may = httpx.get(url + "/v1/reports/monthly", params={"month": "2026-05"},
                        headers={"Authorization": f"Bearer {token}"}).json()
        assert may["sales"]["member_total"] == 7_000
    finally:
        a.save_sync_state(server_url=original)
        second.close()


def test_buyers_without_merges_read_rows_as_they_are(chain: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain with no merges takes the month's rows without grouping: same members and top
    members as the grouped path, in a month the merge does not touch (January: Ali alone)."""
    with admin_storage(chain["backend"].admin_url) as storage:
        pk = storage.find_tenant("Zincir Kahve")[0]
        merged = chain_monthly_report(storage, pk, 2026, 1, datetime.now(UTC))
        monkeypatch.setattr(report_chain._Reader, "roots", lambda self: {})
        plain = chain_monthly_report(storage, pk, 2026, 1, datetime.now(UTC))
    assert plain["top_members"] == merged["top_members"]
    assert [m["net"] for m in plain["top_members"]] == [50_000]
    assert plain["members"] == merged["members"] and plain["members"]["active"] == 1


def test_upgrade_to_every_sale_refolds_the_rollups(chain: Any) -> None:
    """A server whose rollups were folded at schema 2 (report_sales: refunded sales only, by
    member and time; a full refund left in its month's first/last purchase; no member
    snapshots, no member ledgers) is refolded by `server migrate`."""
    backend = chain["backend"]
    before = _report(chain, "2026-02")
    with admin_storage(backend.admin_url) as storage:
        with storage._write() as cur:
            cur.execute("DELETE FROM report_sales WHERE refunded = 0")
            cur.execute("UPDATE report_member_months SET first_at = '1999', last_at = '1999'")
            # schema 2's shapes (what migration 4 changed), then versions 3 and 4 forgotten
            cur.execute("DROP INDEX report_sales_month")
            cur.execute("ALTER TABLE report_sales DROP COLUMN month")
            cur.execute("CREATE INDEX report_sales_member ON report_sales (tenant_id, member_id,"
                        " at)")
            cur.execute("DROP TABLE report_member_snapshots")
            cur.execute("ALTER TABLE report_cursors DROP COLUMN snapshots")
            for table in ("report_ledgers", "report_point_months", "report_tier_months",
                          "report_member_tiers"):
                cur.execute(f"DROP TABLE {table}")  # and what migration 5 added
            cur.execute("ALTER TABLE report_cursors DROP COLUMN tier_rules")
            cur.execute("DELETE FROM schema_migrations WHERE version >= 3")
    admin.migrate(backend.admin_url, app_role=backend.pg and backend.pg.role)  # as docs/server.md
    after = _report(chain, "2026-02")  # the report folds what the cursor has not reached
    for key in ("members", "sales", "stores", "revenue_by_day", "points", "cashback", "coupons",
                "top_members", "feedback", "nps_trend", "tiers"):
        assert after[key] == before[key], key
    with admin_storage(backend.admin_url) as storage:
        with storage._read() as cur:
            cur.execute("SELECT COUNT(*), MIN(first_at) FROM report_member_months")
            months, first = cur.fetchone()
            cur.execute("SELECT sale_id, member_id, total, refunded FROM report_sales")
            sales = sorted(tuple(r) for r in cur.fetchall())
    assert months > 0 and first > "2000"
    sold = set()  # every member sale of both stores, refunds added (each has pushed all)
    for term in chain["terms"][:2]:
        sold |= {tuple(r) for r in term.db.execute("SELECT sale_id, member_id, total, refunded"
                                                    " FROM sales WHERE member_id IS NOT NULL")}
    assert sales == sorted(sold)
