"""Member snapshots: each member's purchase summary over every month up to a closed month.

`report_member_snapshots` holds, per member (not per merge root: the report sums merged
members when it reads) and per `upto` month, what that member's member months up to and
including `upto` add up to: purchases (sales not fully refunded), net kuruş, first and last
purchase, and the last month with a sale. The chain report of month M reads the snapshot of
M-1 and adds M's own rows, instead of grouping every member month before M (3.7 M rows at a
million members).

The projector keeps the snapshots of the last KEEP months before the newest month with member
sales (`close_months`, after each fold run; the months are listed in
`report_cursors.snapshots`), each built from the one before it when that one is there. A fold
that changes a month a snapshot covers (a late push from a terminal that was offline, a refund
of an older sale) mends the snapshot in its own transaction (`mend_rows` and `recount`), so a
snapshot always equals the grouping it stands for. Both hold the tenant's cursor row lock.
"""

from __future__ import annotations

from typing import Any

from ..domain.report_math import month_after, months_between
from .storage.base import SqlStorage
from .storage.postgres import PostgresStorage

KEEP = 2  # the running month's report needs the last month's snapshot, last month's the one before
_SNAP = "report_member_snapshots"
_COLUMNS = "tenant_id, upto, member_id, purchases, net, first_at, last_at, sale_month"


def months_of(text: str | None) -> list[str]:
    """The snapshot months listed in a cursor row, oldest first."""
    return sorted(m for m in (text or "").split(",") if m)


def _collate(storage: SqlStorage) -> str:
    """Bytewise text order on PostgreSQL (stored times and months compare as bytes)."""
    return ' COLLATE "C"' if isinstance(storage, PostgresStorage) else ""


def sql_least(a: str, b: str, c: str = "") -> str:
    """SQL: the smaller of two nullable texts (NULL only when both are); `c` a collation."""
    return f"CASE WHEN {b} IS NULL THEN {a} WHEN {a} IS NULL OR {b}{c} < {a}{c} THEN {b} ELSE {a} END"


def sql_greatest(a: str, b: str, c: str = "") -> str:
    """SQL: the larger of two nullable texts (NULL only when both are); `c` a collation."""
    return f"CASE WHEN {b} IS NULL THEN {a} WHEN {a} IS NULL OR {b}{c} > {a}{c} THEN {b} ELSE {a} END"


def upsert_sql(storage: SqlStorage) -> str:
    """INSERT of one member's change to a snapshot, added to the row already there."""
    c, s = _collate(storage), _SNAP
    return (f"INSERT INTO {s} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
            f" (tenant_id, upto, member_id) DO UPDATE SET purchases = {s}.purchases +"
            f" excluded.purchases, net = {s}.net + excluded.net, first_at ="
            f" {sql_least(f'{s}.first_at', 'excluded.first_at', c)}, last_at ="
            f" {sql_greatest(f'{s}.last_at', 'excluded.last_at', c)}, sale_month ="
            f" {sql_greatest(f'{s}.sale_month', 'excluded.sale_month', c)}")


def mend_rows(changes: dict[tuple[str, str], list[Any]], snapshots: list[str]
              ) -> list[tuple[Any, ...]]:
    """(upto, member, purchases, net, first, last, sale month) changes that member-month
    changes make to the snapshots covering their month; `changes` maps (month, member) to the
    additive member-month row [sales, purchases, total, refunded, first_at, last_at]."""
    out: dict[tuple[str, str], list[Any]] = {}
    for (month, member), (sales, purchases, total, refunded, first, last) in changes.items():
        for upto in snapshots:
            if month > upto:
                continue
            row = out.setdefault((upto, member), [0, 0, None, None, None])
            row[0] += purchases
            row[1] += total - refunded
            if first is not None and (row[2] is None or first < row[2]):
                row[2] = first
            if last is not None and (row[3] is None or last > row[3]):
                row[3] = last
            if sales > 0 and (row[4] is None or month > row[4]):
                row[4] = month
    return [(upto, member, *row) for (upto, member), row in sorted(out.items())]


