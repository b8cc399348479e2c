"""A catch-up's pulled events applied as one batch give the same tables as the same events
applied one by one (each its own batch, or the projector's single-event path the counter
uses): member roots kept across merges, stored events skipped, rollup changes written before a
refund recounts its month and at the end, folds extended once per member."""

from __future__ import annotations

import random

from loyalty_desktop.services import open_terminal
from loyalty_desktop.store.ledger_repo import cache_matches_ledger
from loyalty_desktop.store.projector import apply_event
from loyalty_desktop.store.rollups import rollups_match_ledger

from .conftest import MANAGER_PIN, t

TABLES = {
    "events": "id", "ledger": "id", "sales": "sale_id", "refunds": "refund_id",
    "balances": "member_id", "lots": "lot_id", "coupons": "code",
    "member_months": "member_id, month", "point_months": "month", "members": "member_id",
    "cards": "card_number", "consents": "member_id, channel, at, event_id",
    "members_fts": "member_id", "feedback": "id", "complaints": "id",
}


def _busy_shop(terminal, enrol) -> list[dict]:
    """A month of a shop with every kind of member event; its events, shuffled a little."""
    members = [enrol(f"Üye {i}", phone=f"0532100{i:04d}", consents=("sms",))["member_id"]
               for i in range(8)]
    rng = random.Random(11)
    sales = []
    for day in range(1, 28):
        when = f"2026-03-{day:02d}"
        for _ in range(3):
            m = rng.choice(members)
            points = terminal.member(m, at=t(f"{when} 10:00"))["points"]
            s = terminal.sale(m, rng.randint(5_000, 90_000), at=t(f"{when} 10:00"),
                              redeem_points=50 if points >= 100 and rng.random() < 0.3 else 0)
            sales.append(s)
            if rng.random() < 0.25:  # full refunds drop the month's first or last purchase
                amount = s["total"] if rng.random() < 0.5 else s["total"] // 3
                terminal.refund(s["sale_id"], amount=amount, manager_pin=MANAGER_PIN,
                                at=t(f"{when} 12:00"))
        if day == 5:
            terminal.update_member(members[1], name="Üye Bir Yeni", at=t(f"{when} 13:00"))
            terminal.set_consent(members[2], "sms", False, at=t(f"{when} 13:00"))
            terminal.adjust(members[3], 400, "hediye", MANAGER_PIN, at=t(f"{when} 13:00"))
        if day == 9:
            terminal.feedback(sales[-1]["sale_id"], nps=3, at=t(f"{when} 14:00"))
            terminal.complaint(members[5], "Soğuk kahve", at=t(f"{when} 14:00"))
        if day == 14:  # later sales of the merged member go to the one kept
            late = terminal.sale(members[6], 120_000, at=t(f"{when} 14:00"))
            late["member_id"] = members[6]
            terminal.merge_members(members[0], members[6], MANAGER_PIN, at=t(f"{when} 15:00"))
            terminal.refund(late["sale_id"], amount=10_000, manager_pin=MANAGER_PIN,
                            at=t(f"{when} 16:00"))
            members.remove(members[6])
        if day == 20:  # the erasure redacts the stored events: the others had them before
            before = terminal.events_after(0, 10_000)
            terminal.erase_member(members[5], MANAGER_PIN, at=t(f"{when} 15:00"))
            members.remove(members[5])
    events = before + terminal.events_after(before[-1]["seq"], 10_000)
    moved = [i for i, e in enumerate(events) if e["kind"] == "refund"][::3]
    for i in moved:  # some refunds arrive before their sale
        sale = next(j for j, e in enumerate(events) if e["id"] == events[i]["payload"]["sale_id"])
        events.insert(sale, events.pop(i))
    merge = next(e for e in events if e["kind"] == "member_merged")
    late = [e for e in events[:events.index(merge)] if e["member_id"] == late["member_id"]
            and any(d["kind"] == "coupon_issued" for d in e["payload"]["entries"])]
    assert late
    events = [e for e in events if e not in late]
    at = events.index(merge) + 1
    events[at:at] = late  # sales of the merged member that issued coupons arrive after the merge
    return events


def _tables(term) -> dict[str, list[tuple]]:
    return {name: term.db.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
            for name, order in TABLES.items()}


def test_one_batch_gives_the_tables_of_events_applied_one_by_one(tmp_path, terminal, enrol):
    events = _busy_shop(terminal, enrol)
    kinds = {e["kind"] for e in events}
    assert {"member_merged", "member_erased", "refund", "member_updated",
            "consent_changed", "feedback", "complaint"} <= kinds
    batch, each, single = (open_terminal(tmp_path / name) for name in ("batch", "each", "single"))
    try:
        first = events[:40]
        assert batch.apply_remote(first)["applied"] == 40
        # again with the rest, the first ones stored already and one event twice
        assert batch.apply_remote(events + events[-1:])["applied"] == len(events) - 40
        for event in events:
            each.apply_remote([event])
        with single.transaction():
            for event in events:
                apply_event(single.db, event, origin="remote")
        one_by_one = _tables(each)
        assert one_by_one["member_months"] and one_by_one["point_months"] and one_by_one["coupons"]
        assert _tables(batch) == one_by_one
        assert _tables(single) == one_by_one
        for term in (batch, each, single):
            assert rollups_match_ledger(term.db) == []
            members = [r[0] for r in term.db.execute("SELECT member_id FROM balances")]
            assert all(cache_matches_ledger(term.db, m) for m in members)
            assert term.check()["ok"]
    finally:
        for term in (batch, each, single):
            term.close()
