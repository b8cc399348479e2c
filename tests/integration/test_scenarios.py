"""The worked examples of shared/scenarios (E1-E9) through the real services and SQLite."""

from __future__ import annotations

import pytest

from loyalty_desktop.domain.errors import InvalidInput, Refused
from loyalty_desktop.domain.money import parse_amount

from .conftest import MANAGER_PIN, t, table_counts


def test_e1_welcome_and_first_sale(terminal, enrol):
    m = enrol()
    s = terminal.sale(m["member_id"], 36000, at=t("2026-01-10 12:00"))
    assert s["points_earned"] == 36 and s["bonus_points"] == 50
    assert s["member"]["points"] == 86
    assert s["cashback_pending"] == 0
    assert s["member"]["qualifying_spend"] == 36000
    assert s["tier_before"] == s["tier_after"] == "bronz"


def _to_900(terminal, member_id):
    terminal.sale(member_id, 90000, at=t("2026-01-05 12:00"))


def test_e2_upgrade_applies_from_next_sale(terminal, enrol):
    m = enrol()
    _to_900(terminal, m["member_id"])
    s1 = terminal.sale(m["member_id"], 20000, at=t("2026-02-01 12:00"))
    assert s1["points_earned"] == 20 and s1["tier_before"] == "bronz"
    assert s1["tier_after"] == "gumus" and s1["member"]["qualifying_spend"] == 110000
    s2 = terminal.sale(m["member_id"], 40000, at=t("2026-02-02 12:00"))
    assert s2["points_earned"] == 50
    assert s2["cashback_pending"] == 400
    assert s2["member"]["wallet_pending"] == 400 and s2["member"]["wallet_available"] == 0
    later = terminal.member(m["member_id"], at=t("2026-02-16 12:01"))
    assert later["wallet_available"] == 400 and later["wallet_pending"] == 0


def test_e3_refund_undoes_upgrade_at_once(terminal, enrol):
    m = enrol()
    _to_900(terminal, m["member_id"])
    s1 = terminal.sale(m["member_id"], 20000, at=t("2026-02-01 12:00"))
    before = terminal.member(m["member_id"], at=t("2026-02-01 13:00"))["points"]
    r = terminal.refund(s1["sale_id"], manager_pin=MANAGER_PIN, at=t("2026-02-01 13:00"))
    assert r["points_reversed"] == 20
    assert r["member"]["points"] == before - 20
    assert r["member"]["qualifying_spend"] == 90000
    assert r["tier_before"] == "gumus" and r["tier_after"] == "bronz"
    audit = [a for a in terminal.audit_log() if a["action"] == "tier_changed"]
    assert audit[0]["before"] == "gumus" and audit[0]["after"] == "bronz"


def test_e4_points_paid_with_points_do_not_earn(terminal, enrol):
    m = enrol()
    terminal.adjust(m["member_id"], 500, "opening balance", MANAGER_PIN, at=t("2026-01-01 10:00"))
    terminal.sale(m["member_id"], 100, at=t("2026-01-01 10:30"))  # first sale takes the welcome
    base = terminal.member(m["member_id"], at=t("2026-01-02 10:00"))["points"]
    assert base == 550
    s = terminal.sale(m["member_id"], 10000, redeem_points=300, at=t("2026-01-02 10:00"))
    assert s["money_paid"] == 7000 and s["points_earned"] == 7
    assert s["member"]["points"] == base - 300 + 7


def test_e5_oldest_points_first_and_expiry(terminal, enrol):
    m = enrol()
    mid = m["member_id"]
    terminal.adjust(mid, 100, "lot A", MANAGER_PIN, at=t("2026-01-15 10:00"))
    terminal.adjust(mid, 100, "lot B", MANAGER_PIN, at=t("2026-06-10 10:00"))
    terminal.sale(mid, 100, at=t("2026-11-30 10:00"))  # absorbs the welcome bonus first
    welcome_lot = 50
    s = terminal.sale(mid, 20000, redeem_points=120, at=t("2026-12-01 10:00"))
    earned = s["points_earned"]
    assert earned == 18
    assert s["member"]["points"] == 200 + welcome_lot - 120 + earned
    at_jan = terminal.member(mid, at=t("2027-01-15 12:00"))
    assert at_jan["points"] == 80 + welcome_lot + earned  # the January lot was used up
    reminder = terminal.member(mid, at=t("2027-05-11 00:00"))
    assert reminder["points_expiring"][0]["points"] == 80
    assert reminder["points_expiring"][0]["expires_at"].startswith("2027-06-10T00:00:00+03:00")
    before_reminder = terminal.member(mid, at=t("2027-05-10 23:59"))
    assert before_reminder["points_expiring"] == []
    after = terminal.member(mid, at=t("2027-06-10 00:00"))
    assert after["points"] == welcome_lot + earned


def test_e6_next_order_coupon(terminal, enrol):
    m = enrol()
    mid = m["member_id"]
    s = terminal.sale(mid, 80000, at=t("2026-03-01 10:00"))
    [coupon] = s["coupons_issued"]
    assert coupon["kind"] == "next_order" and coupon["value"] == 5000
    assert coupon["min_basket"] == 25000
    counts = table_counts(terminal)
    with pytest.raises(Refused) as err:
        terminal.sale(mid, 20000, coupon=coupon["code"], at=t("2026-03-05 10:00"))
    assert err.value.code == "coupon_below_minimum"
    assert table_counts(terminal) == counts
    used = terminal.sale(mid, 30000, coupon=coupon["code"], at=t("2026-03-06 10:00"))
    assert used["coupon_discount"] == 5000 and used["money_paid"] == 25000
    assert used["points_earned"] == 25
    with pytest.raises(Refused) as err:
        terminal.sale(mid, 30000, coupon=coupon["code"], at=t("2026-03-07 10:00"))
    assert err.value.code == "coupon_used"


def test_e8_turkish_search(terminal, enrol):
    m = enrol("ÇİĞDEM IŞIK")
    for q in ("çiğdem", "ÇİĞDEM", "ışık", "Işık", "cigdem isik"):
        found = terminal.search_members(q)
        assert [f["member_id"] for f in found] == [m["member_id"]], q


@pytest.mark.parametrize("text,kurus", [("1.234,56", 123456), ("1234.56", 123456),
                                        ("1234,5", 123450), ("1234", 123400)])
def test_e9_money_accepted(text, kurus):
    assert parse_amount(text) == kurus


@pytest.mark.parametrize("text", ["1,234.56", "1.234", "12,345", "-5", "1e3", "NaN",
                                  "12.345,678"])
def test_e9_money_refused(terminal, enrol, text):
    m = enrol()
    counts = table_counts(terminal)
    with pytest.raises(InvalidInput) as err:
        terminal.sale(m["member_id"], text, at=t("2026-01-01 10:00"))
    assert "1234,56" in err.value.message
    assert table_counts(terminal) == counts
