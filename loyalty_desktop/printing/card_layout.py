"""Where everything goes on a CR80 membership card (85.6 x 54 mm), in millimetres.

One layout, two painters: ReportLab for the printable PDF and Pillow for the phone PNG,
so the card looks the same on plastic, paper and a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalty_desktop.domain.cards import format_card_number

from . import codes, fonts
from .slip import wrap_text
from .texts import check_language, text

CARD_WIDTH_MM = 85.6
CARD_HEIGHT_MM = 54.0
BAND_HEIGHT_MM = 12.0
MARGIN_MM = 4.0
QR_MAX_MM = 34.0  # a numeric 177-digit QR (version 5, 37 modules) gets 0.75 mm modules
QR_EDGE_MM = 1.5
BAND_COLOR = (0x1F, 0x3A, 0x5F)
MUTED_COLOR = (0x55, 0x5F, 0x6B)
INK_COLOR = (0x11, 0x11, 0x11)
WHITE = (0xFF, 0xFF, 0xFF)
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class CardFace:
    """What is printed on one membership card."""

    shop_name: str
    member_name: str
    card_number: str
    payload: str
    lang: str = "tr"


@dataclass(frozen=True)
class TextItem:
    """A line of text: font, size (points), colour and its baseline position in mm."""

    text: str
    font: str
    size: float
    color: tuple[int, int, int]
    x_mm: float
    baseline_mm: float  # from the card's top edge
    align: str = "left"


@dataclass(frozen=True)
class CardLayout:
    """Everything to paint on one card: the band, the texts and the QR modules."""

    texts: list[TextItem]
    qr_matrix: list[list[bool]]
    qr_module_mm: float
    qr_x_mm: float
    qr_top_mm: float

    @property
    def qr_size_mm(self) -> float:
        """Side of the QR square, quiet zone included."""
        return self.qr_module_mm * len(self.qr_matrix)


def fit_lines(value: str, font: str, width_mm: float, sizes: tuple[float, float],
              max_lines: int = 1) -> tuple[float, list[str]]:
    """The largest size (points) at which `value` fits `width_mm` in at most `max_lines`."""
    largest, smallest = sizes
    width = width_mm * PT_PER_MM
    for lines_allowed in range(1, max_lines + 1):
        size = largest
        while size >= smallest:
            lines = wrap_text(value, font, size, width)
            if len(lines) <= lines_allowed:
                return size, lines
            size -= 0.5
    lines = wrap_text(value, font, smallest, width)[:max_lines]
    return smallest, [*lines[:-1], _ellipsize(lines[-1], font, smallest, width)]


def _ellipsize(line: str, font: str, size: float, width: float) -> str:
    """`line` cut short with "…" so that it fits `width`."""
    while line and fonts.text_width(line + "…", font, size) > width:
        line = line[:-1]
    return line + "…"


def card_layout(card: CardFace) -> CardLayout:
    """Lay out one card: shop band on top, member and number on the left, QR on the right."""
    lang = check_language(card.lang)
    matrix = codes.qr_matrix(card.payload)
    module_mm = codes.qr_module_size(len(matrix), QR_MAX_MM * PT_PER_MM) / PT_PER_MM
    qr_size = module_mm * len(matrix)
    qr_x = CARD_WIDTH_MM - QR_EDGE_MM - qr_size
    qr_top = BAND_HEIGHT_MM + (CARD_HEIGHT_MM - BAND_HEIGHT_MM - qr_size) / 2
    text_width = qr_x - MARGIN_MM
    texts = _band_texts(card.shop_name)
    texts.append(TextItem(text("card_title", lang), fonts.BOLD, 7.0, MUTED_COLOR,
                          MARGIN_MM, BAND_HEIGHT_MM + 6.0))
    size, lines = fit_lines(card.member_name, fonts.BOLD, text_width, (12.0, 7.0), max_lines=2)
    for index, line in enumerate(lines):
        baseline = BAND_HEIGHT_MM + 14.0 + index * size * 1.2 / PT_PER_MM
        texts.append(TextItem(line, fonts.BOLD, size, INK_COLOR, MARGIN_MM, baseline))
    size, lines = fit_lines(format_card_number(card.card_number), fonts.MONO, text_width,
                            (11.0, 7.0))
    texts.append(TextItem(lines[0], fonts.MONO, size, INK_COLOR, MARGIN_MM, 42.0))
    size, lines = fit_lines(text("card_hint", lang), fonts.REGULAR, text_width, (6.5, 5.0))
    texts.append(TextItem(lines[0], fonts.REGULAR, size, MUTED_COLOR, MARGIN_MM, 49.5))
    return CardLayout(texts, matrix, module_mm, qr_x, qr_top)


def _band_texts(shop_name: str) -> list[TextItem]:
    """The shop name, white on the band, centred on one or two lines."""
    width = CARD_WIDTH_MM - 2 * MARGIN_MM
    size, lines = fit_lines(shop_name, fonts.BOLD, width, (13.0, 7.0), max_lines=2)
    line_mm = size * 1.15 / PT_PER_MM
    first = (BAND_HEIGHT_MM - line_mm * len(lines)) / 2 + size * 0.78 / PT_PER_MM
    return [
        TextItem(line, fonts.BOLD, size, WHITE, CARD_WIDTH_MM / 2, first + i * line_mm, "center")
        for i, line in enumerate(lines)
    ]
