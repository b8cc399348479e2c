"""The member ledger: append-only entries folded, in record order, into balances.

Entries are the effects of events (a sale earns, redeems, spends wallet...). Folding them in
entry-id order (UUIDv7 event id + position) is deterministic, so every terminal and the
server reach the same lots, debts and coupon states from the same set of entries, whatever
order they arrived in. Values that depend on the clock (expired points, pending cashback,
tier, usable coupons) are read from the fold at a given moment by `view`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .clock import micros_of
from .program import Program
from .tiers import tier_status

POINT_KINDS = {"earn", "bonus", "adjust", "redeem", "restore", "reverse"}
WALLET_KINDS = {"cashback", "wallet_spend", "wallet_restore", "cashback_cancel", "wallet_adjust"}


@dataclass(frozen=True)
class Entry:
    """One effect on one member: points, wallet money, qualifying spend or a coupon."""

    id: str
    event_id: str
    member_id: str
    kind: str
    at: datetime
    points: int = 0
    wallet: int = 0
    spend: int = 0
    available_at: datetime | None = None
    expires_at: datetime | None = None
    ref: str | None = None
    data: Mapping[str, Any] | None = None


@dataclass
class Lot:
    """Points earned together, expiring together."""

    lot_id: str
    source: str
    points: int
    remaining: int
    earned_at: datetime
    expires_at: datetime


@dataclass
class CouponState:
    """A coupon of this member and how often it was used, returned or cancelled."""

    code: str
    kind: str
    value: int
    percent: str | None
    min_basket: int
    valid_from: datetime
    valid_until: datetime
    issued_by: str
    used: int = 0
    used_by: list[str] = field(default_factory=list)
    cancelled: bool = False

    def status(self, at: datetime) -> str:
        """'cancelled', 'used', 'expired', 'upcoming' or 'available' at a moment."""
        if self.cancelled:
            return "cancelled"
        if self.used > 0:
            return "used"
        if at > self.valid_until:
            return "expired"
        if at < self.valid_from:
            return "upcoming"
        return "available"


@dataclass
class MemberLedger:
    """The fold of one member's entries (clock-independent)."""

    lots: list[Lot] = field(default_factory=list)
    debt: int = 0
    consumed: dict[str, list[list[Any]]] = field(default_factory=dict)
    debt_by: dict[str, int] = field(default_factory=dict)
    wallet_items: list[tuple[int, datetime]] = field(default_factory=list)
    spends: dict[str, list[Any]] = field(default_factory=dict)
    live_sales: list[str] = field(default_factory=list)
    coupons: dict[str, CouponState] = field(default_factory=dict)
    club_until: datetime | None = None
    points_total: int = 0
    wallet_total: int = 0
    restored_expired: int = 0
    overdraft: bool = False

    def spend_pairs(self) -> list[tuple[datetime, int]]:
        """(sale time, net spend) for the tier rules."""
        return [(at, amount) for at, amount in self.spends.values()]


def fold(entries: Iterable[Entry]) -> MemberLedger:
    """Fold entries (already in id order) into a ledger."""
    return extend(MemberLedger(), entries)


def extend(led: MemberLedger, entries: Iterable[Entry]) -> MemberLedger:
    """Fold more entries, which sort after those already folded, into the same ledger."""
    for e in entries:
        _apply(led, e)
    return led


def _apply(led: MemberLedger, e: Entry) -> None:
    led.points_total += e.points
    led.wallet_total += e.wallet
    k = e.kind
    if k in ("earn", "bonus") or (k == "adjust" and e.points > 0):
        _add_lot(led, e)
    elif k == "redeem" or (k == "adjust" and e.points < 0):
        taken, short = _take(led, -e.points, e.at, prefer=None)
        key = e.ref or e.event_id
        led.consumed.setdefault(key, []).extend([lot_id, n] for lot_id, n in taken)
        if short:
            led.debt_by[key] = led.debt_by.get(key, 0) + short
            if k == "redeem":
                led.overdraft = True
    elif k == "restore":
        _restore(led, e)
    elif k == "reverse":
        _take(led, -e.points, e.at, prefer=e.ref)
    if k in WALLET_KINDS:
        led.wallet_items.append((e.wallet, e.available_at or e.at))
    if e.spend and e.ref:
        at, amount = led.spends.get(e.ref, [e.at, 0])
        led.spends[e.ref] = [at, amount + e.spend]
    if k == "sale" and e.ref:
        led.live_sales.append(e.ref)
    elif k == "sale_void" and e.ref in led.live_sales:
        led.live_sales.remove(e.ref)
    elif k.startswith("coupon_"):
        _coupon(led, e)
    elif k == "club_joined":
        days = int((e.data or {}).get("days", 365))
        start = e.at if led.club_until is None or led.club_until < e.at else led.club_until
        led.club_until = start + timedelta(days=days)


