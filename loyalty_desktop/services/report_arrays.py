"""Per-member report numbers as numpy arrays over one index of every member of the store.

The monthly report values 100,000 members at two month ends; a Python loop per member per
step costs seconds, so the sums come from one grouped pass over the `member_months` rollup
and the per-member steps (tiers, RFM, CLV, buyers) run on arrays aligned to `MemberIndex`.
Merged members' rows land on the member that now holds their ledger.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import numpy as np

from ..domain.clock import from_micros, to_db
from ..store.sqlite_db import Database

_BUYER_COLUMNS = 5  # sales, total, net in the month; sales in the month before; in the 3 before
TOTAL = 1  # the buyers' column of the month's sales total (left at 0 when not asked for)


@dataclass
class MemberIndex:
    """Every member id (merged and erased too) with its position, and per bound asked for,
    which members were enrolled before it (not merged, not erased) and which after it."""

    ids: list[str]
    pos: dict[str, int]
    before: dict[str, np.ndarray]  # storage time -> mask of members listed before it
    since: dict[str, np.ndarray]  # storage time -> mask of members created at or after it

    def position(self, member: str, root: dict[str, str]) -> int:
        """The array position of the member holding `member`'s ledger (added if unknown: an
        unknown member is never counted as enrolled)."""
        holder = root.get(member, member)
        at = self.pos.get(holder)
        if at is None:
            at = self.pos[holder] = len(self.ids)
            self.ids.append(holder)
        return at

    def enrolled(self, end: datetime) -> np.ndarray:
        """Mask of the members (not merged, not erased) enrolled before `end`."""
        return _pad(self.before[to_db(end)], len(self.ids) - len(self.before[to_db(end)]), False)

    def created_since(self, start: datetime) -> np.ndarray:
        """Mask of the members created at or after `start`."""
        mask = self.since[to_db(start)]
        return _pad(mask, len(self.ids) - len(mask), False)

    def members(self, mask: np.ndarray) -> list[str]:
        """The ids where `mask` is true, in index order."""
        return [self.ids[i] for i in np.flatnonzero(mask)]


def member_index(db: Database, ends: Sequence[datetime] = ()) -> MemberIndex:
    """All members of the store, in table order, with who was enrolled before each of `ends`
    and who was created since each of them (one pass, read by columns)."""
    bounds = [to_db(e) for e in ends]
    listed = ("created_at < ?{0} AND merged_into IS NULL AND "
              "(erased_at IS NULL OR erased_at >= ?{0})")
    exprs = ["group_concat(member_id, ',')"]
    for i in range(len(bounds)):
        exprs += [f"group_concat({listed.format(i + 1)}, ',')",
                  f"group_concat(created_at >= ?{i + 1}, ',')"]
    row = db.execute(f"SELECT {', '.join(exprs)} FROM members", bounds).fetchone()
    ids = row[0].split(",") if row[0] else []
    masks = [_parsed([v], False).astype(bool) for v in row[1:]]
    return MemberIndex(ids, dict(zip(ids, range(len(ids)))), dict(zip(bounds, masks[0::2])),
                       dict(zip(bounds, masks[1::2])))


@dataclass
class Purchases:
    """Per member as of one end: purchases not fully refunded, their net kuruş, first and last
    purchase time (microseconds since the epoch, 0 when the member had not bought)."""

    count: np.ndarray
    net: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def bought(self) -> np.ndarray:
        """Positions of the members who had bought."""
        return np.flatnonzero(self.count > 0)

    def times(self, i: int) -> tuple[str | None, str | None]:
        """Member i's first and last purchase as storage text (None when it had not bought)."""
        return tuple(to_db(from_micros(v)) if v else None  # type: ignore[return-value]
                     for v in (self.first[i], self.last[i]))


