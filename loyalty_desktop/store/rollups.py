"""Per-member monthly rollups and monthly point flows, kept by the projector.

`member_months` holds, per (sale's member id, shop-local month): sales, purchases (sales not
fully refunded), total, refunded, first and last purchase time (storage text, and the same as
microseconds since the epoch in `first_us`/`last_us`, which the monthly report reads: integer
MIN/MAX cost a fraction of text ones), and qualifying spend (ledger spend of `sale` and
`spend_refund` entries, dated at the sale). `point_months` holds the
month's point entries by kind. Both are pure functions of the sales and ledger tables, so the
same events in any order give the same rows; `rebuild` recomputes them (the migration's
backfill) and `rollups_match_ledger` compares. Months are keyed in the zone recorded in meta
`rollup_timezone` (the shop's zone when the rollups were built).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ..domain.clock import DEFAULT_TZ, from_db, micros_of, month_bounds, to_db, zone
from ..domain.ledger import Entry

SPEND_KINDS = ("sale", "spend_refund")
POINT_COLUMNS = ("earn", "bonus", "adjust_in", "adjust_out", "redeem", "restore", "reverse")
SALE_COLUMNS = ("sales", "purchases", "total", "refunded", "first_at", "last_at", "first_us",
                "last_us")

TABLES_SQL = (
    "CREATE TABLE member_months (member_id TEXT NOT NULL, month TEXT NOT NULL, "
    "sales INTEGER NOT NULL DEFAULT 0, purchases INTEGER NOT NULL DEFAULT 0, "
    "total INTEGER NOT NULL DEFAULT 0, refunded INTEGER NOT NULL DEFAULT 0, "
    "first_at TEXT, last_at TEXT, spend INTEGER NOT NULL DEFAULT 0, "
    "PRIMARY KEY (member_id, month)) STRICT, WITHOUT ROWID",
    "CREATE INDEX member_months_month ON member_months(month)",
    "CREATE TABLE point_months (month TEXT PRIMARY KEY, "
    + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in POINT_COLUMNS) + ") STRICT",
)

# Microseconds since the epoch of a storage time (UTC text, fixed width): whole seconds
# from its first 19 characters (strftime rounds fractions to milliseconds), then the
# six digits of the fraction.
US_SQL = ("(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000 "
          "+ CAST(substr({0}, 21, 6) AS INTEGER))")
_FIRST_SQL = "MIN(CASE WHEN total > refunded THEN at END)"
_LAST_SQL = "MAX(CASE WHEN total > refunded THEN at END)"
_SALE_AGG = ("COUNT(*), COALESCE(SUM(total > refunded), 0), COALESCE(SUM(total), 0), "
             f"COALESCE(SUM(refunded), 0), {_FIRST_SQL}, {_LAST_SQL}, "
             f"{US_SQL.format(_FIRST_SQL)}, {US_SQL.format(_LAST_SQL)}")
_EMPTY_MONTH = (0, 0, 0, 0, None, None, None, None, 0)  # SALE_COLUMNS, then spend
_POINT_AGG = ("COALESCE(SUM(CASE WHEN kind = 'earn' THEN points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'bonus' THEN points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'adjust' AND points > 0 THEN points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'adjust' AND points < 0 THEN -points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'redeem' THEN -points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'restore' THEN points END), 0), "
              "COALESCE(SUM(CASE WHEN kind = 'reverse' THEN -points END), 0)")


def rollup_zone(db: Any) -> str:
    """The zone months are keyed in: the recorded rollup zone, else the shop's, else default.

    Once recorded it is kept on the connection (every applied event asks; a catch-up of
    20,000 events asked 20,000 times): only `rebuild` records another, and it forgets it."""
    kept = getattr(db, "rollup_zone", None)
    if kept is not None:
        return kept
    rows = dict(db.execute("SELECT key, value FROM meta WHERE key IN "
                           "('rollup_timezone', 'timezone')").fetchall())
    if rows.get("rollup_timezone"):
        db.rollup_zone = rows["rollup_timezone"]
    return rows.get("rollup_timezone") or rows.get("timezone") or DEFAULT_TZ


def month_of(at_text: str, tz: str) -> str:
    """'YYYY-MM' of a storage time in the zone."""
    return month_key(from_db(at_text), tz)


_LAST_MONTH: dict[str, tuple[datetime, datetime, str]] = {}  # zone -> the last month's bounds


def month_key(moment: datetime, tz: str) -> str:
    """'YYYY-MM' of an aware time in the zone: the bounds of the last month asked for are kept
    per zone, so the events of one month (nearly all of a batch) cost two comparisons."""
    last = _LAST_MONTH.get(tz)
    if last is not None and last[0] <= moment < last[1]:
        return last[2]
    local = moment.astimezone(zone(tz))
    start, end = month_bounds(local.year, local.month, tz)
    _LAST_MONTH[tz] = (start, end, local.strftime("%Y-%m"))
    return _LAST_MONTH[tz][2]


def month_start_text(month: str, tz: str) -> str:
    """Storage text of a month key's first instant in the zone."""
    return to_db(month_bounds(int(month[:4]), int(month[5:]), tz)[0])


