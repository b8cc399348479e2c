"""Monthly report on a store built through the services with numbers worked out by hand."""

from __future__ import annotations

from datetime import datetime, timezone
from fractions import Fraction

import pytest

from loyalty_desktop.domain.money import round_half_up
from loyalty_desktop.services.reports import monthly_report

from .conftest import MANAGER_PIN, t


@pytest.fixture
def shop(terminal):
    """Six members; February and March 2026 with a refund, adjustments and an expiry."""
    term = terminal
    e = term.enrol("Emre Eski", phone="+905320000005", at=t("2025-02-20 10:00"))
    a = term.enrol("Ayşe Ak", phone="+905320000001", consents=["sms"], at=t("2026-01-05 10:00"))
    f = term.enrol("Fatma Fırat", phone="+905320000006", at=t("2026-01-03 10:00"))
    b = term.enrol("Barış Bal", phone="+905320000002", at=t("2026-02-10 10:00"))
    c = term.enrol("Cem Can", phone="+905320000003", at=t("2026-03-05 10:00"))
    d = term.enrol("Deniz Dal", phone="+905320000004", at=t("2026-03-20 10:00"))
    ids = {k: m["member_id"] for k, m in zip("eafbcd", (e, a, f, b, c, d))}
    term.sale(ids["e"], 10000, at=t("2025-03-01 10:00"))  # 10 + 50 welcome, expire 2026-03-01
    term.sale(ids["e"], 20000, at=t("2025-04-01 12:00"))  # 20, expire 2026-04-01
    term.sale(ids["a"], 50000, at=t("2026-01-10 10:00"))  # 50 + 50
    term.sale(ids["f"], 8000, at=t("2026-01-20 10:00"))  # 8 + 50, then lapses
    term.sale(ids["a"], 50000, at=t("2026-02-15 10:00"))  # 50; A reaches Gümüş (1.000 TL)
    term.sale(ids["b"], 20000, at=t("2026-02-20 10:00"))  # 20 + 50
    s_b = term.sale(ids["b"], 15000, at=t("2026-03-01 00:00:00"))  # first instant of March: 15
    s_a = term.sale(ids["a"], 50000, redeem_points=100, at=t("2026-03-10 10:00"))  # x1.25: 61
    term.adjust(ids["a"], -20, "kasa hatası", MANAGER_PIN, at=t("2026-03-12 10:00"))
    term.adjust(ids["b"], 30, "özür", MANAGER_PIN, at=t("2026-03-12 11:00"))
    term.refund(s_b["sale_id"], 5000, manager_pin=MANAGER_PIN, at=t("2026-03-15 10:00"))
    s_c = term.sale(ids["c"], 30000, at=t("2026-03-31 23:59:59"))  # last second of March
    term.sale(ids["b"], 10000, at=t("2026-04-01 00:00:00"))  # April
    term.feedback(s_a["sale_id"], nps=10, csat=5, at=t("2026-03-10 10:05"))
    term.feedback(s_c["sale_id"], nps=9, csat=4, at=t("2026-03-31 23:59:59"))
    term.feedback(s_b["sale_id"], nps=5, csat=2, at=t("2026-03-01 00:05"))
    term.complaint(ids["a"], "Kasada bekledim", at=t("2026-03-11 12:00"))
    return term, ids, s_a


def test_sales_and_members_by_hand(shop):
    term, ids, _ = shop
    r = monthly_report(term, 2026, 3)
    m = r["members"]
    assert (m["total"], m["new"], m["active"], m["lapsed"]) == (6, 2, 3, 1)  # F lapsed
    assert (m["active_previous_month"], m["retained"], m["retention_percent"]) == (2, 2, 100.0)
    assert m["repeat_purchase_percent"] == 0.0
    s = r["sales"]
    assert (s["member_sales"], s["member_total"]) == (3, 15000 + 50000 + 30000)
    assert s["member_money_paid"] == 15000 + (50000 - 1000) + 30000
    assert (s["refunds"], s["refunded_total"], s["refunded_money"]) == (1, 5000, 5000)
    assert s["average_basket"] == round_half_up(Fraction(95000, 3)) == 31667
    assert s["purchase_frequency"] == 1.0
    days = {d["day"]: d["total"] for d in r["revenue_by_day"]}
    assert len(days) == 31 and days["2026-03-01"] == 15000 and days["2026-03-31"] == 30000
    assert sum(days.values()) == 95000


def test_points_tie_out_to_the_point(shop):
    term, ids, _ = shop
    p = monthly_report(term, 2026, 3)["points"]
    # opening: A 100+50, B 20+50, E 60 (expires at 00:00 on 1 March: a March expiry) + 20, F 58
    assert p["opening"] == 150 + 70 + 80 + 58
    assert (p["earned"], p["bonus"], p["adjusted_in"]) == (15 + 61 + 30, 50, 30)
    assert p["issued"] == 15 + 61 + 30 + 50 + 30
    assert (p["redeemed"], p["reversed"], p["adjusted_out"], p["expired"]) == (100, 5, 20, 60)
    # closing by member: A 150-100+61-20, B 70+15+30-5, C 80, E 20, F 58
    assert p["closing"] == 91 + 110 + 80 + 20 + 58
    assert p["checked"] and p["difference"] == 0
    assert p["liability"] == 359 * 10
    c = monthly_report(term, 2026, 3)["cashback"]
    assert c["cashback_issued"] == 490 and c["pending_at_end"] == 0  # 1% of 490 TL, free 24 Mar