@dataclass
class MonthScan:
    """What one pass over the rollups gives: purchases and tier-window spend per end,
    buyers of the month, and which members have rollup rows or edge spend (`listed`)."""

    index: MemberIndex
    purchases: list[Purchases]
    spend: list[np.ndarray]  # per end: (members, windows), see report_members.tier_ranks
    listed: np.ndarray
    buyers: np.ndarray | None  # (members, 5), see _BUYER_COLUMNS

    def grow(self) -> None:
        """Extend every array to members added to the index since the scan began."""
        n = len(self.index.ids)
        extra = n - len(self.listed)
        if extra <= 0:
            return
        for p in self.purchases:
            p.count, p.net = _pad(p.count, extra, 0), _pad(p.net, extra, 0)
            p.first, p.last = _pad(p.first, extra, 0), _pad(p.last, extra, 0)
        self.spend = [np.vstack([s, np.zeros((extra, s.shape[1]), dtype=np.int64)])
                      for s in self.spend]
        self.listed = _pad(self.listed, extra, False)
        if self.buyers is not None:
            self.buyers = np.vstack([self.buyers,
                                     np.zeros((extra, _BUYER_COLUMNS), dtype=np.int64)])


def _pad(values: np.ndarray, extra: int, fill: object) -> np.ndarray:
    """`values` with `extra` more entries of `fill`."""
    return np.concatenate([values, np.full(extra, fill, dtype=values.dtype)])


Formula = list[tuple[int, int]]  # (sign, column): a per-member sum of scan columns
_NEAR = 6  # months: a bound this close to the scan's top is read as "rows from it on"


def _month_number(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:]) - 1


class _Columns:
    """The aggregate columns of one grouped pass over the rollup rows of months before `top`.

    Aggregates that see every row cost most, so conditional ones are FILTERed (a row outside
    the range costs a comparison), sums up to a recent bound are the total minus the rows
    from the bound on, and a sum up to a bound no row precedes is no column at all. Equal
    values share a parameter and equal expressions a column.
    """

    def __init__(self, top: str, first: str) -> None:
        self.top = top
        self.first = first  # the earliest month with rollup rows: no row is before it
        self.args: list[str] = []
        self.exprs: list[str] = []
        self.nullable: set[int] = set()  # columns of MIN/MAX (NULL when no row has a value)

    def param(self, value: str) -> str:
        if value not in self.args:
            self.args.append(value)
        return f"?{self.args.index(value) + 1}"

    def column(self, fn: str, value: str, lo: str = "", hi: str = "\uffff") -> int:
        """Position (after member_id) of fn(value) over the rows of months in [lo, hi)."""
        parts = ([f"month >= {self.param(lo)}"] if lo > self.first else []) + (
            [f"month < {self.param(hi)}"] if hi < self.top else [])
        expr = f"{fn}({value})"
        if parts:
            expr = f"{expr} FILTER (WHERE {' AND '.join(parts)})"
            expr = f"COALESCE({expr}, 0)" if fn == "SUM" else expr
        if expr not in self.exprs:
            self.exprs.append(expr)
        if fn != "SUM":
            self.nullable.add(self.exprs.index(expr) + 1)
        return self.exprs.index(expr) + 1

    def before(self, value: str, bound: str) -> Formula:
        """SUM(value) over the months before `bound`."""
        if bound <= self.first:
            return []
        if bound >= self.top:
            return [(1, self.column("SUM", value))]
        if _month_number(self.top) - _month_number(bound) <= _NEAR:
            return [(1, self.column("SUM", value)), (-1, self.column("SUM", value, lo=bound))]
        return [(1, self.column("SUM", value, hi=bound))]

    def between(self, value: str, lo: str, hi: str) -> Formula:
        """SUM(value) over the months in [lo, hi)."""
        return self.before(value, hi) + [(-s, c) for s, c in self.before(value, lo)]

    def within(self, value: str, lo: str, hi: str) -> Formula:
        """SUM(value) over the months in [lo, hi) as one column (none when no row is in it)."""
        return [(1, self.column("SUM", value, lo, hi))] if hi > self.first else []


