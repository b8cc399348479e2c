"""The end-of-day summary as an 80 mm thermal slip (built on `slip.Slip`)."""

from __future__ import annotations

from typing import Any

from .report_texts import T, decimal, lang_of, money, number
from .slip import Slip


def render_daily_slip(summary: dict[str, Any], lang: str = "tr", width_mm: int = 80) -> bytes:
    """The daily summary of `services.reports.daily_summary` as a one-page slip PDF."""
    lang = lang_of(lang)
    t, s, p = T[lang], summary["sales"], summary["points"]
    slip = Slip(width_mm)
    slip.text(summary["shop"] or "", bold=True, align="center", scale=1.2)
    slip.text(t["daily_title"], bold=True, align="center")
    slip.text(summary["day"], align="center")
    slip.rule()
    slip.pair(t["total_all"], f"{number(s['sales'], lang)} · {money(s['total'], lang)}", bold=True)
    slip.pair(t["sales"], f"{number(s['member_sales'], lang)} · {money(s['member_total'], lang)}")
    slip.pair(t["walk_in"], f"{number(s['walk_in_sales'], lang)} · "
                            f"{money(s['walk_in_total'], lang)}")
    slip.pair(t["refunds"], f"{number(s['refunds'], lang)} · {money(s['refunded_total'], lang)}")
    slip.pair(t["basket"], money(s["average_basket"], lang))
    slip.pair(t["new_members"], number(summary["new_members"], lang))
    slip.rule(dashed=True)
    for key in ("issued", "redeemed", "restored", "reversed", "expired", "adjusted_out"):
        slip.pair(t[key].strip(), number(p[key], lang))
    slip.rule(dashed=True)
    c = summary["cashback"]
    slip.pair(t["cashback_issued"], money(c["cashback_issued"], lang))
    slip.pair(t["wallet_spent"], money(c["wallet_spent"], lang))
    for key, count in sorted(summary["coupons"].items()):
        label = t["coupons_issued"] if key == "issued" else t["coupons_redeemed"] \
            if key == "redeemed" else key
        slip.pair(f"{t['coupons']}: {label}", number(count, lang))
    if summary["nps"]["answers"]:
        slip.pair(t["nps"], f"{decimal(summary['nps']['score'], lang)} "
                            f"({number(summary['nps']['answers'], lang)})")
    if summary["cashiers"]:
        slip.rule(dashed=True)
        slip.text(t["cashiers"], bold=True)
        for row in summary["cashiers"]:
            slip.pair(row["staff"], f"{number(row['sales'], lang)} · {money(row['total'], lang)}")
    slip.rule()
    slip.text(f"{t['generated']}: {summary['generated_at'][:16].replace('T', ' ')}",
              align="center", scale=0.85)
    return slip.render(f"{t['daily_title']} {summary['day']}")
