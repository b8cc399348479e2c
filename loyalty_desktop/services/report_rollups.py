"""The report's per-member and point sums read from the projector's monthly rollups.

Used when every bound is a month start in the rollups' zone (the monthly report); each function
returns exactly what its scan over sales and ledger in `report_members` / `report_queries`
returns. Rolling tier windows whose edges fall inside a month take whole months from the
rollups and the few days at each edge from the ledger (`ledger_kind_at`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ..domain.clock import from_db, month_bounds, to_db, zone
from ..domain.report_math import TICK
from ..store.rollups import POINT_COLUMNS, SPEND_KINDS, ensure_zone, rollup_zone
from ..store.sqlite_db import Database
from . import report_arrays as ra

_SPEND = ",".join(f"'{k}'" for k in SPEND_KINDS)


def month_key_at(moment: datetime, tz: str) -> str | None:
    """'YYYY-MM' when `moment` is the first instant of a month in `tz`, else None."""
    local = moment.astimezone(zone(tz))
    start = month_bounds(local.year, local.month, tz)[0]
    return local.strftime("%Y-%m") if start == moment else None


def month_keys(db: Database, moments: list[datetime]) -> list[str] | None:
    """Month keys of the moments when all are month starts in the rollups' zone, else None."""
    tz = rollup_zone(db)
    keys = [month_key_at(m, tz) for m in moments]
    return None if any(k is None for k in keys) else keys  # type: ignore[return-value]


def prepare(db: Database, tz: str) -> None:
    """Make the rollups keyed in the shop's zone before a report reads them."""
    ensure_zone(db, tz)


def next_month(key: str) -> str:
    """The month key after `key`."""
    y, m = int(key[:4]), int(key[5:])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _nearest_month_start(text: str, tz: str) -> tuple[str, str]:
    """(month key, storage text) of the month start nearest to a storage time."""
    local = from_db(text).astimezone(zone(tz))
    start = month_bounds(local.year, local.month, tz)
    later = month_bounds(*((local.year + 1, 1) if local.month == 12 else
                           (local.year, local.month + 1)), tz)[0]
    moment = from_db(text)
    best = start[0] if moment - start[0] <= later - moment else later
    return best.astimezone(zone(tz)).strftime("%Y-%m"), to_db(best)