def scan_rollups(db: Database, root: dict[str, str], index: MemberIndex, ends: list[str],
                 windows: list[list[tuple[str, str]]],
                 buyers: tuple[str, str, str, str] | None, totals: bool = True) -> MonthScan:
    """One grouped pass over `member_months`.

    `ends`: month keys, purchases of the months before each; `windows`: per end, three
    [first, last) month ranges of tier spend; `buyers`: (start, end, since, previous) month
    keys for the month's buyers (`totals` False: without the month's sales total, a column
    the report needs for ten members only). The last purchase is taken per band between
    consecutive ends (MAX is a dear aggregate), then carried forward; the first purchase
    before an end is the first of all when the member had bought by then. Both are the
    integer copies of the times (`first_us`, `last_us`): MIN/MAX over the text ones cost
    several times more.
    """
    upper = [*ends, *(b for ranges in windows for _, b in ranges)]
    if buyers is not None:
        upper.append(buyers[1])
    earliest = db.execute("SELECT MIN(month) FROM member_months").fetchone()[0]
    q = _Columns(max(upper), earliest or max(upper))
    net = "total - refunded"
    first = q.column("MIN", "first_us")
    lo, layout = "", []
    for hi in sorted(set(ends)):
        layout.append((hi, q.before("purchases", hi), q.before(net, hi), first,
                       q.column("MAX", "last_us", lo, hi)))
        lo = hi
    spend = [[q.between("spend", a, b) for a, b in ranges] for ranges in windows]
    bought: list[Formula] = []
    if buyers is not None:
        start, end, since, previous = buyers
        bought = [q.within("sales", start, end),
                  q.within("total", start, end) if totals else [],
                  q.within(net, start, end), q.within("sales", previous, start),
                  q.within("sales", since, start)]
    top = q.param(q.top)
    # The primary key's order groups the rows without a sort (never the month index).
    source = f"member_months NOT INDEXED WHERE month < {top}"
    columns = grouped_columns(db, q.exprs, source, q.args, index.ids, q.nullable)
    return _scan_arrays(columns, root, index, ends, layout, spend, bought)


PARALLEL_FROM = 20_000  # members: below this one connection is quicker than two


def grouped_columns(db: Database, exprs: list[str], source: str, args: list[str],
                    members: list[str], nullable: set[int]) -> list:
    """`SELECT member_id, *exprs FROM source GROUP BY member_id` by columns: the ids, then
    an int64 array per expression (0 where one numbered in `nullable` is NULL).

    The rows come back as one comma-joined text per column that numpy parses: building a
    tuple of Python objects per member costs several times more on 100,000 members. On a
    big store file the two halves of the member ids are read at once, the second on its
    own read-only connection (SQLite works outside the GIL).
    """
    inner = ", ".join(f"{e} AS c{i + 1}" for i, e in enumerate(exprs))
    outer = ", ".join(["group_concat(member_id, ',')"] + [
        f"group_concat(IFNULL(c{i}, 0), ',')" if i in nullable else f"group_concat(c{i}, ',')"
        for i in range(1, len(exprs) + 1)])
    sql = f"SELECT {outer} FROM (SELECT member_id, {inner} FROM {source}{{}} GROUP BY member_id)"
    path = _file_of(db)
    if path is None or len(members) < PARALLEL_FROM:
        parts = [db.execute(sql.format(""), args).fetchone()]
    else:
        middle, n = _median(members), len(args) + 1
        upper = sql.format(f" AND member_id >= ?{n}")
        with ThreadPoolExecutor(max_workers=1) as pool:
            later = pool.submit(_read_only_row, path, upper, [*args, middle])
            parts = [db.execute(sql.format(f" AND member_id < ?{n}"), [*args, middle]).fetchone()]
            try:
                parts.append(later.result())
            except sqlite3.Error:  # no second connection (e.g. a read-only medium): read here
                parts.append(db.execute(upper, [*args, middle]).fetchone())
    return [_parsed([part[c] for part in parts], c == 0)
            for c in range(len(exprs) + 1)]


