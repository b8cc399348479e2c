"""Refunds as the exact reversal of the refunded share of a sale.

A refund is given as money, a part of the sale's total; every component of the sale is
refunded in the same proportion, computed on the cumulative refunded part and rounded
half-up, so the last refund takes the exact remainder and the shares always add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from .checkout import SalePricing
from .errors import InvalidInput, Refused
from .ledger import Entry
from .money import format_try, percent_of, round_half_up
from .program import Program

@dataclass(frozen=True)
class RefundPricing:
    """What one refund gives back and takes back."""

    amount: int
    refunded_before: int
    is_full: bool
    money_refunded: int
    points_restored: int
    points_reversed: int
    bonus_reversed: int
    referral_reversed: int
    referrer_id: str | None
    wallet_restored: int
    cashback_cancelled: int
    cashback_cancel_available_at: datetime | None
    coupon_returned: str | None = None
    coupons_cancelled: list[str] = field(default_factory=list)


def _share(value: int, part: int, total: int) -> int:
    return round_half_up(Fraction(value * part, total))


def _earned_on(money: int, p: SalePricing, program: Program) -> int:
    m = Fraction(p.multiplier)
    return (money * m.numerator) // (m.denominator * program.kurus_per_point)


def price_refund(
    sale: SalePricing,
    refunded_before: int,
    amount: int | None,
    at: datetime,
    program: Program,
    *,
    sale_at: datetime,
    coupon_used_valid: bool = False,
    unused_issued: list[str] | None = None,
) -> RefundPricing:
    """Price a refund of `amount` (None: the rest) of a sale of which `refunded_before` is refunded."""
    remaining = sale.total - refunded_before
    if remaining <= 0:
        raise Refused("This sale has already been refunded in full.", code="refund_nothing_left")
    if amount is None:
        amount = remaining
    if amount <= 0:
        raise InvalidInput("The refund amount must be more than zero.", code="invalid_refund")
    if amount > remaining:
        raise Refused(
            f"Only {format_try(remaining)} of this sale is left to refund "
            f"(asked {format_try(amount)}).", code="refund_over_remainder")
    if at < sale_at:
        raise InvalidInput("A refund cannot be dated before its sale.", code="refund_before_sale")
    after = refunded_before + amount
    total = sale.total

    def part(value: int) -> int:
        return _share(value, after, total) - _share(value, refunded_before, total)

    money = part(sale.money_paid)
    money_left_before = sale.money_paid - _share(sale.money_paid, refunded_before, total)
    money_left_after = money_left_before - money
    reversed_ = _earned_on(money_left_before, sale, program) - _earned_on(money_left_after, sale,
                                                                           program)
    rate = Fraction(sale.cashback_percent)
    cashback_cut = percent_of(money_left_before, rate) - percent_of(money_left_after, rate)
    full = after == total
    pending = sale.cashback_available_at is not None and at < sale.cashback_available_at
    return RefundPricing(
        amount=amount, refunded_before=refunded_before, is_full=full, money_refunded=money,
        points_restored=part(sale.points_redeemed), points_reversed=reversed_,
        bonus_reversed=sale.welcome_points if full else 0,
        referral_reversed=sale.referral_points if full else 0,
        referrer_id=sale.referrer_id if full and sale.referral_points else None,
        wallet_restored=part(sale.wallet_used), cashback_cancelled=cashback_cut,
        cashback_cancel_available_at=(sale.cashback_available_at if pending else at)
        if cashback_cut else None,
        coupon_returned=sale.coupon_code if full and coupon_used_valid else None,
        coupons_cancelled=list(unused_issued or []) if full else [],
    )


def refund_entries(event_id: str, member_id: str, sale_id: str, sale_at: datetime,
                   at: datetime, r: RefundPricing, program: Program) -> list[Entry]:
    """The ledger entries of a refund."""
    out: list[Entry] = []

    def add(member: str, kind: str, when: datetime = at, **kw: Any) -> None:
        out.append(Entry(id=f"{event_id}:{len(out):03d}", event_id=event_id, member_id=member,
                         kind=kind, at=when, **kw))

    if r.money_refunded:
        add(member_id, "spend_refund", when=sale_at, spend=-r.money_refunded, ref=sale_id)
    if r.points_restored:
        add(member_id, "restore", points=r.points_restored, ref=sale_id)
    if r.points_reversed + r.bonus_reversed:
        add(member_id, "reverse", points=-(r.points_reversed + r.bonus_reversed), ref=sale_id)
    if r.wallet_restored:
        add(member_id, "wallet_restore", wallet=r.wallet_restored, available_at=at, ref=sale_id)
    if r.cashback_cancelled:
        add(member_id, "cashback_cancel", wallet=-r.cashback_cancelled,
            available_at=r.cashback_cancel_available_at, ref=sale_id)
    if r.coupon_returned:
        add(member_id, "coupon_returned", ref=r.coupon_returned, data={"sale_id": sale_id})
    for code in r.coupons_cancelled:
        add(member_id, "coupon_cancelled", ref=code, data={"sale_id": sale_id})
    if r.is_full:
        add(member_id, "sale_void", ref=sale_id)
    if r.referral_reversed and r.referrer_id:
        add(r.referrer_id, "reverse", points=-r.referral_reversed, ref=sale_id,
            data={"reason": "referral"})
    return out


def refund_to_data(r: RefundPricing) -> dict[str, Any]:
    """JSON-able form of a refund pricing."""
    d = asdict(r)
    d["cashback_cancel_available_at"] = (
        r.cashback_cancel_available_at.isoformat() if r.cashback_cancel_available_at else None)
    return d


def refund_from_data(d: Mapping[str, Any]) -> RefundPricing:
    """Read a stored refund pricing back."""
    data = dict(d)
    if d.get("cashback_cancel_available_at"):
        data["cashback_cancel_available_at"] = datetime.fromisoformat(d["cashback_cancel_available_at"])
    return RefundPricing(**data)

