"""The chain report's member sections (RFM segments, CLV, members at risk) on the server, equal
to a synced terminal's over the same events: a chain of two stores built through the real sync
path, on SQLite and PostgreSQL, with fully refunded sales at the first and last instant of
Istanbul months, a chain of merges, an erased member, and enough history for the BG/NBD fit
(and a month with too little, where the terminal falls back to churn risk)."""

from __future__ import annotations

import random
import re
import shutil
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from loyalty_desktop.domain.analytics import SEGMENT_NAMES
from loyalty_desktop.domain.clock import UTC, to_db
from loyalty_desktop.domain.report_math import month_key, shift_month
from loyalty_desktop.server import report_chain_members
from loyalty_desktop.server.admin import admin_storage
from loyalty_desktop.server.report_chain import OMITTED, _Reader, chain_monthly_report
from loyalty_desktop.services import report_members as terminal_members
from loyalty_desktop.services.reports import monthly_report

from .conftest import t
from .test_server_report import MANAGER_PIN, chain_server, cli_report, sync

MONTHS = ("2025-02", "2025-06", "2026-01", "2026-02", "2026-03")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Two stores of one tenant, a year and a quarter of member sales, synced both ways."""
    with chain_server(request.param, tmp_path_factory.mktemp("members"),
                      [("Moda", "Zincir Üye"), ("Bebek", "Zincir Üye")],
                      t("2024-12-01 09:00")) as built:
        yield {**built, "facts": _history(*built["terms"])}


def _history(a: Any, b: Any) -> dict[str, str]:
    """Regular members with seeded habits (some stop coming: at risk), plus the edge cases."""
    rng = random.Random(20261123)
    members = [a.enrol(f"Üye {i:02d}", at=t("2024-12-15 10:00") + timedelta(days=4 * i))
               ["member_id"] for i in range(40)]
    edge = {name: a.enrol(label, at=t("2024-12-20 10:00"))["member_id"] for name, label in (
        ("refunds", "İade Kenarı"), ("keep", "Asıl Kart"), ("middle", "İkinci Kart"),
        ("last", "Üçüncü Kart"), ("erased", "Silinecek Üye"))}
    sync(a)
    sync(b)
    end = t("2026-03-31 20:00")
    for i, member in enumerate(members):
        moment = t("2025-01-03 09:00") + timedelta(days=4 * i, minutes=rng.randrange(600))
        gap = rng.choice((3, 6, 10, 15, 25, 40))
        stop = end - timedelta(days=rng.choice((0, 0, 20, 60, 120, 200)))
        while moment < stop:
            term = a if rng.random() < 0.5 else b
            sale = term.sale(member, rng.randrange(2_000, 90_000), at=moment)
            if rng.random() < 0.08:  # some fully, some partly refunded, later
                amount = sale["total"] if rng.random() < 0.5 else sale["total"] // 3
                term.refund(sale["sale_id"], amount=amount, manager_pin=MANAGER_PIN,
                            at=moment + timedelta(days=2))
            moment += timedelta(days=rng.randrange(1, 2 * gap), minutes=rng.randrange(-300, 300))
    r = edge["refunds"]

    def refunded(term: Any, at: str, total: int, later: str) -> None:
        sale = term.sale(r, total, at=t(at))
        term.refund(sale["sale_id"], amount=total, manager_pin=MANAGER_PIN, at=t(later))

    refunded(a, "2025-01-05 10:00", 70_000, "2025-01-06 10:00")  # the first sale of all
    a.sale(r, 20_000, at=t("2025-01-20 10:00"))  # ... so CLV's first purchase is this one
    b.sale(r, 30_000, at=t("2025-09-01 10:00"))
    b.sale(r, 45_000, at=t("2026-01-31 23:59:59"))  # January's last second (Istanbul)
    refunded(b, "2026-02-01 00:00:00", 80_000, "2026-02-05 10:00")  # February's first instant
    a.sale(r, 25_000, at=t("2026-02-10 12:00"))
    refunded(a, "2026-02-28 23:59:59", 60_000, "2026-03-01 10:00")  # February's last second
    refunded(b, "2026-03-01 00:00:00", 15_000, "2026-03-20 10:00")  # March's first instant
    for name, days in (("keep", 30), ("middle", 9), ("last", 5), ("erased", 12)):
        moment = t("2025-02-01 10:00")
        while moment < t("2026-03-25 10:00"):
            (a if days % 2 else b).sale(edge[name], 10_000 + 1_000 * days, at=moment)
            moment += timedelta(days=days)
    sync(a)
    sync(b)
    b.merge_members(edge["middle"], edge["last"], MANAGER_PIN, at=t("2026-03-26 10:00"))
    sync(b)
    sync(a)
    a.merge_members(edge["keep"], edge["middle"], MANAGER_PIN, at=t("2026-03-27 10:00"))
    a.erase_member(edge["erased"], MANAGER_PIN, at=t("2026-03-28 10:00"))
    for _ in range(2):
        for term in (a, b):
            sync(term)
    return edge


def _server_report(chain: Any, month: str) -> dict[str, Any]:
    """The chain's report over HTTP (so the JSON the terminals get)."""
    state = chain["terms"][0].sync_state()
    answer = httpx.get(state["server_url"] + "/v1/reports/monthly", params={"month": month},
                       headers={"Authorization": f"Bearer {state['token']}"}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_sections_equal_the_terminals(chain: Any) -> None:
    methods, listed = set(), 0
    for month in MONTHS:
        server = _server_report(chain, month)
        year, number = int(month[:4]), int(month[5:])
        for term in chain["terms"]:
            local = monthly_report(term, year, number)
            assert server["segments"] == local["segments"], month
            assert server["clv"] == local["clv"], month
            assert server["at_risk"] == local["at_risk"], month
        methods.add(server["at_risk"]["method"])
        listed += len(server["at_risk"]["members"])
        assert server["clv"]["members"] > 0 and server["omitted"] == {}
    assert methods == {"bgnbd", "churn_risk"}  # the fit, and the fallback with few members
    assert listed > 0


def _summaries(chain: Any, month: str) -> report_chain_members.Summaries:
    year, number = int(month[:4]), int(month[5:])
    with admin_storage(chain["backend"].admin_url) as storage:
        pk = storage.find_tenant("Zincir Üye")[0]
        chain_monthly_report(storage, pk, year, number, datetime.now(UTC))  # folds
        with storage._read() as cur:
            reader = _Reader(storage, cur, pk)
            reader.join_roots()
            keys = {k: month_key(*shift_month(year, number, n)) for k, n in
                    (("prev", -1), ("since", -3), ("month", 0))}
            found = report_chain_members.summaries(reader, keys)
            reader.drop_roots()
    return found


def _position(s: report_chain_members.Summaries, member: str) -> int:
    return [m.decode() for m in s.ids].index(member)


def _istanbul(text: str) -> bytes:
    return to_db(t(text)).encode()


def test_refunds_at_month_edges_and_merges_by_hand(chain: Any) -> None:
    """Fully refunded sales are no purchase: not the first, not the last, not counted."""
    facts = chain["facts"]
    feb = _summaries(chain, "2026-02")
    assert len(set(feb.ids.tolist())) == len(feb.ids)  # each member (root) once
    i = _position(feb, facts["refunds"])
    assert feb.first[i] == _istanbul("2025-01-20 10:00")
    assert feb.last[0][i] == _istanbul("2026-01-31 23:59:59")
    assert feb.last[1][i] == _istanbul("2026-02-10 12:00")
    assert (feb.count[0][i], feb.count[1][i]) == (3, 4)
    assert (feb.net[0][i], feb.net[1][i]) == (95_000, 120_000)
    mar = _summaries(chain, "2026-03")
    assert mar.last[1][_position(mar, facts["refunds"])] == _istanbul("2026-02-10 12:00")
    # the chain of merges: every card's purchases under the member kept
    listed = {m.decode() for m in mar.ids}
    assert facts["middle"] not in listed and facts["last"] not in listed
    keep = _position(mar, facts["keep"])
    each = [len(range(0, (t("2026-03-25 10:00") - t("2025-02-01 10:00")).days, d))
            for d in (30, 9, 5)]
    assert mar.count[1][keep] == sum(each)
    assert facts["erased"] in listed  # erased: the pseudonymous history still counts


def test_constants_are_the_terminals() -> None:
    assert report_chain_members.TICK == terminal_members.TICK
    assert report_chain_members.SAMPLE_FOR_FIT == terminal_members.SAMPLE_FOR_FIT
    assert report_chain_members.AT_RISK_SEGMENTS == terminal_members.AT_RISK_SEGMENTS
    assert OMITTED == {}  # the server computes every section of the terminal's report


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_pdf_shows_the_sections_as_the_json_says(chain: Any, tmp_path: Any) -> None:
    report, text = cli_report(chain, "Zincir Üye", "2026-02", tmp_path)
    assert "RFM segments" in text and "Valuable members at risk" in text
    assert "Customer lifetime value: needs" not in text
    average = report["clv"]["average"]
    assert f"₺{average // 100:,}.{average % 100:02d}" in text
    for member in report["at_risk"]["members"]:
        assert member["name"] in text and member["last_purchase"] in text
    assert report["at_risk"]["members"], "February lists members at risk"
    assert report["segments"]
    for name, row in report["segments"].items():  # the table's row of each segment
        line = rf"{re.escape(SEGMENT_NAMES['en'][name])}\s+{row['before']}\s+{row['after']}\s+"
        assert re.search(line + re.escape(f"{row['change']:+d}"), text), name
