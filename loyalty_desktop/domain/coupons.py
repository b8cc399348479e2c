"""Coupons issued outside a sale: the birthday coupon, once per birthday, in its window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .checkout import CouponOffer
from .clock import birthday_in_year, shop_midnight, zone
from .program import Program


def birthday_window(birthday: date, year: int, program: Program) -> tuple[datetime, datetime]:
    """[from, until] of the birthday coupon in a year: N days either side, whole shop days."""
    day = birthday_in_year(birthday, year)
    days = program.birthday.valid_days
    start = shop_midnight(day - timedelta(days=days), program.timezone)
    end = shop_midnight(day + timedelta(days=days + 1), program.timezone) - timedelta(seconds=1)
    return start, end


def birthday_year_due(birthday: date | None, at: datetime, program: Program) -> int | None:
    """The birthday year whose coupon window contains `at`, if any."""
    if birthday is None or not program.birthday.enabled:
        return None
    local_year = at.astimezone(zone(program.timezone)).year
    for year in (local_year - 1, local_year, local_year + 1):
        start, end = birthday_window(birthday, year, program)
        if start <= at <= end:
            return year
    return None


def birthday_offer(birthday: date, year: int, code: str, program: Program) -> CouponOffer:
    """The birthday coupon of a year (its code is derived, so every terminal issues the same)."""
    start, end = birthday_window(birthday, year, program)
    rule = program.birthday
    return CouponOffer(code=code, kind="birthday", value=rule.value,
                       percent=str(rule.percent) if rule.percent else None,
                       min_basket=rule.min_basket, valid_from=start, valid_until=end)
