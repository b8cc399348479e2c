"""Member snapshots (`report_snapshots`): kept by the projector for the last closed months,
mended by folds that change a month they cover (a late push, a refund of an older sale, a
full refund of a month's first or last purchase), rolled on to the next month; always equal
to snapshots built afresh, and the chain report read through them equal to the report that
groups every member month. On SQLite and PostgreSQL, through the real sync path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from loyalty_desktop.domain.clock import UTC, to_db
from loyalty_desktop.server import report_chain_members, report_rollups
from loyalty_desktop.server.admin import admin_storage
from loyalty_desktop.server.report_chain import chain_monthly_report
from loyalty_desktop.server.report_rollups import fold_tenants
from loyalty_desktop.server.report_snapshots import close_months

from .conftest import t
from .test_server_report import MANAGER_PIN, chain_server, sync

TENANT = "Anlık Zincir"
MEMBER_KEYS = ("members", "clv", "segments", "top_members", "at_risk")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    with chain_server(request.param, tmp_path, [("Moda", TENANT)],
                      t("2025-12-01 09:00")) as built:
        yield built


def _rows(storage: Any) -> tuple[str, list[tuple[Any, ...]]]:
    """The cursor's snapshot months and every snapshot row."""
    with storage._read() as cur:
        cur.execute("SELECT snapshots FROM report_cursors")
        months = cur.fetchone()[0]
        cur.execute("SELECT upto, member_id, purchases, net, first_at, last_at, sale_month"
                    " FROM report_member_snapshots ORDER BY upto, member_id")
        return months, [tuple(r) for r in cur.fetchall()]


def _afresh(storage: Any, pk: int) -> tuple[str, list[tuple[Any, ...]]]:
    """The snapshots built from nothing (each grouped from the member months), then read."""
    with storage._write() as cur:
        cur.execute("DELETE FROM report_member_snapshots")
        cur.execute("UPDATE report_cursors SET snapshots = ''")
    close_months(storage, pk)
    return _rows(storage)


def _stored(sale: dict[str, Any]) -> str:
    """A sale's time as the server's rollups store it."""
    return to_db(datetime.fromisoformat(sale["at"]))


def _both_ways(storage: Any, pk: int, month: int, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The month's report read through the snapshot, and by grouping every member month."""
    fast = chain_monthly_report(storage, pk, 2026, month, datetime.now(UTC), fold=False)
    monkeypatch.setattr(report_chain_members, "USE_SNAPSHOTS", False)
    slow = chain_monthly_report(storage, pk, 2026, month, datetime.now(UTC), fold=False)
    monkeypatch.setattr(report_chain_members, "USE_SNAPSHOTS", True)
    return fast, slow


def test_snapshots_mended_and_rolled_on(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a = shop["terms"][0]
    members = [a.enrol(f"Üye {i}", at=t("2025-12-05 10:00"))["member_id"] for i in range(6)]
    sold: dict[tuple[str, int, int], dict[str, Any]] = {}
    for i, m in enumerate(members):
        for month, day in ((1, 3 + i), (1, 20 + i), (2, 2 + i), (2, 25), (3, 5 + i)):
            sold[(m, month, day)] = a.sale(m, 10_000 + 1_000 * i + 100 * day,
                                           at=t(f"2026-{month:02d}-{day:02d} 1{i}:00"))
    sync(a)
    with admin_storage(shop["backend"].admin_url) as storage:
        pk = storage.find_tenant(TENANT)[0]
        fold_tenants(storage, pk)
        first = _rows(storage)
        assert first[0] == "2026-01,2026-02"  # the two months before March, the newest
        assert len(first[1]) == 12 and first == _afresh(storage, pk)

    m0, m1, m2, m3 = members[:4]
    a.sale(m0, 55_000, at=t("2026-02-27 18:00"))  # pushed late: February's new last purchase
    gone = sold[(m1, 2, 25)]  # m1's last February purchase, fully refunded in March
    a.refund(gone["sale_id"], amount=gone["total"], manager_pin=MANAGER_PIN,
             at=t("2026-03-10 10:00"))
    gone = sold[(m2, 1, 5)]  # m2's first purchase of all
    a.refund(gone["sale_id"], amount=gone["total"], manager_pin=MANAGER_PIN,
             at=t("2026-03-11 10:00"))
    a.refund(sold[(m3, 1, 23)]["sale_id"], amount=3_000, manager_pin=MANAGER_PIN,
             at=t("2026-03-12 10:00"))  # a partial refund: net only
    late = a.enrol("Geç Üye", at=t("2026-01-10 10:00"))["member_id"]
    a.sale(late, 20_000, at=t("2026-01-11 10:00"))  # a member whose sales all come late
    sync(a)
    monkeypatch.setattr(report_rollups, "CHUNK", 2)  # PostgreSQL: written chunk by chunk
    with admin_storage(shop["backend"].admin_url) as storage:
        fold_tenants(storage, pk)
        mended = _rows(storage)
        assert mended[0] == "2026-01,2026-02"
        assert mended == _afresh(storage, pk) and mended != first
        rows = {(upto, m): r for upto, m, *r in mended[1]}
        assert rows[("2026-02", m1)][3] == _stored(sold[(m1, 2, 3)])  # last: the sale before
        assert rows[("2026-01", m2)][2] == _stored(sold[(m2, 1, 22)])  # first: the one after
        assert rows[("2026-01", late)][:2] == [1, 20_000]
        for month in (2, 3):
            fast, slow = _both_ways(storage, pk, month, monkeypatch)
            for key in MEMBER_KEYS:
                assert fast[key] == slow[key], (month, key)

    a.sale(m0, 12_000, at=t("2026-04-02 10:00"))  # April: March is closed, January dropped
    sync(a)
    with admin_storage(shop["backend"].admin_url) as storage:
        fold_tenants(storage, pk)
        rolled = _rows(storage)
        assert rolled[0] == "2026-02,2026-03"
        assert rolled[1] == [r for r in mended[1] if r[0] == "2026-02"] + [
            r for r in _afresh(storage, pk)[1] if r[0] == "2026-03"]
        assert rolled == _afresh(storage, pk)
        fast, slow = _both_ways(storage, pk, 4, monkeypatch)
        for key in MEMBER_KEYS:
            assert fast[key] == slow[key], key