class RollupChanges:
    """Rollup changes of applied events not written yet: per member month its sales columns
    and spend, per month its point flows. `write` stores them, one statement per table for
    all of them (a catch-up group of 10,000 sales touches about a thousand member months
    and one point month, where each event wrote its own rows before), and must run before the
    rollups are read: a refund's recount of its sale's month, and the end of the batch.
    Every column adds up, or keeps the least/greatest time, so the rows are the same as
    when each event wrote its own."""

    def __init__(self) -> None:
        self.months: dict[tuple[str, str], list[Any]] = {}  # SALE_COLUMNS, then spend
        self.points: dict[str, list[int]] = {}

    def month(self, member: str, month: str) -> list[Any]:
        """The pending changes of a member month (created empty: its row is written even if
        its changes add up to nothing, as before)."""
        row = self.months.get((member, month))
        if row is None:
            row = self.months[(member, month)] = list(_EMPTY_MONTH)
        return row

    def write(self, db: Any) -> None:
        """Store the pending changes (inside the projector's transaction) and forget them."""
        if self.months:
            db.conn.executemany(_MONTH_UPSERT, [(*key, *row) for key, row in
                                                sorted(self.months.items())])
            self.months = {}
        if self.points:
            db.conn.executemany(_POINT_UPSERT, [(month, *row) for month, row in
                                                sorted(self.points.items())])
            self.points = {}


_MONTH_UPSERT = (
    f"INSERT INTO member_months (member_id, month, {', '.join(SALE_COLUMNS)}, spend) "
    f"VALUES ({', '.join('?' * (3 + len(SALE_COLUMNS)))}) ON CONFLICT(member_id, month) "
    "DO UPDATE SET sales = sales + excluded.sales, purchases = purchases + excluded.purchases, "
    "total = total + excluded.total, refunded = refunded + excluded.refunded, "
    "first_at = CASE WHEN first_at IS NULL OR excluded.first_at < first_at "
    "THEN COALESCE(excluded.first_at, first_at) ELSE first_at END, "
    "last_at = CASE WHEN last_at IS NULL OR excluded.last_at > last_at "
    "THEN COALESCE(excluded.last_at, last_at) ELSE last_at END, "
    "first_us = CASE WHEN first_us IS NULL OR excluded.first_us < first_us "
    "THEN COALESCE(excluded.first_us, first_us) ELSE first_us END, "
    "last_us = CASE WHEN last_us IS NULL OR excluded.last_us > last_us "
    "THEN COALESCE(excluded.last_us, last_us) ELSE last_us END, "
    "spend = spend + excluded.spend")
