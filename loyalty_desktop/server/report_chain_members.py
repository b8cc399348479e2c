"""The chain report's member sections: RFM segments, CLV and members at risk (BG/NBD).

The same definitions, keys and shapes as the terminal's monthly report (`services.report_month`
and `report_members`), from the server's rollups. Each member's purchase summary (purchases not
fully refunded, net kuruş, first and last purchase) as of the previous and this month end comes
from one query: the previous month's member snapshot (`report_snapshots`) when the projector
keeps it, else one grouped pass over the member months before the month, joined with the
month's own member months (merged members summed into the member that now holds them); the
steps on it run on numpy arrays (a million members). Single sales
(`report_sales`) are read only for the few hundred members the BG/NBD fit samples and the
at-risk pool, as the terminal's `_transaction_summaries` reads them.

CLV by tier takes each member's tier at the month end from `report_member_tiers`
(`report_ledgers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from ..domain import btyd
from ..domain.analytics import Purchase
from ..domain.clock import from_db, to_db, zone
from ..domain.program import Program
from ..domain.report_math import (
    AT_RISK_SEGMENTS, SAMPLE_FOR_FIT, SEGMENT_CODES, TICK, LocalDays, average_kurus,
    clv_many, month_key, months_between, segment_changes_coded, segment_codes,
    under_a_year_cutoff,
)
from .report_snapshots import months_of

AT_RISK_LIMIT = 10
USE_SNAPSHOTS = True  # tests turn it off to compare with the grouping of every member month
TOP_MEMBERS = 10
_RISKY = [SEGMENT_CODES.index(s) for s in AT_RISK_SEGMENTS]
_TIME = "S32"  # storage times: UTC text of fixed width, so byte order is time order


@dataclass
class Summaries:
    """Per member (root) with member-month rows up to the month end, by id (bytes): at
    the previous and this month end (index 0, 1) purchases, net kuruş and the last purchase
    (storage text, NO_TIME when none), the first purchase of all; the month's sales, total and
    net, and whether there were sales in the month before and in the three months before (a
    count or a 0/1 flag: only compared with 0)."""

    ids: np.ndarray
    count: list[np.ndarray]
    net: list[np.ndarray]
    last: list[np.ndarray]
    first: np.ndarray
    sales: np.ndarray
    total: np.ndarray
    month_net: np.ndarray
    previous: np.ndarray
    recent: np.ndarray
    rank: np.ndarray  # the tier rank at the month end (0: the entry tier)


NO_TIME = "0000-00-00T00:00:00.000000+00:00"  # as wide as a stored time and before every one
_INTS = ("c", "n", "p", "r", "s", "mp", "t", "mn", "k")


def summaries(reader: Any, keys: dict[str, str], lap: Callable[[str], None] = lambda _: None
              ) -> Summaries:
    """Each member's summary before the report's month (`keys`: month, prev, since) per member
    now holding them (`reader.member`, `reader.join`: roots joined), joined with the month's
    own rows (grouped only for members in a merge). Before the month: the previous month's
    member snapshot when the projector keeps it (`report_snapshots`), else one grouped pass
    over every member month before it."""
    pg = reader.postgres
    c = ' COLLATE "C"' if pg else ""  # bytewise, as numpy and Python compare them
    member, join = reader.member, reader.join
    # PostgreSQL: sums kept by value (an int4 count's sum is int8; a float8 sum of whole
    # kuruş is exact below 2^53), not in numeric states that double the grouping's memory
    count = "CAST({} AS INTEGER)" if pg else "{}"
    money = "CAST({} AS DOUBLE PRECISION)" if pg else "{}"
    sales = count.format("sales")
    before = (f"SELECT {member} AS member, SUM({count.format('purchases')}) AS c,"
              f" SUM({money.format('total - refunded')}) AS n, MIN(first_at{c}) AS f,"
              f" MAX(last_at{c}) AS l, SUM({sales}) FILTER (WHERE month >= ?) AS p,"
              f" SUM({sales}) FILTER (WHERE month >= ?) AS r FROM report_member_months mm"
              f"{join} WHERE mm.tenant_id = ? AND month < ? GROUP BY {member}")
    params: tuple[Any, ...] = (keys["prev"], keys["since"], reader.t, keys["month"])
    merged = "(SELECT member_id, root FROM report_roots UNION SELECT root, root FROM report_roots)"
    cursor = reader.all("SELECT snapshots FROM report_cursors WHERE tenant_id = ?", (reader.t,))
    snapshots = months_of(cursor[0][0] if cursor else None)  # read in the report's snapshot
    if keys["prev"] in snapshots and USE_SNAPSHOTS:  # the previous month's member snapshot:
        # one row per member (summed per root for members in a merge), no grouping of history
        flags = (f"CASE WHEN sale_month{c} = ? THEN 1 ELSE 0 END AS p, CASE WHEN"
                 f" sale_month{c} >= ? THEN 1 ELSE 0 END AS r")
        snap = "FROM report_member_snapshots mm{} WHERE mm.tenant_id = ? AND upto = ?"
        before = (f"SELECT mm.member_id AS member, purchases AS c, net AS n, first_at{c} AS f,"
                  f" last_at{c} AS l, {flags} {snap.format('')}")
        params = (keys["prev"], keys["since"], reader.t, keys["prev"])
        if reader.root:
            before += (f" AND mm.member_id NOT IN (SELECT member_id FROM {merged} AS x) UNION"
                       f" ALL SELECT g.root, SUM(purchases), SUM(net), MIN(first_at{c}),"
                       f" MAX(last_at{c}), MAX(CASE WHEN sale_month{c} = ? THEN 1 ELSE 0 END),"
                       f" MAX(CASE WHEN sale_month{c} >= ? THEN 1 ELSE 0 END) "
                       + snap.format(f" JOIN {merged} AS g ON g.member_id = mm.member_id")
                       + " GROUP BY g.root")
            params += params
    own = ("SELECT mm.member_id AS member, sales AS s, purchases AS mp, total AS t, total -"
           f" refunded AS mn, first_at{c} AS mf, last_at{c} AS ml")
    rows = "FROM report_member_months mm{} WHERE mm.tenant_id = ? AND month = ?"
    params += (reader.t, keys["month"])
    if reader.root:  # members in a merge summed per root; everyone else is one row already
        month = (f"{own} {rows.format('')} AND mm.member_id NOT IN (SELECT member_id FROM"
                 f" {merged} AS x) UNION ALL SELECT g.root, SUM(sales), SUM(purchases),"
                 f" SUM(total), SUM(total - refunded), MIN(first_at{c}), MAX(last_at{c}) "
                 + rows.format(f" JOIN {merged} AS g ON g.member_id = mm.member_id")
                 + " GROUP BY g.root")
        params += (reader.t, keys["month"])
    else:
        month = f"{own} {rows.format('')}"
    agg = "string_agg({}, ',')" if pg else "group_concat({}, ',')"
    text = "CAST(CAST(COALESCE({}, 0) AS BIGINT) AS TEXT)" if pg else "COALESCE({}, 0)"
    outer = ", ".join([agg.format("member")] + [agg.format(text.format(n)) for n in _INTS] + [
        agg.format(f"COALESCE({n}, '{NO_TIME}')") for n in ("f", "l", "mf", "ml")])
    row = reader.all(  # each member's tier at the month end joined on: its stretch above the
        # entry tier covering the month, if any (`report_ledgers`)
        f"SELECT {outer} FROM (SELECT COALESCE(g.member, m.member) AS member, g.c, g.n, g.f,"
        " g.l, g.p, g.r, m.s, m.mp, m.t, m.mn, m.mf, m.ml FROM (" + before + ") AS g FULL JOIN"
        f" ({month}) AS m ON m.member = g.member) AS per LEFT JOIN (SELECT member_id, rank AS k"
        " FROM report_member_tiers WHERE tenant_id = ? AND since <= ? AND until > ?) AS tr"
        " ON tr.member_id = per.member", (*params, reader.t, keys["month"], keys["month"]))[0]
    lap("member query")
    if row[0] is None:
        return _summaries([np.zeros(0, dtype="S1")] + [np.zeros(0, dtype=np.int64)] * 9
                          + [np.zeros(0, dtype=_TIME)] * 4)
    count = None
    columns: list[np.ndarray] = []
    for i, joined in enumerate(row):
        if 1 <= i <= len(_INTS):
            columns.append(np.fromstring(joined, dtype=np.int64, sep=","))
            count = len(columns[-1])
        else:
            columns.append(joined)
    assert count is not None
    return _summaries([_texts(v, count) if isinstance(v, str) else v for v in columns])


def _summaries(columns: list[np.ndarray]) -> Summaries:
    """Summaries from the query's columns (see `summaries`)."""
    ids, c0, n0, previous, recent, sales, purchases, total, month_net, rank, f, l0, mf, ml = \
        columns
    return Summaries(ids, [c0, c0 + purchases], [n0, n0 + month_net],
                     [l0, np.where(purchases > 0, ml, l0)], np.where(c0 > 0, f, mf), sales,
                     total, month_net, previous, recent, rank)


