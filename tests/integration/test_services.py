"""Services against a real SQLite file: idempotency, refunds, bad input, KVKK, merge, sync order."""

from __future__ import annotations

import json
import random

import pytest

from loyalty_desktop.domain.errors import InvalidInput, LoyaltyError, NotFound, Refused
from loyalty_desktop.services import open_terminal

from .conftest import MANAGER_PIN, OWNER_PIN, t, table_counts

HOSTILE = [
    "Robert'); DROP TABLE members;--", "x" * 10_000, "Ayşe 😀🎉", "שלום עליכם",
    "evil\u202egnp.exe", "nul\x00byte", "c\u0327ig\u0306dem", "  spaced  ", "İĞÜŞÖÇ ığüşöç",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_stored_and_returned_exactly(terminal, name):
    m = terminal.enrol(name, at=t("2026-01-01 10:00"))
    assert terminal.member(m["member_id"])["name"] == name
    assert terminal.export_member(m["member_id"])["member"]["name"] == name


def test_same_idempotency_key_records_one_sale(terminal, enrol):
    m = enrol()
    a = terminal.sale(m["member_id"], 12345, idempotency_key="basket-1", at=t("2026-01-01 10:00"))
    counts = table_counts(terminal)
    b = terminal.sale(m["member_id"], 12345, idempotency_key="basket-1", at=t("2026-01-01 10:00"))
    assert a == b and table_counts(terminal) == counts


def test_replayed_refund_changes_nothing_and_overrefund_is_refused(terminal, enrol):
    m = enrol()
    s = terminal.sale(m["member_id"], 25000, at=t("2026-01-01 10:00"))
    r1 = terminal.refund(s["sale_id"], amount="100,00", manager_pin=MANAGER_PIN,
                         idempotency_key="r-1", at=t("2026-01-01 11:00"))
    counts = table_counts(terminal)
    assert terminal.refund(s["sale_id"], amount="100,00", manager_pin=MANAGER_PIN,
                           idempotency_key="r-1", at=t("2026-01-01 11:00")) == r1
    assert table_counts(terminal) == counts
    with pytest.raises(Refused) as err:
        terminal.refund(s["sale_id"], amount="150,01", manager_pin=MANAGER_PIN,
                        at=t("2026-01-01 12:00"))
    assert err.value.code == "refund_over_remainder"
    assert table_counts(terminal) == counts


def test_partial_refund_shares_and_last_takes_remainder(terminal, enrol):
    m = enrol()
    terminal.adjust(m["member_id"], 500, "opening", MANAGER_PIN, at=t("2026-01-01 09:00"))
    s = terminal.sale(m["member_id"], 25000, redeem_points=500, at=t("2026-01-01 10:00"))
    assert s["money_paid"] == 20000 and s["points_earned"] == 20
    r = terminal.refund(s["sale_id"], amount="100,00", manager_pin=MANAGER_PIN,
                        at=t("2026-01-01 11:00"))
    assert r["money_refunded"] == 8000 and r["points_restored"] == 200
    assert r["points_reversed"] == 20 - 12  # the remaining 120,00 would have earned 12
    r2 = terminal.refund(s["sale_id"], manager_pin=MANAGER_PIN, at=t("2026-01-01 12:00"))
    assert r2["money_refunded"] == 12000 and r2["points_restored"] == 300
    assert r2["points_reversed"] == 12 and r2["bonus_reversed"] == 50
    assert r2["member"]["points"] == 500


def test_refund_after_points_spent_goes_negative_and_is_flagged(terminal, enrol):
    m = enrol()
    s = terminal.sale(m["member_id"], 100000, at=t("2026-01-01 10:00"))  # 100 + 50 welcome
    terminal.sale(m["member_id"], 15000, redeem_points=150, at=t("2026-01-02 10:00"))
    r = terminal.refund(s["sale_id"], manager_pin=MANAGER_PIN, at=t("2026-01-03 10:00"))
    assert r["member"]["points"] < 0
    assert "negative_points" in r["member"]["flags"]


def test_bad_inputs_write_nothing(terminal, enrol):
    m = enrol()
    s = terminal.sale(m["member_id"], 80000, at=t("2026-01-01 10:00"))
    counts = table_counts(terminal)
    bad = [
        lambda: terminal.sale(m["member_id"], "12,345", at=t("2026-01-02 10:00")),
        lambda: terminal.sale(m["member_id"], 0, at=t("2026-01-02 10:00")),
        lambda: terminal.find_member("9790000000000000"),
        lambda: terminal.find_member("1" + "0" * 176),
        lambda: terminal.sale(m["member_id"], 30000, coupon="200000000006",
                              at=t("2026-01-02 10:00")),
        lambda: terminal.sale(m["member_id"], 30000, coupon=s["coupons_issued"][0]["code"],
                              at=t("2026-03-01 10:00")),  # expired
        lambda: terminal.sale(m["member_id"], 30000, redeem_points=49, at=t("2026-01-02 10:00")),
        lambda: terminal.sale(m["member_id"], 30000, redeem_points=10_000,
                              at=t("2026-01-02 10:00")),
        lambda: terminal.sale(m["member_id"], 30000, wallet=100, at=t("2026-01-02 10:00")),
        lambda: terminal.refund("nope", manager_pin=MANAGER_PIN),
        lambda: terminal.enrol("   "),
        lambda: terminal.enrol("X", phone="12"),
        lambda: terminal.enrol("X", birthday="2026-13-01"),
        lambda: terminal.adjust(m["member_id"], 10, "", MANAGER_PIN),
        lambda: terminal.feedback(s["sale_id"], nps=11),
    ]
    for call in bad:
        with pytest.raises(LoyaltyError) as err:
            call()
        assert err.value.message and err.value.code
    counts_after = table_counts(terminal)
    counts_after.pop("audit")  # refused scans are audited by design
    counts.pop("audit")
    assert counts_after == counts


def test_coupon_of_another_member_is_refused(terminal, enrol):
    a = enrol("A Bir", phone="05321110000")
    b = enrol("B İki", phone="05321110001")
    s = terminal.sale(a["member_id"], 80000, at=t("2026-01-01 10:00"))
    with pytest.raises(Refused) as err:
        terminal.sale(b["member_id"], 30000, coupon=s["coupons_issued"][0]["code"],
                      at=t("2026-01-02 10:00"))
    assert err.value.code == "coupon_other_member"


def test_full_refund_returns_used_coupon_and_cancels_issued(terminal, enrol):
    m = enrol()
    first = terminal.sale(m["member_id"], 80000, at=t("2026-01-01 10:00"))
    code = first["coupons_issued"][0]["code"]
    second = terminal.sale(m["member_id"], 90000, coupon=code, at=t("2026-01-02 10:00"))
    new_code = second["coupons_issued"][0]["code"]
    r = terminal.refund(second["sale_id"], manager_pin=MANAGER_PIN, at=t("2026-01-03 10:00"))
    assert r["coupons_returned"] == [code] and r["coupons_cancelled"] == [new_code]
    usable = {c["code"] for c in r["member"]["coupons"]}
    assert code in usable and new_code not in usable


def test_referral_pays_once_and_self_referral_is_refused(terminal, enrol):
    ref = enrol("Referans Kişi", phone="05320000001")
    with pytest.raises(Refused):
        terminal.enrol("Aynı Kişi", phone="0532 000 00 01", referrer=ref["card_number"])
    new = terminal.enrol("Yeni Üye", phone="05320000002", referrer=ref["card_number"],
                         at=t("2026-01-01 09:00"))
    terminal.sale(new["member_id"], 25000, at=t("2026-01-01 10:00"))
    terminal.sale(new["member_id"], 25000, at=t("2026-01-02 10:00"))
    assert terminal.member(ref["member_id"], at=t("2026-01-03 10:00"))["points"] == 100


def test_club_discount_before_earning(terminal, enrol):
    m = enrol()
    terminal.club_join(m["member_id"], at=t("2026-01-01 09:00"))
    s = terminal.sale(m["member_id"], 100000, at=t("2026-01-01 10:00"))
    assert s["club_discount"] == 5000 and s["money_paid"] == 95000 and s["points_earned"] == 95
    assert s["member"]["qualifying_spend"] == 95000  # the fee is not a purchase


def test_block_reissue_old_card_refused(terminal, enrol):
    m = enrol()
    old_payload = m["card_payload"]
    terminal.block_card(m["member_id"], MANAGER_PIN)
    with pytest.raises(Refused):
        terminal.scan(old_payload)
    new = terminal.reissue_card(m["member_id"], MANAGER_PIN)
    assert new["card_generation"] == 2 and new["card_number"] != m["card_number"]
    with pytest.raises(Refused):
        terminal.scan(old_payload)
    assert terminal.scan(new["card_payload"])["member_id"] == m["member_id"]


def test_merge_keeps_one_ledger_and_both_cards(terminal, enrol):
    a = enrol("Ali Veli", phone="05320000010")
    b = enrol("Ali Veli", phone="05320000011")
    terminal.sale(a["member_id"], 30000, at=t("2026-01-01 10:00"))
    terminal.sale(b["member_id"], 30000, at=t("2026-01-02 10:00"))
    merged = terminal.merge_members(a["member_id"], b["member_id"], MANAGER_PIN,
                                    at=t("2026-01-03 10:00"))
    assert merged["qualifying_spend"] == 60000
    assert terminal.scan(b["card_payload"])["member_id"] == a["member_id"]
    assert terminal.check()["ok"]


def test_erase_anonymises_but_keeps_totals(terminal, enrol):
    m = enrol("Silinecek Kişi", phone="05329998877", email="s@example.com")
    terminal.sale(m["member_id"], 30000, at=t("2026-01-01 10:00"))
    terminal.erase_member(m["member_id"], MANAGER_PIN)
    raw = " ".join(r[0] for r in terminal.db.execute("SELECT payload FROM events"))
    assert "Silinecek" not in raw and "5329998877" not in raw and "s@example.com" not in raw
    assert terminal.db.execute("SELECT SUM(total) FROM sales").fetchone()[0] == 30000
    assert not terminal.search_members("silinecek")
    with pytest.raises(Refused):
        terminal.sale(m["member_id"], 100, at=t("2026-01-02 10:00"))


def test_export_is_json(terminal, enrol):
    m = enrol(email="a@example.com", consents=["sms"])
    data = terminal.export_member(m["member_id"])
    json.dumps(data)
    assert data["consent_history"][0]["wording_version"]


def test_events_applied_in_any_order_converge(tmp_path, terminal, enrol):
    members = [enrol(f"Üye {i}", phone=f"0532000{i:04d}") for i in range(4)]
    rng = random.Random(1)
    for day in range(1, 28):
        m = rng.choice(members)
        s = terminal.sale(m["member_id"], rng.randint(5000, 90000), at=t(f"2026-02-{day:02d} 10:00"))
        if rng.random() < 0.3:
            terminal.refund(s["sale_id"], amount=s["total"] // 3, manager_pin=MANAGER_PIN,
                            at=t(f"2026-02-{day:02d} 12:00"))
    events = terminal.events_after(0, 10_000)
    enrolments = [e for e in events if e["kind"] in ("program_published", "member_enrolled")]
    rest = [e for e in events if e not in enrolments]
    rng.shuffle(rest)
    other = open_terminal(tmp_path / "other")
    try:
        other.apply_remote(enrolments + rest)
        for m in members:
            assert (other.member(m["member_id"], at=t("2026-03-01 00:00"))
                    == {**terminal.member(m["member_id"], at=t("2026-03-01 00:00"))})
        assert other.apply_remote(events)["applied"] == 0  # the same batch again: nothing
    finally:
        other.close()


def test_overdraft_on_two_terminals_is_flagged_and_converges(tmp_path, terminal, enrol):
    m = enrol()
    terminal.adjust(m["member_id"], 300, "gift", MANAGER_PIN, at=t("2026-01-01 09:00"))
    other = open_terminal(tmp_path / "t2")
    other.init_shop("Kahve Dükkanı", "Şube Sahibi", "2468", at=t("2025-01-01 09:00"))
    try:
        other.apply_remote(terminal.events_after(0, 1000))
        terminal.sale(m["member_id"], 30000, redeem_points=300, at=t("2026-01-02 10:00"))
        other.sale(m["member_id"], 30000, redeem_points=300, at=t("2026-01-02 10:05"))
        mine, theirs = terminal.events_after(0, 1000), other.events_after(0, 1000)
        other.apply_remote(mine)
        report = terminal.apply_remote(theirs)
        assert {c["kind"] for c in report["conflicts"]} >= {"overdraft"}
        a = terminal.member(m["member_id"], at=t("2026-01-03 10:00"))
        b = other.member(m["member_id"], at=t("2026-01-03 10:00"))
        assert a["points"] == b["points"] < 0
    finally:
        other.close()


def test_not_found_codes(terminal):
    with pytest.raises(NotFound):
        terminal.find_member("Kimse Yok")
    with pytest.raises(InvalidInput):
        terminal.find_member("9790000000000001")  # wrong check digit


def test_owner_pin_publishes_program(terminal):
    from loyalty_desktop.domain.program import program_to_toml

    doc = program_to_toml(terminal.program).replace("welcome_points = 50", "welcome_points = 75")
    assert terminal.publish_program(doc, OWNER_PIN)["program_version"] == 2
    assert terminal.program.welcome_points == 75
    with pytest.raises(InvalidInput) as err:
        terminal.publish_program("welcome_points = -1", OWNER_PIN)
    assert "welcome_points" in err.value.message


def test_campaign_and_tier_upgrade_coupons(terminal, enrol):
    from dataclasses import replace

    from loyalty_desktop.domain.program import CouponRule, program_to_toml

    m = enrol()
    with pytest.raises(Refused) as err:
        terminal.issue_coupon(m["member_id"], "win_back", MANAGER_PIN)
    assert err.value.code == "coupon_rule_disabled"
    program = replace(terminal.program,
                      win_back=CouponRule(value=3000, min_basket=10000, valid_days=14),
                      tier_upgrade=CouponRule(value=2500, min_basket=5000, valid_days=30))
    terminal.publish_program(program_to_toml(program), OWNER_PIN)
    c = terminal.issue_coupon(m["member_id"], "win_back", MANAGER_PIN, at=t("2026-01-01 10:00"))
    assert c["kind"] == "win_back" and c["value"] == 3000
    assert c["code"] in {x["code"] for x in c["member"]["coupons"]}
    s = terminal.sale(m["member_id"], 120000, at=t("2026-01-02 10:00"))  # Bronz -> Gümüş
    kinds = sorted(x["kind"] for x in s["coupons_issued"])
    assert kinds == ["next_order", "tier_upgrade"] and s["tier_after"] == "gumus"
    s2 = terminal.sale(m["member_id"], 10000, at=t("2026-01-03 10:00"))
    assert "tier_upgrade" not in {x["kind"] for x in s2["coupons_issued"]}
