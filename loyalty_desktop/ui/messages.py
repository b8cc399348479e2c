"""Errors a person can cause, shown in the shop's language: a table by stable error code.

The services raise English messages with a stable `code`; the counter shows Turkish (or
English) text for known codes and falls back to the service's own message otherwise.
"""

from __future__ import annotations

import re

from ..domain.errors import LoyaltyError

# code -> (Turkish, English); "{n}" is filled with the first number of the service's message.
MESSAGES: dict[str, tuple[str, str]] = {
    "wrong_pin": ("PIN yanlış.", "Wrong PIN."),
    "locked_out": ("Çok fazla yanlış PIN: {n} dakika daha kilitli.",
                   "Too many wrong PINs: locked for {n} more minute(s)."),
    "manager_pin_required": ("Bu işlem için müdür PIN'i gerekiyor.",
                             "A manager PIN is needed for this."),
    "invalid_pin_format": ("PIN 4-8 rakamdan oluşur.", "A PIN is 4 to 8 digits."),
    "role_not_allowed": ("Bu işlem için yetkiniz yok.", "Your role may not do this."),
    "invalid_amount": ("Tutar geçersiz. 1234,56 veya 1.234,56 gibi yazın (en çok iki ondalık).",
                       "Invalid amount. Write it like 1234,56 or 1.234,56 (two decimals)."),
    "ambiguous_amount": ("Tutar belirsiz (binlik mi ondalık mı?). 1.234,00 veya 1,234 yazın.",
                         "Ambiguous amount (thousands or decimals?). Write 1.234,00 or 1,234."),
    "amount_too_large": ("Tutar çok büyük.", "The amount is too large."),
    "invalid_total": ("Satış tutarı sıfırdan büyük olmalı.", "The sale total must be above zero."),
    "member_required": ("Puan, cüzdan ve kupon için üye kartı gerekir.",
                        "Points, wallet and coupons need a member card."),
    "member_unknown": ("Üye bulunamadı.", "No such member."),
    "ambiguous_member": ("Birden çok üye eşleşti; kart veya telefonla arayın.",
                         "Several members match; use the card or the phone."),
    "empty_query": ("Kart numarası, telefon veya ad yazın.", "Type a card number, phone or name."),
    "card_unknown": ("Bu kart numarası kayıtlı değil.", "No member has this card number."),
    "card_blocked": ("Bu kart bloke (kayıp bildirildi).", "This card is blocked (reported lost)."),
    "card_replaced": ("Bu kartın yerine yenisi verildi.", "This card was replaced by a newer one."),
    "card_number_invalid": ("Kart numarası geçersiz.", "Invalid card number."),
    "card_number_check_digit": ("Kart numarasının kontrol hanesi tutmuyor.",
                                "The card number's check digit is wrong."),
    "payload_unreadable": ("Kod okunamadı: tekrar okutun veya kart numarasını yazın.",
                           "Unreadable code: scan again or type the card number."),
    "payload_forged": ("Kartın imzası geçersiz: kabul etmeyin, üyeyi telefonla bulun.",
                       "Invalid card signature: do not accept it; find the member by phone."),
    "unknown_issuer": ("Kart bu kasanın tanımadığı bir anahtarla imzalanmış.",
                       "The card was signed by a key this terminal does not know."),
    "member_erased": ("Bu üyenin verileri silinmiş.", "This member's data was erased."),
    "coupon_unknown": ("Böyle bir kupon yok.", "No such coupon code."),
    "coupon_code_invalid": ("Kupon kodu geçersiz (12 hane).", "Invalid coupon code (12 digits)."),
    "coupon_other_member": ("Bu kupon başka bir üyenin.", "This coupon belongs to another member."),
    "coupon_used": ("Bu kupon daha önce kullanıldı.", "This coupon was already used."),
    "coupon_cancelled": ("Bu kupon iptal edildi.", "This coupon was cancelled."),
    "coupon_expired": ("Bu kuponun süresi doldu.", "This coupon has expired."),
    "coupon_not_yet_valid": ("Bu kupon henüz geçerli değil.", "This coupon is not valid yet."),
    "coupon_below_minimum": ("Sepet bu kuponun alt sınırının altında.",
                             "The basket is below this coupon's minimum."),
    "points_below_minimum": ("Bir seferde en az {n} puan kullanılabilir.",
                             "At least {n} points must be redeemed at once."),
    "points_insufficient": ("Üyenin yalnızca {n} puanı var.", "The member has only {n} points."),
    "points_exceed_basket": ("Bu sepete en çok {n} puan kullanılabilir.",
                             "At most {n} points can pay for this basket."),
    "offline_points_limit": ("Çevrimdışı sınır: bugün en çok {n} puan daha.",
                             "Offline limit: at most {n} more points today."),
    "wallet_insufficient": ("Cüzdanda yeterli bakiye yok.", "Not enough in the wallet."),
    "wallet_exceeds_basket": ("Cüzdandan sepet tutarından fazlası ödenemez.",
                              "The wallet cannot pay more than the basket."),
    "offline_wallet_limit": ("Çevrimdışı cüzdan sınırına ulaşıldı.", "Offline wallet limit reached."),
    "invalid_points": ("Puan tam sayı olmalı.", "Points must be a whole number."),
    "refund_over_remainder": ("İade, satıştan kalan tutarı aşıyor.",
                              "The refund is more than what remains of the sale."),
    "refund_nothing_left": ("Bu satış tamamen iade edilmiş.", "This sale was fully refunded."),
    "sale_unknown": ("Satış bulunamadı.", "No such sale."),
    "feedback_exists": ("Bu satış için görüş zaten alındı.", "This sale already has feedback."),
    "invalid_name": ("Ad boş olamaz.", "The name is empty."),
    "invalid_phone": ("Telefon numarası geçersiz.", "Invalid phone number."),
    "invalid_email": ("E-posta adresi geçersiz.", "Invalid e-mail address."),
    "invalid_birthday": ("Doğum tarihi geçersiz (örnek 1990-03-14).",
                         "Invalid birthday (e.g. 1990-03-14)."),
    "invalid_referrer": ("Öneren üye kart numarasıyla girilmeli.",
                         "Give the referrer by card number."),
    "self_referral": ("Üye kendini öneremez (aynı telefon).",
                      "A member cannot refer themselves (same phone)."),
    "invalid_timezone": ("Bilinmeyen saat dilimi.", "Unknown time zone."),
    "already_initialised": ("Bu kasanın zaten bir dükkânı var.", "This terminal already has a shop."),
    "data_dir_locked": ("Program bu veri klasöründe zaten açık.",
                        "The program is already open on this data folder."),
    "database_damaged": ("Veritabanı hasarlı.", "The database is damaged."),
    "backup_damaged": ("Bu yedek hasarlı; başka birini seçin.", "This backup is damaged."),
    "undo_not_last": ("Yalnızca bu kasanın son satışı geri alınabilir; iade için müdüre sorun.",
                      "Only this counter's last sale can be undone; ask a manager for a refund."),
    "undo_other_cashier": ("Bu satışı başka bir kasiyer yaptı; iade için müdüre sorun.",
                           "Another cashier made this sale; ask a manager for a refund."),
    "undo_too_late": ("Satış yalnızca 60 saniye içinde geri alınabilir; iade için müdüre sorun.",
                      "A sale can be undone for 60 seconds; ask a manager for a refund."),
    "undo_refunded": ("Bu satış zaten iade edildi.", "This sale was already refunded."),
    "invalid_setting": ("Ayar değeri geçersiz.", "Invalid setting value."),
    "setting_unknown": ("Böyle bir ayar yok.", "No such setting."),
    "reason_required": ("Bir gerekçe yazın.", "Give a reason."),
    "internal_error": ("Beklenmeyen bir hata oluştu; kayıt dosyasına bakın.",
                       "Unexpected error; see the log file."),
}


def error_text(error: LoyaltyError, lang: str = "tr") -> str:
    """The message to show for an error: the table's text for its code, else its own message."""
    pair = MESSAGES.get(error.code)
    if pair is None:
        return error.message
    template = pair[1] if lang.startswith("en") else pair[0]
    if "{n}" in template:
        numbers = re.findall(r"\d+", error.message)
        if not numbers:
            return error.message
        return template.format(n=numbers[0])
    return template