def recount(storage: SqlStorage, cur: Any, t: int, emptied: list[tuple[str, str]],
            snapshots: list[str]) -> None:
    """Each member's snapshot rows again from the member months, for members with a month
    (at or before the snapshot's) that lost a purchase: its first or last purchase may have
    been that one, which an additive change cannot take back."""
    if not snapshots:
        return
    first = storage._one(cur, "SELECT MIN(month) FROM report_member_months"  # noqa: SLF001
                         " WHERE tenant_id = ?", (t,))[0]
    for upto in snapshots:
        members = sorted({m for month, m in emptied if month <= upto})
        if not members or first is None:
            continue
        months = months_between(first, upto)  # named: member months are keyed month first
        in_months, month_params = storage._ids_clause(months)  # noqa: SLF001
        for i in range(0, len(members), 500):
            chunk = members[i:i + 500]
            clause, params = storage._ids_clause(chunk)  # noqa: SLF001
            cur.execute(storage._q(f"DELETE FROM {_SNAP} WHERE tenant_id = ? AND upto = ?"  # noqa: SLF001
                                   f" AND member_id {clause}"), (t, upto, *params))
            cur.execute(storage._q(  # noqa: SLF001
                f"INSERT INTO {_SNAP} ({_COLUMNS}) {_grouped(storage)} AND month {in_months}"
                f" AND member_id {clause} GROUP BY member_id"),
                (t, upto, t, *month_params, *params))


def _grouped(storage: SqlStorage) -> str:
    """SELECT of snapshot rows (tenant and upto as the first two parameters) grouped from the
    member months of a tenant (the third), for a WHERE clause to go on and a GROUP BY."""
    c = _collate(storage)
    return (f"SELECT ?, ?, member_id, SUM(purchases), SUM(total - refunded), MIN(first_at{c}),"
            f" MAX(last_at{c}), MAX(CASE WHEN sales > 0 THEN month{c} END) FROM"
            " report_member_months WHERE tenant_id = ?")


def close_months(storage: SqlStorage, t: int) -> list[str]:
    """Keep the snapshots of the KEEP months before the newest month with member sales (each
    built from the month before's when that one is kept, else grouped from every member
    month), drop older ones; the months kept."""
    pg = isinstance(storage, PostgresStorage)
    with storage._write() as cur:  # noqa: SLF001 - the projector is part of the storage's users
        storage._relax_durability(cur)  # noqa: SLF001 - derived data
        row = storage._one(cur, "SELECT snapshots FROM report_cursors WHERE tenant_id = ?"  # noqa: SLF001
                           + (" FOR UPDATE" if pg else ""), (t,))
        if row is None:
            return []
        have = months_of(row[0])
        newest = storage._one(cur, "SELECT MAX(month) FROM report_member_months"  # noqa: SLF001
                              " WHERE tenant_id = ?", (t,))[0]
        wanted = [] if newest is None else [month_after(newest, -k) for k in range(KEEP, 0, -1)]
        if wanted == have:
            return have
        for old in sorted(set(have) - set(wanted)):
            cur.execute(storage._q(f"DELETE FROM {_SNAP} WHERE tenant_id = ? AND upto = ?"),  # noqa: SLF001
                        (t, old))
        kept = [m for m in have if m in wanted]
        for upto in wanted:
            if upto in kept:
                continue
            before = month_after(upto, -1)
            if before in kept:
                _build_from(storage, cur, t, upto, before)
            else:
                cur.execute(storage._q(f"INSERT INTO {_SNAP} ({_COLUMNS}) {_grouped(storage)}"  # noqa: SLF001
                                       " AND month <= ? GROUP BY member_id"), (t, upto, t, upto))
            kept.append(upto)
        cur.execute(storage._q("UPDATE report_cursors SET snapshots = ? WHERE tenant_id = ?"),  # noqa: SLF001
                    (",".join(wanted), t))
    return wanted


def _build_from(storage: SqlStorage, cur: Any, t: int, upto: str, before: str) -> None:
    """The snapshot of `upto`: the one of the month before joined with `upto`'s member months
    (one row per member on each side: no grouping)."""
    c = _collate(storage)
    cur.execute(storage._q(  # noqa: SLF001
        f"INSERT INTO {_SNAP} ({_COLUMNS}) SELECT ?, ?, COALESCE(s.member_id, m.member_id),"
        " COALESCE(s.purchases, 0) + COALESCE(m.purchases, 0), COALESCE(s.net, 0) +"
        f" COALESCE(m.total - m.refunded, 0), {sql_least('s.first_at', 'm.first_at', c)},"
        f" {sql_greatest('s.last_at', 'm.last_at', c)}, CASE WHEN m.sales > 0 THEN m.month ELSE"
        f" s.sale_month END FROM (SELECT * FROM {_SNAP} WHERE tenant_id = ? AND upto = ?) AS s"
        " FULL JOIN (SELECT * FROM report_member_months WHERE tenant_id = ? AND month = ?) AS m"
        " ON m.member_id = s.member_id"), (t, upto, t, before, t, upto))
