"""Point lots and tiers for the chain report: each member's ledger folded on the server.

The terminal's report reads its own lots table and walks each member's spend for the tier;
the server keeps, per member (the member now holding a merged history), the entries that
move points and the qualifying spend of each sale (`report_ledgers.state`), and refolds the
member with the domain's ledger (`ledger.fold`, in entry-id order, so the same lots as every
terminal) and tier walk (`tiers.tier_ranks_at`) whenever a run brings it something. What the
report needs is kept as sums the refold changes by its difference:

- `report_point_months`: points left in lots expiring in each shop-local month (`expiring`;
  the terminal's `expired_between`) and points restored into already expired lots (`lost`,
  by the restore's month);
- `report_tier_months`: per month, how many members' tier at the month's last instant
  differs from the month before's, by (rank before, rank after); after = -1 when an erased
  member leaves the lists. A member's series covers its spend's months up to when all of it
  has left the window and the grace ran out (the tier then stays the entry tier);
- `report_member_tiers`: each member's stretches of months above the entry tier (since,
  until, rank: its tier at the end of each of those months), for CLV by tier.

State per member (JSON): {"e": [[entry id, kind, at, points, expires_at, ref (1: the event's
id), event id (None: the entry id's prefix)]...], "s": {sale ref: [first entry id (":000":
after the ref), at, spend]}, "d": {"x": {month: points}, "l":
{month: points}, "t": {month: [rank before, rank after]}, and for an erased member "r": the
series had it not left the lists}}, times in microseconds since the epoch. The tier rules the
series were walked with are in `report_cursors.tier_rules`: a program with other rules
rewalks every member.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from orjson import dumps, loads

from ..domain.clock import from_db, from_micros, micros_of, month_bounds, zone
from ..domain.ledger import Entry, MemberLedger, extend
from ..domain.program import Program
from ..domain.report_math import TICK, month_after, parse_month
from ..domain.tiers import tier_ranks_micros
from .balances import _root
from .storage.base import SqlStorage

CHUNK = 2000  # members read per query
SAME_EVENT = 1  # an entry's ref that is its own event's id (kept as this, not the id again)
OPEN = "9999-12"  # a stretch with no end (a series ends at the entry tier: only for safety)
_UPSERT_STATE = ("INSERT INTO report_ledgers (tenant_id, member_id, state) VALUES (?, ?, ?)"
                 " ON CONFLICT (tenant_id, member_id) DO UPDATE SET state = excluded.state")
_ADD_POINTS = ("INSERT INTO report_point_months (tenant_id, month, expiring, lost) VALUES"
               " (?, ?, ?, ?) ON CONFLICT (tenant_id, month) DO UPDATE SET expiring ="
               " report_point_months.expiring + excluded.expiring, lost ="
               " report_point_months.lost + excluded.lost")
_SET_RANK = ("INSERT INTO report_member_tiers (tenant_id, member_id, since, until, rank) VALUES"
             " (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, member_id, since) DO UPDATE SET until ="
             " excluded.until, rank = excluded.rank")
_DROP_RANK = "DELETE FROM report_member_tiers WHERE tenant_id = ? AND member_id = ? AND since = ?"
_ADD_TIERS = ("INSERT INTO report_tier_months (tenant_id, month, before_rank, after_rank,"
              " members) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, month, before_rank,"
              " after_rank) DO UPDATE SET members = report_tier_months.members +"
              " excluded.members")


def tier_rules(program: Program) -> str:
    """What the tier series depend on, as text (window, grace, thresholds)."""
    return json.dumps([program.tier_window_days, program.downgrade_grace_days,
                       [t.threshold for t in program.tiers]])


class Refolder:
    """Refolds members' states and collects what the sums change by."""

    def __init__(self, tz: str, program: Program) -> None:
        self.tz, self.program = tz, program
        self.points: dict[str, list[int]] = {}  # month -> [expiring, lost] change
        self.tiers: dict[tuple[str, int, int], int] = {}  # (month, before, after) -> change
        self.ranks: list[tuple[str, str, str, int]] = []  # (member, since, until, rank) to write
        self.unranked: list[tuple[str, str]] = []  # (member, since) to drop
        self.span = timedelta(days=program.tier_window_days + program.downgrade_grace_days)
        self.zone = zone(tz)
        self._months: dict[int, str] = {}

    def month_of(self, at: datetime | str) -> str:
        """Shop-local 'YYYY-MM' of a moment (or its storage text)."""
        return self.month_us(micros_of(from_db(at) if isinstance(at, str) else at))

    def month_us(self, micros: int) -> str:
        """Shop-local 'YYYY-MM' of a time in microseconds (cached per UTC minute: offsets are
        whole minutes)."""
        minute = micros // 60_000_000
        found = self._months.get(minute)
        if found is None:
            found = self._months[minute] = from_micros(micros).astimezone(self.zone).strftime(
                "%Y-%m")
        return found

    def refold(self, state: dict[str, Any], erased_at: str | None) -> dict[str, Any]:
        """The derived sums of a state (sorted in place), from scratch."""
        entries = state["e"]
        entries.sort(key=lambda e: e[0])
        led = MemberLedger()
        expiring: dict[str, int] = {}
        lost: dict[str, int] = {}
        for item in entries:
            e = _entry(item)
            if e.kind == "restore":
                before = led.restored_expired
                extend(led, (e,))
                if led.restored_expired != before:
                    month = self.month_us(item[2])
                    lost[month] = lost.get(month, 0) + led.restored_expired - before
            else:
                extend(led, (e,))
        if led.lots:
            expiry = {item[0]: item[4] for item in entries}  # a lot's id is its entry's
            for lot in led.lots:
                if lot.remaining:
                    month = self.month_us(expiry[lot.lot_id])
                    expiring[month] = expiring.get(month, 0) + lot.remaining
        return {"x": expiring, "l": lost, **self.tier_parts(state["s"], erased_at)}

    def tier_parts(self, spends: dict[str, list[Any]], erased_at: str | None
                   ) -> dict[str, dict[str, list[int]]]:
        """The derived tier series ("t"), and for an erased member the series had it stayed
        ("r": its CLV still counts under the tier it held, as the terminal ranks it)."""
        out = {"t": self.tier_series(spends, erased_at)}
        if erased_at:
            out["r"] = self.tier_series(spends, None)
        return out

    def tier_series(self, spends: dict[str, list[Any]], erased_at: str | None
                    ) -> dict[str, list[int]]:
        """Month -> [rank at the month before's end, rank at its end], where they differ."""
        pairs = [(at, amount) for _, at, amount in spends.values() if amount]
        if not pairs:
            return {}
        first = self.month_us(min(pairs)[0])
        last = month_after(self.month_of(from_micros(max(pairs)[0]) + self.span))
        gone = self.month_of(erased_at) if erased_at else None
        cut = gone is not None and gone <= last  # listed up to the month before the erasure
        months, ends = _span(first, gone if cut else last, cut, self.tz)
        ranks = tier_ranks_micros(pairs, ends, self.program)
        out: dict[str, list[int]] = {}
        previous = 0
        for month, rank in zip(months, ranks):
            if rank != previous:
                out[month] = [previous, rank]
            previous = rank
        if gone is not None and previous:
            out[gone] = [previous, -1]
        return out

    @staticmethod
    def held(series: dict[str, list[int]]) -> dict[str, tuple[str, int]]:
        """The member's time above the entry tier from its series of changes: since month ->
        (until month, not included; rank); a rank holds from its change to the next."""
        changes = sorted(series.items())
        return {month: (after[0] if after else OPEN, rank)
                for (month, (_, rank)), after in zip(changes, changes[1:] + [None]) if rank > 0}

    def change(self, member: str, old: dict[str, Any] | None,
               new: dict[str, Any] | None) -> None:
        """Add the difference between a member's old and new derived sums, and its month-end
        tiers to write or drop."""
        was = self.held(old.get("r", old["t"])) if old else {}
        now = self.held(new.get("r", new["t"])) if new else {}
        for since, (until, rank) in now.items():
            if was.get(since) != (until, rank):
                self.ranks.append((member, since, until, rank))
        self.unranked.extend((member, since) for since in was if since not in now)
        for d, sign in ((old, -1), (new, 1)):
            if not d:
                continue
            for slot, key in ((0, "x"), (1, "l")):
                for month, n in d[key].items():
                    self.points.setdefault(month, [0, 0])[slot] += sign * n
            for month, (before, after) in d["t"].items():
                k = (month, before, after)
                self.tiers[k] = self.tiers.get(k, 0) + sign