def window_ranges(db: Database, windows: list[list[str]]
                  ) -> tuple[list[list[tuple[str, str]]], list[tuple[int, int, int, str, str]]]:
    """Per end, the whole-month [first, last) range of each tier window (lo, hi] (bounds in
    pairs), and the edges to read from the ledger: (end, slot, sign, from, to)."""
    tz = rollup_zone(db)
    ranges: list[list[tuple[str, str]]] = []
    edges = []
    for i, bounds in enumerate(windows):
        mine = []
        for j in range(len(bounds) // 2):
            start, end = _half_open(bounds[2 * j], bounds[2 * j + 1])
            (first, first_at), (last, last_at) = (_nearest_month_start(start, tz),
                                                  _nearest_month_start(end, tz))
            mine.append((first, last))
            edges += [(i, j, 1, start, first_at), (i, j, -1, end, last_at)]
        ranges.append(mine)
    return ranges, edges


def month_scan(db: Database, root: dict[str, str], index: ra.MemberIndex, months: list[str],
               windows: list[list[str]], buyers: tuple[str, str, str, str] | None = None,
               totals: bool = True) -> ra.MonthScan:
    """Purchases before each month key, the tier-window spend at each end (whole months from
    `member_months`, the edges from the ledger) and the month's buyers, in one pass."""
    ranges, edges = window_ranges(db, windows)
    scan = ra.scan_rollups(db, root, index, months, ranges, buyers, totals)
    for i, j, sign, a, b in edges:
        ra.add_edges(scan, root, i, j, *_edge(db, sign, a, b))
    return scan


def member_scan(db: Database, root: dict[str, str], ends: list[datetime], months: list[str],
                windows: list[list[str]]) -> tuple[list[dict[str, list]], list[dict[str, list]]]:
    """`report_members.member_scan` from `member_months`, as dictionaries."""
    scan = month_scan(db, root, ra.member_index(db), months, windows)
    ids = scan.index.ids
    purchases = [{ids[i]: [int(p.count[i]), int(p.net[i]), *p.times(i)]
                  for i in p.bought()} for p in scan.purchases]
    listed = np.flatnonzero(scan.listed)
    sums = [{ids[i]: [int(v) for v in s[i]] for i in listed} for s in scan.spend]
    return purchases, sums


def _half_open(lo: str, hi: str) -> tuple[str, str]:
    """(lo, hi] as [lo + 1 µs, hi + 1 µs): storage times are whole microseconds."""
    return to_db(from_db(lo) + TICK), to_db(from_db(hi) + TICK)


def _edge(db: Database, sign: int, a: str, b: str) -> tuple[int, list[tuple[str, int]]]:
    """(sign, per-member spend in [a, b)) to add (sign 1) or take off (-1); a reversed range
    is read forwards with the sign flipped."""
    if a == b:
        return sign, []
    if a > b:
        a, b, sign = b, a, -sign
    return sign, db.execute(
        "SELECT member_id, SUM(spend) FROM ledger INDEXED BY ledger_kind_at WHERE kind IN "
        f"({_SPEND}) AND at >= ? AND at < ? GROUP BY member_id", [a, b]).fetchall()


def merge_member_sums(acc: dict[str, list], member: str, count: int, net: int, first: str,
           last: str) -> None:
    """Add one member's purchase sums to its root's (merged members' histories are one)."""
    cur = acc.get(member)
    if cur is None:
        acc[member] = [count, net, first, last]
    else:
        cur[0] += count
        cur[1] += net
        cur[2], cur[3] = min(cur[2], first), max(cur[3], last)


def buyers(db: Database, root: dict[str, str], start: str, end: str, since: str,
           previous: str) -> dict[str, list]:
    """`report_queries.buyers` from `member_months` (all four bounds are month keys)."""
    scan = ra.scan_rollups(db, root, ra.member_index(db), [], [],
                           (start, end, since, max(since, previous)))
    return buyer_rows(scan)


def buyer_rows(scan: ra.MonthScan) -> dict[str, list]:
    """Member -> [sales, total, net in the month, sales in the month before, in the months
    before since `since`] of the members who bought in [since, end)."""
    b = scan.buyers
    assert b is not None
    ids = scan.index.ids
    return {ids[i]: [int(v) for v in b[i]] for i in np.flatnonzero((b[:, 0] > 0) | (b[:, 4] > 0))}


def month_totals(db: Database, root: dict[str, str], month: str, members: list[str]
                 ) -> dict[str, int]:
    """Each member's sales total in one month (merged members' sales on their holder)."""
    wanted = set(members)
    ids = members + [m for m, r in root.items() if r in wanted]
    out = dict.fromkeys(members, 0)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for member, total in db.execute(
                f"SELECT member_id, total FROM member_months WHERE month = ? AND member_id IN "
                f"({','.join('?' * len(chunk))})", [month, *chunk]):
            out[root.get(member, member)] += total
    return out


def point_flows(db: Database, month: str) -> dict[str, int]:
    """`report_queries.point_flows` of one whole month."""
    row = db.execute(f"SELECT {', '.join(POINT_COLUMNS)} FROM point_months WHERE month = ?",
                     [month]).fetchone()
    return dict(zip(POINT_COLUMNS, row or (0,) * len(POINT_COLUMNS)))


def points_from(db: Database, months: list[str]) -> list[int]:
    """Per month key: the net points of every entry dated in it or later."""
    net = "earn + bonus + adjust_in - adjust_out - redeem + restore - reverse"
    cols = ", ".join(f"COALESCE(SUM(CASE WHEN month >= ? THEN {net} END), 0)" for _ in months)
    return list(db.execute(f"SELECT {cols} FROM point_months", months).fetchone())