def test_clv_tiers_feedback_by_hand(shop):
    term, ids, _ = shop
    r = monthly_report(term, 2026, 3)
    years_e = 1 + Fraction(
        (datetime(2026, 3, 31, 20, 59, 59, 999999, timezone.utc)
         - datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc)) / (datetime(2027, 3, 1, 7)
                                                                - datetime(2026, 3, 1, 7)))
    clv_e = round_half_up(Fraction(30000 * 3) / years_e)
    expected = [150000 * 3, 30000 * 3, 30000 * 3, 8000 * 3, clv_e]  # A, B (net), C, F, E
    assert r["clv"]["members"] == 5
    assert r["clv"]["average"] == round_half_up(Fraction(sum(expected), 5))
    assert r["clv"]["by_tier"]["gumus"] == {"members": 1, "average": 450000}
    assert r["tiers"]["distribution"] == {"bronz": 5, "gumus": 1, "altin": 0, "platin": 0}
    assert r["tiers"]["movements"]["upgrades"] == 0  # A went up in February
    fb = r["feedback"]
    assert fb["nps"] == {"promoters": 2, "passives": 0, "detractors": 1, "answers": 3,
                         "score": 33.3}
    assert fb["csat"]["percent"] == 66.7 and fb["csat"]["average"] == 3.67
    assert (fb["complaints"], fb["follow_ups"]) == (1, 1)  # the detractor raised a follow-up
    assert r["nps_trend"][-1]["score"] == 33.3 and r["nps_trend"][0]["month"] == "2025-04"
    assert r["top_members"][0]["name"] == "Ayşe Ak" and r["top_members"][0]["net"] == 50000
    assert sum(s["after"] for s in r["segments"].values()) == 5
    assert any("35,90 ₺" in line for line in r["summary"]["tr"])
    assert any("₺35.90" in line for line in r["summary"]["en"])


def test_february_and_april_see_the_boundary_sales(shop):
    term, ids, _ = shop
    feb = monthly_report(term, 2026, 2)
    apr = monthly_report(term, 2026, 4)
    assert feb["sales"]["member_sales"] == 2 and feb["sales"]["member_total"] == 70000
    assert apr["sales"]["member_sales"] == 1 and apr["sales"]["member_total"] == 10000
    assert feb["points"]["closing"] == monthly_report(term, 2026, 3)["points"]["opening"]
    assert apr["points"]["expired"] == 20 and apr["points"]["checked"]


def test_clv_of_500_tl_four_times_a_year_over_three_years_is_6000_tl(terminal):
    m = terminal.enrol("Dört Kez", at=t("2025-01-20 10:00"))
    for day in ("2025-02-01", "2025-05-01", "2025-08-01", "2025-11-01"):
        terminal.sale(m["member_id"], 50000, at=t(f"{day} 10:00"))
    clv = monthly_report(terminal, 2026, 1)["clv"]
    assert clv["average"] == 600000 and clv["members"] == 1


def test_leap_day_month(terminal):
    m = terminal.enrol("Şubat", at=t("2028-02-01 10:00"))
    terminal.sale(m["member_id"], 10000, at=t("2028-02-29 23:59:59"))
    terminal.sale(m["member_id"], 20000, at=t("2028-03-01 00:00:00"))
    feb = monthly_report(terminal, 2028, 2)
    assert len(feb["revenue_by_day"]) == 29 and feb["sales"]["member_total"] == 10000
    assert monthly_report(terminal, 2028, 3)["sales"]["member_total"] == 20000


def test_tier_held_through_the_grace_then_dropped(terminal):
    m = terminal.enrol("Gümüş Üye", at=t("2025-01-05 10:00"))
    terminal.sale(m["member_id"], 100000, at=t("2025-01-10 10:00"))  # 1.000 TL: Gümüş
    jan = monthly_report(terminal, 2026, 1)  # left the window 10 Jan; grace to 9 Feb
    assert jan["tiers"]["distribution"]["gumus"] == 1
    feb = monthly_report(terminal, 2026, 2)
    assert feb["tiers"]["distribution"] == {"bronz": 1, "gumus": 0, "altin": 0, "platin": 0}
    assert feb["tiers"]["movements"] == {"upgrades": 0, "downgrades": 1,
                                         "moves": {"gumus>bronz": 1}}


def test_refund_that_undoes_the_tier_spend_drops_it_at_once(terminal):
    m = terminal.enrol("İade Eden", at=t("2026-01-05 10:00"))
    sale = terminal.sale(m["member_id"], 100000, at=t("2026-01-10 10:00"))  # Gümüş
    terminal.refund(sale["sale_id"], 10000, manager_pin=MANAGER_PIN, at=t("2026-01-20 10:00"))
    jan = monthly_report(terminal, 2026, 1)
    assert jan["tiers"]["distribution"]["bronz"] == 1  # 900 TL left: never reached Gümüş
    assert jan["clv"]["average"] == 90000 * 3
