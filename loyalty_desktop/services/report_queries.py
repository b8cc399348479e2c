"""The SQL behind the reports: aggregates over sales, ledger, lots and feedback in a time range.

Every range is half-open [start, end) in UTC storage text (`to_db`), so a sale at 23:59:59
on the last day belongs to the month and one at 00:00:00 to the next.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..store.sqlite_db import Database

from ..domain.clock import to_db
from ..domain.ledger import POINT_KINDS, WALLET_KINDS, fold
from ..store.ledger_repo import _row_to_entry
from . import report_rollups as rr

_KINDS = ",".join(f"'{k}'" for k in sorted(POINT_KINDS))
_WALLET = ",".join(f"'{k}'" for k in sorted(WALLET_KINDS))
_ENTRY_COLS = ("id, event_id, member_id, kind, at, points, wallet, spend, available_at, "
               "expires_at, ref, data")


def roots(db: Database) -> dict[str, str]:
    """Merged member id -> the member that now holds its ledger (chains followed)."""
    parent = dict(db.execute(
        "SELECT member_id, merged_into FROM members WHERE merged_into IS NOT NULL").fetchall())
    out = {}
    for member in parent:
        seen, current = {member}, parent[member]
        while current in parent and parent[current] not in seen:
            seen.add(current)
            current = parent[current]
        out[member] = current
    return out


def member_counts(db: Database, start: datetime, end: datetime) -> tuple[int, int]:
    """(members at the end of the range, members enrolled in it): not merged, not erased."""
    s, e = to_db(start), to_db(end)
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(created_at >= ?), 0) FROM members WHERE created_at < ? "
        "AND merged_into IS NULL AND (erased_at IS NULL OR erased_at >= ?)", [s, e, e]).fetchone()
    return row[0], row[1]


def buyers(db: Database, start: datetime, end: datetime, root: dict[str, str],
           since: datetime | None = None, previous: datetime | None = None
           ) -> dict[str, list]:
    """Per member (root id) buying in [since, end): [sales, total, net] in [start, end), then
    sales in [previous, start) and in [since, start) (one pass over the sales)."""
    since = since or start
    previous = previous or start
    keys = rr.month_keys(db, [start, end, since, previous])
    if keys is not None:
        return rr.buyers(db, root, *keys)
    out: dict[str, list] = {}
    for member, count, total, net, before, recent in db.execute(
            "SELECT member_id, SUM(at >= ?1), SUM(CASE WHEN at >= ?1 THEN total END), "
            "SUM(CASE WHEN at >= ?1 THEN total - refunded END), "
            "SUM(at >= ?2 AND at < ?1), SUM(at < ?1) FROM sales "
            "WHERE member_id IS NOT NULL AND at >= ?3 AND at < ?4 GROUP BY member_id",
            [to_db(start), to_db(previous), to_db(since), to_db(end)]):
        acc = out.setdefault(root.get(member, member), [0, 0, 0, 0, 0])
        for i, value in enumerate((count, total or 0, net or 0, before, recent)):
            acc[i] += value
    return out


def sales_totals(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """Counts and sums of sales (members and walk-ins) and refunds in the range."""
    s, e = to_db(start), to_db(end)
    row = db.execute(
        "SELECT COUNT(member_id), COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN total END),0),"
        " COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN money_paid END), 0),"
        " COUNT(*) - COUNT(member_id), COALESCE(SUM(CASE WHEN member_id IS NULL THEN total END),0)"
        " FROM sales WHERE at >= ? AND at < ?", [s, e]).fetchone()
    refund = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(amount), 0), "
        "COALESCE(SUM(json_extract(pricing, '$.money_refunded')), 0) FROM refunds "
        "WHERE at >= ? AND at < ?", [s, e]).fetchone()
    return {"member_sales": row[0], "member_total": row[1], "member_money_paid": row[2],
            "walk_in_sales": row[3], "walk_in_total": row[4], "refunds": refund[0],
            "refunded_total": refund[1], "refunded_money": refund[2]}


def revenue_by_day(db: Database, days: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(member sales, member total) for each [start, end) day."""
    out = []
    for start, end in days:
        row = db.execute("SELECT COUNT(*), COALESCE(SUM(total), 0) FROM sales WHERE at >= ? "
                         "AND at < ? AND member_id IS NOT NULL",
                         [to_db(start), to_db(end)]).fetchone()
        out.append((row[0], row[1]))
    return out


