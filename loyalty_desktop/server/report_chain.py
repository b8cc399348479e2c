"""The chain's monthly loyalty report, read from the server's rollups (no scan of the events).

The dict has the shape of the terminal's `services.reports.monthly_report` for every section
the server can compute from what terminals push (the member sections, RFM segments, CLV and
members at risk, in `report_chain_members`; point balances, the tie-out and tiers from the
members' folded ledgers, in `report_ledgers`), plus `stores` (the per-store breakdown) and
`omitted` (each section left out, with why, in Turkish and English; empty now that the server
has every section): the PDF would say so rather than show numbers the server does not have.
Months and days are the shop's, in the zone of the tenant's newest program (Europe/Istanbul
by default); every range is half-open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.analytics import csat, nps
from ..domain.clock import UTC, month_bounds, to_db, to_json
from ..domain.errors import InvalidInput
from ..domain.money import format_try, round_half_up
from ..domain.program import DEFAULT_PROGRAM, Program, program_from_toml
from ..domain.report_math import (
    average_kurus, month_key, nps_object, percent, ratio, shift_month, tie_out,
    tier_movements_counted, what_changed,
)
from . import report_ledgers
from .balances import _root
from .report_chain_members import member_sections
from .report_fold import COUPON_COLUMNS, DAY_COLUMNS, FLOW_COLUMNS
from . import report_rollups as rollups
from .report_rollups import _Phases, cursor_of, fold_pending
from .report_snapshots import close_months
from .storage.base import SqlStorage
from .storage.postgres import PostgresStorage

OMITTED: dict[str, dict[str, str]] = {}  # sections the server leaves out (none now), with why


def chain_monthly_report(storage: SqlStorage, tenant_pk: int, year: int, month: int,
                         now: datetime, *, fold: bool = True,
                         timings: dict[str, float] | None = None) -> dict[str, Any]:
    """Fold what arrived since the last run, then every KPI of the month the rollups give.

    `timings`, if given, gets the seconds each part took (benchmarks)."""
    if not 1900 <= year <= 2999:
        raise InvalidInput("A report month is between 1900-01 and 2999-12.", code="invalid_month")
    lap = _Phases(timings).lap
    if fold:
        fold_pending(storage, tenant_pk)
        close_months(storage, tenant_pk)
        lap("fold")
    last_seq, tz, doc = cursor_of(storage, tenant_pk)
    program = program_from_toml(doc) if doc else DEFAULT_PROGRAM
    start, end = month_bounds(year, month, tz)
    keys = {k: month_key(*shift_month(year, month, n)) for k, n in
            (("prev", -1), ("since", -3), ("month", 0), ("next", 1))}
    with storage._read() as cur:  # noqa: SLF001 - read queries of the report, one snapshot
        if isinstance(storage, PostgresStorage):  # group ~all members in memory, not on disk;
            cur.execute("SET LOCAL work_mem = '256MB'")  # no JIT (~0.9 s to compile the
            cur.execute("SET LOCAL jit = off")  # member pass at 1 M members, nothing gained)
        r = _Reader(storage, cur, tenant_pk)
        r.join_roots()
        people = member_sections(r, keys, (start, end), tz, program, lap)
        r.drop_roots()
        stores = r.stores(keys["month"], keys["next"], start, end)
        sales = _totals(stores)
        prev_sales = _totals(r.stores(keys["prev"], keys["month"], *month_bounds(
            *shift_month(year, month, -1), tz)))
        member_totals = _members_section(r.member_counts(start, end), people["buyers"])
        report = {
            "month": keys["month"], "timezone": tz, "shop": r.tenant_name(), "scope": "chain",
            "period": {"start": to_json(start, tz), "end": to_json(end, tz)},
            "generated_at": to_json(now, tz), "program_version": program.version,
            "folded_through": last_seq,
            "members": member_totals,
            "sales": _sales_section(sales, member_totals["active"]),
            "revenue_by_day": r.revenue_by_day(year, month),
            "clv": people["clv"],
            "points": r.points(keys["month"], keys["next"], program.point_value),
            "cashback": _cashback_section(r.flows(keys["month"]), r.pending_at(end)),
            "coupons": r.coupons(keys["month"]),
            "tiers": r.tiers(keys["month"], member_totals["total"], program),
            "feedback": r.feedback(keys["month"]),
            "segments": people["segments"],
            "top_members": r.named(people["top_members"]),
            "at_risk": people["at_risk"],
            "conflicts": r.conflicts(start, end),
            "nps_trend": r.nps_trend(year, month),
            "stores": [{"store": name, **_sales_section(row, None)}
                       for name, row in stores.items()],
            "omitted": OMITTED,
        }
        lap("other sections")
    report["summary"] = _summary(report, prev_sales)
    return report


def _totals(stores: dict[str, dict[str, int]]) -> dict[str, int]:
    """Column sums of the per-store rows."""
    return {c: sum(row[c] for row in stores.values()) for c in DAY_COLUMNS}


def _members_section(members: tuple[int, int], c: dict[str, int]) -> dict[str, Any]:
    """Totals, new, active, lapsed, retention and repeat buyers (as the terminal counts them)."""
    return {"total": members[0], "new": members[1], "active": c["active"],
            "lapsed": c["lapsed"], "active_previous_month": c["previous"],
            "retained": c["kept"], "retention_percent": percent(c["kept"], c["previous"]),
            "repeat_buyers": c["repeat"],
            "repeat_purchase_percent": percent(c["repeat"], c["active"])}


def _sales_section(s: dict[str, int], active: int | None) -> dict[str, Any]:
    """The terminal's sales keys from summed day rows (frequency only chain-wide)."""
    out: dict[str, Any] = {
        "member_sales": s["member_sales"], "member_total": s["member_total"],
        "member_money_paid": s["member_money_paid"], "walk_in_sales": s["walk_in_sales"],
        "walk_in_total": s["walk_in_total"], "refunds": s["refunds"],
        "refunded_total": s["refunded_total"], "refunded_money": s["refunded_money"],
        "net_total": s["member_total"] - s["refunded_total"],
        "average_basket": average_kurus(s["member_total"], s["member_sales"])}
    if active is None:
        out.update(points_issued=s["points_issued"], points_redeemed=s["points_redeemed"],
                   new_members=s["new_members"])
    else:
        out["purchase_frequency"] = ratio(s["member_sales"], active)
    return out


