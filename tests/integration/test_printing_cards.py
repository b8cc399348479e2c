"""Membership cards: the QR scans back to the exact payload on CR80, A4 sheets and PNG."""

from __future__ import annotations

import io
import random

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

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


def payload(seed: int) -> str:
    """A 177-digit numeric payload, different for every seed."""
    rng = random.Random(seed)
    return "".join(rng.choice("0123456789") for _ in range(177))


def face(index: int, lang: str = "tr") -> CardFace:
    """The index-th test card of the shop."""
    return CardFace("Köşebaşı Şarküteri", NAMES[index % len(NAMES)],
                    f"97901234567890{index:02d}", payload(index), lang)


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
def test_cr80_card_qr_scans_back_to_the_payload(tmp_path, dpi):
    cards = [face(0), face(1, "en")]
    pages = rasterize(render_cards_pdf(cards, "cr80"), tmp_path, dpi)
    assert len(pages) == 2
    for page, card in zip(pages, cards, strict=True):
        assert page.size == pytest.approx((85.6 / 25.4 * dpi, 54 / 25.4 * dpi), abs=1)
        assert decode(page, QR) == [card.payload]


@needs_poppler
@pytest.mark.parametrize("dpi", [203, 300])
def test_a4_sheets_hold_ten_cards_each_and_every_qr_scans(tmp_path, dpi):
    cards = [face(i, "tr" if i % 2 else "en") for i in range(12)]
    pages = rasterize(render_cards_pdf(cards, "a4"), tmp_path, dpi)
    assert len(pages) == 2
    assert sorted(decode(pages[0], QR)) == sorted(c.payload for c in cards[:10])
    assert sorted(decode(pages[1], QR)) == sorted(c.payload for c in cards[10:])


@needs_poppler
def test_card_text_is_grouped_and_turkish(tmp_path):
    text = pdf_text(render_cards_pdf([face(0), face(1, "en")]), tmp_path)
    for expected in ["Köşebaşı Şarküteri", "ÜYELİK KARTI", "Çiğdem Işık", "9790 1234 5678 9000",
                     "Kasada bu kodu okutun", "MEMBERSHIP CARD", "İsmail Öztürk"]:
        assert expected in text


@needs_poppler
def test_card_text_stays_left_of_the_qr_and_inside_the_card(tmp_path):
    card = face(2)  # the longest name: shrunk and wrapped, never under the QR
    (width, height), words = pdf_words(render_cards_pdf([card]), tmp_path)
    assert (width, height) == pytest.approx((85.6 * mm, 54 * mm), abs=0.5)
    layout = card_layout(card)
    qr_left = layout.qr_x_mm * mm
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
def test_phone_png_scans_back_to_the_payload(dpi):
    card = face(3)
    image = Image.open(io.BytesIO(render_card_png(card, dpi)))
    assert image.size == (round(85.6 / 25.4 * dpi), round(54 / 25.4 * dpi))
    assert round(image.info["dpi"][0]) == dpi
    assert decode(image.convert("L"), QR) == [card.payload]


def test_bad_requests_are_refused_with_codes():
    cases = [
        (lambda: render_cards_pdf([]), "no_cards"),
        (lambda: render_cards_pdf([face(0)], "letter"), "unsupported_card_layout"),
        (lambda: render_card_png(face(0), dpi=72), "invalid_dpi"),
        (lambda: render_cards_pdf([CardFace("S", "N", "9790", "12ab")]), "invalid_card_payload"),
        (lambda: render_cards_pdf([CardFace("S", "N", "97-90", "1234")]), "invalid_card_number"),
    ]
    for call, code in cases:
        with pytest.raises(InvalidInput) as error:
            call()
        assert error.value.code == code
