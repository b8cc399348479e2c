"""Printed strings in Turkish and English, and how money, points and times are written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.domain.money import format_try

LANGUAGES = ("tr", "en")
DEFAULT_TIMEZONE = "Europe/Istanbul"

TEXTS: dict[str, dict[str, str]] = {
    "tr": {
        "sale_title": "SADAKAT FİŞİ",
        "refund_title": "İADE FİŞİ",
        "date": "Tarih",
        "terminal": "Terminal",
        "cashier": "Kasiyer",
        "transaction": "İşlem no",
        "member": "Üye",
        "card": "Kart",
        "total": "Alışveriş tutarı",
        "club_discount": "Kulüp indirimi",
        "coupon_used": "Kupon {code}",
        "points_redeemed": "Kullanılan puan ({points})",
        "wallet_used": "Cüzdandan ödenen",
        "money_paid": "Ödenen tutar",
        "points_earned": "Kazanılan puan",
        "bonus_welcome": "Hoş geldin bonusu",
        "bonus_referral": "Tavsiye bonusu",
        "bonus_birthday": "Doğum günü bonusu",
        "bonus_other": "Bonus puan",
        "points_balance": "Puan bakiyesi",
        "points_amount": "{points} puan",
        "cashback_pending": "Bekleyen para iadesi",
        "cashback_available_at": "Kullanılabilir: {date}",
        "wallet_balance": "Cüzdan bakiyesi",
        "tier": "Seviye",
        "tier_up": "Tebrikler! Yeni seviyeniz: {tier}",
        "tier_down": "Seviye değişti: {before} → {after}",
        "tier_progress": "{tier_dative} {amount} kaldı",
        "tier_top": "En üst seviyedesiniz",
        "expiring_title": "Süresi dolacak puanlar",
        "expiring_line": "{points} puan {date} tarihinde silinecek",
        "coupons_title": "YENİ KUPONLARINIZ",
        "coupon_birthday": "Doğum günü kuponu",
        "coupon_next_order": "Sonraki alışveriş kuponu",
        "coupon_win_back": "Sizi özledik kuponu",
        "coupon_tier_upgrade": "Seviye atlama kuponu",
        "coupon_referral": "Tavsiye kuponu",
        "coupon_other": "Kupon",
        "coupon_fixed": "{amount} indirim",
        "coupon_percent": "%{percent} indirim (en fazla {cap})",
        "coupon_percent_uncapped": "%{percent} indirim",
        "coupon_min_basket": "En az sepet: {amount}",
        "coupon_valid_from": "Başlangıç: {start}",
        "coupon_valid_until": "Son geçerlilik: {end}",
        "original_sale": "Orijinal satış",
        "original_time": "Satış zamanı",
        "refund_amount": "İade edilen tutar",
        "money_refunded": "Geri ödenen para",
        "points_reversed": "Geri alınan puan",
        "points_restored": "Geri yüklenen puan",
        "bonus_reversed": "Geri alınan bonus puan",
        "wallet_restored": "Cüzdana iade",
        "cashback_cancelled": "İptal edilen para iadesi",
        "coupon_returned": "Geri verilen kupon",
        "coupon_cancelled": "İptal edilen kupon",
        "not_fiscal": "Bu belge mali değeri olmayan sadakat fişidir",
        "thanks": "Teşekkür ederiz",
        "card_title": "ÜYELİK KARTI",
        "card_hint": "Kasada bu kodu okutun",
    },
    "en": {
        "sale_title": "LOYALTY SLIP",
        "refund_title": "REFUND SLIP",
        "date": "Date",
        "terminal": "Terminal",
        "cashier": "Cashier",
        "transaction": "Transaction",
        "member": "Member",
        "card": "Card",
        "total": "Purchase total",
        "club_discount": "Club discount",
        "coupon_used": "Coupon {code}",
        "points_redeemed": "Points redeemed ({points})",
        "wallet_used": "Paid from wallet",
        "money_paid": "Amount paid",
        "points_earned": "Points earned",
        "bonus_welcome": "Welcome bonus",
        "bonus_referral": "Referral bonus",
        "bonus_birthday": "Birthday bonus",
        "bonus_other": "Bonus points",
        "points_balance": "Points balance",
        "points_amount": "{points} points",
        "cashback_pending": "Cashback pending",
        "cashback_available_at": "Available on {date}",
        "wallet_balance": "Wallet balance",
        "tier": "Tier",
        "tier_up": "Congratulations! Your new tier: {tier}",
        "tier_down": "Tier changed: {before} → {after}",
        "tier_progress": "{amount} to {tier}",
        "tier_top": "You are at the top tier",
        "expiring_title": "Points expiring",
        "expiring_line": "{points} points expire on {date}",
        "coupons_title": "YOUR NEW COUPONS",
        "coupon_birthday": "Birthday coupon",
        "coupon_next_order": "Next-order coupon",
        "coupon_win_back": "We-miss-you coupon",
        "coupon_tier_upgrade": "Tier-upgrade coupon",
        "coupon_referral": "Referral coupon",
        "coupon_other": "Coupon",
        "coupon_fixed": "{amount} off",
        "coupon_percent": "{percent}% off (up to {cap})",
        "coupon_percent_uncapped": "{percent}% off",
        "coupon_min_basket": "Minimum basket: {amount}",
        "coupon_valid_from": "Valid from {start}",
        "coupon_valid_until": "Valid until {end}",
        "original_sale": "Original sale",
        "original_time": "Sale time",
        "refund_amount": "Amount refunded",
        "money_refunded": "Money refunded",
        "points_reversed": "Points reversed",
        "points_restored": "Points restored",
        "bonus_reversed": "Bonus points reversed",
        "wallet_restored": "Returned to wallet",
        "cashback_cancelled": "Cashback cancelled",
        "coupon_returned": "Coupon returned",
        "coupon_cancelled": "Coupon cancelled",
        "not_fiscal": "Loyalty slip, not a fiscal receipt",
        "thanks": "Thank you",
        "card_title": "MEMBERSHIP CARD",
        "card_hint": "Show this code at the till",
    },
}

DEFAULT_TIER_NAMES = {"bronz": "Bronz", "gumus": "Gümüş", "altin": "Altın", "platin": "Platin"}
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BACK_VOWELS = set("aıou")
_FRONT_VOWELS = set("eiöü")


def check_language(lang: str) -> str:
    """Return `lang` if printed documents exist in it, else raise InvalidInput."""
    if lang not in TEXTS:
        raise InvalidInput(
            f"Language {lang!r} is not available for printing (use 'tr' or 'en').",
            code="unsupported_language",
        )
    return lang


def text(key: str, lang: str, **values: object) -> str:
    """The printed string `key` in `lang`, with `values` filled in."""
    return TEXTS[check_language(lang)][key].format(**values)


def money(kurus: int, lang: str) -> str:
    """Kuruş written for a customer ("1.234,56 ₺" / "₺1,234.56")."""
    return format_try(kurus, lang)


def points(count: int, lang: str) -> str:
    """A point count with thousands grouping ("1.234" / "1,234")."""
    grouped = f"{abs(count):,}"
    if lang == "tr":
        grouped = grouped.replace(",", ".")
    return f"-{grouped}" if count < 0 else grouped


def parse_time(value: str | datetime) -> datetime:
    """An aware datetime from an ISO 8601 string with offset (or a datetime)."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Time {value!r} is not ISO 8601.", code="invalid_time") from exc
    if moment.tzinfo is None:
        raise InvalidInput(f"Time {value!r} has no UTC offset.", code="invalid_time")
    return moment


