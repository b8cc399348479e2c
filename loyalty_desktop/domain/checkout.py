"""Pricing a sale: club discount -> coupon -> points -> wallet -> earn -> cashback -> coupons.

Pure: given the member as valued at the sale's moment and the cashier's request, compute every
number once, then turn the result into ledger entries. Nothing here reads a clock or a store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from .clock import expiry_of_lot
from .errors import InvalidInput, NotFound, Refused
from .ledger import CouponState, Entry, MemberView
from .money import format_try, percent_of
from .program import CouponRule, Program


@dataclass(frozen=True)
class SaleRequest:
    """What the cashier asked for."""

    total: int
    redeem_points: int = 0
    wallet: int = 0
    coupon_code: str | None = None


@dataclass(frozen=True)
class Allowance:
    """What the offline limits still allow today (None: no limit applies)."""

    points: int | None = None
    wallet: int | None = None


@dataclass(frozen=True)
class CouponOffer:
    """A coupon to issue."""

    code: str
    kind: str
    value: int
    percent: str | None
    min_basket: int
    valid_from: datetime
    valid_until: datetime

    def as_data(self) -> dict[str, Any]:
        """Plain data for the ledger entry."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["valid_from"] = self.valid_from.isoformat()
        d["valid_until"] = self.valid_until.isoformat()
        return d


@dataclass(frozen=True)
class SalePricing:
    """Every number a sale decides; stored with the sale so later rule changes never rewrite it."""

    total: int
    club_discount: int
    after_club: int
    coupon_code: str | None
    coupon_discount: int
    points_redeemed: int
    points_value: int
    wallet_used: int
    money_paid: int
    tier: str
    multiplier: str
    cashback_percent: str
    points_earned: int
    welcome_points: int
    referrer_id: str | None
    referral_points: int
    cashback: int
    cashback_available_at: datetime | None
    coupons_issued: list[CouponOffer] = field(default_factory=list)

    @property
    def discount(self) -> int:
        return self.club_discount + self.coupon_discount


def check_coupon(coupon: CouponState | None, owner: str | None, member_id: str, at: datetime,
                 basket: int, lang: str = "en") -> CouponState:
    """Refuse a coupon that is unknown, another member's, used, cancelled, out of date or too big."""
    if coupon is None:
        raise NotFound("No such coupon code.", code="coupon_unknown")
    if owner != member_id:
        raise Refused("This coupon belongs to another member.", code="coupon_other_member")
    status = coupon.status(at)
    if status == "used":
        raise Refused("This coupon has already been used.", code="coupon_used")
    if status == "cancelled":
        raise Refused("This coupon was cancelled.", code="coupon_cancelled")
    if status == "expired":
        raise Refused("This coupon has expired.", code="coupon_expired")
    if status == "upcoming":
        raise Refused("This coupon is not valid yet.", code="coupon_not_yet_valid")
    if basket < coupon.min_basket:
        raise Refused(
            f"This coupon needs a basket of at least {format_try(coupon.min_basket, lang)} "
            f"(this one is {format_try(basket, lang)}).",
            code="coupon_below_minimum",
        )
    return coupon


def coupon_discount(coupon: CouponState, basket: int) -> int:
    """A fixed coupon's value or a capped percentage, never more than the basket."""
    if coupon.percent:
        return min(basket, percent_of(basket, Fraction(coupon.percent), cap=coupon.value))
    return min(basket, coupon.value)


def max_redeemable_points(view: MemberView, program: Program, basket: int,
                          allowance: Allowance) -> int:
    """The most points this member may redeem on a basket (0 below the minimum)."""
    most = min(max(view.points, 0), basket // program.point_value)
    if allowance.points is not None:
        most = min(most, allowance.points)
    return most if most >= program.min_redeem_points else 0


def price_sale(
    program: Program,
    member_id: str,
    view: MemberView,
    request: SaleRequest,
    at: datetime,
    *,
    coupon: CouponState | None = None,
    coupon_owner: str | None = None,
    referrer_id: str | None = None,
    allowance: Allowance = Allowance(),
    new_code: Callable[[], str],
) -> SalePricing:
    """Price a sale for a member valued at `at`; raises with nothing decided on bad requests."""
    total = request.total
    if total <= 0:
        raise InvalidInput("The sale total must be more than zero.", code="invalid_total")
    club = percent_of(total, program.club_discount_percent) if view.club_until else 0
    after_club = total - club
    c_discount = 0
    if request.coupon_code:
        coupon = check_coupon(coupon, coupon_owner, member_id, at, after_club)
        c_discount = coupon_discount(coupon, after_club)
    after_coupon = after_club - c_discount
    points = _check_points(program, view, request.redeem_points, after_coupon, allowance)
    points_value = points * program.point_value
    wallet = _check_wallet(view, request.wallet, after_coupon - points_value, allowance)
    money = after_coupon - points_value - wallet
    tier = program.tier(view.tier)
    earned = (money * tier.multiplier.numerator) // (
        tier.multiplier.denominator * program.kurus_per_point)
    cashback = percent_of(money, tier.cashback_percent)
    first_sale = view.live_sales == 0
    welcome = program.welcome_points if first_sale else 0
    referral = 0
    if first_sale and referrer_id and after_club >= program.referral_min_first_purchase:
        referral = program.referral_points
    issued = []
    if program.next_order.enabled and after_club >= program.next_order_threshold:
        issued.append(offer(program.next_order, "next_order", new_code(), at))
    reached = program.qualified_tier(view.qualifying_spend + money)
    if program.tier_upgrade.enabled and program.tier_rank(reached.key) > program.tier_rank(tier.key):
        issued.append(offer(program.tier_upgrade, "tier_upgrade", new_code(), at))
    return SalePricing(
        total=total, club_discount=club, after_club=after_club,
        coupon_code=request.coupon_code or None,
        coupon_discount=c_discount, points_redeemed=points, points_value=points_value,
        wallet_used=wallet, money_paid=money, tier=tier.key,
        multiplier=str(tier.multiplier), cashback_percent=str(tier.cashback_percent),
        points_earned=earned, welcome_points=welcome,
        referrer_id=referrer_id if referral else None, referral_points=referral,
        cashback=cashback,
        cashback_available_at=at + timedelta(days=program.cashback_pending_days) if cashback else None,
        coupons_issued=issued,
    )