def _add_lot(led: MemberLedger, e: Entry) -> None:
    assert e.expires_at is not None, f"entry {e.id} adds points without an expiry"
    pay = min(led.debt, e.points)
    led.debt -= pay
    led.lots.append(Lot(e.id, e.event_id, e.points, e.points - pay, e.at, e.expires_at))


def _take(led: MemberLedger, n: int, at: datetime, prefer: str | None) -> tuple[list, int]:
    """Consume n points from live lots (preferred source first, then oldest); rest is debt."""
    live = [lot for lot in led.lots if lot.remaining > 0 and lot.expires_at > at]
    live.sort(key=lambda lot: (lot.source != prefer, lot.expires_at, lot.lot_id))
    taken = []
    for lot in live:
        if n == 0:
            break
        k = min(n, lot.remaining)
        lot.remaining -= k
        n -= k
        taken.append((lot.lot_id, k))
    led.debt += n
    return taken, n


def _restore(led: MemberLedger, e: Entry) -> None:
    """Give redeemed points back to the lots they came from (latest taken first)."""
    n = e.points
    key = e.ref or ""
    owed = led.debt_by.get(key, 0)
    if owed:
        pay = min(owed, n, led.debt)
        led.debt_by[key] = owed - pay
        led.debt -= pay
        n -= pay
    by_id = {lot.lot_id: lot for lot in led.lots}
    for item in reversed(led.consumed.get(key, [])):
        if n == 0:
            break
        lot_id, k = item
        back = min(n, k)
        item[1] = k - back
        n -= back
        lot = by_id[lot_id]
        if lot.expires_at > e.at:
            lot.remaining += back
        else:
            led.restored_expired += back
    if n:
        led.debt = max(0, led.debt - n)


def _coupon(led: MemberLedger, e: Entry) -> None:
    code = e.ref or ""
    data = e.data or {}
    if e.kind == "coupon_issued":
        led.coupons[code] = CouponState(
            code=code, kind=data["kind"], value=int(data["value"]), percent=data.get("percent"),
            min_basket=int(data["min_basket"]), valid_from=datetime.fromisoformat(data["valid_from"]),
            valid_until=datetime.fromisoformat(data["valid_until"]), issued_by=e.event_id,
        )
        return
    coupon = led.coupons.get(code)
    if coupon is None:
        return
    if e.kind == "coupon_redeemed":
        coupon.used += 1
        coupon.used_by.append(str(data.get("sale_id", e.event_id)))
    elif e.kind == "coupon_returned":
        coupon.used = max(0, coupon.used - 1)
    elif e.kind == "coupon_cancelled":
        coupon.cancelled = True


@dataclass(frozen=True)
class MemberView:
    """What a member has at a moment: the numbers the counter, receipt and CLI show."""

    at: datetime
    points: int
    points_debt: int
    points_expired: int
    points_expiring: list[tuple[int, datetime]]
    wallet_available: int
    wallet_pending: int
    wallet_pending_items: list[tuple[int, datetime]]
    qualifying_spend: int
    tier: str
    grace_until: datetime | None
    coupons: list[CouponState]
    club_until: datetime | None
    live_sales: int
    flags: list[str]


