"""Per-member CRM numbers for the reports: purchase summaries, tiers, CLV, RFM, who is at risk.

Purchases and spend are aggregated in SQL (one pass each) and only the members whose tier
could be held by the downgrade grace are re-walked with the domain's `tier_status`; the
fast CLV and RFM functions of `report_math` give exactly what `analytics` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from ..store.sqlite_db import Database

from ..domain import btyd
from ..domain.analytics import Purchase
from ..domain.clock import from_db, to_db, zone
from ..domain.program import Program
from ..domain.report_math import (
    AT_RISK_SEGMENTS, SAMPLE_FOR_FIT, TICK, LocalDays, clv_from_summary, segments_from_summary,
    under_a_year_cutoff,
)
from ..domain.tiers import tier_status
from . import report_rollups as rr



@dataclass
class Snapshot:
    """Members' purchase summary, tier and segment as of one moment."""

    moment: datetime
    purchases: dict[str, list] = field(default_factory=dict)  # id -> [count, net, first, last]
    tiers: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)


def _windows(t: datetime, program: Program) -> list[str]:
    """Bounds of the three tier sums at t: window, window before the grace, sales in grace."""
    window = timedelta(days=program.tier_window_days)
    grace = timedelta(days=program.downgrade_grace_days)
    return [to_db(t - window), to_db(t), to_db(t - grace - window), to_db(t - grace),
            to_db(t - grace), to_db(t)]


def held_windows(t: datetime, program: Program) -> list[str]:
    """Bounds of the two tier sums `tier_ranks` needs at t: the window, and the window before
    the grace together with the grace (one range: only their sum picks whom to walk)."""
    window = timedelta(days=program.tier_window_days)
    grace = timedelta(days=program.downgrade_grace_days)
    return [to_db(t - window), to_db(t), to_db(t - grace - window), to_db(t)]


def member_scan(db: Database, root: dict[str, str], ends: list[datetime], program: Program
                ) -> tuple[list[dict[str, list]], list[dict[str, list[int]]]]:
    """One pass over the sales: per end, member -> [purchases, net kuruş, first at, last at]
    of the sales before it (fully refunded ones left out); per end, the qualifying-spend sums
    the tier needs at its last instant (money paid, refunds taken off at the sale's time)."""
    months = rr.month_keys(db, ends)
    if months is not None:  # month bounds: the projector's rollups answer without the sales
        return rr.member_scan(db, root, ends, months,
                              [_windows(end - TICK, program) for end in ends])
    return _member_scan_sales(db, root, ends, program)


def _member_scan_sales(db: Database, root: dict[str, str], ends: list[datetime],
                       program: Program) -> tuple[list[dict[str, list]], list[dict[str, list[int]]]]:
    """member_scan for any bounds, in one pass over the sales."""
    cols, args = [], []
    for end in ends:
        cols.append("SUM(at < ?1 AND total > refunded), "
                    "SUM(CASE WHEN at < ?1 AND total > refunded THEN total - refunded END), "
                    "MIN(CASE WHEN at < ?1 AND total > refunded THEN at END), "
                    "MAX(CASE WHEN at < ?1 AND total > refunded THEN at END)"
                    .replace("?1", f"?{len(args) + 1}"))
        args.append(to_db(end))
    for end in ends:
        n = len(args)
        cols.append(f"SUM(CASE WHEN at > ?{n + 1} AND at <= ?{n + 2} THEN money_paid ELSE 0 END), "
                    f"SUM(CASE WHEN at > ?{n + 3} AND at <= ?{n + 4} THEN money_paid ELSE 0 END), "
                    f"SUM(CASE WHEN at > ?{n + 5} AND at <= ?{n + 6} THEN money_paid ELSE 0 END)")
        args += _windows(end - TICK, program)
    sql = (f"SELECT member_id, {', '.join(cols)} FROM sales NOT INDEXED WHERE member_id IS NOT "
           f"NULL AND at < ?{len(args) + 1} GROUP BY member_id")
    k = len(ends)
    purchases: list[dict[str, list]] = [{} for _ in ends]
    sums: list[dict[str, list[int]]] = [{} for _ in ends]
    for row in db.execute(sql, [*args, to_db(max(ends))]):
        member = root.get(row[0], row[0])
        for i in range(k):
            count, net, first, last = row[1 + 4 * i: 5 + 4 * i]
            if count:
                rr.merge_member_sums(purchases[i], member, count, net, first, last)
            spent = row[1 + 4 * k + 3 * i: 4 + 4 * k + 3 * i]
            acc = sums[i].setdefault(member, [0, 0, 0])
            for j in range(3):
                acc[j] += spent[j]
    _refunded_spend(db, root, ends, program, sums)
    return purchases, sums


