"""The daily summary, campaign segment exports (consent-checked) and CSV files of a report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain.analytics import SEGMENTS, nps
from ..domain.clock import birthday_in_year, shop_midnight, to_db, zone
from ..domain.errors import InvalidInput
from ..domain.report_math import average_kurus, nps_object, shift_month
from . import report_members as rm
from . import report_queries as q

CHANNELS = {"sms": "phone", "email": "email"}
SPECIAL_SEGMENTS = ("at_risk", "birthdays_next_month")


def daily_summary(term: Any, day: date) -> dict[str, Any]:
    """One shop day (00:00-24:00 shop time): sales, refunds, points, cashback, by cashier."""
    term.require_shop()
    db, tz = term.db, term.timezone
    start, end = shop_midnight(day, tz), shop_midnight(day + timedelta(days=1), tz)
    sales = q.sales_totals(db, start, end)
    flows = q.point_flows(db, start, end)
    wallet = q.wallet_flows(db, start, end)
    new_members = q.member_counts(db, start, end)[1]
    cashiers = [{"staff": name or "-", "sales": n, "total": total} for name, n, total in db.execute(
        "SELECT st.name, COUNT(*), SUM(s.total) FROM sales s LEFT JOIN staff st "
        "ON st.staff_id = s.staff_id WHERE s.at >= ? AND s.at < ? GROUP BY s.staff_id "
        "ORDER BY 3 DESC", [to_db(start), to_db(end)])]
    coupons: dict[str, int] = {}
    for entry_kind, _, count, _ in q.coupon_counts(db, start, end):
        key = entry_kind.removeprefix("coupon_")
        coupons[key] = coupons.get(key, 0) + count
    all_sales = sales["member_sales"] + sales["walk_in_sales"]
    all_total = sales["member_total"] + sales["walk_in_total"]
    return {
        "day": day.isoformat(), "timezone": tz, "shop": term.meta("shop_name"),
        "period": {"start": term.iso(start), "end": term.iso(end)},
        "generated_at": term.iso(term.now()),
        "sales": {**sales, "sales": all_sales, "total": all_total,
                  "net_total": all_total - sales["refunded_total"],
                  "average_basket": average_kurus(all_total, all_sales)},
        "new_members": new_members,
        "points": {"issued": flows["earn"] + flows["bonus"] + flows["adjust_in"],
                   "redeemed": flows["redeem"], "restored": flows["restore"],
                   "reversed": flows["reverse"], "adjusted_out": flows["adjust_out"],
                   "expired": q.expired_between(db, start, end)},
        "cashback": wallet, "coupons": coupons, "cashiers": cashiers,
        "nps": nps_object(nps(q.feedback_scores(db, start, end)[0])),
    }


def segment_members(term: Any, name: str, at: datetime) -> list[str]:
    """Member ids of a segment as of `at`: an RFM segment, at_risk or birthdays_next_month."""
    if name not in SEGMENTS and name not in SPECIAL_SEGMENTS:
        known = ", ".join((*SPECIAL_SEGMENTS, *SEGMENTS))
        raise InvalidInput(f"Unknown segment {name!r} (use one of: {known}).",
                           code="unknown_segment")
    db, tz = term.db, term.timezone
    if name == "birthdays_next_month":
        return _birthdays_next_month(db, at.astimezone(zone(tz)).date())
    root = q.roots(db)
    ids = rm.member_ids(db, at)
    (purchases,), sums = rm.member_scan(db, root, [at + rm.TICK], term.program)
    tiers = rm.tiers_at(db, root, [at], term.program, [ids], sums)
    (snap,) = rm.snapshots(db, root, [at], [purchases], term.program, [ids], tz, tiers)
    if name == "at_risk":
        return [r["member_id"] for r in rm.at_risk(db, root, snap, tz, limit=None)["members"]]
    return sorted(m for m, s in snap.segments.items() if s == name)


def _birthdays_next_month(db, today: date) -> list[str]:
    """Members whose birthday (29 February: 1 March in other years) falls next month."""
    year, month = shift_month(today.year, today.month, 1)
    out = []
    for member, text in db.execute("SELECT member_id, birthday FROM members WHERE birthday IS "
                                   "NOT NULL AND merged_into IS NULL AND erased_at IS NULL"):
        day = birthday_in_year(date.fromisoformat(text), year)
        if (day.year, day.month) == (year, month):
            out.append(member)
    return sorted(out)


def export_segment(term: Any, name: str, channel: str, out: Path,
                   at: datetime | None = None) -> dict[str, Any]:
    """Write a campaign CSV of a segment: only members who consented to the channel and have
    a contact for it; erased and merged members never appear."""
    if channel not in CHANNELS:
        raise InvalidInput(f"Unknown channel {channel!r} (use sms or email).",
                           code="invalid_channel")
    term.require_shop()
    moment = term.moment(at)
    members = segment_members(term, name, moment)
    column = CHANNELS[channel]
    rows, skipped = [], 0
    for i in range(0, len(members), 500):
        chunk = members[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for member, mname, card, contact, consents, erased, merged in term.db.execute(
                f"SELECT member_id, name, card_number, {column}, consents, erased_at, "
                f"merged_into FROM members WHERE member_id IN ({marks}) ORDER BY member_id",
                chunk):
            granted = json.loads(consents or "{}").get(channel, {}).get("granted")
            if erased or merged or not granted or not contact:
                skipped += 1
                continue
            rows.append([member, mname, card, contact])
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["member_id", "name", "card_number", column])
    writer.writerows(rows)
    Path(out).write_text(text.getvalue(), "utf-8-sig")
    return {"segment": name, "channel": channel, "members": len(members), "exported": len(rows),
            "skipped_no_consent_or_contact": skipped, "out": str(out),
            "as_of": term.iso(moment)}


def report_tables(report: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Every table of a monthly report as rows (header first), for CSV files."""
    p = report["points"]
    tables: dict[str, list[list[Any]]] = {
        "members": [["key", "value"], *[[k, v] for k, v in report["members"].items()]],
        "sales": [["key", "value"], *[[k, v] for k, v in report["sales"].items()]],
        "revenue_by_day": [["day", "sales", "total_kurus"],
                           *[[d["day"], d["sales"], d["total"]] for d in report["revenue_by_day"]]],
        "points": [["key", "value"], *[[k, v] for k, v in p.items()]],
        "cashback": [["key", "value_kurus"], *[[k, v] for k, v in report["cashback"].items()]],
        "coupons": [["kind", "issued", "redeemed", "returned", "cancelled", "issued_value_kurus",
                     "redemption_percent"],
                    *[[k, c["issued"], c["redeemed"], c["returned"], c["cancelled"],
                       c["issued_value"], c["redemption_percent"]]
                      for k, c in report["coupons"].items()]],
        "tiers": [["tier", "members", "clv_members", "clv_average_kurus"],
                  *[[k, n, report["clv"]["by_tier"][k]["members"],
                     report["clv"]["by_tier"][k]["average"]]
                    for k, n in report["tiers"]["distribution"].items()]],
        "tier_movements": [["move", "members"],
                           *[[k, v] for k, v in report["tiers"]["movements"]["moves"].items()]],
        "segments": [["segment", "before", "after", "joined", "left", "change"],
                     *[[k, s["before"], s["after"], s["joined"], s["left"], s["change"]]
                       for k, s in report["segments"].items()]],
        "top_members": [["member_id", "name", "card_number", "sales", "total_kurus", "net_kurus"],
                        *[[m["member_id"], m["name"], m["card_number"], m["sales"], m["total"],
                           m["net"]] for m in report["top_members"]]],
        "at_risk": [["member_id", "name", "card_number", "segment", "purchases", "spent_kurus",
                     "last_purchase", "score"],
                    *[[m["member_id"], m["name"], m["card_number"], m["segment"], m["purchases"],
                       m["spent"], m["last_purchase"], m.get("p_alive", m.get("churn_risk"))]
                      for m in report["at_risk"]["members"]]],
        "nps_trend": [["month", "answers", "promoters", "passives", "detractors", "score"],
                      *[[n["month"], n["answers"], n["promoters"], n["passives"],
                         n["detractors"], n["score"]] for n in report["nps_trend"]]],
        "conflicts": [["kind", "detected"],
                      *[[k, v] for k, v in report["conflicts"]["by_kind"].items()]],
    }
    return tables


def write_csv_dir(report: dict[str, Any], folder: Path) -> list[str]:
    """Write each report table as FOLDER/<month>-<table>.csv (UTF-8 with BOM for Excel)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in report_tables(report).items():
        path = folder / f"{report['month']}-{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
        written.append(str(path))
    return written
