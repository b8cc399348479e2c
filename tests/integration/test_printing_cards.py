"""Membership cards: the QR scans back to the exact signed payload on CR80, A4 and PNG."""

from __future__ import annotations

import io
import random

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

from loyalty_desktop.domain.cards import (
    encode_card_payload,
    format_card_number,
    new_card_number,
    new_issuer_key,
    verify_card_payload,
)
from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.printing.card_layout import QR_MAX_MM, card_layout
from loyalty_desktop.printing.cards import CardFace, render_card_png, render_cards_pdf
from tests.integration.test_printing_support import (
    decode,
    needs_poppler,
    pdf_text,
    pdf_words,
    rasterize,
)

QR = zxingcpp.BarcodeFormat.QRCode
NAMES = ["Çiğdem Işık", "İsmail Öztürk", "Ayşegül Karaosmanoğlu-Yıldırımtekin", "Şule Ünal",
         "Ömer Çağlar", "John Smith"]
KEY = new_issuer_key(7)
PUBLIC_KEYS = {KEY.key_id: KEY.public_bytes}


def face(index: int, lang: str = "tr") -> CardFace:
    """The index-th test card of the shop, with a real signed payload."""
    number = new_card_number(randbits=random.Random(index).getrandbits)
    payload = encode_card_payload(number, 1 + index % 3, KEY)
    return CardFace("Köşebaşı Şarküteri", NAMES[index % len(NAMES)], number, payload, lang)


def assert_scans_to(decoded: list[str], cards: list[CardFace]) -> None:
    """The decoded texts are exactly the cards' payloads, and each verifies as its card."""
    assert sorted(decoded) == sorted(card.payload for card in cards)
    numbers = {verify_card_payload(text, PUBLIC_KEYS).card_number for text in decoded}
    assert numbers == {card.card_number for card in cards}


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
def test_cr80_card_qr_scans_back_to_the_signed_payload(tmp_path, dpi):
    cards = [face(0), face(1, "en")]
    pages = rasterize(render_cards_pdf(cards, "cr80"), tmp_path, dpi)
    assert len(pages) == 2
    for page, card in zip(pages, cards, strict=True):
        assert page.size == pytest.approx((85.6 / 25.4 * dpi, 54 / 25.4 * dpi), abs=1)
        assert_scans_to(decode(page, QR), [card])


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
def test_a4_sheets_hold_ten_cards_each_and_every_qr_scans(tmp_path, dpi):
    cards = [face(i, "tr" if i % 2 else "en") for i in range(12)]
    pages = rasterize(render_cards_pdf(cards, "a4"), tmp_path, dpi)
    assert len(pages) == 2
    assert_scans_to(decode(pages[0], QR), cards[:10])
    assert_scans_to(decode(pages[1], QR), cards[10:])


@needs_poppler
def test_card_text_is_grouped_and_turkish(tmp_path):
    cards = [face(0), face(1, "en")]
    text = pdf_text(render_cards_pdf(cards), tmp_path)
    for expected in ["Köşebaşı Şarküteri", "ÜYELİK KARTI", "Çiğdem Işık", "Kasada bu kodu okutun",
                     "MEMBERSHIP CARD", "İsmail Öztürk", format_card_number(cards[0].card_number)]:
        assert expected in text


@needs_poppler
def test_card_text_stays_left_of_the_qr_and_inside_the_card(tmp_path):
    card = face(2)  # the longest name: shrunk and wrapped, never under the QR
    (width, height), words = pdf_words(render_cards_pdf([card]), tmp_path)
    assert (width, height) == pytest.approx((85.6 * mm, 54 * mm), abs=0.5)
    qr_left = card_layout(card).qr_x_mm * mm
    below_band = [w for w in words if w[1] > 12 * mm]
    assert below_band and all(w[2] <= qr_left + 0.5 for w in below_band)
    assert all(0 <= w[0] and w[2] <= width and w[3] <= height for w in words)
    assert "Ayşegül" in {w[4] for w in words}


def test_qr_is_big_enough_to_scan_comfortably():
    layout = card_layout(face(0))
    symbol_mm = layout.qr_module_mm * (len(layout.qr_matrix) - 8)
    assert 24 <= symbol_mm and layout.qr_size_mm <= QR_MAX_MM
    assert layout.qr_x_mm + layout.qr_size_mm <= 85.6 and layout.qr_top_mm >= 12


@pytest.mark.parametrize("dpi", [300, 600])
def test_phone_png_scans_back_to_the_signed_payload(dpi):
    card = face(3)
    image = Image.open(io.BytesIO(render_card_png(card, dpi)))
    assert image.size == (round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi))
    assert round(image.info["dpi"][0]) == dpi
    assert_scans_to(decode(image.convert("L"), QR), [card])


def test_bad_requests_are_refused_with_codes():
    good = face(0)
    cases = [
        (lambda: render_cards_pdf([]), "no_cards"),
        (lambda: render_cards_pdf([good], "letter"), "unsupported_card_layout"),
        (lambda: render_card_png(good, dpi=72), "invalid_dpi"),
        (lambda: render_cards_pdf([CardFace("S", "N", good.card_number, "12ab")]),
         "invalid_card_payload"),
        (lambda: render_cards_pdf([CardFace("S", "N", "9790123456789012", good.payload)]),
         "card_number_check_digit"),
    ]
    for call, code in cases:
        with pytest.raises(InvalidInput) as error:
            call()
        assert error.value.code == code
