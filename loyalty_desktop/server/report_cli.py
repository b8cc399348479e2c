"""`server rollup` and `server report monthly`: the report projector and the chain report from a shell."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.clock import UTC
from ..domain.money import format_try
from ..domain.report_math import parse_month
from .admin import admin_storage
from .report_chain import chain_monthly_report
from .report_rollups import fold_tenants


def rollup(db_url: str, tenant: str | None) -> dict[str, Any]:
    """Fold every tenant's (or one tenant's) new events into the report rollups."""
    started = time.perf_counter()
    with admin_storage(db_url) as storage:
        pk = None if tenant is None else storage.find_tenant(tenant)[0]  # type: ignore[attr-defined]
        folded = fold_tenants(storage, pk)
    return {"tenants": len(folded), "events_folded": sum(folded.values()),
            "seconds": round(time.perf_counter() - started, 3)}


def monthly(db_url: str, tenant: str, month: str, out: str | None, lang: str,
            as_json: bool) -> dict[str, Any]:
    """The chain's monthly report: the whole dict with --json, else the headline numbers."""
    from ..printing.report import render_monthly_report

    year, number = parse_month(month)
    with admin_storage(db_url) as storage:
        pk = storage.find_tenant(tenant)[0]  # type: ignore[attr-defined]
        report = chain_monthly_report(storage, pk, year, number, datetime.now(UTC))
    if out:
        Path(out).write_bytes(render_monthly_report(report, lang))
        report["pdf"] = out
    if as_json:
        return report
    headline = {"month": report["month"], "chain": report["shop"],
                "member_sales": report["sales"]["member_sales"],
                "member_revenue": format_try(report["sales"]["member_total"], lang),
                "active_members": report["members"]["active"], "stores": len(report["stores"]),
                "points_closing": report["points"]["closing"],
                "tie_out_checked": report["points"]["checked"],
                "points_liability": format_try(report["points"]["liability"], lang),
                "omitted": ",".join(report["omitted"])}
    return {**headline, **({"pdf": out} if out else {})}
