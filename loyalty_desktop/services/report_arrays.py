"""Per-member report numbers as numpy arrays over one index of every member of the store.

The monthly report values 100,000 members at two month ends; a Python loop per member per
step costs seconds, so the sums come from one grouped pass over the `member_months` rollup
and the per-member steps (tiers, RFM, CLV, buyers) run on arrays aligned to `MemberIndex`.
Merged members' rows land on the member that now holds their ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..domain.clock import to_db
from ..store.sqlite_db import Database

_BUYER_COLUMNS = 5  # sales, total, net in the month; sales in the month before; in the 3 before


@dataclass
class MemberIndex:
    """Every member id (merged and erased too) with its position, creation and erasure time."""

    ids: list[str]
    pos: dict[str, int]
    created: list[str]
    erased: list[str]  # '' when not erased
    merged: list[bool]

    def position(self, member: str, root: dict[str, str]) -> int:
        """The array position of the member holding `member`'s ledger (added if unknown)."""
        holder = root.get(member, member)
        at = self.pos.get(holder)
        if at is None:
            at = self.pos[holder] = len(self.ids)
            self.ids.append(holder)
            self.created.append("")
            self.erased.append("")
            self.merged.append(True)  # not a listed member: never counted at an end
        return at

    def enrolled(self, end: datetime) -> np.ndarray:
        """Mask of the members (not merged, not erased) enrolled before `end`."""
        e = to_db(end)
        created = np.array(self.created, dtype=object)
        erased = np.array(self.erased, dtype=object)
        return ((created < e) & ((erased == "") | (erased >= e))
                & ~np.array(self.merged, dtype=bool))

    def members(self, mask: np.ndarray) -> list[str]:
        """The ids where `mask` is true, in index order."""
        return [self.ids[i] for i in np.flatnonzero(mask)]


def member_index(db: Database) -> MemberIndex:
    """All members of the store, in table order."""
    rows = db.execute("SELECT member_id, created_at, COALESCE(erased_at, ''), "
                      "merged_into IS NOT NULL FROM members").fetchall()
    ids, created, erased, merged = (list(c) for c in zip(*rows)) if rows else ([], [], [], [])
    return MemberIndex(ids, dict(zip(ids, range(len(ids)))), created, erased,
                       [bool(m) for m in merged])


@dataclass
class Purchases:
    """Per member as of one end: purchases not fully refunded, their net kuruş, first and last
    purchase time (storage text, None when the member had not bought)."""

    count: np.ndarray
    net: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def bought(self) -> np.ndarray:
        """Positions of the members who had bought."""
        return np.flatnonzero(self.count > 0)


@dataclass
class MonthScan:
    """What one pass over the rollups gives: purchases and tier-window spend per end,
    buyers of the month, and which members have rollup rows or edge spend (`listed`)."""

    index: MemberIndex
    purchases: list[Purchases]
    spend: list[np.ndarray]  # per end: (members, 3) window, window before grace, in grace
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
            p.first, p.last = _pad(p.first, extra, None), _pad(p.last, extra, None)
        self.spend = [np.vstack([s, np.zeros((extra, 3), dtype=np.int64)]) for s in self.spend]
        self.listed = _pad(self.listed, extra, False)
        if self.buyers is not None:
            self.buyers = np.vstack([self.buyers,
                                     np.zeros((extra, _BUYER_COLUMNS), dtype=np.int64)])


def _pad(values: np.ndarray, extra: int, fill: object) -> np.ndarray:
    """`values` with `extra` more entries of `fill`."""
    return np.concatenate([values, np.full(extra, fill, dtype=values.dtype)])