def _texts(joined: str, count: int) -> np.ndarray:
    """`count` comma-joined texts as a numpy bytes array: read in place when all are as wide
    (member ids, stored times), else split."""
    raw = joined.encode()
    width = (len(raw) + 1) // count - 1
    if (width + 1) * count == len(raw) + 1 and width > 0:
        grid = np.frombuffer(raw + b",", dtype=np.uint8).reshape(count, width + 1)
        if (grid[:, width] == ord(",")).all():
            return np.ascontiguousarray(grid[:, :width]).view(f"S{width}").ravel()
    return np.array([v.encode() for v in joined.split(",")])


def buyer_counts(s: Summaries) -> dict[str, int]:
    """Active (bought in the month), the previous month's buyers, lapsed (bought in the three
    months before, not in this one), retained and repeat buyers, as the terminal counts them."""
    active, previous = s.sales > 0, s.previous > 0
    return {"active": int(active.sum()), "previous": int(previous.sum()),
            "lapsed": int(((s.recent > 0) & ~active).sum()), "repeat": int((s.sales >= 2).sum()),
            "kept": int((previous & active).sum())}


def top_buyers(s: Summaries, count: int) -> list[dict[str, Any]]:
    """The members who spent most in the month (net of refunds), ties by member id."""
    return [{"member_id": s.ids[i].decode(), "sales": int(s.sales[i]), "total": int(s.total[i]),
             "net": int(s.month_net[i])}
            for i in _most_spent(np.flatnonzero(s.sales > 0), s.month_net, s.ids, count)]


