"""Point balances, expiry, the tie-out, tiers and CLV by tier on the chain's report
(`report_ledgers`), on
SQLite and PostgreSQL through real sync: a year and a half of two stores with redemptions,
lots expiring, a refund restoring points into an expired lot, a partial refund, adjustments,
tiers up, held through the grace and down, a merge, an erasure and a program with other tier
thresholds. Every month's points, tiers and CLV (by tier too) equal each terminal's own
report, and the named numbers are worked out by hand."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from loyalty_desktop.domain.program import Tier, program_to_toml
from loyalty_desktop.server.admin import admin_storage
from loyalty_desktop.server.report_chain import chain_monthly_report
from loyalty_desktop.domain.clock import UTC
from loyalty_desktop.server import report_ledgers
from loyalty_desktop.services.reports import monthly_report

from .conftest import t
from .test_server_report import MANAGER_PIN, chain_server, sync

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 6)]


def _everyone(*terms: Any) -> None:
    for _ in range(2):
        for term in terms:
            sync(term)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with chain_server(request.param, tmp_path_factory.mktemp("ledgers"), [
            ("Kadıköy", "Puan Zinciri"), ("Beşiktaş", "Puan Zinciri")],
            t("2025-01-01 09:00")) as built:
        a, b = built["terms"]
        ids = {}
        ids["oya"] = a.enrol("Oya Gümüş", at=t("2025-01-10 10:00"))["member_id"]
        ids["ege"] = a.enrol("Ege Altın", at=t("2025-01-11 10:00"))["member_id"]
        ids["nur"] = a.enrol("Nur İade", at=t("2025-01-12 10:00"))["member_id"]
        ids["dup"] = a.enrol("Oya İkinci Kart", at=t("2025-01-13 10:00"))["member_id"]
        _everyone(a, b)
        # Oya: 1,200 TL in January 2025 (Gümüş at once); 300 TL in February, 100 points off
        a.sale(ids["oya"], 120_000, at=t("2025-01-15 12:00"))
        _everyone(a, b)
        b.sale(ids["oya"], 30_000, redeem_points=100, at=t("2025-02-10 12:00"))
        # Ege: 6,000 TL in June (Altın), 2,000 TL of it refunded in July
        ege = b.sale(ids["ege"], 600_000, at=t("2025-06-05 12:00"))
        b.refund(ege["sale_id"], amount=200_000, manager_pin=MANAGER_PIN,
                 at=t("2025-07-01 12:00"))
        # Nur: 1,000 TL in March 2025 (100 points, expiring 5 March 2026); 60 of them spent on
        # 20 February 2026; that sale refunded on 20 March 2026, after the lot expired
        a.sale(ids["nur"], 100_000, at=t("2025-03-05 12:00"))
        _everyone(a, b)
        a.adjust(ids["nur"], 40, "hediye", MANAGER_PIN, at=t("2025-04-01 10:00"))
        a.adjust(ids["nur"], -15, "düzeltme", MANAGER_PIN, at=t("2025-04-02 10:00"))
        _everyone(a, b)
        nur = b.sale(ids["nur"], 10_000, redeem_points=60, at=t("2026-02-20 12:00"))
        _everyone(a, b)
        a.refund(nur["sale_id"], manager_pin=MANAGER_PIN, at=t("2026-03-20 12:00"))
        # the duplicate card buys 500 TL in December, then is merged into Oya in January 2026
        b.sale(ids["dup"], 50_000, at=t("2025-12-01 12:00"))
        _everyone(a, b)
        a.merge_members(ids["oya"], ids["dup"], MANAGER_PIN, at=t("2026-01-05 10:00"))
        b.erase_member(ids["ege"], MANAGER_PIN, at=t("2026-02-02 10:00"))
        _everyone(a, b)
        yield {**built, "ids": ids, "a": a, "b": b}


def _compare(shop: Any, months: list[str]) -> dict[str, dict[str, Any]]:
    """The chain's report of each month, its points and tiers checked against each terminal's
    report of the same month (both terminals hold every event)."""
    out = {}
    with admin_storage(shop["backend"].admin_url) as storage:
        pk = storage.find_tenant("Puan Zinciri")[0]
        for month in months:
            year, number = int(month[:4]), int(month[5:])
            server = chain_monthly_report(storage, pk, year, number,
                                          t("2026-06-01 12:00").astimezone(UTC))
            for term in (shop["a"], shop["b"]):
                local = monthly_report(term, year, number)
                assert server["points"] == local["points"], (month, server["points"],
                                                             local["points"])
                del local["tiers"]["recorded_changes"]  # the terminal's audit trail
                assert server["tiers"] == local["tiers"], (month, server["tiers"],
                                                           local["tiers"])
                assert server["clv"] == local["clv"], (month, server["clv"], local["clv"])
            out[month] = server
    return out


@pytest.fixture(scope="module")
def reports(shop: Any) -> dict[str, dict[str, Any]]:
    return _compare(shop, MONTHS)


def test_every_month_equals_the_terminals(reports: dict[str, dict[str, Any]]) -> None:
    for month, report in reports.items():
        assert report["points"]["checked"] and report["points"]["difference"] == 0, month


def test_points_by_hand(reports: dict[str, dict[str, Any]]) -> None:
    p = {m: r["points"] for m, r in reports.items()}
    # Oya: 120 points on 1,200 TL and the welcome 50 in January 2025
    assert (p["2025-01"]["opening"], p["2025-01"]["earned"], p["2025-01"]["bonus"],
            p["2025-01"]["closing"]) == (0, 120, 50, 170)
    assert p["2025-01"]["liability"] == 170 * 10  # kuruş: 1 point = 0.10 TL
    # February: 100 redeemed (10 TL), 290 TL paid at Gümüş x1.25 = 36.25 -> 36 points
    assert (p["2025-02"]["redeemed"], p["2025-02"]["earned"], p["2025-02"]["closing"]) == (
        100, 36, 170 - 100 + 36)
    # Nur: 100 + 50 in March 2025, then +40 and -15 in April
    assert (p["2025-04"]["adjusted_in"], p["2025-04"]["adjusted_out"]) == (40, 15)
    # Ege: 600 + 50 in June; the refund of 2,000 TL in July takes back 200
    assert (p["2025-06"]["earned"], p["2025-07"]["reversed"]) == (600, 200)
    # January 2026: Oya's two January 2025 lots (170) less the 100 redeemed from them expire
    assert p["2026-01"]["expired"] == 70
    assert p["2026-02"]["expired"] == 36  # her February 2025 lot
    # February 2026: Nur redeems 60 from her March 2025 lots (150 - 15 - 60 = 75 left), which
    # expire on 5 March; the refund on 20 March gives the 60 back into expired lots: lost
    assert p["2026-02"]["redeemed"] == 60
    assert (p["2026-03"]["expired"], p["2026-03"]["restored_lost"], p["2026-03"]["restored"],
            p["2026-03"]["reversed"]) == (75, 60, 0, 11)
    assert p["2026-04"]["expired"] == 40  # the April 2025 adjustment's lot
    # what is left: Ege's June lots (650 - 200 taken back) and Oya's December card (100)
    assert p["2026-05"]["closing"] == 450 + 100 == p["2026-04"]["closing"]
    assert p["2026-05"]["liability"] == 550 * 10


def test_tiers_by_hand(reports: dict[str, dict[str, Any]]) -> None:
    dist = {m: r["tiers"]["distribution"] for m, r in reports.items()}
    moves = {m: r["tiers"]["movements"] for m, r in reports.items()}
    assert dist["2025-01"] == {"bronz": 2, "gumus": 1, "altin": 0, "platin": 0}  # Oya
    assert moves["2025-01"] == {"upgrades": 1, "downgrades": 0, "moves": {"bronz>gumus": 1}}
    assert moves["2025-03"]["moves"] == {"bronz>gumus": 1}  # Nur: 1,000 TL is the threshold
    # Ege's June sale was 6,000 TL, refunded to 4,000 TL in July: a refund rewrites the sale,
    # so June itself reads Gümüş now, never Altın
    assert dist["2025-06"] == {"bronz": 0, "gumus": 3, "altin": 0, "platin": 0}
    # the merged duplicate is no member of its own (3 listed); Ege erased in February 2026
    # leaves the lists without being a movement
    assert dist["2026-01"] == {"bronz": 0, "gumus": 3, "altin": 0, "platin": 0}
    # Oya: 1,200 TL left the window on 15 January 2026; 290 + 500 (the merged card) is below
    # 1,000 TL, so the grace holds Gümüş through January and she is Bronz at February's end
    assert dist["2026-02"] == {"bronz": 1, "gumus": 1, "altin": 0, "platin": 0}
    assert moves["2026-02"] == {"upgrades": 0, "downgrades": 1, "moves": {"gumus>bronz": 1}}
    # Nur: her March 2025 spend left on 5 March 2026, the February sale was refunded: Bronz
    # once the grace ran out in April
    assert moves["2026-03"]["moves"] == {} and moves["2026-04"]["moves"] == {"gumus>bronz": 1}


def test_new_tier_rules_rewalk_every_member(shop: Any, reports: Any) -> None:
    """A program with a lower Gümüş threshold (500 TL): the server walks every member again
    and still equals the terminals (which value tiers with their newest program)."""
    program = shop["a"].program
    tiers = list(program.tiers)
    tiers[1] = dataclasses.replace(tiers[1], threshold=50_000)
    assert isinstance(tiers[1], Tier)
    changed = dataclasses.replace(program, tiers=tuple(tiers))
    shop["a"].publish_program(program_to_toml(changed), "2408", at=t("2026-04-01 09:00"))
    _everyone(shop["a"], shop["b"])
    after = _compare(shop, ["2025-12", "2026-01", "2026-02"])
    # Oya's 290 + 500 TL now holds Gümüş: February has no downgrade any more
    assert after["2026-02"]["tiers"]["distribution"]["gumus"] == 2
    assert after["2026-02"]["tiers"]["movements"]["moves"] == {}
    with admin_storage(shop["backend"].admin_url) as storage, storage._read() as cur:  # noqa: SLF001
        rules = storage._one(cur, "SELECT tier_rules FROM report_cursors")[0]  # noqa: SLF001
    assert rules == report_ledgers.tier_rules(changed)