def _cashback_section(f: dict[str, int], pending: int) -> dict[str, int]:
    """Cashback issued, spent, cancelled, restored and adjusted; pending at the month end."""
    return {"cashback_issued": f["cashback"], "wallet_spent": -f["wallet_spend"],
            "cashback_cancelled": -f["cashback_cancel"], "wallet_restored": f["wallet_restore"],
            "wallet_adjusted": f["wallet_adjust"], "pending_at_end": pending}


def _summary(report: dict[str, Any], prev_sales: dict[str, int]) -> dict[str, list[str]]:
    """The 'what changed' sentences in Turkish and English."""
    trend = report["nps_trend"]
    current = {"revenue": report["sales"]["member_total"], "active": report["members"]["active"],
               "new": report["members"]["new"], "nps": report["feedback"]["nps"]["score"],
               "liability": report["points"]["liability"],
               "difference": report["points"]["difference"]}
    previous = {"revenue": prev_sales["member_total"],
                "active": report["members"]["active_previous_month"],
                "nps": trend[-2]["score"] if len(trend) > 1 else None}
    return {lang: what_changed(current, previous, lang, lambda k, lang=lang: format_try(k, lang))
            for lang in ("tr", "en")}


class _Reader:
    """The report's queries over one tenant's rollups, in one read transaction."""

    def __init__(self, storage: SqlStorage, cur: Any, tenant: int) -> None:
        self.s, self.cur, self.t = storage, cur, tenant
        self.postgres = isinstance(storage, PostgresStorage)
        self.root: dict[str, str] = {}
        self.member, self.join = "mm.member_id", ""  # a member month's holder, see join_roots

    def all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Every row of a query (`?` placeholders)."""
        return self.s._all(self.cur, sql, params)  # noqa: SLF001

    def ids_clause(self, ids: list[str]) -> tuple[str, list[Any]]:
        """`IN (...)` (or `= ANY(...)`) of some ids, with its parameters."""
        return self.s._ids_clause(ids)  # noqa: SLF001

    def tenant_name(self) -> str:
        """The tenant's name (the chain)."""
        return str(self.all("SELECT name FROM tenants WHERE id = ?", (self.t,))[0][0])

    def member_counts(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(members at the month end, members enrolled in it): not merged, not erased."""
        s, e = to_db(start), to_db(end)
        row = self.all("SELECT COUNT(*), COALESCE(SUM(CASE WHEN enrolled_at >= ? THEN 1 ELSE 0"
                        " END), 0) FROM report_members WHERE tenant_id = ? AND enrolled_at < ?"
                        " AND merged_into IS NULL AND (erased_at IS NULL OR erased_at >= ?)",
                        (s, self.t, e, e))[0]
        return int(row[0]), int(row[1])

    def roots(self) -> dict[str, str]:
        """Merged member -> the member now holding its history (chains followed)."""
        parent = {r[0]: r[1] for r in self.all(
            "SELECT member_id, merged_into FROM report_members WHERE tenant_id = ?"
            " AND merged_into IS NOT NULL", (self.t,))}
        return {m: _root(m, parent) for m in parent}

    def join_roots(self) -> None:
        """Read the merges: `root`, and `member`/`join` that group member months (alias mm)
        per the member now holding them. Merges are few: they are mapped through a small
        (analysed) temporary table, `report_roots`, dropped by `drop_roots`."""
        self.root = self.roots()
        if self.root:
            rollups.temp_table(self.s, self.cur, "report_roots", ["member_id", "root"],
                               sorted(self.root.items()))
            self.cur.execute("ANALYZE report_roots")
            self.member = "COALESCE(r.root, mm.member_id)"
            self.join = " LEFT JOIN report_roots r ON r.member_id = mm.member_id"

    def drop_roots(self) -> None:
        """Drop the merges' temporary table."""
        if self.root:
            self.cur.execute("DROP TABLE report_roots")

    def stores(self, first: str, after: str, start: datetime, end: datetime
               ) -> dict[str, dict[str, int]]:
        """Day rollups of [first month, after month) summed per store (named)."""
        names = {int(r[0]): r[1] for r in self.all(
            "SELECT id, name FROM stores WHERE tenant_id = ?", (self.t,))}
        sums = ", ".join(f"CAST(SUM({c}) AS BIGINT)" for c in DAY_COLUMNS)
        rows = self.all(
            f"SELECT store_id, {sums} FROM report_days WHERE tenant_id = ? AND day >= ?"
            " AND day < ? GROUP BY store_id ORDER BY store_id", (self.t, first + "-01", after + "-01"))
        return {names.get(int(r[0]), "-"): dict(zip(DAY_COLUMNS, map(int, r[1:]))) for r in rows}

    def revenue_by_day(self, year: int, month: int) -> list[dict[str, Any]]:
        """Member sales and their total on each day of the month (every day listed)."""
        first = date(year, month, 1)
        after = date(*shift_month(year, month, 1), 1)
        found = {r[0]: (int(r[1]), int(r[2])) for r in self.all(
            "SELECT day, SUM(member_sales), SUM(member_total) FROM report_days WHERE tenant_id = ?"
            " AND day >= ? AND day < ? GROUP BY day", (self.t, first.isoformat(), after.isoformat()))}
        days = [first + timedelta(days=i) for i in range((after - first).days)]
        return [{"day": d.isoformat(), "sales": found.get(d.isoformat(), (0, 0))[0],
                 "total": found.get(d.isoformat(), (0, 0))[1]} for d in days]

    def flows(self, month: str) -> dict[str, int]:
        """The month's ledger flows by kind (zeros when nothing happened)."""
        rows = self.all(f"SELECT {', '.join(FLOW_COLUMNS)} FROM report_flows WHERE tenant_id = ?"
                         " AND month = ?", (self.t, month))
        return dict(zip(FLOW_COLUMNS, map(int, rows[0] if rows else (0,) * len(FLOW_COLUMNS))))

    def points(self, month: str, after: str, point_value: int) -> dict[str, Any]:
        """The month's point flows, expired points and the balances at both ends, tied out:
        the terminal's points section, from the flows and the members' folded lots."""
        f = self.flows(month)
        expiring, lost = report_ledgers.month_points(self.s, self.cur, self.t, month)
        # held before a month: every point entry before it, less what expired before it and
        # what was given back into lots already expired (the terminal's outstanding_before)
        (gone_open, lost_open), (gone_close, lost_close) = report_ledgers.points_sums(
            self.s, self.cur, self.t, [month, after])
        opening = self.points_before(month) - gone_open - lost_open
        closing = self.points_before(after) - gone_close - lost_close
        flows = {"issued": f["earn"] + f["bonus"] + f["adjust_in"], "earned": f["earn"],
                 "bonus": f["bonus"], "adjusted_in": f["adjust_in"], "redeemed": f["redeem"],
                 "restored": f["restore"] - lost, "restored_lost": lost,
                 "reversed": f["reverse"], "expired": expiring, "adjusted_out": f["adjust_out"]}
        return {**tie_out(opening, flows, closing), "point_value": point_value,
                "liability": closing * point_value, "opening_liability": opening * point_value}

    def points_before(self, month: str) -> int:
        """Every point entry of the months before `month`, summed (signed)."""
        return int(self.all(
            "SELECT COALESCE(SUM(earn + bonus + adjust_in - adjust_out - redeem + restore"
            " - reverse), 0) FROM report_flows WHERE tenant_id = ? AND month < ?",
            (self.t, month))[0][0])

    def tiers(self, month: str, listed: int, program: Program) -> dict[str, Any]:
        """Tier distribution at the month end and the movements since the month before's end
        (the members listed then: not merged, not erased), from the members' tier changes."""
        ranks = len(program.tiers)
        held = [0] * ranks
        moved: dict[tuple[int, int], int] = {}
        for row_month, before, after, n in report_ledgers.tier_rows(self.s, self.cur, self.t,
                                                                    month):
            if 0 <= after < ranks:
                held[after] += n
            if 0 <= before < ranks:
                held[before] -= n
            if row_month == month and after >= 0:
                moved[(before, after)] = moved.get((before, after), 0) + n
        held[0] = listed - sum(held[1:])
        keys = [t.key for t in program.tiers]
        return {"distribution": dict(zip(keys, held)),
                "names": {t.key: t.name for t in program.tiers},
                "movements": tier_movements_counted(moved, keys)}

    def pending_at(self, end: datetime) -> int:
        """Cashback given before the month end that becomes spendable only after it."""
        e = to_db(end)
        return int(self.all("SELECT COALESCE(SUM(wallet), 0) FROM report_wallet_pending"
                             " WHERE tenant_id = ? AND available_at >= ? AND at < ?", (self.t, e, e))[0][0])

    def coupons(self, month: str) -> dict[str, dict[str, Any]]:
        """Coupons issued, redeemed, returned and cancelled in the month by kind."""
        out = {}
        for kind, *values in self.all(
                f"SELECT kind, {', '.join(COUPON_COLUMNS)} FROM report_coupon_months"
                " WHERE tenant_id = ? AND month = ? ORDER BY kind", (self.t, month)):
            row: dict[str, Any] = dict(zip(COUPON_COLUMNS, map(int, values)))
            row["redemption_percent"] = percent(row["redeemed"] - row["returned"], row["issued"])
            out[kind] = row
        return out

    def _answers(self, first: str, last: str) -> dict[str, dict[str, list[int]]]:
        """Per month in [first, last]: metric -> every answer (scores repeated by count)."""
        out: dict[str, dict[str, list[int]]] = {}
        for month, metric, score, answers in self.all(
                "SELECT month, metric, score, answers FROM report_feedback WHERE tenant_id = ?"
                " AND month >= ? AND month <= ?", (self.t, first, last)):
            out.setdefault(month, {}).setdefault(metric, []).extend([int(score)] * int(answers))
        return out

    def feedback(self, month: str) -> dict[str, Any]:
        """NPS, CSAT and complaints of the month (the domain's nps and csat of the answers)."""
        got = self._answers(month, month).get(month, {})
        c = csat(got.get("csat", []))
        logged = int(self.all("SELECT COALESCE(SUM(answers), 0) FROM report_feedback WHERE"
                               " tenant_id = ? AND month <= ? AND metric IN ('complaint',"
                               " 'follow_up')", (self.t, month))[0][0])
        return {"nps": nps_object(nps(got.get("nps", []))),
                "csat": {"answers": c.total, "satisfied": c.satisfied,
                         "percent": None if c.percent is None else
                         round_half_up(c.percent * 10) / 10,
                         "average": None if c.average is None else
                         round_half_up(c.average * 100) / 100},
                "complaints": len(got.get("complaint", [])),
                "follow_ups": len(got.get("follow_up", [])), "open_at_end": logged}

    def nps_trend(self, year: int, month: int, months: int = 12) -> list[dict[str, Any]]:
        """NPS of each of the last `months` months, oldest first."""
        keys = [month_key(*shift_month(year, month, -back)) for back in range(months - 1, -1, -1)]
        got = self._answers(keys[0], keys[-1])
        return [{"month": k, **nps_object(nps(got.get(k, {}).get("nps", [])))} for k in keys]

    def conflicts(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Events the server refused in the month (same id, other content; a seq taken twice)."""
        s: Any = start
        e: Any = end
        if not isinstance(self.s, PostgresStorage):  # SQLite keeps strftime(...'Z') text
            s, e = _sqlite_time(start), _sqlite_time(end)
        by_kind = {r[0]: int(r[1]) for r in self.all(
            "SELECT reason, COUNT(*) FROM conflicts WHERE tenant_id = ? AND detected_at >= ?"
            " AND detected_at < ? GROUP BY reason ORDER BY reason", (self.t, s, e))}
        before_end = int(self.all("SELECT COUNT(*) FROM conflicts WHERE tenant_id = ?"
                                   " AND detected_at < ?", (self.t, e))[0][0])
        return {"detected": sum(by_kind.values()), "by_kind": by_kind,
                "unresolved_at_end": before_end}

    def named(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add name and card number to member rows."""
        ids = [m["member_id"] for m in members]
        found: dict[str, tuple[str, str]] = {}
        if ids:
            clause, params = self.s._ids_clause(ids)  # noqa: SLF001
            found = {r[0]: (r[1] or "?", r[2] or "") for r in self.all(
                f"SELECT member_id, name, card_number FROM report_members WHERE tenant_id = ?"
                f" AND member_id {clause}", (self.t, *params))}
        for row in members:
            row["name"], row["card_number"] = found.get(row["member_id"], ("?", ""))
        return members


def _sqlite_time(moment: datetime) -> str:
    """A moment as the SQLite server stores detected_at (UTC, milliseconds, Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"
