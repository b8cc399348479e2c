"""Sale and refund slips for 80 mm and 58 mm receipt printers, as PDF bytes.

Input: the sale / refund result dicts of docs/contracts.md (kuruş, ISO 8601 times with
offset). The slip shows the member masked (KVKK: a slip is often left on the counter).
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalty_desktop.domain.cards import format_digits
from loyalty_desktop.domain.text import mask_card_number, mask_name

from .slip import Slip
from .texts import (
    DEFAULT_TIMEZONE,
    bonus_label,
    check_language,
    coupon_kind,
    coupon_value,
    format_date,
    format_datetime,
    money,
    parse_time,
    points,
    text,
    tier_name,
    tier_progress,
)


@dataclass(frozen=True, kw_only=True)
class ReceiptContext:
    """Where and by whom a slip is printed, and how (language, time zone, paper width)."""

    shop_name: str
    shop_address: str = ""
    terminal_name: str
    cashier: str
    lang: str = "tr"
    timezone: str = DEFAULT_TIMEZONE
    width_mm: int = 80


def render_sale_receipt(sale: dict, ctx: ReceiptContext) -> bytes:
    """The loyalty slip of a sale, as a one-page PDF."""
    return build_sale_slip(sale, ctx).render(text("sale_title", ctx.lang))


def render_refund_receipt(refund: dict, sale: dict, ctx: ReceiptContext) -> bytes:
    """The slip of a refund of `sale`, as a one-page PDF."""
    return build_refund_slip(refund, sale, ctx).render(text("refund_title", ctx.lang))


def build_sale_slip(sale: dict, ctx: ReceiptContext) -> Slip:
    """Lay out the sale slip: header, member, payment, points, wallet, tier, new coupons."""
    lang = check_language(ctx.lang)
    member = sale.get("member") or {}
    slip = Slip(ctx.width_mm)
    _header(slip, ctx, "sale_title", sale["at"], sale["sale_id"], sale.get("cashier"))
    _member(slip, member, lang)
    slip.rule(dashed=True)
    _payment(slip, sale, lang)
    slip.rule(dashed=True)
    slip.pair(text("points_earned", lang), f"+{points(sale.get('points_earned', 0), lang)}")
    for bonus in sale.get("bonus") or []:
        slip.pair(bonus_label(bonus.get("kind"), lang), f"+{points(bonus['points'], lang)}")
    _points_balance(slip, member, lang)
    _cashback(slip, sale, ctx)
    _wallet_balance(slip, member, lang)
    _tier(slip, sale, member, lang, upgrade=True)
    _expiring(slip, member, ctx)
    _new_coupons(slip, sale.get("coupons_issued") or [], sale["at"], ctx)
    _footer(slip, lang)
    return slip


def build_refund_slip(refund: dict, sale: dict, ctx: ReceiptContext) -> Slip:
    """Lay out the refund slip: the original sale, what was given back and reversed."""
    lang = check_language(ctx.lang)
    member = refund.get("member") or sale.get("member") or {}
    slip = Slip(ctx.width_mm)
    _header(slip, ctx, "refund_title", refund["at"], refund["refund_id"], None)
    slip.text(text("original_sale", lang))
    slip.mono(sale["sale_id"], align="right")
    slip.pair(text("original_time", lang), format_datetime(sale["at"], lang, ctx.timezone))
    _member(slip, member, lang)
    slip.rule(dashed=True)
    slip.pair(text("refund_amount", lang), money(refund.get("amount", 0), lang))
    slip.pair(text("money_refunded", lang), money(refund["money_refunded"], lang), bold=True)
    slip.pair(text("points_reversed", lang), points(-refund.get("points_reversed", 0), lang))
    _signed_points(slip, "points_restored", refund.get("points_restored", 0), lang)
    _signed_points(slip, "bonus_reversed", -refund.get("bonus_reversed", 0), lang)
    _signed_money(slip, "wallet_restored", refund.get("wallet_restored", 0), lang)
    _signed_money(slip, "cashback_cancelled", -refund.get("cashback_cancelled", 0), lang)
    for coupon in refund.get("coupons_returned") or []:
        slip.pair(text("coupon_returned", lang), _readable_code(coupon))
    for coupon in refund.get("coupons_cancelled") or []:
        slip.pair(text("coupon_cancelled", lang), _readable_code(coupon))
    slip.rule(dashed=True)
    _points_balance(slip, member, lang)
    _wallet_balance(slip, member, lang)
    _tier(slip, refund, member, lang, upgrade=False)
    _footer(slip, lang)
    return slip


def _header(slip: Slip, ctx: ReceiptContext, title_key: str, at: str, doc_id: str,
            cashier: str | None) -> None:
    """Shop name and address, the slip's title, time, terminal, cashier and id."""
    lang = ctx.lang
    slip.text(ctx.shop_name, bold=True, align="center", scale=1.25)
    if ctx.shop_address:
        slip.text(ctx.shop_address, align="center")
    slip.rule()
    slip.text(text(title_key, lang), bold=True, align="center", scale=1.1)
    slip.pair(text("date", lang), format_datetime(at, lang, ctx.timezone))
    slip.pair(text("terminal", lang), ctx.terminal_name)
    slip.pair(text("cashier", lang), ctx.cashier or cashier or "")
    slip.text(text("transaction", lang))
    slip.mono(doc_id, align="right")


def _member(slip: Slip, member: dict, lang: str) -> None:
    """The member, masked: a slip must not give away a name or a usable card number."""
    if member.get("name"):
        slip.pair(text("member", lang), mask_name(member["name"]))
    if member.get("card_number"):
        slip.pair(text("card", lang), mask_card_number(member["card_number"]))