def point_flows(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """Point entries of the range by kind; adjustments split into positive and negative."""
    keys = rr.month_keys(db, [start, end])
    if keys is not None and rr.next_month(keys[0]) == keys[1]:
        return rr.point_flows(db, keys[0])
    flows = {k: 0 for k in ("earn", "bonus", "adjust_in", "adjust_out", "redeem", "restore",
                            "reverse")}
    for kind, positive, negative in db.execute(
            f"SELECT kind, COALESCE(SUM(MAX(points, 0)), 0), COALESCE(SUM(MIN(points, 0)), 0) "
            f"FROM ledger WHERE kind IN ({_KINDS}) AND at >= ? AND at < ? GROUP BY kind",
            [to_db(start), to_db(end)]):
        if kind == "adjust":
            flows["adjust_in"] += positive
            flows["adjust_out"] += -negative
        elif kind in ("redeem", "reverse"):
            flows[kind] += -(positive + negative)  # shown as positive counts
        else:
            flows[kind] += positive + negative
    return flows


def expired_between(db: Database, start: datetime, end: datetime) -> int:
    """Points left in lots whose expiry falls in [start, end)."""
    return db.execute("SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE expires_at >= ? "
                      "AND expires_at < ?", [to_db(start), to_db(end)]).fetchone()[0]


def outstanding_before(db: Database, moments: list[datetime]) -> list[tuple[int, int]]:
    """Per moment: (points members held just before it, points lost to restores into expired
    lots), in one pass over the later entries.

    From the balances cache (the fold of every entry) minus the entries at or after the
    moment, minus what expired before it (lots are frozen once expired), minus restores that
    landed in already-expired lots.
    """
    total = db.execute("SELECT COALESCE(SUM(points_total), 0) FROM balances").fetchone()[0]
    keys = rr.month_keys(db, moments)
    if keys is not None:  # month bounds: the projector's monthly point flows
        later = rr.points_from(db, keys)
    else:
        cols = ", ".join("COALESCE(SUM(CASE WHEN at >= ? THEN points END), 0)" for _ in moments)
        later = db.execute(f"SELECT {cols} FROM ledger WHERE kind IN ({_KINDS}) AND at >= ?",
                           [*(to_db(m) for m in moments), to_db(min(moments))]).fetchone()
    out = []
    for moment, after in zip(moments, later):
        expired = db.execute("SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE expires_at < ?",
                             [to_db(moment)]).fetchone()[0]
        lost = restores_lost_before(db, moment)
        out.append((total - after - expired - lost, lost))
    return out


def restores_lost_before(db: Database, moment: datetime) -> int:
    """Restored points that fell into expired lots, over entries before `moment`."""
    m = to_db(moment)
    members = sorted({r[0] for r in db.execute(
        "SELECT member_id FROM ledger INDEXED BY ledger_kind_at WHERE kind = 'restore' "
        "AND at < ?", [m])})
    lost = 0
    for member in members:
        rows = db.execute(f"SELECT {_ENTRY_COLS} FROM ledger WHERE member_id = ? AND at < ? "
                          "ORDER BY id", [member, m]).fetchall()
        lost += fold(_row_to_entry(r) for r in rows).restored_expired
    return lost


def wallet_flows(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """Cashback issued, spent, cancelled, restored in the range and pending at its end."""
    s, e = to_db(start), to_db(end)
    sums = dict(db.execute(f"SELECT kind, COALESCE(SUM(wallet), 0) FROM ledger WHERE kind IN "
                           f"({_WALLET}) AND at >= ? AND at < ? GROUP BY kind", [s, e]).fetchall())
    # Forced: with no lower bound on `at` the planner scans the whole ledger instead.
    pending = db.execute(f"SELECT COALESCE(SUM(wallet), 0) FROM ledger INDEXED BY ledger_kind_at "
                         f"WHERE kind IN ({_WALLET}) AND at < ? AND COALESCE(available_at, at) >= ?",
                         [e, e]).fetchone()[0]
    return {"cashback_issued": sums.get("cashback", 0),
            "wallet_spent": -sums.get("wallet_spend", 0),
            "cashback_cancelled": -sums.get("cashback_cancel", 0),
            "wallet_restored": sums.get("wallet_restore", 0),
            "wallet_adjusted": sums.get("wallet_adjust", 0), "pending_at_end": pending}


def coupon_counts(db: Database, start: datetime, end: datetime) -> list[tuple[str, str, int, int]]:
    """(entry kind, coupon kind, count, sum of value) of coupon entries in the range."""
    return [tuple(r) for r in db.execute(
        "SELECT l.kind, COALESCE(json_extract(l.data, '$.kind'), c.kind, 'other'), COUNT(*), "
        "COALESCE(SUM(json_extract(l.data, '$.value')), 0) FROM ledger l "
        "LEFT JOIN coupons c ON c.code = l.ref WHERE l.kind IN ('coupon_issued', "
        "'coupon_redeemed', 'coupon_returned', 'coupon_cancelled') AND l.at >= ? AND l.at < ? "
        "GROUP BY 1, 2", [to_db(start), to_db(end)])]


def feedback_scores(db: Database, start: datetime, end: datetime) -> tuple[list[int], list[int]]:
    """(NPS answers, CSAT answers) given in the range."""
    rows = db.execute("SELECT nps, csat FROM feedback WHERE at >= ? AND at < ?",
                      [to_db(start), to_db(end)]).fetchall()
    return [r[0] for r in rows if r[0] is not None], [r[1] for r in rows if r[1] is not None]


def complaint_counts(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """Complaints and follow-ups logged in the range, and those still open at its end."""
    s, e = to_db(start), to_db(end)
    row = db.execute(
        "SELECT COALESCE(SUM(kind = 'complaint'), 0), COALESCE(SUM(kind = 'follow_up'), 0) "
        "FROM complaints WHERE at >= ? AND at < ?", [s, e]).fetchone()
    still_open = db.execute("SELECT COUNT(*) FROM complaints WHERE at < ? AND (resolved_at IS "
                            "NULL OR resolved_at >= ?)", [e, e]).fetchone()[0]
    return {"complaints": row[0], "follow_ups": row[1], "open_at_end": still_open}


def conflict_counts(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    """Sync conflicts detected in the range by kind, and those unresolved at its end."""
    s, e = to_db(start), to_db(end)
    by_kind = dict(db.execute("SELECT kind, COUNT(*) FROM conflicts WHERE detected_at >= ? AND "
                              "detected_at < ? GROUP BY kind ORDER BY kind", [s, e]).fetchall())
    unresolved = db.execute("SELECT COUNT(*) FROM conflicts WHERE detected_at < ? AND "
                            "(resolved_at IS NULL OR resolved_at >= ?)", [e, e]).fetchone()[0]
    return {"detected": sum(by_kind.values()), "by_kind": by_kind, "unresolved_at_end": unresolved}


def names_of(db: Database, member_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """member id -> (name, card number)."""
    ids = list(member_ids)
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for member, name, card in db.execute(
                f"SELECT member_id, name, card_number FROM members WHERE member_id IN ({marks})",
                chunk):
            out[member] = (name, card)
    return out