def scan_rollups(db: Database, root: dict[str, str], index: MemberIndex, ends: list[str],
                 windows: list[list[tuple[str, str]]],
                 buyers: tuple[str, str, str, str] | None) -> MonthScan:
    """One grouped pass over `member_months`.

    `ends`: month keys, purchases of the months before each; `windows`: per end, three
    [first, last) month ranges of tier spend; `buyers`: (start, end, since, previous) month
    keys for the month's buyers. Purchases are summed per band between consecutive ends (each
    row's text MIN/MAX evaluated once), then accumulated.
    """
    bands = sorted(set(ends))
    cols, args = [], []

    def arg(value: str) -> str:
        args.append(value)
        return f"?{len(args)}"

    lo = ""
    for hi in bands:
        cond = f"month >= {arg(lo)} AND month < {arg(hi)}"
        cols += [f"SUM(CASE WHEN {cond} THEN purchases ELSE 0 END)",
                 f"SUM(CASE WHEN {cond} THEN total - refunded ELSE 0 END)",
                 f"MIN(CASE WHEN {cond} THEN first_at END)",
                 f"MAX(CASE WHEN {cond} THEN last_at END)"]
        lo = hi
    for ranges in windows:
        cols += [f"SUM(CASE WHEN month >= {arg(a)} AND month < {arg(b)} THEN spend ELSE 0 END)"
                 for a, b in ranges]
    upper = [*ends, *(b for ranges in windows for _, b in ranges)]
    if buyers is not None:
        start, end, since, previous = buyers
        month = f"month >= {arg(start)} AND month < {arg(end)}"
        cols += [f"SUM(CASE WHEN {month} THEN sales ELSE 0 END)",
                 f"SUM(CASE WHEN {month} THEN total ELSE 0 END)",
                 f"SUM(CASE WHEN {month} THEN total - refunded ELSE 0 END)",
                 f"SUM(CASE WHEN month >= {arg(previous)} AND month < {arg(start)} "
                 "THEN sales ELSE 0 END)",
                 f"SUM(CASE WHEN month >= {arg(since)} AND month < {arg(start)} "
                 "THEN sales ELSE 0 END)"]
        upper.append(end)
    rows = db.execute(f"SELECT member_id, {', '.join(cols)} FROM member_months "
                      f"WHERE month < {arg(max(upper))} GROUP BY member_id", args).fetchall()
    return _scan_arrays(rows, root, index, ends, bands, windows, buyers is not None)


def _scan_arrays(rows: list[tuple], root: dict[str, str], index: MemberIndex, ends: list[str],
                 bands: list[str], windows: list[list[tuple[str, str]]],
                 with_buyers: bool) -> MonthScan:
    """The scan's rows laid on the member index (merged members added to their holder)."""
    columns = list(zip(*rows)) if rows else [()] * (1 + 4 * len(bands) + 3 * len(windows)
                                                    + _BUYER_COLUMNS * with_buyers)
    at = np.array([index.position(m, root) for m in columns[0]], dtype=np.int64)
    n = len(index.ids)
    merged = [i for i, m in enumerate(columns[0]) if m in root]
    plain = np.ones(len(at), dtype=bool)
    plain[merged] = False

    def numbers(c: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        values = np.array(columns[c], dtype=np.int64)
        out[at[plain]] = values[plain]
        np.add.at(out, at[~plain], values[~plain])
        return out

    def texts(c: int, pick) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        values = np.array(columns[c], dtype=object)
        out[at[plain]] = values[plain]
        for i in merged:
            value, cur = values[i], out[at[i]]
            if value is not None:
                out[at[i]] = value if cur is None else pick(cur, value)
        return out

    band_sums = [Purchases(numbers(1 + 4 * b), numbers(2 + 4 * b), texts(3 + 4 * b, min),
                           texts(4 + 4 * b, max)) for b in range(len(bands))]
    cumulative = []
    count, net = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    first, last = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    for band in band_sums:
        count, net = count + band.count, net + band.net
        first = np.where(first == None, band.first, first)  # noqa: E711 (elementwise)
        last = np.where(band.last == None, last, band.last)  # noqa: E711
        cumulative.append(Purchases(count, net, first, last))
    by_key = dict(zip(bands, cumulative))
    base = 1 + 4 * len(bands)
    spend = [np.stack([numbers(base + 3 * i + j) for j in range(3)], axis=1)
             for i in range(len(windows))]
    base += 3 * len(windows)
    buyers = (np.stack([numbers(base + j) for j in range(_BUYER_COLUMNS)], axis=1)
              if with_buyers else None)
    listed = np.zeros(n, dtype=bool)
    listed[at] = True
    return MonthScan(index, [by_key[k] for k in ends], spend, listed, buyers)


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