def compact_entry(event_id: str, e: dict[str, Any]) -> list[Any]:
    """A pushed point entry as kept: [entry id, kind, at, points, expires at, ref, event id],
    times in microseconds; the event id None when it is the entry id's prefix (as it is), the
    ref SAME_EVENT when it is the event id (a sale's own points): a member's state stays
    small (under PostgreSQL's 2 kB TOAST threshold for most members)."""
    expires = e.get("expires_at")
    ref = e.get("ref")
    return [e["id"], e["kind"], _micros(e["at"]), e["points"],
            _micros(expires) if expires else None, SAME_EVENT if ref == event_id else ref,
            None if e["id"].startswith(event_id + ":") else event_id]


def compact_spend(e: dict[str, Any]) -> list[Any]:
    """A sale's (or its refund's) qualifying spend: [entry id, ref, at, spend]."""
    return [e["id"], e["ref"], _micros(e["at"]), e["spend"]]


def _entry(item: list[Any]) -> Entry:
    """An Entry of the compact form, for the points fold only. Its times stay microseconds:
    the fold of point entries only compares them (a lot live while expires_at > at, the
    oldest expiry first), and integers compare as the times do, without making ~40,000
    datetimes for a day's refolds."""
    id_, kind, at, points, expires_at, ref, event_id = item
    event_id = event_id or id_.split(":", 1)[0]
    if ref == SAME_EVENT:
        ref = event_id
    e = object.__new__(Entry)
    e.__dict__.update(id=id_, event_id=event_id, member_id="",
                      kind=kind, at=at, points=points, wallet=0, spend=0, available_at=None,
                      expires_at=expires_at, ref=ref, data=None)
    return e