def view(led: MemberLedger, at: datetime, program: Program) -> MemberView:
    """Value a folded ledger at a moment."""
    live = [lot for lot in led.lots if lot.expires_at > at]
    expired = sum(lot.remaining for lot in led.lots if lot.expires_at <= at)
    points = sum(lot.remaining for lot in live) - led.debt
    horizon = at + timedelta(days=program.expiry_reminder_days)
    soon: dict[datetime, int] = {}
    for lot in live:
        if lot.remaining and lot.expires_at <= horizon:
            soon[lot.expires_at] = soon.get(lot.expires_at, 0) + lot.remaining
    available = sum(a for a, when in led.wallet_items if when <= at)
    pending_map: dict[datetime, int] = {}
    for a, when in led.wallet_items:
        if when > at:
            pending_map[when] = pending_map.get(when, 0) + a
    pending_items = [(a, w) for w, a in sorted(pending_map.items()) if a]
    status = tier_status(led.spend_pairs(), at, program)
    coupons = [c for c in led.coupons.values() if c.status(at) == "available"]
    coupons.sort(key=lambda c: (c.valid_until, c.code))
    flags = []
    if led.debt > 0:
        flags.append("negative_points")
    if available < 0:
        flags.append("negative_wallet")
    if led.overdraft:
        flags.append("overdraft")
    if any(c.used > 1 for c in led.coupons.values()):
        flags.append("coupon_reused")
    club = led.club_until if led.club_until and led.club_until > at else None
    return MemberView(
        at=at, points=points, points_debt=led.debt, points_expired=expired,
        points_expiring=[(p, w) for w, p in sorted(soon.items())],
        wallet_available=available, wallet_pending=sum(a for a, _ in pending_items),
        wallet_pending_items=pending_items,
        qualifying_spend=status.qualifying_spend, tier=status.tier.key,
        grace_until=status.grace_until, coupons=coupons, club_until=club,
        live_sales=len(led.live_sales), flags=flags,
    )


# -- the fold as data (the balances cache keeps it, so a sale need not re-read the ledger) ----
STATE_VERSION = 1
_enc = micros_of  # exact, and five times cheaper than ISO text


def _dec(micros: int) -> datetime:
    """Back from `_enc` (exact for any time within ±285 years of 1970: a double holds it)."""
    return datetime.fromtimestamp(micros / 1e6, timezone.utc)


def ledger_to_data(led: MemberLedger) -> dict[str, Any]:
    """A fold as JSON-able data; `ledger_from_data` gives back an equal ledger."""
    return {
        "v": STATE_VERSION,
        "lots": [[lot.lot_id, lot.source, lot.points, lot.remaining, _enc(lot.earned_at),
                  _enc(lot.expires_at)] for lot in led.lots],
        "debt": led.debt, "consumed": led.consumed, "debt_by": led.debt_by,
        "wallet": [[amount, _enc(when)] for amount, when in led.wallet_items],
        "spends": {ref: [_enc(at), amount] for ref, (at, amount) in led.spends.items()},
        "live": led.live_sales,
        "coupons": [[c.code, c.kind, c.value, c.percent, c.min_basket, _enc(c.valid_from),
                     _enc(c.valid_until), c.issued_by, c.used, c.used_by, c.cancelled]
                    for c in led.coupons.values()],
        "club": _enc(led.club_until) if led.club_until is not None else None,
        "points": led.points_total, "wallet_total": led.wallet_total,
        "restored_expired": led.restored_expired, "overdraft": led.overdraft,
    }


def ledger_from_data(d: dict[str, Any]) -> MemberLedger | None:
    """The fold back from `ledger_to_data` (None for another format version)."""
    if d.get("v") != STATE_VERSION:
        return None
    return MemberLedger(
        lots=[Lot(i, s, p, r, _dec(e), _dec(x)) for i, s, p, r, e, x in d["lots"]],
        debt=d["debt"], consumed=d["consumed"], debt_by=d["debt_by"],
        wallet_items=[(amount, _dec(when)) for amount, when in d["wallet"]],
        spends={ref: [_dec(at), amount] for ref, (at, amount) in d["spends"].items()},
        live_sales=d["live"],
        coupons={c[0]: CouponState(c[0], c[1], c[2], c[3], c[4], _dec(c[5]), _dec(c[6]), c[7],
                                   c[8], c[9], c[10]) for c in d["coupons"]},
        club_until=_dec(d["club"]) if d["club"] is not None else None,
        points_total=d["points"], wallet_total=d["wallet_total"],
        restored_expired=d["restored_expired"], overdraft=d["overdraft"],
    )