def shop_zone(timezone: str) -> ZoneInfo:
    """The shop's time zone by IANA name, or InvalidInput if there is no such zone."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Time zone {timezone!r} is unknown.", code="unknown_timezone") from exc


def format_datetime(value: str | datetime, lang: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A moment in the shop's time zone: "23.11.2026 14:05" (tr) / "23 Nov 2026 14:05" (en)."""
    local = parse_time(value).astimezone(shop_zone(timezone))
    return f"{format_date(local, lang, timezone)} {local:%H:%M}"


def format_date(value: str | datetime, lang: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The shop-time date of a moment: "23.11.2026" (tr) / "23 Nov 2026" (en)."""
    local = parse_time(value).astimezone(shop_zone(timezone))
    if lang == "en":
        return f"{local.day} {_EN_MONTHS[local.month - 1]} {local.year}"
    return f"{local:%d.%m.%Y}"


def tier_name(key: str | None) -> str:
    """Display name of a tier key when the program document's name is not at hand."""
    if not key:
        return ""
    return DEFAULT_TIER_NAMES.get(key, key.replace("_", " ").title())


def turkish_dative(name: str) -> str:
    """A proper name in the Turkish dative case: "Altın'a", "Gümüş'e", "Platin'e"."""
    lowered = name.replace("I", "ı").replace("İ", "i").lower()
    vowels = [ch for ch in lowered if ch in _BACK_VOWELS or ch in _FRONT_VOWELS]
    suffix = "a" if vowels and vowels[-1] in _BACK_VOWELS else "e"
    buffer = "y" if lowered and lowered[-1] in _BACK_VOWELS | _FRONT_VOWELS else ""
    return f"{name}'{buffer}{suffix}"


def tier_progress(next_tier_name: str, remaining: int, lang: str) -> str:
    """What is left to the next tier: "Altın'a 1.250,00 ₺ kaldı" / "₺1,250.00 to Altın"."""
    return text("tier_progress", lang, tier=next_tier_name, amount=money(remaining, lang),
                tier_dative=turkish_dative(next_tier_name))


def coupon_value(coupon: dict, lang: str) -> str:
    """What a coupon is worth: a fixed amount off, or a percentage with its cap."""
    percent = coupon.get("percent")
    if percent is None:
        return text("coupon_fixed", lang, amount=money(int(coupon["value"]), lang))
    shown = f"{percent:g}" if isinstance(percent, float) else str(percent)
    if lang == "tr":
        shown = shown.replace(".", ",")  # "%12,5"
    if coupon.get("value"):
        return text("coupon_percent", lang, percent=shown, cap=money(int(coupon["value"]), lang))
    return text("coupon_percent_uncapped", lang, percent=shown)


def coupon_kind(kind: str | None, lang: str) -> str:
    """The printed name of a coupon kind (birthday, next_order, ...)."""
    key = f"coupon_{kind}"
    return text(key if key in TEXTS[check_language(lang)] else "coupon_other", lang)


def bonus_label(kind: str | None, lang: str) -> str:
    """The printed name of a bonus kind (welcome, referral, birthday, ...)."""
    key = f"bonus_{kind}"
    return text(key if key in TEXTS[check_language(lang)] else "bonus_other", lang)
