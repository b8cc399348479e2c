"""The monthly report's array path (report_month) gives what the per-member path gives:
tiers (grace walks included), RFM segments, CLV, buyers and the at-risk list."""

from __future__ import annotations

import numpy as np
import pytest

from loyalty_desktop.domain.clock import month_bounds
from loyalty_desktop.domain.report_math import SEGMENT_CODES, shift_month
from loyalty_desktop.services import report_arrays as ra
from loyalty_desktop.services import report_members as rm
from loyalty_desktop.services import report_month as rmo
from loyalty_desktop.services import report_queries as q

from .conftest import MANAGER_PIN, t
from .test_rollups import busy_shop


def graced_shop(terminal, enrol) -> None:
    """Members who reach a tier and fall out of the window at different times, so month ends
    land inside and after the downgrade grace."""
    for i in range(6):
        m = enrol(f"Kademe {i}", phone=f"0533222{i:04d}", at="2025-01-02 10:00")
        terminal.sale(m["member_id"], 60000 + 30000 * i, at=t(f"2025-0{2 + i % 3}-1{i} 12:00"))
        terminal.sale(m["member_id"], 50000, at=t(f"2025-0{3 + i % 4}-2{i} 18:00"))
        if i % 2:
            sale = terminal.sale(m["member_id"], 40000, at=t(f"2026-0{1 + i % 3}-05 09:00"))
            terminal.refund(sale["sale_id"], amount=15000, manager_pin=MANAGER_PIN,
                            at=t(f"2026-0{1 + i % 3}-06 09:00"))


def by_dicts(db, root, program, tz, start, end):
    """The per-member path: dictionaries keyed by member id (what exports use)."""
    moments = [start - rm.TICK, end - rm.TICK]
    ids = [rm.member_ids(db, start), rm.member_ids(db, end)]
    purchases, sums = rm.member_scan(db, root, [start, end], program)
    tiers = rm.tiers_at(db, root, moments, program, ids, sums)
    return rm.snapshots(db, root, moments, purchases, program, ids, tz, tiers), ids, sums


@pytest.mark.parametrize("shop", [busy_shop, graced_shop])
def test_the_array_path_equals_the_member_path(terminal, enrol, shop):
    shop(terminal, enrol)
    db, program, tz = terminal.db, terminal.program, terminal.timezone
    root = q.roots(db)
    keys = [tier.key for tier in program.tiers]
    held = 0
    for year, month in [(2025, 3), (2025, 6), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]:
        start, end = month_bounds(year, month, tz)
        since = month_bounds(*shift_month(year, month, -3), tz)[0]
        previous = month_bounds(*shift_month(year, month, -1), tz)[0]
        mm = rmo.month_members(db, root, [start, end, since, previous], program, tz)
        snaps, ids, sums = by_dicts(db, root, program, tz, start, end)
        members = mm.index.ids
        for i, snap in enumerate(snaps):
            assert sorted(mm.index.members(mm.enrolled[i])) == sorted(ids[i])
            ranks = {m: keys[r] for m, r in zip(members, mm.ranks[i].tolist())}
            thresholds = np.array([tier.threshold for tier in program.tiers])
            held += sum(1 for m, (spend, _, _) in sums[i].items() if ranks[m] != keys[
                max(int(np.searchsorted(thresholds, spend, side="right")) - 1, 0)])
            assert {m: ranks[m] for m in snap.tiers} == snap.tiers
            assert {members[j]: SEGMENT_CODES[c] for j, c in enumerate(mm.segments[i].tolist())
                    if c >= 0} == snap.segments
            bought = mm.purchases[i].bought()
            assert {members[j]: [int(mm.purchases[i].count[j]), int(mm.purchases[i].net[j]),
                                 *mm.purchases[i].times(j)]
                    for j in bought} == snap.purchases
        positions, values = rmo.clv_values(mm, program.clv_lifespan_years)
        assert dict(zip((members[j] for j in positions), values.tolist())) == \
            rm.clv_by_member(snaps[1], program.clv_lifespan_years)
        assert rmo.at_risk(db, root, mm, tz) == rm.at_risk(db, root, snaps[1], tz)
        buyers = q.buyers(db, start, end, root, since=since, previous=previous)
        b = np.delete(mm.buyers, ra.TOTAL, axis=1)  # the month's totals: top members only
        assert {members[j]: b[j].tolist() for j in np.flatnonzero(b[:, 0] + b[:, 3])} == \
            {m: v[:ra.TOTAL] + v[ra.TOTAL + 1:] for m, v in buyers.items()}
        key = f"{year:04d}-{month:02d}"
        for row in rmo.top_buyers(db, root, mm, key, 3):
            assert [row["sales"], row["total"], row["net"]] == buyers[row["member_id"]][:3]
    assert held or shop is busy_shop, "a month end falls inside some member's grace"


def test_merged_members_sum_on_their_holder(terminal, enrol):
    busy_shop(terminal, enrol)
    db = terminal.db
    root = q.roots(db)
    assert root, "busy_shop merges two members"
    index = ra.member_index(db)
    tz = terminal.timezone
    bounds = [*month_bounds(2026, 4, tz), month_bounds(2026, 1, tz)[0], month_bounds(2026, 3, tz)[0]]
    mm = rmo.month_members(db, root, bounds, terminal.program, tz)
    for merged in root:
        assert mm.purchases[1].count[index.pos[merged]] == 0


def test_reading_the_member_ids_in_two_halves_gives_the_same_arrays(terminal, enrol,
                                                                   monkeypatch):
    busy_shop(terminal, enrol)
    db, tz = terminal.db, terminal.timezone
    root = q.roots(db)
    bounds = [*month_bounds(2026, 3, tz), month_bounds(2025, 12, tz)[0],
              month_bounds(2026, 2, tz)[0]]
    one = rmo.month_members(db, root, bounds, terminal.program, tz)
    monkeypatch.setattr(ra, "PARALLEL_FROM", 0)
    two = rmo.month_members(db, root, bounds, terminal.program, tz)
    assert (one.buyers == two.buyers).all()
    for a, b in zip(one.purchases + one.ranks + one.segments, two.purchases + two.ranks +
                    two.segments):
        if isinstance(a, ra.Purchases):
            assert (a.count == b.count).all() and (a.net == b.net).all()
            assert a.first.tolist() == b.first.tolist() and a.last.tolist() == b.last.tolist()
        else:
            assert (a == b).all()
