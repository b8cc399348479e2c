"""Sale and refund slips: what pdftotext reads, what a scanner reads, and that text fits."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from reportlab.lib.units import mm

from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.printing import samples
from loyalty_desktop.printing.receipt import (
    ReceiptContext,
    render_refund_receipt,
    render_sale_receipt,
)
from loyalty_desktop.printing.slip import PRINTABLE_MM
from tests.integration.conftest import MANAGER_PIN, t
from tests.integration.test_printing_support import (
    decode,
    needs_poppler,
    pdf_text,
    pdf_words,
    rasterize,
)

pytestmark = needs_poppler

SHOP = "Köşebaşı Şarküteri"
ADDRESS = "Bahçelievler Mah. Çarşı Sok. No: 5, Kadıköy / İstanbul"


def context(lang: str = "tr", width_mm: int = 80, **changes: object) -> ReceiptContext:
    """A receipt context for the test shop."""
    values = dict(shop_name=SHOP, shop_address=ADDRESS, terminal_name="Kasa 1",
                  cashier="Ayşe", lang=lang, width_mm=width_mm)
    return ReceiptContext(**{**values, **changes})


def squash(text: str) -> str:
    """Text with runs of spaces reduced to one (pdftotext -layout pads columns)."""
    return re.sub(r"[ \t]+", " ", text)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("width_mm", [80, 58])
def test_coupon_barcodes_scan_back_to_their_codes(tmp_path, dpi, width_mm):
    sale = samples.sample_sale(coupons=2)
    pdf = render_sale_receipt(sale, context(width_mm=width_mm))
    [page] = rasterize(pdf, tmp_path, dpi)
    found = decode(page, zxingcpp.BarcodeFormat.Code128)
    assert sorted(found) == sorted(c["code"] for c in sale["coupons_issued"])


def test_turkish_slip_has_turkish_letters_and_lira_amounts(tmp_path):
    text = squash(pdf_text(render_sale_receipt(samples.sample_sale(), context("tr")), tmp_path))
    for expected in [
        "Köşebaşı Şarküteri", "Bahçelievler Mah. Çarşı Sok.", "SADAKAT FİŞİ",
        "Tarih 23.11.2026 14:05", "Üye Çiğdem I.", "•••• •••• •••• 9010",
        "Alışveriş tutarı 1.234,56 ₺", "Kulüp indirimi -61,73 ₺",
        "Kupon 2551 2049 8738 -50,00 ₺", "Kullanılan puan (500) -50,00 ₺",
        "Cüzdandan ödenen -15,00 ₺", "Ödenen tutar 1.057,83 ₺", "Kazanılan puan +132",
        "Hoş geldin bonusu +50", "Puan bakiyesi 1.234 puan (123,40 ₺)",
        "Bekleyen para iadesi 10,58 ₺", "Kullanılabilir: 07.12.2026",
        "Tebrikler! Yeni seviyeniz: Altın", "Platin'e 9.880,00 ₺ kaldı",
        "80 puan 10.12.2026 tarihinde silinecek", "Sonraki alışveriş kuponu",
        "50,00 ₺ indirim", "En az sepet: 250,00 ₺", "Doğum günü kuponu",
        "%20 indirim (en fazla 100,00 ₺)", "Son geçerlilik: 04.12.2026 00:00",
        "2482 9136 5018", "2730 1182 6495",  # coupon codes under their barcodes, grouped
        "Bu belge mali değeri olmayan sadakat fişidir",
    ]:
        assert expected in text
    assert set("ğüşıöçİ") <= set(text)


def test_english_slip_has_english_text_and_lira_amounts(tmp_path):
    text = squash(pdf_text(render_sale_receipt(samples.sample_sale(), context("en")), tmp_path))
    for expected in [
        "LOYALTY SLIP", "Date 23 Nov 2026 14:05", "Member Çiğdem I.",
        "Purchase total ₺1,234.56", "Club discount -₺61.73", "Amount paid ₺1,057.83",
        "Points balance 1,234 points (₺123.40)", "Available on 7 Dec 2026",
        "₺9,880.00 to Platin", "80 points expire on 10 Dec 2026", "Next-order coupon",
        "20% off (up to ₺100.00)", "Minimum basket: ₺250.00", "Valid until 23 Dec 2026 14:05",
        "Loyalty slip, not a fiscal receipt",
    ]:
        assert expected in text
    assert "SADAKAT" not in text


def test_times_are_printed_in_the_shops_time_zone(tmp_path):
    pdf = render_sale_receipt(samples.sample_sale(), context("tr", timezone="Europe/Berlin"))
    assert "23.11.2026 12:05" in pdf_text(pdf, tmp_path)  # 11:05 UTC is 12:05 in Berlin


@pytest.mark.parametrize("width_mm", [58, 80])
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_every_word_stays_inside_the_printable_width(tmp_path, width_mm, lang):
    ctx = context(lang, width_mm, shop_name="Büyük Çamlıca Organik Şarküteri ve Kuruyemiş Evi",
                  cashier="Ayşegül Karaosmanoğlu-Yıldırımtekin")
    for pdf in (render_sale_receipt(samples.sample_sale(), ctx),
                render_refund_receipt(samples.sample_refund(), samples.sample_sale(), ctx)):
        (width, _), words = pdf_words(pdf, tmp_path)
        left = (width_mm - PRINTABLE_MM[width_mm]) / 2 * mm
        assert width == pytest.approx(width_mm * mm, abs=0.5)
        assert len(words) > 60
        outside = [w for w in words if w[0] < left - 0.5 or w[2] > width - left + 0.5]
        assert outside == []


def test_page_height_follows_the_content(tmp_path):
    heights = []
    for coupons in (0, 1, 2):
        pdf = render_sale_receipt(samples.sample_sale(coupons=coupons), context())
        (_, height), words = pdf_words(pdf, tmp_path)
        assert max(w[3] for w in words) < height - 3 * mm  # the last line is on the page
        heights.append(height)
    assert heights[0] < heights[1] < heights[2]


def test_refund_slip_shows_what_was_reversed_and_the_original_sale(tmp_path):
    pdf = render_refund_receipt(samples.sample_refund(), samples.sample_sale(), context("tr"))
    text = squash(pdf_text(pdf, tmp_path))
    for expected in [
        "İADE FİŞİ", "Tarih 25.11.2026 09:30", samples.SAMPLE_REFUND_ID,
        samples.SAMPLE_SALE_ID, "Satış zamanı 23.11.2026 14:05", "İade edilen tutar 493,82 ₺",
        "Geri ödenen para 423,13 ₺", "Geri alınan puan -53", "Geri yüklenen puan +200",
        "Cüzdana iade +6,00 ₺", "İptal edilen para iadesi -4,23 ₺",
        "Puan bakiyesi 1.381 puan (138,10 ₺)", "Seviye değişti: Altın → Gümüş",
        "Altın'a 303,13 ₺ kaldı", "Bu belge mali değeri olmayan sadakat fişidir",
    ]:
        assert expected in text


def test_refund_slip_in_english(tmp_path):
    pdf = render_refund_receipt(samples.sample_refund(), samples.sample_sale(), context("en"))
    text = squash(pdf_text(pdf, tmp_path))
    for expected in ["REFUND SLIP", "Money refunded ₺423.13", "Points reversed -53",
                     "Cashback cancelled -₺4.23", "Tier changed: Altın → Gümüş"]:
        assert expected in text


def test_a_sale_with_nothing_special_prints_only_what_happened(tmp_path):
    sale = samples.sample_sale(coupons=0)
    sale.update(club_discount=0, coupon_discount=0, discount=0, coupon_used=None,
                points_redeemed=0, points_value=0, wallet_used=0, money_paid=123456,
                bonus=[], bonus_points=0, cashback_pending=0, cashback_available_at=None,
                tier_after="gumus")
    sale["member"].update(points_expiring=[], next_tier=None, next_tier_name=None,
                          next_tier_remaining=None)
    text = squash(pdf_text(render_sale_receipt(sale, context("tr")), tmp_path))
    assert "Ödenen tutar 1.234,56 ₺" in text
    assert "En üst seviyedesiniz" in text
    for absent in ["Kulüp", "Kupon", "Kullanılan puan", "Cüzdandan", "Bekleyen", "KUPONLARINIZ",
                   "silinecek", "Tebrikler"]:
        assert absent not in text


def test_unsupported_width_and_language_are_refused():
    with pytest.raises(InvalidInput) as error:
        render_sale_receipt(samples.sample_sale(), context(width_mm=76))
    assert error.value.code == "unsupported_paper_width"
    with pytest.raises(InvalidInput) as error:
        render_sale_receipt(samples.sample_sale(), context(lang="de"))
    assert error.value.code == "unsupported_language"


def test_same_sale_gives_the_same_bytes():
    ctx = context()
    assert render_sale_receipt(samples.sample_sale(), ctx) == render_sale_receipt(
        samples.sample_sale(), ctx)


def test_slips_of_a_real_sale_and_refund_from_the_terminal(tmp_path, terminal, enrol):
    member = enrol("Çiğdem Işık", phone="05321234567")
    sale = terminal.sale(member["member_id"], 80000, at=t("2025-01-03 10:00"))
    refund = terminal.refund(sale["sale_id"], amount=30000, manager_pin=MANAGER_PIN,
                             at=t("2025-01-04 10:00"))
    ctx = context("tr", 58)
    sale_pdf = render_sale_receipt(sale, ctx)
    [page] = rasterize(sale_pdf, tmp_path, 203)
    issued = [coupon["code"] for coupon in sale["coupons_issued"]]
    assert issued and decode(page, zxingcpp.BarcodeFormat.Code128) == issued
    text = squash(pdf_text(sale_pdf, tmp_path))
    assert "Ödenen tutar 800,00 ₺" in text
    assert f"Kazanılan puan +{sale['points_earned']}" in text
    assert "Gümüş'e 200,00 ₺ kaldı" in text
    refund_text = squash(pdf_text(render_refund_receipt(refund, sale, ctx), tmp_path))
    assert "Geri ödenen para 300,00 ₺" in refund_text
    assert f"Geri alınan puan -{refund['points_reversed']}" in refund_text
    assert sale["sale_id"] in refund_text
