"""The monthly loyalty report as an A4 PDF (platypus tables and charts), Turkish or English.

It draws only what `services.reports.monthly_report` returned, so the PDF and `--json`
always agree.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from loyalty_desktop.domain.analytics import SEGMENT_NAMES

from . import fonts
from . import report_charts as charts
from .report_texts import COUPON_KINDS, T, decimal, lang_of, money, month_name, number

WIDTH = A4[0] - 30 * mm
HEAD = colors.HexColor("#e8eef6")


def _styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    base = ParagraphStyle("base", fontName=fonts.REGULAR, fontSize=9, leading=12)
    return {"base": base,
            "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=18,
                                    leading=22),
            "h2": ParagraphStyle("h2", parent=base, fontName=fonts.BOLD, fontSize=12, leading=16,
                                 spaceBefore=8, spaceAfter=4),
            "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10,
                                    textColor=colors.HexColor("#555555"))}


def _table(rows: list[list[Any]], widths: list[float], header: bool = True,
           bold_rows: tuple[int, ...] = (), left: tuple[int, ...] = (0,)) -> Table:
    """A grid table in DejaVu; columns not in `left` (numbers) right-aligned."""
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
             ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0da")),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    style += [("ALIGN", (c, 0), (c, -1), "LEFT") for c in left]
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), fonts.BOLD), ("BACKGROUND", (0, 0), (-1, 0), HEAD)]
    for r in bold_rows:
        style.append(("FONTNAME", (0, r), (-1, r), fonts.BOLD))
    table.setStyle(TableStyle(style))
    return table


def _kpis(r: dict[str, Any], lang: str) -> Table:
    t, m, s = T[lang], r["members"], r["sales"]
    left = [[t["members_total"], number(m["total"], lang)], [t["members_new"], number(m["new"], lang)],
            [t["members_active"], number(m["active"], lang)],
            [t["members_lapsed"], number(m["lapsed"], lang)],
            [t["retention"], decimal(m["retention_percent"], lang, " %")],
            [t["repeat"], decimal(m["repeat_purchase_percent"], lang, " %")],
            [t["frequency"], decimal(s["purchase_frequency"], lang)]]
    right = [[t["sales"], number(s["member_sales"], lang)], [t["revenue"], money(s["member_total"], lang)],
             [t["money_paid"], money(s["member_money_paid"], lang)],
             [t["refunds"], money(s["refunded_total"], lang)],
             [t["basket"], money(s["average_basket"], lang)],
             [t["clv"], money(r["clv"]["average"], lang) if "clv" in r else "—"],
             [t["liability"], money(r["points"]["liability"], lang)
              if "liability" in r["points"] else "—"]]
    rows = [a + b for a, b in zip(left, right)]
    return _table(rows, [WIDTH * 0.31, WIDTH * 0.15, WIDTH * 0.33, WIDTH * 0.21], header=False,
                  left=(0, 2))


def _points(r: dict[str, Any], lang: str) -> Table:
    t, p = T[lang], r["points"]
    keys = ["opening", "issued", "earned", "bonus", "adjusted_in", "redeemed", "restored",
            "restored_lost", "reversed", "expired", "adjusted_out", "expected_closing", "closing"]
    signs = {"issued": "+", "redeemed": "−", "restored": "+", "reversed": "−", "expired": "−",
             "adjusted_out": "−"}
    rows = [[t[k], (signs.get(k, "") if p[k] else "") + number(p[k], lang)]
            for k in keys if k in p]
    if "checked" not in p:
        return _table(rows, [WIDTH * 0.4, WIDTH * 0.18], header=False)
    rows.append([t["checked"], t["ok"] if p["checked"] else t["fail"]])
    rows.append([t["liability"], money(p["liability"], lang)])
    return _table(rows, [WIDTH * 0.4, WIDTH * 0.18], header=False, bold_rows=(0, 11, 12, 13))


def _cashback_and_coupons(r: dict[str, Any], lang: str) -> list[Any]:
    t, c = T[lang], r["cashback"]
    cash = _table([[t["cashback"], ""]] + [[t[k], money(c[k], lang)] for k in
                                            ("cashback_issued", "wallet_spent",
                                             "cashback_cancelled", "pending_at_end")],
                  [WIDTH * 0.35, WIDTH * 0.15])
    names = COUPON_KINDS[lang]
    rows = [[t["kind"], t["coupons_issued"], t["coupons_redeemed"], t["rate"]]]
    rows += [[names.get(k, k), number(v["issued"], lang), number(v["redeemed"], lang),
              decimal(v["redemption_percent"], lang, " %")] for k, v in r["coupons"].items()]
    if len(rows) == 1:
        rows.append([t["none"], "", "", ""])
    return [cash, Spacer(1, 4 * mm), Paragraph(t["coupons"], _styles()["h2"]),
            _table(rows, [WIDTH * 0.35, WIDTH * 0.15, WIDTH * 0.15, WIDTH * 0.15])]


def _tiers(r: dict[str, Any], lang: str) -> list[Any]:
    t, tiers = T[lang], r["tiers"]
    rows = [[t["tier"], t["members"], t["clv_avg"]]]
    rows += [[tiers["names"][k], number(n, lang),
              money(r["clv"]["by_tier"][k]["average"], lang)
              if "by_tier" in r.get("clv", {}) else "—"]  # not on the server's report
             for k, n in tiers["distribution"].items()]
    mv = tiers["movements"]
    rows.append([f"{t['movements']}: {t['upgrades']} {number(mv['upgrades'], lang)}, "
                 f"{t['downgrades']} {number(mv['downgrades'], lang)}", "", ""])
    table = _table(rows, [WIDTH * 0.3, WIDTH * 0.1, WIDTH * 0.15])
    table.setStyle(TableStyle([("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1))]))
    return [Table([[table, charts.tiers(tiers["distribution"], tiers["names"], t["tiers"])]],
                  colWidths=[WIDTH * 0.55, WIDTH * 0.45], hAlign="LEFT")]


def _segments(r: dict[str, Any], lang: str) -> list[Any]:
    t, labels = T[lang], SEGMENT_NAMES[lang]
    rows = [[t["segment"], t["before"], t["after"], t["change"]]]
    rows += [[labels.get(k, k), number(v["before"], lang), number(v["after"], lang),
              ("+" if v["change"] >= 0 else "-") + number(abs(v["change"]), lang)]
             for k, v in r["segments"].items()]
    return [_table(rows, [WIDTH * 0.4, WIDTH * 0.15, WIDTH * 0.15, WIDTH * 0.15]),
            Spacer(1, 3 * mm), charts.segments(r["segments"], labels, t["segments"],
                                                       (t["before"], t["after"]))]


def _feedback(r: dict[str, Any], lang: str) -> list[Any]:
    t, f = T[lang], r["feedback"]
    n = f["nps"]
    rows = [[t["nps"], decimal(n["score"], lang)], [t["promoters"], number(n["promoters"], lang)],
            [t["passives"], number(n["passives"], lang)],
            [t["detractors"], number(n["detractors"], lang)],
            [t["csat"], decimal(f["csat"]["percent"], lang, " %")],
            [t["complaints"], number(f["complaints"], lang)],
            [t["follow_ups"], number(f["follow_ups"], lang)]]
    return [_table(rows, [WIDTH * 0.35, WIDTH * 0.15], header=False), Spacer(1, 3 * mm),
            charts.nps_trend(r["nps_trend"], t["nps_trend"])]


def _people(r: dict[str, Any], lang: str) -> list[Any]:
    t, st = T[lang], _styles()
    top = [[t["name"], t["card"], t["sales"], t["net"]]]
    top += [[m["name"], m["card_number"][-4:].rjust(8, "•"), number(m["sales"], lang),
             money(m["net"], lang)] for m in r["top_members"]]
    risk = r.get("at_risk", {"method": "", "members": []})
    score_head = t["score"] if risk["method"] == "bgnbd" else t["churn"]
    rows = [[t["name"], t["segment"], t["last"], t["net"], score_head]]
    for m in risk["members"]:
        score = m.get("p_alive", m.get("churn_risk"))
        rows.append([m["name"], SEGMENT_NAMES[lang].get(m["segment"], m["segment"]),
                     m["last_purchase"], money(m["spent"], lang),
                     decimal(score * 100, lang, " %") if isinstance(score, float) else score])
    if len(rows) == 1:
        rows.append([t["none"], "", "", "", ""])
    cf = r["conflicts"]
    risk_part = _omitted(r, "at_risk", lang) or [
        _table(rows, [WIDTH * 0.25, WIDTH * 0.25, WIDTH * 0.14, WIDTH * 0.14, WIDTH * 0.22],
               left=(0, 1))]
    return [Paragraph(t["top"], st["h2"]),
            _table(top, [WIDTH * 0.32, WIDTH * 0.2, WIDTH * 0.18, WIDTH * 0.2]),
            Paragraph(t["at_risk"], st["h2"]), *risk_part,
            Paragraph(t["conflicts"], st["h2"]),
            _table([[t["detected"], number(cf["detected"], lang)],
                    [t["unresolved"], number(cf["unresolved_at_end"], lang)]],
                   [WIDTH * 0.35, WIDTH * 0.15], header=False)]


def _omitted(r: dict[str, Any], key: str, lang: str) -> list[Any]:
    """The reason a section is left out (the chain report), or [] when it is there."""
    reason = r.get("omitted", {}).get(key)
    return [Paragraph("— " + reason[lang], _styles()["small"])] if reason else []


def _omitted_list(r: dict[str, Any], lang: str) -> list[Any]:
    """Every section left out, with why, on the first page."""
    if not r.get("omitted"):
        return []
    st = _styles()
    return [Paragraph(T[lang]["omitted"], st["h2"]),
            *[Paragraph("• " + reason[lang], st["small"]) for reason in r["omitted"].values()]]


def _stores(r: dict[str, Any], lang: str) -> list[Any]:
    """The per-store breakdown of the chain report."""
    if not r.get("stores"):
        return []
    t, small = T[lang], _styles()["small"]
    rows: list[list[Any]] = [[Paragraph(t[k], small) for k in (
        "store", "sales", "revenue", "walk_in", "refunds", "new_members", "points_issued",
        "points_redeemed")]]  # wrapped: the long headers of eight narrow columns
    rows += [[s["store"], number(s["member_sales"], lang), money(s["member_total"], lang),
              number(s["walk_in_sales"], lang), money(s["refunded_total"], lang),
              number(s["new_members"], lang), number(s["points_issued"], lang),
              number(s["points_redeemed"], lang)] for s in r["stores"]]
    widths = [0.18, 0.09, 0.15, 0.11, 0.13, 0.1, 0.12, 0.12]
    return [Paragraph(t["stores"], _styles()["h2"]), _table(rows, [WIDTH * w for w in widths])]


def render_monthly_report(report: dict[str, Any], lang: str = "tr") -> bytes:
    """The monthly report as A4 PDF bytes."""
    lang = lang_of(lang)
    t, st = T[lang], _styles()
    title = f"{t['title']} — {month_name(report['month'], lang)}"
    story: list[Any] = [
        Paragraph(title, st["title"]),
        Paragraph(f"{report['shop'] or ''} · {t['period']}: {report['period']['start'][:10]} – "
                  f"{report['period']['end'][:10]} ({report['timezone']}) · {t['generated']}: "
                  f"{report['generated_at'][:16].replace('T', ' ')}", st["small"]),
        Paragraph(t["summary"], st["h2"]),
        *[Paragraph("• " + line, st["base"]) for line in report["summary"][lang]],
        Paragraph(t["kpis"], st["h2"]), _kpis(report, lang), Spacer(1, 5 * mm),
        charts.revenue_by_day(report["revenue_by_day"], t["revenue_by_day"] + " (₺)"),
        *_stores(report, lang), *_omitted_list(report, lang),
        PageBreak(),
        KeepTogether([Paragraph(t["points"], st["h2"]), _points(report, lang)]),
        Spacer(1, 4 * mm), *_cashback_and_coupons(report, lang),
        Paragraph(t["tiers"], st["h2"]), *(_omitted(report, "tiers", lang) or _tiers(report, lang)),
        PageBreak(),
        Paragraph(t["segments"], st["h2"]),
        *(_omitted(report, "segments", lang) or _segments(report, lang)),
        Paragraph(t["feedback"], st["h2"]), *_feedback(report, lang),
        PageBreak(), *_people(report, lang),
    ]
    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.setFont(fonts.REGULAR, 7.5)
        canvas.drawString(15 * mm, 10 * mm, title)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{t['page']} {doc.page}")

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=title,
                            author="Loyalty Desktop", creator="Loyalty Desktop", invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