def _parsed(joined: list[str | None], text: bool) -> list | np.ndarray:
    """One column from its comma-joined parts: a list of str/None, or an int64 array."""
    if text:
        return [v or None for part in joined if part is not None for v in part.split(",")]
    return np.concatenate([np.zeros(0, dtype=np.int64)] + [
        np.fromstring(part, dtype=np.int64, sep=",") for part in joined if part])


def _median(members: list[str]) -> str:
    """About the middle member id (from a sample of a thousand)."""
    sample = sorted(members[:: max(1, len(members) // 1000)])
    return sample[len(sample) // 2]


def _file_of(db: Database) -> str | None:
    """The main database file of a connection, None for an in-memory one."""
    for _, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return path or None
    return None


def _read_only_row(path: str, sql: str, args: list[str]) -> tuple:
    """The one row of a query, on a new read-only connection."""
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchone()
    finally:
        conn.close()


def _scan_arrays(columns: list, root: dict[str, str], index: MemberIndex, ends: list[str],
                 layout: list[tuple[str, Formula, Formula, int, int]],
                 spend: list[list[Formula]], bought: list[Formula]) -> MonthScan:
    """The scan's columns laid on the member index (merged members added to their holder)."""
    pos = index.pos
    if root or not pos.keys() >= set(columns[0]):
        at = np.array([index.position(m, root) for m in columns[0]], dtype=np.int64)
    else:  # the usual store: every row's member is listed and none was merged
        at = np.fromiter(map(pos.__getitem__, columns[0]), dtype=np.int64,
                         count=len(columns[0]))
    n = len(index.ids)
    merged = [i for i, m in enumerate(columns[0]) if m in root]
    plain = np.ones(len(at), dtype=bool)
    plain[merged] = False
    cache: dict[int, np.ndarray] = {}

    def numbers(c: int) -> np.ndarray:
        if c not in cache:
            out = np.zeros(n, dtype=np.int64)
            values = columns[c]
            out[at[plain]] = values[plain]
            np.add.at(out, at[~plain], values[~plain])
            cache[c] = out
        return cache[c]

    def formula(terms: Formula) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for sign, c in terms:
            out += sign * numbers(c)
        return out

    def times(c: int, pick) -> np.ndarray:  # 0: none
        out = np.zeros(n, dtype=np.int64)
        values = columns[c]
        out[at[plain]] = values[plain]
        for i in merged:
            value, cur = int(values[i]), int(out[at[i]])
            if value:
                out[at[i]] = pick(cur, value) if cur else value
        return out

    by_key, last = {}, np.zeros(n, dtype=np.int64)
    first_all = times(layout[0][3], min) if layout else None
    for key, count_terms, net_terms, _, band_last in layout:
        band = times(band_last, max)
        last = np.where(band == 0, last, band)
        count = formula(count_terms)
        by_key[key] = Purchases(count, formula(net_terms), np.where(count > 0, first_all, 0),
                                last)
    listed = np.zeros(n, dtype=bool)
    listed[at] = True
    return MonthScan(index, [by_key[k] for k in ends],
                     [np.stack([formula(t) for t in terms], axis=1) for terms in spend], listed,
                     np.stack([formula(t) for t in bought], axis=1) if bought else None)


def add_edges(scan: MonthScan, root: dict[str, str], end: int, slot: int, sign: int,
              rows: list[tuple[str, int]]) -> None:
    """Add (sign 1) or take off (-1) per-member spend read from the ledger at a window edge."""
    if not rows:
        return
    at = [scan.index.position(m, root) for m, _ in rows]
    scan.grow()
    np.add.at(scan.spend[end][:, slot], at, sign * np.array([s for _, s in rows],
                                                            dtype=np.int64))
    scan.listed[at] = True