def member_sections(reader: Any, keys: dict[str, str], bounds: tuple[datetime, datetime],
                    tz: str, program: Program, lap: Callable[[str], None]) -> dict[str, Any]:
    """Buyer counts (`buyers`), `top_members`, `segments`, `clv` and `at_risk` of the month
    [bounds) whose month keys are `keys`; `reader` is the report's (`report_chain._Reader`,
    roots joined)."""
    s = summaries(reader, keys, lap)
    lap("member arrays")
    out: dict[str, Any] = {"buyers": buyer_counts(s), "top_members": top_buyers(s, TOP_MEMBERS)}
    moments = [bounds[0] - TICK, bounds[1] - TICK]
    codes = [segments_at(s.count[k], s.last[k], moments[k], tz) for k in (0, 1)]
    out.update(segments=segment_section(codes), clv=clv_section(s, moments[1], program))
    lap("segments and CLV")
    risk = at_risk(reader, s, codes[1], moments[1], tz, reader.root)
    out["at_risk"] = {**risk, "members": reader.named(risk["members"])}
    lap("at risk")
    return out


def _day_ordinals(times: np.ndarray, today: date, tz: str) -> np.ndarray:
    """The shop-local date (as an ordinal) of storage times, by bisecting the midnights back
    to the oldest of them."""
    earliest = min(times.tolist())  # numpy has no minimum of bytes
    oldest = from_db(earliest.decode()).astimezone(zone(tz)).date()
    days = LocalDays(today, tz, max((today - oldest).days, 0) + 1)
    bounds = np.array(days.bounds, dtype=_TIME)
    found = np.searchsorted(bounds, times, side="right")
    out = days.days[0].toordinal() + found.astype(np.int64) - 1
    for i in np.flatnonzero((found == 0) | (found == len(bounds))):
        out[i] = from_db(times[i].decode()).astimezone(zone(tz)).date().toordinal()
    return out


def segments_at(count: np.ndarray, last: np.ndarray, moment: datetime, tz: str) -> np.ndarray:
    """RFM segment code of every member who had bought by `moment` (-1 for the others), scored
    among them as the terminal's report scores them."""
    codes = np.full(len(count), -1, dtype=np.int8)
    bought = np.flatnonzero(count > 0)
    if len(bought):
        today = moment.astimezone(zone(tz)).date()
        last_day = _day_ordinals(last[bought], today, tz)
        codes[bought] = segment_codes(today.toordinal() - last_day, count[bought])
    return codes


def clv_section(s: Summaries, now: datetime, program: Program) -> dict[str, Any]:
    """Average CLV of the members who have bought by `now` (the month's last instant),
    overall and by their tier then (`s.rank`)."""
    lifespan = program.clv_lifespan_years
    bought = np.flatnonzero(s.count[1] > 0)
    values = s.net[1][bought] * lifespan
    older = np.flatnonzero(s.first[bought] <= to_db(under_a_year_cutoff(now)).encode())
    if len(older):  # stored UTC times to microseconds since the epoch
        firsts = s.first[bought[older]].astype("S26").astype("U26").astype("datetime64[us]")
        values[older] = clv_many(s.net[1][bought[older]], firsts.astype(np.int64), now, lifespan)
    tiers = s.rank[bought]
    by_tier = {}
    for rank, tier in enumerate(program.tiers):
        mine = values[tiers == rank]
        by_tier[tier.key] = {"members": len(mine),
                             "average": average_kurus(int(mine.sum()), len(mine))}
    return {"lifespan_years": lifespan, "members": len(values),
            "average": average_kurus(int(values.sum()), len(values)), "by_tier": by_tier}