_POINT_UPSERT = (
    f"INSERT INTO point_months (month, {', '.join(POINT_COLUMNS)}) VALUES "
    f"(?{', ?' * len(POINT_COLUMNS)}) ON CONFLICT(month) DO UPDATE SET "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in POINT_COLUMNS))


def apply_rollups(db: Any, event: dict[str, Any], entries: Iterable[Entry],
                  sale: tuple | None, changes: RollupChanges) -> None:
    """Add one newly applied event to the pending rollup `changes` (inside the projector's
    transaction); `sale` is a sale's stored (member_id, at, total, refunded)."""
    tz = rollup_zone(db)
    if event["kind"] == "refund":
        changes.write(db)  # the recount reads its month as it stands
        _recount_sale_month(db, event["payload"].get("sale_id"), tz)
    for e in entries:
        month = month_key(e.at, tz)
        if e.kind in SPEND_KINDS and e.spend:
            changes.month(e.member_id, month)[-1] += e.spend
        if e.points and e.kind in _POINT_SLOT:
            row = changes.points.get(month)
            if row is None:
                row = changes.points[month] = [0] * len(POINT_COLUMNS)
            slot, sign = _POINT_SLOT[e.kind](e.points)
            row[slot] += sign * e.points
    if sale is not None and sale[0] is not None:
        _add_sale(changes, sale, tz)


_POINT_SLOT = {
    "earn": lambda p: (0, 1), "bonus": lambda p: (1, 1),
    "adjust": lambda p: (2, 1) if p > 0 else (3, -1),
    "redeem": lambda p: (4, -1), "restore": lambda p: (5, 1), "reverse": lambda p: (6, -1),
}


def _add_sale(changes: RollupChanges, sale: tuple, tz: str) -> None:
    """Add a just-stored sale (member_id, at, total, refunded) to its member's month: one
    more sale, a purchase with its time unless fully refunded already."""
    member, at, total, refunded = sale
    moment = from_db(at)
    row = changes.month(member, month_key(moment, tz))
    row[0] += 1
    row[2] += total
    row[3] += refunded
    if total > refunded:
        row[1] += 1
        micros = micros_of(moment)
        if row[4] is None or at < row[4]:
            row[4], row[6] = at, micros
        if row[5] is None or at > row[5]:
            row[5], row[7] = at, micros


def _recount_sale_month(db: Any, sale_id: str | None, tz: str) -> None:
    """Recompute the sales columns of a refunded sale's member month (a full refund may drop
    its first or last purchase); nothing when the sale has not arrived yet."""
    row = db.execute("SELECT member_id, at FROM sales WHERE sale_id = ?", [sale_id]).fetchone()
    if row is None or row[0] is None:
        return
    member, month = row[0], month_of(row[1], tz)
    start = month_start_text(month, tz)
    end = to_db(month_bounds(*_next(month), tz)[0])
    values = db.execute(f"SELECT {_SALE_AGG} FROM sales WHERE member_id = ? AND at >= ? "
                        "AND at < ?", [member, start, end]).fetchone()
    db.execute(f"UPDATE member_months SET {', '.join(f'{c} = ?' for c in SALE_COLUMNS)} "
               "WHERE member_id = ? AND month = ?", [*values, member, month])


def _next(month: str) -> tuple[int, int]:
    """(year, month) after a month key."""
    y, m = int(month[:4]), int(month[5:])
    return (y + 1, 1) if m == 12 else (y, m + 1)


def month_case(db: Any, tz: str, column: str = "at") -> str:
    """An SQL CASE giving the month key of `column`, for every month the store spans."""
    lo, hi = db.execute("SELECT MIN(a), MAX(b) FROM (SELECT MIN(at) a, MAX(at) b FROM sales "
                        "UNION ALL SELECT MIN(at), MAX(at) FROM ledger)").fetchone()
    if lo is None:
        return "NULL"
    first = from_db(lo).astimezone(zone(tz)).date().replace(day=1)
    last = from_db(hi).astimezone(zone(tz)).date().replace(day=1)
    whens, day = [], first
    while day <= last:
        nxt = date(*_next(day.strftime("%Y-%m")), 1)
        whens.append(f"WHEN {column} < '{to_db(month_bounds(nxt.year, nxt.month, tz)[0])}' "
                     f"THEN '{day.strftime('%Y-%m')}'")
        day = nxt
    return f"CASE {' '.join(whens)} END"