def _refunded_spend(db: Database, root: dict[str, str], ends: list[datetime], program: Program,
                    sums: list[dict[str, list[int]]]) -> None:
    """Take refunded money off the window sums (spend_refund entries are dated at the sale)."""
    bounds = [_windows(end - TICK, program) for end in ends]
    lo = min(b[2] for b in bounds)
    for member, at, spend in db.execute(
            "SELECT member_id, at, spend FROM ledger INDEXED BY ledger_kind_at WHERE kind = "
            "'spend_refund' AND at > ? AND at <= ?", [lo, max(b[1] for b in bounds)]):
        member = root.get(member, member)
        for i, b in enumerate(bounds):
            acc = sums[i].setdefault(member, [0, 0, 0])
            if b[0] < at <= b[1]:
                acc[0] += spend
            if b[2] < at <= b[3]:
                acc[1] += spend


def tiers_at(db: Database, root: dict[str, str], moments: list[datetime], program: Program,
             members: list[list[str]], sums: list[dict[str, list[int]]]
             ) -> list[dict[str, str]]:
    """Each listed member's tier at each moment (entry tier when nothing qualifies)."""
    return [_tiers_from_sums(db, root, moment, program, mine, moment_sums)
            for moment, mine, moment_sums in zip(moments, members, sums)]


def _tiers_from_sums(db: Database, root: dict[str, str], moment: datetime, program: Program,
                     members: list[str], sums: dict[str, list[int]]) -> dict[str, str]:
    """Tier by qualifying spend; the members whose spend fell within the grace are walked."""
    keys = [t.key for t in program.tiers]
    out = {m: keys[0] for m in members}
    listed = list(sums)
    spend = np.array(list(sums.values()), dtype=np.int64).reshape(len(listed), 3)
    ranks = tier_ranks(db, root, moment, program, listed, spend).tolist()
    out.update(zip(listed, (keys[r] for r in ranks)))
    return out


def tier_ranks(db: Database, root: dict[str, str], moment: datetime, program: Program,
               members: list[str], spend: np.ndarray) -> np.ndarray:
    """Tier rank (index into program.tiers) of each member from its spend in the window and
    in the window before the grace plus the grace (one column, or the two of `_windows`);
    those whose spend fell within the grace are walked exactly."""
    thresholds = np.array([t.threshold for t in program.tiers])  # rising; last one reached
    ranks = np.maximum(np.searchsorted(thresholds, spend[:, 0], side="right") - 1, 0)
    held = np.searchsorted(thresholds, spend[:, 1:].sum(axis=1), side="right") - 1
    walk = np.flatnonzero(held > ranks)  # spend fell within the grace: the tier may be held
    keys = [t.key for t in program.tiers]
    pairs = _spend_pairs(db, root, [members[i] for i in walk], moment)
    for i in walk:
        if members[i] in pairs:
            ranks[i] = keys.index(tier_status(pairs[members[i]], moment, program).tier.key)
    return ranks


