"""The DejaVu fonts: registered once, and they draw every Turkish letter and ₺."""

from __future__ import annotations

import time

from reportlab.pdfbase import pdfmetrics

from loyalty_desktop.printing import fonts

TURKISH = "ÇçĞğİıÖöŞşÜü₺•→–…"


def test_registration_is_idempotent_and_cheap_the_second_time():
    fonts.register_fonts()
    start = time.perf_counter()
    for _ in range(1000):
        fonts.register_fonts()
    assert time.perf_counter() - start < 0.05
    assert {fonts.REGULAR, fonts.BOLD, fonts.MONO} <= set(pdfmetrics.getRegisteredFontNames())


def test_every_font_has_the_turkish_letters_the_lira_sign_and_our_symbols():
    fonts.register_fonts()
    for name in (fonts.REGULAR, fonts.BOLD, fonts.MONO):
        face = pdfmetrics.getFont(name).face
        missing = [ch for ch in TURKISH if ord(ch) not in face.charToGlyph]
        assert missing == [], name


def test_widths_differ_between_regular_and_bold():
    assert fonts.text_width("Gümüş", fonts.BOLD, 10) > fonts.text_width("Gümüş", fonts.REGULAR, 10)
