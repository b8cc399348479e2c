"""Monthly report budget: KPIs + PDF of one month on a store of 100,000 members, 2,000,000 sales.

Reuses benchmarks/checkout.py's `build()` (cached under /tmp/loyalty-bench), copies the store,
then times each part of `monthly_report` and the PDF rendering, and prints the total.
Budget: total < 3 s.

    python benchmarks/report.py [--members 100000] [--sales 2000000] [--month 2026-06]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import build  # noqa: E402

from loyalty_desktop.domain.report_math import parse_month  # noqa: E402
from loyalty_desktop.printing.report import render_monthly_report  # noqa: E402
from loyalty_desktop.services import open_terminal  # noqa: E402
from loyalty_desktop.services import reports  # noqa: E402


def timed_parts(term, year: int, month: int) -> dict[str, float]:
    """Seconds per top-level part of the report, from a profile of one full run."""
    profile = cProfile.Profile()
    profile.enable()
    report = reports.monthly_report(term, year, month)
    profile.disable()
    stats = pstats.Stats(profile)
    wanted = {"_members_section", "_sales_section", "purchase_summaries", "snapshot",
              "_points_section", "_revenue_by_day", "_clv_section", "_tier_section",
              "at_risk", "_top_members", "nps_trend", "_summaries", "_coupon_section",
              "_feedback_section"}
    parts = {}
    for (_, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if name in wanted:
            parts[name] = parts.get(name, 0.0) + row[3]
    return {"report": report, **parts}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=2_000_000)
    ap.add_argument("--month", default="2026-06")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/loyalty-bench"))
    args = ap.parse_args()
    cached = args.cache / f"store-{args.members}-{args.sales}"
    if not (cached / "loyalty.db").exists():
        shutil.rmtree(cached, ignore_errors=True)
        t0 = time.perf_counter()
        build(cached, args.members, args.sales)
        print(f"built store in {time.perf_counter() - t0:.0f} s")
    work = args.cache / "report-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached, work)
    year, month = parse_month(args.month)
    term = open_terminal(work)
    try:
        reports.monthly_report(term, year, month)  # warm the page cache once
        t0 = time.perf_counter()
        report = reports.monthly_report(term, year, month)
        t1 = time.perf_counter()
        pdf = render_monthly_report(report, "tr")
        t2 = time.perf_counter()
        parts = timed_parts(term, year, month)
    finally:
        term.close()
    parts.pop("report")
    for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20} {seconds * 1000:8.0f} ms (profiled)")
    print(f"month {args.month}: {report['sales']['member_sales']} sales, "
          f"{report['members']['active']} active members, tie-out "
          f"{'holds' if report['points']['checked'] else 'FAILS'}")
    print(f"KPIs {t1 - t0:.2f} s  PDF {t2 - t1:.2f} s ({len(pdf) // 1024} KiB)  "
          f"total {t2 - t0:.2f} s  budget 3 s: {'ok' if t2 - t0 < 3 else 'OVER'}")


if __name__ == "__main__":
    main()