def _spend_pairs(db: Database, root: dict[str, str], members: list[str], moment: datetime
                 ) -> dict[str, list[tuple[datetime, int]]]:
    """(sale time, net spend) pairs of some members, for the exact tier walk."""
    wanted = set(members)
    ids = members + [m for m, r in root.items() if r in wanted]
    by_ref: dict[str, dict[str, list]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for member, ref, at, spend in db.execute(
                f"SELECT member_id, ref, at, spend FROM ledger WHERE member_id IN ({marks}) AND "
                "kind IN ('sale', 'spend_refund') AND at <= ? ORDER BY id",
                [*chunk, to_db(moment)]):
            refs = by_ref.setdefault(root.get(member, member), {})
            pair = refs.setdefault(ref, [from_db(at), 0])
            pair[1] += spend
    return {m: [(at, amount) for at, amount in refs.values()] for m, refs in by_ref.items()}


def snapshots(db: Database, root: dict[str, str], moments: list[datetime],
              purchases: list[dict[str, list]], program: Program, members: list[list[str]],
              tz: str, tiers: list[dict[str, str]]) -> list[Snapshot]:
    """Tiers, RFM and segments of the members as of each moment (a month's last instant)."""
    out = []
    for moment, bought, tier_map in zip(moments, purchases, tiers):
        local = moment.astimezone(zone(tz))
        days = LocalDays(local.date(), tz)
        segments = segments_from_summary(
            {m: (days.day_of(v[3]), v[0], v[1]) for m, v in bought.items()}, local.date())
        out.append(Snapshot(moment, bought, tier_map, segments))
    return out


def clv_by_member(snap: Snapshot, lifespan: int) -> dict[str, int]:
    """CLV in kuruş of every member who has bought by the snapshot's moment."""
    now = snap.moment
    recent = to_db(under_a_year_cutoff(now))
    return {m: v[1] * lifespan if v[2] > recent else
            clv_from_summary(v[1], from_db(v[2]), now, lifespan)
            for m, v in snap.purchases.items()}


def member_ids(db: Database, end: datetime) -> list[str]:
    """Members (not merged, not erased) enrolled before `end`."""
    e = to_db(end)
    return [r[0] for r in db.execute(
        "SELECT member_id FROM members WHERE created_at < ? AND merged_into IS NULL AND "
        "(erased_at IS NULL OR erased_at >= ?)", [e, e])]


def _purchases_of(db: Database, root: dict[str, str], members: list[str], moment: datetime
                  ) -> dict[str, list[Purchase]]:
    """Full purchase lists (net of refunds) of some members before `moment`."""
    wanted = set(members)
    ids = members + [m for m, r in root.items() if r in wanted]
    out: dict[str, list[Purchase]] = {m: [] for m in members}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for member, at, net in db.execute(
                f"SELECT member_id, at, total - refunded FROM sales WHERE member_id IN ({marks})"
                " AND total > refunded AND at <= ?", [*chunk, to_db(moment)]):
            out.setdefault(root.get(member, member), []).append(Purchase(from_db(at), net))
    return out


def at_risk(db: Database, root: dict[str, str], snap: Snapshot, tz: str,
            limit: int | None = 10) -> dict[str, Any]:
    """Valuable members who stopped coming: BG/NBD p_alive < 0.5 when the fit works, else a
    high or medium churn risk; candidates are the RFM segments at_risk and cant_lose."""
    candidates = sorted((m for m, s in snap.segments.items() if s in AT_RISK_SEGMENTS),
                        key=lambda m: (-snap.purchases[m][1], m))
    return risk_list(db, root, snap.moment, tz, candidates, sorted(snap.purchases),
                     lambda m: (*snap.purchases[m], snap.segments[m]), limit)


def risk_list(db: Database, root: dict[str, str], moment: datetime, tz: str,
              candidates: list[str], everyone: list[str],
              about: Callable[[str], tuple[int, int, str, str, str]],
              limit: int | None) -> dict[str, Any]:
    """`at_risk` from the candidates (most spent first), every buyer (sorted; the fit takes an
    evenly spread sample) and `about(member)` = (purchases, net, first, last, segment)."""
    now = moment.astimezone(zone(tz))
    step = max(1, len(everyone) // SAMPLE_FOR_FIT)
    sample = everyone[::step]
    pool = candidates if limit is None else candidates[: max(limit * 5, 50)]
    summaries = _transaction_summaries(db, root, sorted(set(sample) | set(pool)), now, tz)
    params = btyd.fit_or_none([summaries[m] for m in sample if m in summaries])
    method = "churn_risk" if params is None else "bgnbd"
    histories = {} if params is not None else _purchases_of(db, root, pool, now)
    out = []
    for member in pool:
        if member not in summaries:
            continue
        risky, shown = btyd.risk_of(params, summaries[member], lambda: histories[member], now)
        if risky:
            count, net, _, last, segment = about(member)
            out.append({"member_id": member, "segment": segment,
                        "purchases": count, "spent": net,
                        "last_purchase": from_db(last).astimezone(zone(tz)).date().isoformat(),
                        "p_alive" if params is not None else "churn_risk": shown})
        if limit is not None and len(out) >= limit:
            break
    return {"method": method, "candidates": len(candidates), "members": out}


def _transaction_summaries(db: Database, root: dict[str, str], members: list[str],
                           now: datetime, tz: str) -> dict[str, tuple[int, float, float]]:
    """`btyd.summarise` of each member's purchases (net of refunds) up to `now`, from the first
    sale of each shop day (what the summary depends on)."""
    wanted = set(members)
    ids = members + [m for m, r in root.items() if r in wanted]
    days = LocalDays(now.date(), tz)
    firsts: dict[str, dict[date, str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for member, at in db.execute(
                f"SELECT member_id, at FROM sales WHERE member_id IN ({marks})"
                " AND total > refunded AND at <= ?", [*chunk, to_db(now)]):
            per = firsts.setdefault(root.get(member, member), {})
            day = days.day_of(at)
            if day not in per or at < per[day]:
                per[day] = at
    return {m: btyd.summary_of_days(from_db(per[min(per)]), from_db(per[max(per)]), len(per), now)
            for m, per in firsts.items()}