def _payment(slip: Slip, sale: dict, lang: str) -> None:
    """Total, each discount and payment by points or wallet on its own line, money paid."""
    slip.pair(text("total", lang), money(sale["total"], lang))
    if sale.get("club_discount"):
        slip.pair(text("club_discount", lang), money(-sale["club_discount"], lang))
    if sale.get("coupon_discount"):
        label = text("coupon_used", lang, code=_readable_code(sale.get("coupon_used") or ""))
        slip.pair(label.strip(), money(-sale["coupon_discount"], lang))
    if sale.get("points_redeemed"):
        label = text("points_redeemed", lang, points=points(sale["points_redeemed"], lang))
        slip.pair(label, money(-sale.get("points_value", 0), lang))
    if sale.get("wallet_used"):
        slip.pair(text("wallet_used", lang), money(-sale["wallet_used"], lang))
    slip.pair(text("money_paid", lang), money(sale["money_paid"], lang), bold=True)


def _points_balance(slip: Slip, member: dict, lang: str) -> None:
    """The member's points after the operation, and what they are worth."""
    if "points" in member:
        amount = text("points_amount", lang, points=points(member["points"], lang))
        value = money(member.get("points_value", 0), lang)
        slip.pair(text("points_balance", lang), f"{amount} ({value})", bold=True)


def _wallet_balance(slip: Slip, member: dict, lang: str) -> None:
    """The spendable wallet after the operation (pending cashback is shown apart)."""
    if member.get("wallet_available") or member.get("wallet_pending"):
        slip.pair(text("wallet_balance", lang), money(member.get("wallet_available", 0), lang))


def _cashback(slip: Slip, sale: dict, ctx: ReceiptContext) -> None:
    """Cashback credited pending by this sale and the date it becomes spendable."""
    if not sale.get("cashback_pending"):
        return
    slip.pair(text("cashback_pending", ctx.lang), money(sale["cashback_pending"], ctx.lang))
    if sale.get("cashback_available_at"):
        day = format_date(sale["cashback_available_at"], ctx.lang, ctx.timezone)
        slip.text(text("cashback_available_at", ctx.lang, date=day), align="right")


def _tier(slip: Slip, result: dict, member: dict, lang: str, *, upgrade: bool) -> None:
    """The tier now, a change made by this operation, and what is left to the next tier."""
    after = member.get("tier_name") or tier_name(result.get("tier_after") or member.get("tier"))
    if not after:
        return
    slip.pair(text("tier", lang), after)
    before = result.get("tier_before")
    if before and result.get("tier_after") and before != result["tier_after"]:
        if upgrade:
            slip.text(text("tier_up", lang, tier=after), bold=True)
        else:
            slip.text(text("tier_down", lang, before=tier_name(before), after=after))
    next_name = member.get("next_tier_name") or tier_name(member.get("next_tier"))
    if next_name and member.get("next_tier_remaining") is not None:
        slip.text(tier_progress(next_name, member["next_tier_remaining"], lang))
    elif "next_tier" in member and member["next_tier"] is None:
        slip.text(text("tier_top", lang))


def _expiring(slip: Slip, member: dict, ctx: ReceiptContext) -> None:
    """Points lots that will expire, with the date they go."""
    lots = member.get("points_expiring") or []
    if not lots:
        return
    slip.text(text("expiring_title", ctx.lang), bold=True)
    for lot in lots:
        day = format_date(lot["expires_at"], ctx.lang, ctx.timezone)
        slip.text(text("expiring_line", ctx.lang, points=points(lot["points"], ctx.lang), date=day))


def _new_coupons(slip: Slip, coupons: list[dict], issued_at: str, ctx: ReceiptContext) -> None:
    """Each coupon issued by the sale: kind, value, minimum basket, validity, barcode."""
    if not coupons:
        return
    lang = ctx.lang
    slip.rule()
    slip.text(text("coupons_title", lang), bold=True, align="center")
    for index, coupon in enumerate(coupons):
        if index:
            slip.rule(dashed=True)
        slip.text(coupon_kind(coupon.get("kind"), lang), bold=True)
        slip.text(coupon_value(coupon, lang))
        if coupon.get("min_basket"):
            slip.text(text("coupon_min_basket", lang, amount=money(coupon["min_basket"], lang)))
        if issued_at and parse_time(coupon["valid_from"]) > parse_time(issued_at):
            start = format_datetime(coupon["valid_from"], lang, ctx.timezone)
            slip.text(text("coupon_valid_from", lang, start=start))
        end = format_datetime(coupon["valid_until"], lang, ctx.timezone)
        slip.text(text("coupon_valid_until", lang, end=end))
        slip.gap(1.0)
        slip.barcode(coupon["code"], caption=_readable_code(coupon))


def _footer(slip: Slip, lang: str) -> None:
    """The non-fiscal notice (this is not the till's tax receipt) and thanks."""
    slip.rule()
    slip.text(text("not_fiscal", lang), align="center")
    slip.text(text("thanks", lang), bold=True, align="center")


def _signed_points(slip: Slip, key: str, count: int, lang: str) -> None:
    """A points line with its sign, left out when zero."""
    if count:
        slip.pair(text(key, lang), f"{'+' if count > 0 else ''}{points(count, lang)}")


def _signed_money(slip: Slip, key: str, kurus: int, lang: str) -> None:
    """A money line with its sign, left out when zero."""
    if kurus:
        slip.pair(text(key, lang), f"{'+' if kurus > 0 else ''}{money(kurus, lang)}")


def _readable_code(coupon: dict | str) -> str:
    """A coupon's code (a coupon dict or the code) as people read it: "2482 9136 5018"."""
    code = str(coupon.get("code", "")) if isinstance(coupon, dict) else str(coupon)
    return format_digits(code) if code.isdigit() else code