def _check_points(program: Program, view: MemberView, wanted: int, basket: int,
                  allowance: Allowance) -> int:
    if wanted < 0:
        raise InvalidInput("Points to redeem cannot be negative.", code="invalid_points")
    if wanted == 0:
        return 0
    if wanted < program.min_redeem_points:
        raise Refused(f"At least {program.min_redeem_points} points must be redeemed at once.",
                      code="points_below_minimum")
    if wanted > view.points:
        raise Refused(f"The member has only {max(view.points, 0)} points.",
                      code="points_insufficient")
    if wanted * program.point_value > basket:
        raise Refused(f"At most {basket // program.point_value} points can pay for this basket.",
                      code="points_exceed_basket")
    if allowance.points is not None and wanted > allowance.points:
        raise Refused(
            f"Offline limit: at most {allowance.points} more points can be redeemed today "
            "until this terminal syncs.", code="offline_points_limit")
    return wanted


def _check_wallet(view: MemberView, wanted: int, basket: int, allowance: Allowance) -> int:
    if wanted < 0:
        raise InvalidInput("Wallet amount cannot be negative.", code="invalid_wallet")
    if wanted == 0:
        return 0
    if wanted > view.wallet_available:
        raise Refused(f"The wallet has only {format_try(max(view.wallet_available, 0))} available.",
                      code="wallet_insufficient")
    if wanted > basket:
        raise Refused(f"At most {format_try(basket)} can be paid from the wallet on this basket.",
                      code="wallet_exceeds_basket")
    if allowance.wallet is not None and wanted > allowance.wallet:
        raise Refused(
            f"Offline limit: at most {format_try(allowance.wallet)} more can be paid from wallets "
            "today until this terminal syncs.", code="offline_wallet_limit")
    return wanted


def offer(rule: CouponRule, kind: str, code: str, at: datetime) -> CouponOffer:
    """A coupon under a rule, valid from `at` for the rule's days."""
    return CouponOffer(code=code, kind=kind, value=rule.value,
                       percent=str(rule.percent) if rule.percent else None,
                       min_basket=rule.min_basket, valid_from=at,
                       valid_until=at + timedelta(days=rule.valid_days))


def sale_entries(event_id: str, member_id: str, at: datetime, p: SalePricing,
                 program: Program) -> list[Entry]:
    """The ledger entries of a priced sale (for the member and, for a referral, the referrer)."""
    out: list[Entry] = []
    expires = expiry_of_lot(at, program.points_expiry_months, program.timezone)

    def add(member: str, kind: str, **kw: Any) -> None:
        out.append(Entry(id=f"{event_id}:{len(out):03d}", event_id=event_id, member_id=member,
                         kind=kind, at=at, **kw))

    add(member_id, "sale", ref=event_id, spend=p.money_paid,
        data={"total": p.total, "money_paid": p.money_paid})
    if p.coupon_code:
        add(member_id, "coupon_redeemed", ref=p.coupon_code, data={"sale_id": event_id})
    if p.points_redeemed:
        add(member_id, "redeem", points=-p.points_redeemed, ref=event_id)
    if p.wallet_used:
        add(member_id, "wallet_spend", wallet=-p.wallet_used, available_at=at, ref=event_id)
    if p.points_earned:
        add(member_id, "earn", points=p.points_earned, expires_at=expires, ref=event_id)
    if p.welcome_points:
        add(member_id, "bonus", points=p.welcome_points, expires_at=expires, ref=event_id,
            data={"reason": "welcome"})
    if p.cashback:
        add(member_id, "cashback", wallet=p.cashback, available_at=p.cashback_available_at,
            ref=event_id)
    for c in p.coupons_issued:
        add(member_id, "coupon_issued", ref=c.code, data=c.as_data())
    if p.referral_points and p.referrer_id:
        add(p.referrer_id, "bonus", points=p.referral_points, expires_at=expires, ref=event_id,
            data={"reason": "referral", "referred": member_id})
    return out


def pricing_to_data(p: SalePricing) -> dict[str, Any]:
    """The pricing as JSON-able data (for the event payload)."""
    d = {f.name: getattr(p, f.name) for f in fields(p)}
    d["cashback_available_at"] = p.cashback_available_at.isoformat() if p.cashback_available_at else None
    d["coupons_issued"] = [c.as_data() for c in p.coupons_issued]
    return d


def pricing_from_data(d: Mapping[str, Any]) -> SalePricing:
    """Read a stored pricing back."""
    data = dict(d)
    data["cashback_available_at"] = (
        datetime.fromisoformat(d["cashback_available_at"]) if d.get("cashback_available_at") else None)
    data["coupons_issued"] = [
        CouponOffer(**{**c, "valid_from": datetime.fromisoformat(c["valid_from"]),
                       "valid_until": datetime.fromisoformat(c["valid_until"])})
        for c in d.get("coupons_issued", [])]
    return SalePricing(**data)
