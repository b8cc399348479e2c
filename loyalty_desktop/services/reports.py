"""Reports: the monthly loyalty report, the daily summary and campaign segment exports.

Each function takes an open Terminal and returns JSON-able data (kuruş ints, ISO times in
the shop's zone). Month and day bounds are computed in the shop's time zone, half-open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.analytics import csat, nps
from ..domain.clock import month_bounds, shop_midnight, to_db
from ..domain.money import format_try, round_half_up
from ..domain.report_math import (
    average_kurus, month_key, nps_object, percent, ratio, shift_month, tie_out, what_changed,
)
from . import report_month as rmo
from . import report_queries as q
from . import report_rollups as rr

TOP_MEMBERS = 10


def monthly_report(term: Any, year: int, month: int) -> dict[str, Any]:
    """Every KPI of one calendar month (shop time), with the points tie-out checked."""
    term.require_shop()
    db, tz, program = term.db, term.timezone, term.program
    rr.prepare(db, tz)
    start, end = month_bounds(year, month, tz)
    prev_start = month_bounds(*shift_month(year, month, -1), tz)[0]
    since = month_bounds(*shift_month(year, month, -3), tz)[0]
    root = q.roots(db)
    mm = rmo.month_members(db, root, [start, end, since, prev_start], program, tz)
    members = _members_section(mm, start)
    sales = _sales_section(db, start, end, members["active"])
    points = _points_section(db, start, end, program.point_value)
    report = {
        "month": month_key(year, month), "timezone": tz, "shop": term.meta("shop_name"),
        "period": {"start": term.iso(start), "end": term.iso(end)},
        "generated_at": term.iso(term.now()), "program_version": program.version,
        "members": members, "sales": sales,
        "revenue_by_day": _revenue_by_day(db, start, end, tz),
        "clv": rmo.clv_section(mm, program),
        "points": points, "cashback": q.wallet_flows(db, start, end),
        "coupons": _coupon_section(db, start, end),
        "tiers": _tier_section(db, mm, program, start, end),
        "feedback": _feedback_section(db, start, end),
        "segments": rmo.segment_section(mm),
        "top_members": _named(db, {"members": rmo.top_buyers(
            db, root, mm, month_key(year, month), TOP_MEMBERS)})["members"],
        "at_risk": _named(db, rmo.at_risk(db, root, mm, tz)),
        "conflicts": q.conflict_counts(db, start, end),
        "nps_trend": nps_trend(db, year, month, tz),
    }
    report["summary"] = _summaries(db, report, prev_start, start)
    return report


def _members_section(mm: rmo.MonthMembers, start) -> dict[str, Any]:
    """Totals, new, active (bought), lapsed (bought in the 3 months before, not now), retention
    and repeat buyers."""
    total, new = rmo.member_counts(mm, start)
    b = rmo.buyer_counts(mm)
    return {"total": total, "new": new, "active": b["active"], "lapsed": b["lapsed"],
            "active_previous_month": b["active_previous_month"], "retained": b["retained"],
            "retention_percent": percent(b["retained"], b["active_previous_month"]),
            "repeat_buyers": b["repeat_buyers"],
            "repeat_purchase_percent": percent(b["repeat_buyers"], b["active"])}


def _sales_section(db, start, end, active: int) -> dict[str, Any]:
    """Member sales: count, totals, money paid, refunds, average basket and frequency."""
    s = q.sales_totals(db, start, end)
    return {**s, "net_total": s["member_total"] - s["refunded_total"],
            "average_basket": average_kurus(s["member_total"], s["member_sales"]),
            "purchase_frequency": ratio(s["member_sales"], active)}


def _day_bounds(start: datetime, end: datetime, tz: str) -> list[tuple[date, datetime, datetime]]:
    """Each calendar day (shop time) of [start, end) with its bounds."""
    out = []
    day = start.date()
    while shop_midnight(day, tz) < end:
        nxt = day + timedelta(days=1)
        out.append((day, shop_midnight(day, tz), shop_midnight(nxt, tz)))
        day = nxt
    return out


def _revenue_by_day(db, start, end, tz) -> list[dict[str, Any]]:
    """Member sales and their total per day of the month."""
    days = _day_bounds(start, end, tz)
    values = q.revenue_by_day(db, [(a, b) for _, a, b in days])
    return [{"day": d.isoformat(), "sales": n, "total": t} for (d, _, _), (n, t) in
            zip(days, values)]


def _points_section(db, start, end, point_value: int) -> dict[str, Any]:
    """Points issued, used and expired in the month, tied out between independent balances."""
    (opening, lost_open), (closing, lost_close) = q.outstanding_before(db, [start, end])
    f = q.point_flows(db, start, end)
    lost = lost_close - lost_open
    flows = {"issued": f["earn"] + f["bonus"] + f["adjust_in"], "earned": f["earn"],
             "bonus": f["bonus"], "adjusted_in": f["adjust_in"], "redeemed": f["redeem"],
             "restored": f["restore"] - lost, "restored_lost": lost, "reversed": f["reverse"],
             "expired": q.expired_between(db, start, end), "adjusted_out": f["adjust_out"]}
    tie = tie_out(opening, flows, closing)
    return {**tie, "point_value": point_value, "liability": closing * point_value,
            "opening_liability": opening * point_value}


def _coupon_section(db, start, end) -> dict[str, dict[str, Any]]:
    """Coupons issued, redeemed, returned and cancelled in the month by kind."""
    out: dict[str, dict[str, Any]] = {}
    for entry_kind, kind, count, value in q.coupon_counts(db, start, end):
        row = out.setdefault(kind, {"issued": 0, "redeemed": 0, "returned": 0, "cancelled": 0,
                                    "issued_value": 0})
        row[entry_kind.removeprefix("coupon_")] += count
        if entry_kind == "coupon_issued":
            row["issued_value"] += value
    for row in out.values():
        row["redemption_percent"] = percent(row["redeemed"] - row["returned"], row["issued"])
    return dict(sorted(out.items()))


def _tier_section(db, mm: rmo.MonthMembers, program, start, end) -> dict[str, Any]:
    """Tier distribution at month end and the movements since the previous month end."""
    distribution, movements = rmo.tier_counts(mm, program)
    recorded = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'tier_changed' AND at >= ? "
                          "AND at < ?", [to_db(start), to_db(end)]).fetchone()[0]
    return {"distribution": distribution, "names": {t.key: t.name for t in program.tiers},
            "movements": movements, "recorded_changes": recorded}


def _feedback_section(db, start, end) -> dict[str, Any]:
    """NPS, CSAT and complaints of the month."""
    nps_answers, csat_answers = q.feedback_scores(db, start, end)
    c = csat(csat_answers)
    return {"nps": nps_object(nps(nps_answers)),
            "csat": {"answers": c.total, "satisfied": c.satisfied,
                     "percent": None if c.percent is None else round_half_up(c.percent * 10) / 10,
                     "average": None if c.average is None else round_half_up(c.average * 100) / 100},
            **q.complaint_counts(db, start, end)}


def _named(db, section: dict[str, Any]) -> dict[str, Any]:
    """Add name and card number to each member row."""
    names = q.names_of(db, [r["member_id"] for r in section["members"]])
    for row in section["members"]:
        row["name"], row["card_number"] = names.get(row["member_id"], ("?", ""))
    return section


def nps_trend(db, year: int, month: int, tz: str, months: int = 12) -> list[dict[str, Any]]:
    """NPS of each of the last `months` months, oldest first."""
    out = []
    for back in range(months - 1, -1, -1):
        y, m = shift_month(year, month, -back)
        a, b = month_bounds(y, m, tz)
        out.append({"month": month_key(y, m), **nps_object(nps(q.feedback_scores(db, a, b)[0]))})
    return out


def _summaries(db, report: dict[str, Any], prev_start, start) -> dict[str, list[str]]:
    """The 'what changed' sentences in Turkish and English."""
    prev_sales = q.sales_totals(db, prev_start, start)
    prev_nps = nps_object(nps(q.feedback_scores(db, prev_start, start)[0]))["score"]
    current = {"revenue": report["sales"]["member_total"], "active": report["members"]["active"],
               "new": report["members"]["new"], "nps": report["feedback"]["nps"]["score"],
               "liability": report["points"]["liability"],
               "difference": report["points"]["difference"]}
    previous = {"revenue": prev_sales["member_total"],
                "active": report["members"]["active_previous_month"], "nps": prev_nps}
    return {lang: what_changed(current, previous, lang, lambda k, lang=lang: format_try(k, lang))
            for lang in ("tr", "en")}


from .report_exports import daily_summary, export_segment, write_csv_dir  # noqa: E402

__all__ = ["daily_summary", "export_segment", "monthly_report", "nps_trend", "write_csv_dir"]