@lru_cache(maxsize=4096)
def _end(month: str, tz: str) -> datetime:
    """The last instant of a shop-local month."""
    return month_bounds(*parse_month(month), tz)[1] - TICK


def _micros(text: str) -> int:
    """Microseconds since the epoch of a storage time."""
    return micros_of(from_db(text))


@lru_cache(maxsize=65536)
def _span(first: str, last: str, before_last: bool, tz: str
          ) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Month keys from `first` to `last` (without `last` when `before_last`) and their last
    instants in microseconds (members share a few dozen spans: cached)."""
    months = []
    month = first
    while month < last or (month == last and not before_last):
        months.append(month)
        month = month_after(month)
    return tuple(months), tuple(micros_of(_end(m, tz)) for m in months)


def _add_spend(state: dict[str, Any], item: list[Any]) -> None:
    """A sale's qualifying spend (its refunds' too) under its ref, dated by the first entry
    (kept as [entry id, at, spend], the entry id without the ref when it starts with it)."""
    entry_id, ref, at, spend = item
    short = entry_id[len(ref):] if entry_id.startswith(ref + ":") else entry_id
    found = state["s"].get(ref)
    if found is None:
        state["s"][ref] = [short, at, spend]
        return
    if entry_id < _spend_id(ref, found[0]):
        found[0], found[1] = short, at
    found[2] += spend


def _spend_id(ref: str, kept: str) -> str:
    """A spend's entry id as `_add_spend` keeps it, whole again."""
    return ref + kept if kept.startswith(":") else kept


