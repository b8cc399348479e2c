"""The members of one month for the monthly report, as arrays: purchases, tiers and RFM segments
at both month ends, the month's buyers, CLV and who is at risk.

Everything comes from one pass over the rollups (`report_rollups.month_scan`) and numpy steps
per member; each step gives exactly what the per-member functions of `report_members` and
`report_math` give (the tests compare both paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from ..domain.clock import from_micros, micros_of, zone
from ..domain.program import Program
from ..domain.report_math import (
    SEGMENT_CODES, LocalDays, average_kurus, clv_many, segment_changes_coded,
    segment_codes, tier_movements_ranked, under_a_year_cutoff,
)
from ..store.sqlite_db import Database
from . import report_arrays as ra
from . import report_members as rm
from . import report_rollups as rr

_RISKY = [SEGMENT_CODES.index(s) for s in rm.AT_RISK_SEGMENTS]


@dataclass
class MonthMembers:
    """Per member at the previous and this month end (index 0, 1): enrolled, purchases, tier
    rank and RFM segment code (-1: had not bought); and the month's buyers."""

    index: ra.MemberIndex
    moments: list[datetime]
    enrolled: list[np.ndarray]
    purchases: list[ra.Purchases]
    ranks: list[np.ndarray]
    segments: list[np.ndarray]
    buyers: np.ndarray  # without the month's totals (ra.TOTAL): see top_buyers


def month_members(db: Database, root: dict[str, str], bounds: list[datetime], program: Program,
                  tz: str) -> MonthMembers:
    """The month [start, end) with `since` (3 months back) and `previous` (1 month back), all
    month starts: bounds = [start, end, since, previous]."""
    keys = rr.month_keys(db, bounds)
    if keys is None:
        raise ValueError("The monthly report needs month bounds in the rollups' zone.")
    start, end, since, previous = keys
    index = ra.member_index(db, bounds[:2])
    moments = [bounds[0] - rm.TICK, bounds[1] - rm.TICK]
    windows = [rm.held_windows(m, program) for m in moments]
    scan = rr.month_scan(db, root, index, [start, end], windows,
                         (start, end, since, max(since, previous)), totals=False)
    ranks = [rm.tier_ranks(db, root, m, program, index.ids, s)
             for m, s in zip(moments, scan.spend)]
    segments = [_segments(p, m, tz) for p, m in zip(scan.purchases, moments)]
    assert scan.buyers is not None
    return MonthMembers(index, moments, [index.enrolled(b) for b in bounds[:2]], scan.purchases,
                        ranks, segments, scan.buyers)


def _segments(p: ra.Purchases, moment: datetime, tz: str) -> np.ndarray:
    """RFM segment code of every member who had bought by `moment` (-1 for the others)."""
    codes = np.full(len(p.count), -1, dtype=np.int8)
    bought = p.bought()
    if len(bought):
        today = moment.astimezone(zone(tz)).date()
        times = p.last[bought]
        oldest = from_micros(int(times.min())).astimezone(zone(tz)).date()  # midnights back to it only
        last = LocalDays(today, tz, max((today - oldest).days, 0) + 1).ordinals_micros(times)
        codes[bought] = segment_codes(today.toordinal() - last, p.count[bought])
    return codes


def clv_values(mm: MonthMembers, lifespan: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, CLV in kuruş) of every member who has bought by the month end."""
    p, now = mm.purchases[1], mm.moments[1]
    bought = p.bought()
    values = p.net[bought] * lifespan
    older = np.flatnonzero(p.first[bought] <= micros_of(under_a_year_cutoff(now)))
    if len(older):
        values[older] = clv_many(p.net[bought[older]], p.first[bought[older]], now, lifespan)
    return bought, values


def clv_section(mm: MonthMembers, program: Program) -> dict[str, Any]:
    """Average CLV of members who have bought, overall and by tier at month end."""
    bought, values = clv_values(mm, program.clv_lifespan_years)
    tiers = mm.ranks[1][bought]
    by_tier = {}
    for rank, tier in enumerate(program.tiers):
        mine = values[tiers == rank]
        by_tier[tier.key] = {"members": len(mine), "average": average_kurus(int(mine.sum()),
                                                                            len(mine))}
    return {"lifespan_years": program.clv_lifespan_years, "members": len(values),
            "average": average_kurus(int(values.sum()), len(values)), "by_tier": by_tier}


def tier_counts(mm: MonthMembers, program: Program) -> tuple[dict[str, int], dict[str, object]]:
    """Tier distribution of the members at month end, and movements since the previous end."""
    keys = [t.key for t in program.tiers]
    listed = mm.enrolled[1]
    after, before = mm.ranks[1][listed], mm.ranks[0][listed]
    counts = np.bincount(after, minlength=len(keys)).tolist()
    return dict(zip(keys, counts)), tier_movements_ranked(before, after, keys)


def segment_section(mm: MonthMembers) -> dict[str, dict]:
    """RFM segment sizes at both ends, who joined and who left."""
    return segment_changes_coded(mm.segments[0], mm.segments[1], SEGMENT_CODES)


def member_counts(mm: MonthMembers, start: datetime) -> tuple[int, int]:
    """(members at the month end, of whom enrolled in the month): not merged, not erased."""
    listed = mm.enrolled[1]
    return int(listed.sum()), int(np.count_nonzero(listed & mm.index.created_since(start)))


def buyer_counts(mm: MonthMembers) -> dict[str, int]:
    """Active (bought in the month), previous month's buyers, lapsed, retained, repeat buyers."""
    b = mm.buyers
    active, previous = b[:, 0] > 0, b[:, 3] > 0
    lapsed = (b[:, 4] > 0) & ~active
    return {"active": int(active.sum()), "active_previous_month": int(previous.sum()),
            "lapsed": int(lapsed.sum()), "retained": int((previous & active).sum()),
            "repeat_buyers": int((b[:, 0] >= 2).sum())}


def top_buyers(db: Database, root: dict[str, str], mm: MonthMembers, month: str,
               count: int) -> list[dict[str, Any]]:
    """The members who spent most in the month (net of refunds), ties by member id."""
    b, ids = mm.buyers, mm.index.ids
    active = np.flatnonzero(b[:, 0] > 0)
    net = b[active, 2]
    if len(active) > count:
        floor = np.partition(net, len(net) - count)[len(net) - count]
        active = active[net >= floor]
    top = sorted(active.tolist(), key=lambda i: (-int(b[i, 2]), ids[i]))[:count]
    totals = rr.month_totals(db, root, month, [ids[i] for i in top])
    return [{"member_id": ids[i], "sales": int(b[i, 0]), "total": totals[ids[i]],
             "net": int(b[i, 2])} for i in top]


def at_risk(db: Database, root: dict[str, str], mm: MonthMembers, tz: str,
            limit: int | None = 10) -> dict[str, Any]:
    """`report_members.at_risk` at the month end."""
    p, seg, ids = mm.purchases[1], mm.segments[1], mm.index.ids
    risky = np.flatnonzero(np.isin(seg, _RISKY))
    candidates = [ids[i] for i in sorted(risky.tolist(), key=lambda i: (-int(p.net[i]), ids[i]))]
    everyone = sorted(ids[i] for i in p.bought())
    pos = mm.index.pos

    def about(member: str) -> tuple[int, int, str, str, str]:
        i = pos[member]
        return int(p.count[i]), int(p.net[i]), *p.times(i), SEGMENT_CODES[seg[i]]

    return rm.risk_list(db, root, mm.moments[1], tz, candidates, everyone, about, limit)
