"""Strings of the monthly report and the daily slip, in Turkish and English."""

from __future__ import annotations

from loyalty_desktop.domain.money import format_amount, format_try

MONTHS = {
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
           "Ekim", "Kasım", "Aralık"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}

T = {
    "tr": {
        "title": "Aylık Sadakat Raporu", "daily_title": "GÜN SONU ÖZETİ", "period": "Dönem",
        "generated": "Oluşturma", "summary": "Bu ay ne değişti", "kpis": "Temel göstergeler",
        "members_total": "Toplam üye", "members_new": "Yeni üye", "members_active":
        "Alışveriş yapan üye", "members_lapsed": "Kaybedilen (son 3 ay)", "retention":
        "Önceki aydan tutma", "repeat": "Tekrar alışveriş oranı", "sales": "Üye satışı",
        "revenue": "Üye cirosu", "money_paid": "Ödenen para", "refunds": "İadeler",
        "basket": "Ortalama sepet", "frequency": "Alışveriş sıklığı (üye başına)",
        "clv": "Ortalama müşteri yaşam boyu değeri", "revenue_by_day": "Günlük üye cirosu",
        "points": "Puan mutabakatı", "opening": "Açılış bakiyesi", "issued": "Verilen puan",
        "earned": "  satıştan", "bonus": "  bonus", "adjusted_in": "  düzeltme (+)",
        "redeemed": "Kullanılan", "restored": "Geri yüklenen (iade)", "restored_lost":
        "  süresi dolmuş lota dönen (kayıp)", "reversed": "Geri alınan (iade)",
        "expired": "Süresi dolan", "adjusted_out": "Düzeltme (−)", "expected_closing":
        "Hesaplanan kapanış", "closing": "Kapanış bakiyesi", "checked": "Mutabakat",
        "ok": "TUTUYOR", "fail": "TUTMUYOR", "liability": "Puan yükümlülüğü (TL)",
        "cashback": "Para iadesi cüzdanı", "cashback_issued": "Verilen para iadesi",
        "wallet_spent": "Cüzdandan harcanan", "cashback_cancelled": "İptal edilen",
        "pending_at_end": "Ay sonunda bekleyen", "coupons": "Kuponlar", "kind": "Tür",
        "coupons_issued": "Verilen", "coupons_redeemed": "Kullanılan", "rate": "Kullanım %",
        "tiers": "Seviye dağılımı (ay sonu)", "tier": "Seviye", "members": "Üye",
        "clv_avg": "Ort. CLV", "movements": "Seviye hareketleri", "upgrades": "Yükselen",
        "downgrades": "Düşen", "segments": "RFM segmentleri", "segment": "Segment",
        "before": "Önceki ay", "after": "Bu ay", "change": "Değişim",
        "feedback": "Müşteri memnuniyeti", "nps": "NPS", "promoters": "Destekçi",
        "passives": "Pasif", "detractors": "Eleştiren", "csat": "CSAT (memnun %)",
        "complaints": "Şikâyet", "follow_ups": "Geri arama", "nps_trend": "NPS (12 ay)",
        "top": "En çok alışveriş yapan üyeler", "name": "Üye", "card": "Kart",
        "net": "Net tutar", "at_risk": "Risk altındaki değerli üyeler", "last": "Son alışveriş",
        "score": "Aktif olma olasılığı", "churn": "Kayıp riski", "conflicts":
        "Eşitleme uyuşmazlıkları", "detected": "Bu ay bulunan", "unresolved": "Çözülmemiş",
        "none": "Yok", "page": "Sayfa", "cashiers": "Kasiyerler", "walk_in": "Üyesiz satış",
        "total_all": "Toplam satış", "new_members": "Yeni üye",
        "stores": "Mağazalar", "store": "Mağaza", "points_issued": "Verilen puan",
        "points_redeemed": "Kullanılan puan", "omitted": "Sunucuda hesaplanmayan bölümler",
    },
    "en": {
        "title": "Monthly Loyalty Report", "daily_title": "END OF DAY SUMMARY", "period": "Period",
        "generated": "Generated", "summary": "What changed this month", "kpis": "Key figures",
        "members_total": "Members", "members_new": "New members", "members_active":
        "Members who bought", "members_lapsed": "Lapsed (last 3 months)", "retention":
        "Retention from last month", "repeat": "Repeat purchase rate", "sales": "Member sales",
        "revenue": "Member revenue", "money_paid": "Money paid", "refunds": "Refunds",
        "basket": "Average basket", "frequency": "Purchase frequency (per member)",
        "clv": "Average customer lifetime value", "revenue_by_day": "Member revenue by day",
        "points": "Points tie-out", "opening": "Opening balance", "issued": "Points issued",
        "earned": "  from sales", "bonus": "  bonus", "adjusted_in": "  adjustments (+)",
        "redeemed": "Redeemed", "restored": "Restored (refunds)", "restored_lost":
        "  into expired lots (lost)", "reversed": "Reversed (refunds)", "expired": "Expired",
        "adjusted_out": "Adjustments (−)", "expected_closing": "Computed closing",
        "closing": "Closing balance", "checked": "Tie-out", "ok": "HOLDS", "fail": "DOES NOT HOLD",
        "liability": "Points liability (TL)", "cashback": "Cashback wallet",
        "cashback_issued": "Cashback issued", "wallet_spent": "Spent from wallets",
        "cashback_cancelled": "Cancelled", "pending_at_end": "Pending at month end",
        "coupons": "Coupons", "kind": "Kind", "coupons_issued": "Issued",
        "coupons_redeemed": "Redeemed", "rate": "Redeemed %", "tiers": "Tiers at month end",
        "tier": "Tier", "members": "Members", "clv_avg": "Avg CLV", "movements": "Tier moves",
        "upgrades": "Up", "downgrades": "Down", "segments": "RFM segments",
        "segment": "Segment", "before": "Last month", "after": "This month", "change": "Change",
        "feedback": "Customer satisfaction", "nps": "NPS", "promoters": "Promoters",
        "passives": "Passives", "detractors": "Detractors", "csat": "CSAT (satisfied %)",
        "complaints": "Complaints", "follow_ups": "Follow-ups", "nps_trend": "NPS (12 months)",
        "top": "Top members", "name": "Member", "card": "Card", "net": "Net",
        "at_risk": "Valuable members at risk", "last": "Last purchase",
        "score": "Chance still active", "churn": "Churn risk",
        "conflicts": "Sync conflicts", "detected": "Found this month",
        "unresolved": "Unresolved", "none": "None", "page": "Page", "cashiers": "Cashiers",
        "walk_in": "Sales without a card", "total_all": "All sales", "new_members": "New members",
        "stores": "Stores", "store": "Store", "points_issued": "Points issued",
        "points_redeemed": "Points redeemed", "omitted": "Sections the server does not compute",
    },
}