def apply(storage: SqlStorage, cur: Any, t: int, ledger: dict[str, list[Any]],
          spends: dict[str, list[Any]], merged: list[tuple[str, str]], erased: Iterable[str],
          tz: str, program: Program, rules: str) -> None:
    """Fold a run's point entries, spends, merges and erasures into the members' states and
    the sums (inside the caller's transaction, after report_members took the run's merges and
    erasures); every state rewalked first when the tier rules changed."""
    if _rules_of(storage, cur, t) != rules:
        _rewalk_all(storage, cur, t, tz, program)
        cur.execute(storage._q("UPDATE report_cursors SET tier_rules = ? WHERE tenant_id = ?"),  # noqa: SLF001
                    (rules, t))
    gone = [g for _, g in merged]
    touched = set(ledger) | set(spends) | set(erased) | set(gone)
    if not touched:
        return
    root = _roots(storage, cur, t, touched)
    holders = {root.get(m, m) for m in touched}
    states = _states(storage, cur, t, holders | set(gone))
    r = Refolder(tz, program)
    old = {m: s["d"] for m, s in states.items()}
    for g in gone:  # a merged member's history moves to the member now holding it
        state = states.pop(g, None)
        if state is None:
            continue
        into = states.setdefault(root.get(g, g), _empty())
        into["e"].extend(state["e"])
        for ref, (kept, at, spend) in state["s"].items():
            _add_spend(into, [_spend_id(ref, kept), ref, at, spend])
    for member, items in ledger.items():
        states.setdefault(root.get(member, member), _empty())["e"].extend(items)
    for member, items in spends.items():
        state = states.setdefault(root.get(member, member), _empty())
        for item in items:
            _add_spend(state, item)
    erased_at = _erased_at(storage, cur, t, list(states))
    for member, state in states.items():
        state["d"] = r.refold(state, erased_at.get(member))
        r.change(member, old.get(member), state["d"])
    dropped = [g for g in gone if g in old and g not in states]
    for g in dropped:
        r.change(g, old[g], None)
    _write(storage, cur, t, states, dropped, r)


def _empty() -> dict[str, Any]:
    return {"e": [], "s": {}, "d": None}


def _rules_of(storage: SqlStorage, cur: Any, t: int) -> str:
    row = storage._one(cur, "SELECT tier_rules FROM report_cursors WHERE tenant_id = ?", (t,))  # noqa: SLF001
    return row[0] if row else ""


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _roots(storage: SqlStorage, cur: Any, t: int, members: set[str]) -> dict[str, str]:
    """Member -> the member now holding its history, for those merged (chains followed)."""
    parent: dict[str, str] = {}
    frontier = sorted(members)
    while frontier:
        found = {}
        for chunk in _chunks(frontier):
            clause, params = storage._ids_clause(chunk)  # noqa: SLF001
            found.update((r[0], r[1]) for r in storage._all(  # noqa: SLF001
                cur, f"SELECT member_id, merged_into FROM report_members WHERE tenant_id = ?"
                f" AND merged_into IS NOT NULL AND member_id {clause}", [t, *params]))
        parent.update(found)
        frontier = sorted({p for p in found.values() if p not in parent})
    return {member: _root(member, parent) for member in parent}


def _states(storage: SqlStorage, cur: Any, t: int, members: set[str]) -> dict[str, dict]:
    out = {}
    for chunk in _chunks(sorted(members)):
        clause, params = storage._ids_clause(chunk)  # noqa: SLF001
        for member, text in storage._all(  # noqa: SLF001
                cur, f"SELECT member_id, state FROM report_ledgers WHERE tenant_id = ?"
                f" AND member_id {clause}", [t, *params]):
            out[member] = loads(text)
    return out


def _erased_at(storage: SqlStorage, cur: Any, t: int, members: list[str]) -> dict[str, str]:
    out = {}
    for chunk in _chunks(sorted(members)):
        clause, params = storage._ids_clause(chunk)  # noqa: SLF001
        out.update((r[0], r[1]) for r in storage._all(  # noqa: SLF001
            cur, f"SELECT member_id, erased_at FROM report_members WHERE tenant_id = ?"
            f" AND erased_at IS NOT NULL AND member_id {clause}", [t, *params]))
    return out


