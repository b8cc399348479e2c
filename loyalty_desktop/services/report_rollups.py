"""The report's per-member and point sums read from the projector's monthly rollups.

Used when every bound is a month start in the rollups' zone (the monthly report); each function
returns exactly what its scan over sales and ledger in `report_members` / `report_queries`
returns. Rolling tier windows whose edges fall inside a month take whole months from the
rollups and the few days at each edge from the ledger (`ledger_kind_at`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from ..domain.clock import from_db, month_bounds, to_db, zone
from ..store.rollups import POINT_COLUMNS, SPEND_KINDS, ensure_zone, rollup_zone
from ..store.sqlite_db import Database

TICK = timedelta(microseconds=1)
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


def member_scan(db: Database, root: dict[str, str], ends: list[datetime], months: list[str],
                windows: list[list[str]]) -> tuple[list[dict[str, list]], list[dict[str, list]]]:
    """`report_members.member_scan` from `member_months`: one pass for purchases and the
    whole-month part of every tier window, then the window edges from the ledger."""
    tz = rollup_zone(db)
    cols, args, edges = [], [], []
    for key in months:
        n = len(args) + 1
        cols.append(f"SUM(CASE WHEN month < ?{n} THEN purchases ELSE 0 END), "
                    f"SUM(CASE WHEN month < ?{n} THEN total - refunded ELSE 0 END), "
                    f"MIN(CASE WHEN month < ?{n} THEN first_at END), "
                    f"MAX(CASE WHEN month < ?{n} THEN last_at END)")
        args.append(key)
    for i, bounds in enumerate(windows):
        for j in range(3):
            start, end = _half_open(bounds[2 * j], bounds[2 * j + 1])
            (first, first_at), (last, last_at) = (_nearest_month_start(start, tz),
                                                  _nearest_month_start(end, tz))
            n = len(args) + 1
            cols.append(f"SUM(CASE WHEN month >= ?{n} AND month < ?{n + 1} THEN spend "
                        "ELSE 0 END)")
            args += [first, last]
            edges += [(i, j, 1, start, first_at), (i, j, -1, end, last_at)]
    k = len(months)
    purchases: list[dict[str, list]] = [{} for _ in months]
    sums: list[dict[str, list[int]]] = [{} for _ in months]
    for row in db.execute(f"SELECT member_id, {', '.join(cols)} FROM member_months "
                          "GROUP BY member_id", args):
        member = root.get(row[0], row[0])
        for i in range(k):
            count, net, first, last = row[1 + 4 * i: 5 + 4 * i]
            if count:
                merge_member_sums(purchases[i], member, count, net, first, last)
            acc = sums[i].setdefault(member, [0, 0, 0])
            for j in range(3):
                acc[j] += row[1 + 4 * k + 3 * i + j]
    for i, j, sign, a, b in edges:
        _edge(db, root, sums[i], j, sign, a, b)
    return purchases, sums


def _half_open(lo: str, hi: str) -> tuple[str, str]:
    """(lo, hi] as [lo + 1 µs, hi + 1 µs): storage times are whole microseconds."""
    return to_db(from_db(lo) + TICK), to_db(from_db(hi) + TICK)


def _edge(db: Database, root: dict[str, str], sums: dict[str, list[int]], slot: int,
          sign: int, a: str, b: str) -> None:
    """Add (sign 1) or take off (-1) the spend in [a, b) (or the reverse range, negated)."""
    if a == b:
        return
    if a > b:
        a, b, sign = b, a, -sign
    for member, spend in db.execute(
            "SELECT member_id, SUM(spend) FROM ledger INDEXED BY ledger_kind_at WHERE kind IN "
            f"({_SPEND}) AND at >= ? AND at < ? GROUP BY member_id", [a, b]):
        acc = sums.setdefault(root.get(member, member), [0, 0, 0])
        acc[slot] += sign * spend


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
    out: dict[str, list] = {}
    for member, *values in db.execute(
            "SELECT member_id, SUM(CASE WHEN month >= ?1 THEN sales ELSE 0 END), "
            "SUM(CASE WHEN month >= ?1 THEN total ELSE 0 END), "
            "SUM(CASE WHEN month >= ?1 THEN total - refunded ELSE 0 END), "
            "SUM(CASE WHEN month >= ?2 AND month < ?1 THEN sales ELSE 0 END), "
            "SUM(CASE WHEN month < ?1 THEN sales ELSE 0 END) FROM member_months "
            "WHERE month >= ?3 AND month < ?4 AND sales > 0 GROUP BY member_id",
            [start, previous, since, end]):
        acc = out.setdefault(root.get(member, member), [0, 0, 0, 0, 0])
        for i, value in enumerate(values):
            acc[i] += value
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

