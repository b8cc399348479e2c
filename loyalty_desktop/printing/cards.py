"""Membership cards: a CR80 card per page, an A4 sheet of ten with cut marks, or a PNG.

The QR carries the signed payload (digits only); modules are whole dots of a 203 dpi
printer and the quiet zone stays inside the card, so a cut slightly off does not hurt it.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from loyalty_desktop.domain.errors import InvalidInput

from . import codes, fonts
from .card_layout import (
    BAND_COLOR,
    BAND_HEIGHT_MM,
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    PT_PER_MM,
    WHITE,
    CardFace,
    CardLayout,
    card_layout,
)

__all__ = ["CardFace", "render_card_png", "render_cards_pdf"]

LAYOUTS = ("cr80", "a4")
A4_COLUMNS, A4_ROWS = 2, 5
GUTTER_MM = 2.0  # a cut slightly off lands in the gutter, not on the next card's band
CUT_MARK_GAP_MM, CUT_MARK_LENGTH_MM = 1.0, 4.0  # marks stay 4.5 mm from the paper edge


def render_cards_pdf(cards: list[CardFace], layout: str = "cr80") -> bytes:
    """Cards as a PDF: "cr80" is one card per 85.6 x 54 mm page, "a4" ten per A4 sheet."""
    if layout not in LAYOUTS:
        raise InvalidInput(f"Card layout {layout!r} is unknown (use cr80 or a4).",
                           code="unsupported_card_layout")
    if not cards:
        raise InvalidInput("There are no cards to print.", code="no_cards")
    fonts.register_fonts()
    layouts = [card_layout(card) for card in cards]
    buffer = io.BytesIO()
    if layout == "cr80":
        canvas = Canvas(buffer, pagesize=(CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm), invariant=1)
        for face in layouts:
            _draw_card(canvas, face, 0.0, 0.0)
            canvas.showPage()
    else:
        canvas = Canvas(buffer, pagesize=A4, invariant=1)
        per_sheet = A4_COLUMNS * A4_ROWS
        for start in range(0, len(layouts), per_sheet):
            _draw_sheet(canvas, layouts[start:start + per_sheet])
            canvas.showPage()
    canvas.setTitle("Membership cards")
    canvas.setCreator("Loyalty Desktop")
    canvas.save()
    return buffer.getvalue()


def _sheet_origin() -> tuple[float, float]:
    """Lower-left corner (points) of the card grid, centred on the A4 sheet."""
    width, height = A4
    grid_width = A4_COLUMNS * CARD_WIDTH_MM + (A4_COLUMNS - 1) * GUTTER_MM
    grid_height = A4_ROWS * CARD_HEIGHT_MM + (A4_ROWS - 1) * GUTTER_MM
    return (width - grid_width * mm) / 2, (height - grid_height * mm) / 2


def _card_edges() -> tuple[list[float], list[float]]:
    """x of every card's left and right edge, y of every bottom and top edge (points)."""
    x0, y0 = _sheet_origin()
    xs = [x0 + column * (CARD_WIDTH_MM + GUTTER_MM) * mm for column in range(A4_COLUMNS)]
    ys = [y0 + row * (CARD_HEIGHT_MM + GUTTER_MM) * mm for row in range(A4_ROWS)]
    return ([x + d for x in xs for d in (0.0, CARD_WIDTH_MM * mm)],
            [y + d for y in ys for d in (0.0, CARD_HEIGHT_MM * mm)])


def _draw_sheet(canvas: Canvas, layouts: list[CardLayout]) -> None:
    """Up to ten cards in a 2 x 5 grid, top row first, and the cut marks around the grid."""
    xs, ys = _card_edges()
    for index, face in enumerate(layouts):
        column, row = index % A4_COLUMNS, index // A4_COLUMNS
        _draw_card(canvas, face, xs[2 * column], ys[2 * (A4_ROWS - 1 - row)])
    _draw_cut_marks(canvas, xs, ys)


def _draw_cut_marks(canvas: Canvas, xs: list[float], ys: list[float]) -> None:
    """Short lines in the margins on every card edge, never on a card."""
    gap, length = CUT_MARK_GAP_MM * mm, CUT_MARK_LENGTH_MM * mm
    left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
    canvas.saveState()
    canvas.setLineWidth(0.3)
    for x in xs:
        canvas.line(x, top + gap, x, top + gap + length)
        canvas.line(x, bottom - gap, x, bottom - gap - length)
    for y in ys:
        canvas.line(left - gap, y, left - gap - length, y)
        canvas.line(right + gap, y, right + gap + length, y)
    canvas.restoreState()


def _draw_card(canvas: Canvas, face: CardLayout, x: float, y: float) -> None:
    """Paint one card with its lower-left corner at (x, y) points."""
    height = CARD_HEIGHT_MM * mm
    canvas.saveState()
    canvas.setFillColorRGB(*(c / 255 for c in BAND_COLOR))
    canvas.rect(x, y + height - BAND_HEIGHT_MM * mm, CARD_WIDTH_MM * mm, BAND_HEIGHT_MM * mm,
                stroke=0, fill=1)
    for item in face.texts:
        canvas.setFillColorRGB(*(c / 255 for c in item.color))
        canvas.setFont(item.font, item.size)
        baseline = y + height - item.baseline_mm * mm
        if item.align == "center":
            canvas.drawCentredString(x + item.x_mm * mm, baseline, item.text)
        else:
            canvas.drawString(x + item.x_mm * mm, baseline, item.text)
    qr_bottom = y + height - (face.qr_top_mm + face.qr_size_mm) * mm
    codes.draw_qr_matrix(canvas, face.qr_matrix, x + face.qr_x_mm * mm, qr_bottom,
                         face.qr_module_mm * mm)
    canvas.restoreState()


def render_card_png(card: CardFace, dpi: int = 300) -> bytes:
    """One card as a PNG at `dpi` (for a phone wallet), with the same layout as the PDF."""
    if not 150 <= dpi <= 1200:
        raise InvalidInput(f"A card PNG needs 150 to 1200 dpi, not {dpi}.", code="invalid_dpi")
    face = card_layout(card)
    scale = dpi / 25.4  # pixels per mm
    image = Image.new("RGB", (round(CARD_WIDTH_MM * scale), round(CARD_HEIGHT_MM * scale)), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, round(BAND_HEIGHT_MM * scale) - 1), fill=BAND_COLOR)
    for item in face.texts:
        font = ImageFont.truetype(str(fonts.font_path(item.font)), item.size / PT_PER_MM * scale)
        anchor = "ms" if item.align == "center" else "ls"
        draw.text((item.x_mm * scale, item.baseline_mm * scale), item.text, fill=item.color,
                  font=font, anchor=anchor)
    _paint_qr(draw, face, scale)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buffer.getvalue()


def _paint_qr(draw: ImageDraw.ImageDraw, face: CardLayout, scale: float) -> None:
    """The QR in whole pixels a module, centred in the layout's QR square."""
    count = len(face.qr_matrix)
    module = max(int(face.qr_module_mm * scale), 2)
    left = round((face.qr_x_mm + (face.qr_size_mm - module * count / scale) / 2) * scale)
    top = round((face.qr_top_mm + (face.qr_size_mm - module * count / scale) / 2) * scale)
    draw.rectangle((left, top, left + module * count - 1, top + module * count - 1), fill=WHITE)
    for row_index, row in enumerate(face.qr_matrix):
        y = top + row_index * module
        for start, length in codes.dark_runs(row):
            x = left + start * module
            draw.rectangle((x, y, x + length * module - 1, y + module - 1), fill=(0, 0, 0))