def _write(storage: SqlStorage, cur: Any, t: int, states: dict[str, dict], dropped: list[str],
           r: Refolder) -> None:
    from .report_rollups import STAGE_FROM, _staged  # the rollups' writer (imports this module)

    rows = [(t, m, dumps(s).decode()) for m, s in states.items() if s["e"] or s["s"]]
    if len(rows) > STAGE_FROM:
        _staged(storage, cur, _UPSERT_STATE, rows)
    elif rows:
        cur.executemany(storage._q(_UPSERT_STATE), rows)  # noqa: SLF001
    for chunk in _chunks(sorted(dropped)):
        clause, params = storage._ids_clause(chunk)  # noqa: SLF001
        cur.execute(storage._q(f"DELETE FROM report_ledgers WHERE tenant_id = ?"  # noqa: SLF001
                               f" AND member_id {clause}"), [t, *params])
    points = [(t, month, x, lost) for month, (x, lost) in sorted(r.points.items()) if x or lost]
    if points:
        cur.executemany(storage._q(_ADD_POINTS), points)  # noqa: SLF001
    tiers = [(t, *k, n) for k, n in sorted(r.tiers.items()) if n]
    if tiers:
        cur.executemany(storage._q(_ADD_TIERS), tiers)  # noqa: SLF001
    if r.unranked:
        cur.executemany(storage._q(_DROP_RANK), [(t, *k) for k in r.unranked])  # noqa: SLF001
    ranks = [(t, *k) for k in sorted(r.ranks)]  # in key order: the index is walked
    if len(ranks) > STAGE_FROM:
        _staged(storage, cur, _SET_RANK, ranks)
    elif ranks:
        cur.executemany(storage._q(_SET_RANK), ranks)  # noqa: SLF001


def _rewalk_all(storage: SqlStorage, cur: Any, t: int, tz: str, program: Program) -> None:
    """Walk every member's tier series again under new rules (a new program)."""
    ids = [row[0] for row in storage._all(  # noqa: SLF001
        cur, "SELECT member_id FROM report_ledgers WHERE tenant_id = ?", (t,))]
    if not ids:
        return
    for chunk in _chunks(ids):
        states = _states(storage, cur, t, set(chunk))
        erased_at = _erased_at(storage, cur, t, chunk)
        r = Refolder(tz, program)
        for member, state in states.items():
            old = state["d"]  # the lots do not depend on the tier rules: only tiers change
            state["d"] = {"x": old["x"], "l": old["l"],
                          **r.tier_parts(state["s"], erased_at.get(member))}
            r.change(member, old, state["d"])
        _write(storage, cur, t, states, [], r)


def points_sums(storage: SqlStorage, cur: Any, t: int, months: list[str]
                ) -> list[tuple[int, int]]:
    """Per month key: (points expiring before it, points lost to restores before it)."""
    out = []
    for month in months:
        row = storage._one(cur, "SELECT COALESCE(SUM(expiring), 0), COALESCE(SUM(lost), 0)"  # noqa: SLF001
                           " FROM report_point_months WHERE tenant_id = ? AND month < ?",
                           (t, month))
        out.append((int(row[0]), int(row[1])))
    return out


def month_points(storage: SqlStorage, cur: Any, t: int, month: str) -> tuple[int, int]:
    """(points expiring in the month, points lost to restores in it)."""
    row = storage._one(cur, "SELECT expiring, lost FROM report_point_months WHERE tenant_id = ?"  # noqa: SLF001
                       " AND month = ?", (t, month))
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def tier_rows(storage: SqlStorage, cur: Any, t: int, month: str
              ) -> list[tuple[str, int, int, int]]:
    """(month, rank before, rank after, members) of every month up to `month`."""
    return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in storage._all(  # noqa: SLF001
        cur, "SELECT month, before_rank, after_rank, members FROM report_tier_months"
        " WHERE tenant_id = ? AND month <= ? AND members <> 0", (t, month))]


__all__ = ["Refolder", "apply", "month_points", "points_sums",
           "tier_rows", "tier_rules"]