def segment_section(codes: list[np.ndarray]) -> dict[str, dict]:
    """RFM segment sizes at both month ends, who joined and who left."""
    return segment_changes_coded(codes[0], codes[1], SEGMENT_CODES)


def at_risk(reader: Any, s: Summaries, codes: np.ndarray, moment: datetime, tz: str,
            roots: dict[str, str], limit: int | None = AT_RISK_LIMIT) -> dict[str, Any]:
    """Valuable members who stopped coming (the terminal's `report_members.at_risk`): BG/NBD
    p_alive < 0.5 when the fit works, else a high or medium churn risk; candidates are the
    RFM segments at_risk and cant_lose, most spent first."""
    now = moment.astimezone(zone(tz))
    ids, count, net, last = s.ids, s.count[1], s.net[1], s.last[1]
    risky = np.flatnonzero(np.isin(codes, _RISKY))
    pool_size = len(risky) if limit is None else max(limit * 5, 50)
    pos = {ids[i].decode(): i for i in _most_spent(risky, net, ids, pool_size)}
    pool = list(pos)
    everyone = np.sort(ids[count > 0])  # by id (bytes: as Python orders the strings)
    sample = [m.decode() for m in everyone[::max(1, len(everyone) // SAMPLE_FOR_FIT)]]
    sales = _sales_of(reader, roots, sorted(set(sample) | set(pool)), now)
    days = LocalDays(now.date(), tz)
    summary = {m: _summary(rows, days, now) for m, rows in sales.items()}
    params = btyd.fit_or_none([summary[m] for m in sample if m in summary])
    method = "churn_risk" if params is None else "bgnbd"
    out = []
    for member in pool:
        if member not in summary:
            continue
        risky_now, shown = btyd.risk_of(params, summary[member], lambda: [
            Purchase(from_db(at), amount) for at, amount in sales[member]], now)
        if risky_now:
            i = pos[member]
            out.append({"member_id": member, "segment": SEGMENT_CODES[codes[i]],
                        "purchases": int(count[i]), "spent": int(net[i]),
                        "last_purchase": from_db(last[i].decode()).astimezone(zone(tz)).date()
                        .isoformat(), "p_alive" if params is not None else "churn_risk": shown})
        if limit is not None and len(out) >= limit:
            break
    return {"method": method, "candidates": len(risky), "members": out}


def _most_spent(positions: np.ndarray, net: np.ndarray, ids: np.ndarray, count: int
                ) -> list[int]:
    """The `count` positions among `positions` whose members spent most (ties by id), in
    that order."""
    spent = net[positions]
    if len(positions) > count:
        floor = np.partition(spent, len(spent) - count)[len(spent) - count]
        positions = positions[spent >= floor]
    return sorted(positions.tolist(), key=lambda i: (-int(net[i]), ids[i]))[:count]


def _sales_of(reader: Any, roots: dict[str, str], members: list[str], now: datetime
              ) -> dict[str, list[tuple[str, int]]]:
    """(time, net kuruş) of each member's purchases (not fully refunded) up to `now`, merged
    members' under the member holding them, in time order."""
    wanted = set(members)
    ids = members + [m for m, r in roots.items() if r in wanted]
    out: dict[str, list[tuple[str, int]]] = {}
    first = reader.all("SELECT MIN(month) FROM report_member_months WHERE tenant_id = ?",
                       (reader.t,))[0][0]
    if first is None:
        return out
    # every month up to `now` named: the sales are indexed by (month, member)
    in_months, month_params = reader.ids_clause(months_between(first, month_key(now.year,
                                                                                now.month)))
    for i in range(0, len(ids), 500):
        clause, params = reader.ids_clause(ids[i:i + 500])
        for member, at, amount in reader.all(
                f"SELECT member_id, at, total - refunded FROM report_sales WHERE tenant_id = ?"
                f" AND month {in_months} AND member_id {clause} AND total > refunded AND at <= ?",
                (reader.t, *month_params, *params, to_db(now))):
            out.setdefault(roots.get(member, member), []).append((at, int(amount)))
    for rows in out.values():
        rows.sort()
    return out


def _summary(rows: list[tuple[str, int]], days: LocalDays, now: datetime
             ) -> tuple[int, float, float]:
    """`btyd.summarise` of purchases in time order, from the first sale of each shop day."""
    firsts: dict[date, str] = {}
    for at, _ in rows:
        firsts.setdefault(days.day_of(at), at)
    return btyd.summary_of_days(from_db(rows[0][0]), from_db(firsts[max(firsts)]), len(firsts),
                                now)
