"""Folding a run of a tenant's events into report rollup deltas (pure: no SQL, no clock).

Each event kind becomes the same numbers the terminal's projector writes into its `sales`,
`refunds`, `ledger`, `feedback` and `complaints` tables, bucketed by the shop-local month or
day of the event (sales, refunds, feedback) or of the ledger entry (points, cashback,
coupons), exactly as the terminal's report bounds them. `report_rollups` writes a `Delta`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.clock import to_db
from ..domain.ledger import POINT_KINDS
from .report_ledgers import compact_entry, compact_spend

FLOW_COLUMNS = ("earn", "bonus", "adjust_in", "adjust_out", "redeem", "restore", "reverse",
                "cashback", "wallet_spend", "cashback_cancel", "wallet_restore", "wallet_adjust")
DAY_COLUMNS = ("member_sales", "member_total", "member_money_paid", "walk_in_sales",
               "walk_in_total", "refunds", "refunded_total", "refunded_money", "points_issued",
               "points_redeemed", "new_members")
COUPON_COLUMNS = ("issued", "redeemed", "returned", "cancelled", "issued_value")
COUPON_ENTRY_KINDS = ("coupon_issued", "coupon_redeemed", "coupon_returned", "coupon_cancelled")
WALLET_FLOW_KINDS = ("cashback", "wallet_spend", "cashback_cancel", "wallet_restore",
                     "wallet_adjust")
ERASED_NAME = "[silindi / erased]"
_DAY = {c: i for i, c in enumerate(DAY_COLUMNS)}
_FLOW = {c: i for i, c in enumerate(FLOW_COLUMNS)}


class LocalCalendar:
    """Shop-local 'YYYY-MM-DD' of storage-form UTC times, cached per minute (offsets are whole
    minutes, so every instant of a UTC minute falls on the same local day)."""

    def __init__(self, tz: str) -> None:
        self.zone = ZoneInfo(tz)
        self._days: dict[str, str] = {}
        self._last = ("", "")  # an event's entries mostly share its time

    def day(self, text: str) -> str:
        """The local date of an ISO time."""
        if text == self._last[0]:
            return self._last[1]
        key = text[:16]
        found = self._days.get(key)
        if found is None:
            found = datetime.fromisoformat(text).astimezone(self.zone).strftime("%Y-%m-%d")
            self._days[key] = found
        self._last = (text, found)
        return found


@dataclass
class Delta:
    """What a run of events adds to the rollups (additive counters, new rows, updates)."""

    members: list[tuple[Any, ...]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (keep_id, merged_id)
    erased: list[tuple[str, str]] = field(default_factory=list)  # (at, member_id)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (name, member_id)
    new_cards: list[tuple[str, str]] = field(default_factory=list)  # (card, member_id)
    sales: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # member sales:
    # (sale_id, member_id, month, at, total)
    refunds: list[tuple[str, int]] = field(default_factory=list)  # (sale_id, amount)
    member_months: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    days: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    flows: dict[str, list[int]] = field(default_factory=dict)
    coupons: dict[str, str] = field(default_factory=dict)  # code -> kind (first issue wins)
    coupon_entries: list[tuple[str, str, str, str | None, int]] = field(default_factory=list)
    feedback: dict[tuple[str, str, int], int] = field(default_factory=dict)
    pending: list[tuple[str, str, str, int]] = field(default_factory=list)
    program: tuple[int, str] | None = None  # newest (version, doc) published in the run
    ledger: dict[str, list[list[Any]]] = field(default_factory=dict)  # member -> point entries
    spends: dict[str, list[list[Any]]] = field(default_factory=dict)  # member -> sale spends
    skipped: int = 0  # events that are not what a terminal writes (left out of the rollups)

    def day_row(self, day: str, store: int) -> list[int]:
        """The counters of one (day, store)."""
        row = self.days.get((day, store))
        if row is None:
            row = self.days[(day, store)] = [0] * len(DAY_COLUMNS)
        return row

    def flow_row(self, month: str) -> list[int]:
        """The ledger flows of one month."""
        row = self.flows.get(month)
        if row is None:
            row = self.flows[month] = [0] * len(FLOW_COLUMNS)
        return row

    def coupon_months(self, kind_of: Callable[[str], str | None]) -> dict[tuple[str, str], list[int]]:
        """Coupon entries counted by (month, coupon kind); kinds of codes issued in earlier runs
        come from `kind_of` (the terminal takes the entry's kind, else the coupon's, else other)."""
        out: dict[tuple[str, str], list[int]] = {}
        for month, entry_kind, code, kind, value in self.coupon_entries:
            kind = kind or self.coupons.get(code) or kind_of(code) or "other"
            row = out.setdefault((month, kind), [0] * len(COUPON_COLUMNS))
            row[COUPON_ENTRY_KINDS.index(entry_kind)] += 1
            if entry_kind == "coupon_issued":
                row[4] += value
        return out


def fold_events(events: Iterable[dict[str, Any]], tz: str, stores: dict[str, int],
                delta: Delta | None = None) -> Delta:
    """The rollup delta of events in server order (added to `delta` if given); `stores` maps
    terminal id -> store id."""
    delta = Delta() if delta is None else delta
    cal = LocalCalendar(tz)
    for event in events:
        try:
            if not event["at"].endswith("+00:00"):  # terminals send UTC; keep text order = time
                event["at"] = to_db(datetime.fromisoformat(event["at"]))
            store = stores.get(event["terminal_id"], 0)
            payload = event.get("payload") or {}
            handler = _HANDLERS.get(event["kind"])
            if handler is not None:
                handler(delta, event, payload, store, cal)
            entries = payload.get("entries")
            if entries:
                _entries(delta, entries, store, cal, event["id"])
        except (KeyError, TypeError, ValueError, AttributeError):
            delta.skipped += 1  # not a terminal's event (the server stores any valid JSON)
    return delta


def _enrolled(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    m = p["member"]
    delta.members.append((m["member_id"], event["at"], store, m.get("name"),
                          m.get("card_number")))
    delta.day_row(cal.day(event["at"]), store)[_DAY["new_members"]] += 1


def _merged(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    delta.merged.append((p["keep_id"], p["merged_id"]))


def _erased(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    delta.erased.append((event["at"], p["member_id"]))


def _updated(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    if "name" in p.get("fields", {}):
        delta.renamed.append((p["fields"]["name"], p["member_id"]))


def _reissued(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    delta.new_cards.append((p["card_number"], p["member_id"]))


def _sale(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    at, member = event["at"], event.get("member_id")
    total, paid = p["pricing"]["total"], p["pricing"]["money_paid"]
    day = cal.day(at)
    row = delta.days.get((day, store)) or delta.day_row(day, store)
    if member is None:
        row[_WALK_IN_SALES] += 1
        row[_WALK_IN_TOTAL] += total
        return
    row[_MEMBER_SALES] += 1
    row[_MEMBER_TOTAL] += total
    row[_MEMBER_PAID] += paid
    key = (day[:7], member)
    delta.sales.append((event["id"], member, key[0], at, total))
    counted = total > 0  # a purchase: not fully refunded (refunds are taken off later)
    mm = delta.member_months.get(key)
    if mm is None:  # sales, purchases, total, refunded, first_at, last_at
        delta.member_months[key] = [1, int(counted), total, 0, at if counted else None,
                                    at if counted else None]
        return
    mm[0] += 1
    mm[2] += total
    if counted:
        mm[1] += 1
        mm[4] = at if mm[4] is None else min(mm[4], at)
        mm[5] = at if mm[5] is None else max(mm[5], at)


_WALK_IN_SALES, _WALK_IN_TOTAL = _DAY["walk_in_sales"], _DAY["walk_in_total"]
_MEMBER_SALES, _MEMBER_TOTAL = _DAY["member_sales"], _DAY["member_total"]
_MEMBER_PAID = _DAY["member_money_paid"]


def _refund(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    pricing, sale_id = p["pricing"], p["sale_id"]
    amount = int(pricing["amount"])
    row = delta.day_row(cal.day(event["at"]), store)
    row[_DAY["refunds"]] += 1
    row[_DAY["refunded_total"]] += amount
    row[_DAY["refunded_money"]] += pricing.get("money_refunded") or 0
    delta.refunds.append((sale_id, amount))


def _feedback(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    month = cal.day(event["at"])[:7]
    for metric in ("nps", "csat"):
        if p.get(metric) is not None:
            key = (month, metric, int(p[metric]))
            delta.feedback[key] = delta.feedback.get(key, 0) + 1


def _complaint(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    key = (cal.day(event["at"])[:7], p.get("complaint_kind", "complaint"), 0)
    delta.feedback[key] = delta.feedback.get(key, 0) + 1


def _program(delta: Delta, event: dict, p: dict, store: int, cal: LocalCalendar) -> None:
    if delta.program is None or p["version"] > delta.program[0]:
        delta.program = (int(p["version"]), p["doc"])


_HANDLERS: dict[str, Callable[[Delta, dict, dict, int, LocalCalendar], None]] = {
    "member_enrolled": _enrolled, "member_merged": _merged, "member_erased": _erased,
    "member_updated": _updated, "card_reissued": _reissued, "sale": _sale, "refund": _refund,
    "feedback": _feedback, "complaint": _complaint, "program_published": _program,
}


def _entries(delta: Delta, entries: list[dict[str, Any]], store: int, cal: LocalCalendar,
             event_id: str) -> None:
    """Ledger flows by the entry's month, points by its day and the event's store; the
    entries `report_ledgers` refolds kept per member."""
    for e in entries:
        take_entry(delta.ledger, delta.spends, event_id, e)
        kind = e["kind"]
        if kind in _SPEND_ONLY:
            continue
        points, wallet = e["points"], e["wallet"]
        if points and kind in _POINT_SLOT:
            day = cal.day(e["at"])
            column, sign, day_slot = _POINT_SLOT[kind] if kind != "adjust" else (
                _ADJUST_IN if points > 0 else _ADJUST_OUT)
            flows = delta.flows.get(day[:7]) or delta.flow_row(day[:7])
            flows[column] += sign * points
            if day_slot is not None:
                day_row = delta.days.get((day, store)) or delta.day_row(day, store)
                day_row[day_slot] += sign * points
        elif kind in WALLET_FLOW_KINDS:
            if wallet:
                delta.flow_row(cal.day(e["at"])[:7])[_FLOW[kind]] += wallet
            available = e.get("available_at")
            if available and available > e["at"]:
                delta.pending.append((e["id"], e["at"], available, wallet))
        elif kind in COUPON_ENTRY_KINDS:
            data = e.get("data") or {}
            if kind == "coupon_issued" and data.get("kind"):
                delta.coupons.setdefault(e["ref"], data["kind"])
            delta.coupon_entries.append((cal.day(e["at"])[:7], kind, e["ref"], data.get("kind"),
                                         int(data.get("value") or 0)))


_SPEND_ONLY = frozenset(("sale", "spend_refund"))  # qualifying spend: not in these rollups
# Per point entry kind: (flow column, sign as the terminal shows it, day column or None).
_ISSUED, _REDEEMED = _DAY["points_issued"], _DAY["points_redeemed"]
_POINT_SLOT: dict[str, tuple[int, int, int | None]] = {
    "earn": (_FLOW["earn"], 1, _ISSUED), "bonus": (_FLOW["bonus"], 1, _ISSUED),
    "redeem": (_FLOW["redeem"], -1, _REDEEMED), "restore": (_FLOW["restore"], 1, None),
    "reverse": (_FLOW["reverse"], -1, None), "adjust": (0, 0, None),  # split by sign below
}
_ADJUST_IN = (_FLOW["adjust_in"], 1, _ISSUED)
_ADJUST_OUT = (_FLOW["adjust_out"], -1, None)


def take_entry(ledger: dict[str, list[Any]], spends: dict[str, list[Any]], event_id: str,
               e: dict[str, Any]) -> None:
    """Keep a pushed ledger entry if it moves points or is a sale's qualifying spend (in the
    compact forms `report_ledgers` refolds)."""
    kind = e["kind"]
    if kind in POINT_KINDS:
        if e["points"]:
            ledger.setdefault(e["member_id"], []).append(compact_entry(event_id, e))
    elif kind in SPEND_KINDS and e.get("spend") and e.get("ref"):
        spends.setdefault(e["member_id"], []).append(compact_spend(e))


SPEND_KINDS = ("sale", "spend_refund")
