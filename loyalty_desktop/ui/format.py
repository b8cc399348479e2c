"""Formatting for screens: money, points, dates and coupons in the shop's language."""

from __future__ import annotations

from datetime import datetime

from ..domain.cards import format_coupon_code
from ..domain.money import format_try

KIND_NAMES = {"birthday": ("Doğum günü", "Birthday"), "next_order": ("Sonraki alışveriş", "Next order"),
              "win_back": ("Geri dönüş", "Win-back"), "tier_upgrade": ("Seviye atlama", "Tier upgrade"),
              "referral": ("Tavsiye", "Referral")}
FLAG_NAMES = {"negative_points": ("Eksi puan bakiyesi", "Negative points balance"),
              "negative_wallet": ("Eksi cüzdan bakiyesi", "Negative wallet balance"),
              "overdraft": ("Limit aşımı", "Overdraft"),
              "coupon_reused": ("Kupon iki kez kullanıldı", "Coupon used twice")}


def money(kurus: int, lang: str = "tr") -> str:
    """Kuruş as '1.234,56 ₺' (Turkish) or '₺1,234.56' (English)."""
    return format_try(kurus, lang)


def points(count: int, lang: str = "tr") -> str:
    """A points count with grouping: '1.234 puan' / '1,234 points'."""
    if lang.startswith("en"):
        return f"{count:,} points"
    return f"{count:,}".replace(",", ".") + " puan"


def day(iso: str | None, lang: str = "tr") -> str:
    """An ISO time as a date: '23.11.2026' / '2026-11-23'."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d") if lang.startswith("en") else moment.strftime("%d.%m.%Y")


def moment_text(iso: str | None, lang: str = "tr") -> str:
    """An ISO time as date and minute in its own offset (the shop's zone)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    pattern = "%Y-%m-%d %H:%M" if lang.startswith("en") else "%d.%m.%Y %H:%M"
    return moment.strftime(pattern)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Turkish or English half of a pair."""
    return pair[1] if lang.startswith("en") else pair[0]


def coupon_line(coupon: dict, lang: str = "tr") -> str:
    """Two lines: 'Sonraki alışveriş: 50,00 ₺, min 250,00 ₺' / '2123 4567 8904 · → 23.12.2026'."""
    kind = pick(KIND_NAMES.get(coupon.get("kind") or "", (coupon.get("kind") or "", "")), lang)
    if coupon.get("percent"):
        value = f"%{coupon['percent']} (≤ {money(coupon['value'], lang)})"
    else:
        value = money(coupon["value"], lang)
    minimum = coupon.get("min_basket") or 0
    floor = f", min {money(minimum, lang)}" if minimum else ""
    until = day(coupon.get("valid_until"), lang)
    return f"{kind}: {value}{floor}\n{format_coupon_code(coupon['code'])} · → {until}"
