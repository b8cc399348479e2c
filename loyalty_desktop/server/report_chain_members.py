"""The chain report's member sections: RFM segments, CLV and members at risk (BG/NBD).

The same definitions, keys and shapes as the terminal's monthly report (`services.report_month`
and `report_members`), from the server's rollups. Each member's purchase summary (purchases not
fully refunded, net kuruş, first and last purchase) as of the previous and this month end comes
from one grouped pass over `report_member_months` (merged members summed into the member that
now holds them); the steps on it run on numpy arrays (a million members). Single sales
(`report_sales`) are read only for the few hundred members the BG/NBD fit samples and the
at-risk pool, as the terminal's `_transaction_summaries` reads them.

CLV by tier is left out: the server has no tiers (see `report_chain.OMITTED`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from ..domain import btyd
from ..domain.analytics import Purchase, churn_risk
from ..domain.clock import from_db, to_db, zone
from ..domain.errors import InvalidInput, Refused
from ..domain.program import Program
from ..domain.report_math import (
    SEGMENT_CODES, LocalDays, average_kurus, clv_from_summary, segment_changes_coded,
    segment_codes, under_a_year_cutoff,
)

# The terminal's (services.report_members): a test holds them equal.
TICK = timedelta(microseconds=1)  # "at the end of the month" = the last instant inside it
SAMPLE_FOR_FIT = 600
AT_RISK_SEGMENTS = ("at_risk", "cant_lose")
AT_RISK_LIMIT = 10
_RISKY = [SEGMENT_CODES.index(s) for s in AT_RISK_SEGMENTS]
_TIME = "S32"  # storage times: UTC text of fixed width, so byte order is time order


@dataclass
class Summaries:
    """Per member (root) who has rows up to the month end, at the previous and this month end
    (index 0, 1): purchases, net kuruş, last purchase (storage text, b"" when none); and the
    first purchase of all (b"" when none)."""

    ids: list[str]
    count: list[np.ndarray]
    net: list[np.ndarray]
    last: list[np.ndarray]
    first: np.ndarray


def summaries(reader: Any, start_key: str, next_key: str, member: str, join: str
              ) -> Summaries:
    """One grouped pass over the member months before `next_key` (the month after the
    report's), per `member` (an SQL expression: the root when merges are joined in)."""
    pg = reader.postgres
    text = (lambda c: f"CAST({c} AS TEXT)") if pg else (lambda c: c)
    times = ' COLLATE "C"' if pg else ""  # bytewise, as numpy compares them
    before = "FILTER (WHERE month < ?)"
    columns = {"c0": f"SUM(purchases) {before}", "c1": "SUM(purchases)",
               "n0": f"SUM(total - refunded) {before}", "n1": "SUM(total - refunded)",
               "f": f"MIN(first_at{times})", "l0": f"MAX(last_at{times}) {before}",
               "l1": f"MAX(last_at{times})"}
    inner = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
    agg = "string_agg({}, ',')" if pg else "group_concat({}, ',')"
    outer = ", ".join([agg.format("member")] + [
        agg.format(text(f"COALESCE({name}, 0)") if name[0] in "cn" else f"COALESCE({name}, '')")
        for name in columns])
    row = reader.all(
        f"SELECT {outer} FROM (SELECT {member} AS member, {inner} FROM report_member_months mm"
        f"{join} WHERE mm.tenant_id = ? AND month < ? GROUP BY {member}) AS per",
        (start_key, start_key, start_key, reader.t, next_key))[0]
    if row[0] is None:
        empty = np.zeros(0, dtype=np.int64)
        blank = np.zeros(0, dtype=_TIME)
        return Summaries([], [empty, empty], [empty, empty], [blank, blank], blank)
    ids = row[0].split(",")
    c0, c1, n0, n1 = (np.array(v.split(","), dtype=np.int64) for v in row[1:5])
    f, l0, l1 = (np.array(v.split(","), dtype=_TIME) for v in row[5:8])
    return Summaries(ids, [c0, c1], [n0, n1], [l0, l1], f)


def member_sections(reader: Any, keys: dict[str, str], bounds: tuple[datetime, datetime],
                    tz: str, program: Program, lap: Callable[[str], None]) -> dict[str, Any]:
    """`segments`, `clv` and `at_risk` of the month [bounds) whose month keys (`month`,
    `next`) are `keys`; `reader` is the report's (`report_chain._Reader`, roots joined)."""
    s = summaries(reader, keys["month"], keys["next"], reader.member, reader.join)
    lap("member sums")
    moments = [bounds[0] - TICK, bounds[1] - TICK]
    codes = [segments_at(s.count[k], s.last[k], moments[k], tz) for k in (0, 1)]
    out = {"segments": segment_section(codes), "clv": clv_section(s, moments[1], program)}
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
    """Average CLV of the members who have bought by `now` (the month's last instant); no
    by-tier part (the server has no tiers)."""
    lifespan = program.clv_lifespan_years
    bought = np.flatnonzero(s.count[1] > 0)
    values = s.net[1][bought] * lifespan
    first = s.first[bought]
    for i in np.flatnonzero(first <= to_db(under_a_year_cutoff(now)).encode()):
        values[i] = clv_from_summary(int(s.net[1][bought[i]]), from_db(first[i].decode()), now,
                                     lifespan)
    return {"lifespan_years": lifespan, "members": len(values),
            "average": average_kurus(int(values.sum()), len(values))}


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
    pos = {ids[i]: i for i in _most_spent(risky, net, ids, pool_size)}
    pool = list(pos)
    everyone = _sorted_ids(ids, np.flatnonzero(count > 0))
    sample = everyone[::max(1, len(everyone) // SAMPLE_FOR_FIT)]
    sales = _sales_of(reader, roots, sorted(set(sample) | set(pool)), now)
    days = LocalDays(now.date(), tz)
    summary = {m: _summary(rows, days, now) for m, rows in sales.items()}
    params, method = None, "churn_risk"
    try:
        rows = [summary[m] for m in sample if m in summary]
        params = btyd.fit_bgnbd(*zip(*rows)) if rows else None
        method = "bgnbd" if params else method
    except (Refused, InvalidInput):
        params = None
    out = []
    for member in pool:
        if member not in summary:
            continue
        if params is not None:
            score = float(btyd.p_alive(params, *summary[member]))
            risky_now, shown = score < 0.5, round(score, 3)
        else:
            shown = churn_risk([Purchase(from_db(at), amount) for at, amount in sales[member]],
                               now)
            risky_now = shown in ("high", "medium")
        if risky_now:
            i = pos[member]
            out.append({"member_id": member, "segment": SEGMENT_CODES[codes[i]],
                        "purchases": int(count[i]), "spent": int(net[i]),
                        "last_purchase": from_db(last[i].decode()).astimezone(zone(tz)).date()
                        .isoformat(), "p_alive" if params is not None else "churn_risk": shown})
        if limit is not None and len(out) >= limit:
            break
    return {"method": method, "candidates": len(risky), "members": out}


def _most_spent(positions: np.ndarray, net: np.ndarray, ids: list[str], count: int
                ) -> list[int]:
    """The `count` positions among `positions` whose members spent most (ties by id), in
    that order."""
    spent = net[positions]
    if len(positions) > count:
        floor = np.partition(spent, len(spent) - count)[len(spent) - count]
        positions = positions[spent >= floor]
    return sorted(positions.tolist(), key=lambda i: (-int(net[i]), ids[i]))[:count]


def _sorted_ids(ids: list[str], positions: np.ndarray) -> list[str]:
    """The ids at `positions`, sorted as Python sorts strings."""
    return sorted(ids[i] for i in positions.tolist())


def _sales_of(reader: Any, roots: dict[str, str], members: list[str], now: datetime
              ) -> dict[str, list[tuple[str, int]]]:
    """(time, net kuruş) of each member's purchases (not fully refunded) up to `now`, merged
    members' under the member holding them, in time order."""
    wanted = set(members)
    ids = members + [m for m, r in roots.items() if r in wanted]
    out: dict[str, list[tuple[str, int]]] = {}
    for i in range(0, len(ids), 500):
        clause, params = reader.ids_clause(ids[i:i + 500])
        for member, at, amount in reader.all(
                "SELECT member_id, at, total - refunded FROM report_sales WHERE tenant_id = ?"
                f" AND member_id {clause} AND total > refunded AND at <= ?",
                (reader.t, *params, to_db(now))):
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