COUPON_KINDS = {
    "tr": {"birthday": "Doğum günü", "next_order": "Sonraki alışveriş", "win_back": "Geri kazanım",
           "tier_upgrade": "Seviye atlama", "referral": "Tavsiye"},
    "en": {"birthday": "Birthday", "next_order": "Next order", "win_back": "Win-back",
           "tier_upgrade": "Tier upgrade", "referral": "Referral"},
}


def lang_of(lang: str) -> str:
    """'en' for English, 'tr' otherwise."""
    return "en" if lang.startswith("en") else "tr"


def money(kurus: int, lang: str) -> str:
    """'1.234,56 ₺' or '₺1,234.56'."""
    return format_try(kurus, lang_of(lang))


def number(value: int, lang: str) -> str:
    """A whole number with the language's thousands separator."""
    text = format_amount(value * 100, decimal=".", group="," if lang_of(lang) == "en" else ".")
    return text[:-3]


def decimal(value: float | None, lang: str, suffix: str = "") -> str:
    """A rate with the language's decimal mark; '-' when there is none."""
    if value is None:
        return "-"
    text = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return (text if lang_of(lang) == "en" else text.replace(".", ",")) + suffix


def month_name(month_key: str, lang: str) -> str:
    """'Mart 2026' / 'March 2026' from '2026-03'."""
    year, month = month_key.split("-")
    return f"{MONTHS[lang_of(lang)][int(month) - 1]} {year}"