def expected_rows(db: Any, tz: str) -> tuple[dict[tuple, tuple], dict[str, tuple]]:
    """The rollups recomputed from the sales and ledger tables."""
    case = month_case(db, tz)
    members: dict[tuple, list] = {}
    for member, month, *values in db.execute(
            f"SELECT member_id, {case} m, {_SALE_AGG} FROM sales WHERE member_id IS NOT NULL "
            "GROUP BY member_id, m"):
        members[(member, month)] = [*values, 0]
    marks = ",".join(f"'{k}'" for k in SPEND_KINDS)
    for member, month, spend in db.execute(
            f"SELECT member_id, {case} m, SUM(spend) FROM ledger WHERE kind IN ({marks}) "
            "AND spend != 0 GROUP BY member_id, m"):
        members.setdefault((member, month), list(_EMPTY_MONTH))[-1] = spend
    kinds = ",".join(f"'{k}'" for k in _POINT_SLOT)
    points = {r[0]: tuple(r[1:]) for r in db.execute(
        f"SELECT {case} m, {_POINT_AGG} FROM ledger WHERE kind IN ({kinds}) AND points != 0 "
        "GROUP BY m")}
    return {k: tuple(v) for k, v in members.items()}, points


def rebuild(db: Any, tz: str | None = None) -> None:
    """Recompute both rollup tables from the ledger and sales (backfill; zone change)."""
    tz = tz or rollup_zone(db)
    db.rollup_zone = None  # the zone recorded below (rolled back with it if this fails)
    members, points = expected_rows(db, tz)
    db.execute("DELETE FROM member_months")
    db.execute("DELETE FROM point_months")
    cols = ", ".join(("member_id", "month", *SALE_COLUMNS, "spend"))
    db.conn.executemany(f"INSERT INTO member_months ({cols}) VALUES "
                        f"({', '.join('?' * (3 + len(SALE_COLUMNS)))})",
                        [(*k, *v) for k, v in members.items()])
    db.conn.executemany(f"INSERT INTO point_months (month, {', '.join(POINT_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * (1 + len(POINT_COLUMNS)))})",
                        [(k, *v) for k, v in points.items()])
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('rollup_timezone', ?)", [tz])


def ensure_zone(db: Any, tz: str) -> None:
    """Re-key the rollups when the shop's zone is not the one they were built in."""
    if rollup_zone(db) != tz or not db.execute(
            "SELECT 1 FROM meta WHERE key = 'rollup_timezone'").fetchone():
        try:
            with db.atomic():
                rebuild(db, tz)
        finally:
            db.rollup_zone = None  # read again from what was committed


def rollups_match_ledger(db: Any) -> list[str]:
    """Member months and point months whose stored rollup differs from a recomputation."""
    members, points = expected_rows(db, rollup_zone(db))
    empty = _EMPTY_MONTH
    stored = {(r[0], r[1]): tuple(r[2:]) for r in db.execute(
        f"SELECT member_id, month, {', '.join(SALE_COLUMNS)}, spend FROM member_months")}
    bad = [f"{m} {month}" for (m, month) in sorted(set(members) | set(stored))
           if members.get((m, month), empty) != stored.get((m, month), empty)]
    zero = (0,) * len(POINT_COLUMNS)
    kept = {r[0]: tuple(r[1:]) for r in db.execute(
        f"SELECT month, {', '.join(POINT_COLUMNS)} FROM point_months")}
    bad += [f"points {month}" for month in sorted(set(points) | set(kept))
            if points.get(month, zero) != kept.get(month, zero)]
    return bad
