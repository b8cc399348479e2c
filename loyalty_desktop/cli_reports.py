"""CLI commands of the reports: `report monthly`, `report daily`, `export segment`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .cli_commands import _group, _leaf, opened


def cmd_report_monthly(args):
    from .domain.report_math import parse_month
    from .printing.report import render_monthly_report
    from .services.reports import monthly_report, write_csv_dir

    year, month = parse_month(args.month)
    with opened(args) as term:
        report = monthly_report(term, year, month)
        lang = args.lang or term.language
    if args.out:
        Path(args.out).write_bytes(render_monthly_report(report, lang))
        report["pdf"] = str(args.out)
    if args.csv_dir:
        report["csv_files"] = write_csv_dir(report, Path(args.csv_dir))
    return report if args.json else _monthly_lines(report, lang)


def _monthly_lines(report, lang):
    """The human summary: the what-changed sentences and the headline numbers."""
    from .domain.money import format_try

    p = report["points"]
    out = {"month": report["month"], "summary": report["summary"]["en" if lang == "en" else "tr"],
           "member_sales": report["sales"]["member_sales"],
           "member_revenue": format_try(report["sales"]["member_total"], lang),
           "points_opening": p["opening"], "points_closing": p["closing"],
           "tie_out_checked": p["checked"], "points_liability": format_try(p["liability"], lang)}
    for key in ("pdf", "csv_files"):
        if key in report:
            out[key] = report[key]
    return out


def cmd_report_daily(args):
    from .domain.errors import InvalidInput
    from .printing.daily import render_daily_slip
    from .services.reports import daily_summary

    with opened(args) as term:
        if args.day:
            try:
                day = date.fromisoformat(args.day)
            except ValueError:
                raise InvalidInput(f"Day {args.day!r} is not valid; write it like 2026-03-31.",
                                   code="invalid_day") from None
        else:
            from .domain.clock import zone
            day = term.now().astimezone(zone(term.timezone)).date()
        summary = daily_summary(term, day)
        lang = term.language
    if args.out:
        Path(args.out).write_bytes(render_daily_slip(summary, lang))
        summary["pdf"] = str(args.out)
    return summary if args.json else _daily_lines(summary, lang)


def _daily_lines(summary, lang):
    """The human view of the day: counts and formatted money."""
    from .domain.money import format_try

    s = summary["sales"]
    out = {"day": summary["day"], "sales": s["sales"], "total": format_try(s["total"], lang),
           "member_sales": s["member_sales"], "refunds": s["refunds"],
           "refunded": format_try(s["refunded_total"], lang),
           "average_basket": format_try(s["average_basket"], lang),
           "new_members": summary["new_members"], "points_issued": summary["points"]["issued"],
           "points_redeemed": summary["points"]["redeemed"],
           "cashback_issued": format_try(summary["cashback"]["cashback_issued"], lang)}
    if "pdf" in summary:
        out["pdf"] = summary["pdf"]
    return out


def cmd_export_segment(args):
    from .services.reports import export_segment

    with opened(args) as term:
        return export_segment(term, args.name, args.channel, Path(args.out))


def register(sub) -> None:
    """`report monthly`, `report daily`, `export segment`."""
    r = _group(sub, "report", "Monthly loyalty report and daily summary.")
    p = _leaf(r, "monthly", cmd_report_monthly,
              "The monthly loyalty report (KPIs, points tie-out, CRM) as PDF, CSV or JSON.")
    p.add_argument("--month", required=True, help="YYYY-MM (shop time zone)")
    p.add_argument("--out", help="write the A4 PDF here")
    p.add_argument("--csv-dir", help="write every report table as CSV into this folder")
    p.add_argument("--lang", choices=["tr", "en"], help="PDF language (default: the shop's)")
    p = _leaf(r, "daily", cmd_report_daily, "The end-of-day summary (80 mm slip PDF or JSON).")
    p.add_argument("--day", help="YYYY-MM-DD (default: today, shop time)")
    p.add_argument("--out", help="write the 80 mm slip PDF here")
    e = _group(sub, "export", "Exports for campaigns.")
    p = _leaf(e, "segment", cmd_export_segment,
              "Members of a segment who consented to the channel, as CSV.")
    p.add_argument("name", help="at_risk, birthdays_next_month or an RFM segment (champions, "
                                "loyal, potential_loyalist, new, promising, need_attention, "
                                "about_to_sleep, at_risk, cant_lose, hibernating, lost)")
    p.add_argument("--channel", required=True, choices=["sms", "email"])
    p.add_argument("--out", required=True, help="CSV file to write")
