"""A thermal-paper slip: lines of text, rules and barcodes laid out top to bottom.

The slip is built first and measured, then drawn on a page exactly as tall as its
content, so a receipt printer cuts it right after the last line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from loyalty_desktop.domain.errors import InvalidInput

from . import codes, fonts

# Paper width -> printable width of the common 80 mm and 58 mm thermal heads (576 / 384 dots).
PRINTABLE_MM = {80: 72.0, 58: 48.0}
FONT_SIZE = {80: 9.0, 58: 8.0}
LINE_SPACING = 1.3
TOP_BOTTOM_MARGIN = 4 * mm
MIN_MONO_SIZE = 6.0


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`; over-long words are split."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fonts.text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while fonts.text_width(word, font, size) > width:
            cut = _longest_prefix(word, font, size, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _longest_prefix(word: str, font: str, size: float, width: float) -> int:
    """Length of the longest prefix of `word` that fits `width` (at least one character)."""
    cut = len(word)
    while cut > 1 and fonts.text_width(word[:cut], font, size) > width:
        cut -= 1
    return cut


@dataclass(frozen=True)
class TextLine:
    """One line of text: left, right, centred, or a label left with a value right."""

    text: str
    font: str
    size: float
    align: str = "left"
    right_text: str = ""

    @property
    def height(self) -> float:
        """Height the line takes on the slip."""
        return self.size * LINE_SPACING

    def draw(self, canvas: Canvas, left: float, top: float, width: float) -> None:
        """Draw the line with its top at `top`."""
        baseline = top - self.size * 1.02
        canvas.setFont(self.font, self.size)
        if self.align == "center":
            canvas.drawCentredString(left + width / 2, baseline, self.text)
        elif self.align == "right":
            canvas.drawRightString(left + width, baseline, self.text)
        else:
            canvas.drawString(left, baseline, self.text)
        if self.right_text:
            canvas.drawRightString(left + width, baseline, self.right_text)


@dataclass(frozen=True)
class Rule:
    """A thin horizontal separator."""

    dashed: bool = False
    height: float = 2.5 * mm

    def draw(self, canvas: Canvas, left: float, top: float, width: float) -> None:
        """Draw the separator across the printable width."""
        canvas.saveState()
        canvas.setLineWidth(0.6)
        if self.dashed:
            canvas.setDash(2, 2)
        y = top - self.height / 2
        canvas.line(left, y, left + width, y)
        canvas.restoreState()


@dataclass(frozen=True)
class Gap:
    """Blank space."""

    height: float

    def draw(self, canvas: Canvas, left: float, top: float, width: float) -> None:
        """Nothing to draw."""


@dataclass(frozen=True)
class CodeBlock:
    """A Code128 barcode centred on the slip."""

    barcode: codes.Barcode128

    @property
    def height(self) -> float:
        """Height of the bars, the text under them and a little air."""
        return self.barcode.height + 1.5 * mm

    def draw(self, canvas: Canvas, left: float, top: float, width: float) -> None:
        """Draw the barcode centred, on the printer's dot grid."""
        x = left + (width - self.barcode.width) / 2
        self.barcode.draw(canvas, x, top - self.barcode.height)


class Slip:
    """Builder of a slip for 80 mm or 58 mm paper; `render()` returns the PDF."""

    def __init__(self, width_mm: int = 80) -> None:
        if width_mm not in PRINTABLE_MM:
            raise InvalidInput(
                f"Receipt width {width_mm} mm is not supported (use 80 or 58).",
                code="unsupported_paper_width",
            )
        fonts.register_fonts()
        self.page_width = width_mm * mm
        self.width = PRINTABLE_MM[width_mm] * mm
        self.left = (self.page_width - self.width) / 2
        self.size = FONT_SIZE[width_mm]
        self.items: list[TextLine | Rule | Gap | CodeBlock] = []

    def text(self, text: str, *, bold: bool = False, align: str = "left",
             scale: float = 1.0) -> None:
        """Add text, wrapped to the printable width."""
        font = fonts.BOLD if bold else fonts.REGULAR
        size = self.size * scale
        for line in wrap_text(text, font, size, self.width):
            self.items.append(TextLine(line, font, size, align))

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        """Add a label on the left and its value on the right (value below if no room)."""
        font = fonts.BOLD if bold else fonts.REGULAR
        room = self.width - fonts.text_width(label, font, self.size) - 2 * mm
        if fonts.text_width(value, font, self.size) <= room:
            self.items.append(TextLine(label, font, self.size, "left", value))
            return
        self.text(label, bold=bold)
        self.text(value, bold=bold, align="right")

    def mono(self, text: str, *, align: str = "left") -> None:
        """Add an id or code in the monospaced font, on one line if still readable, else wrapped."""
        size = self.size * 0.85
        one_line = self.width / max(fonts.text_width(text, fonts.MONO, 1.0), 1e-9)
        size = max(min(size, one_line), MIN_MONO_SIZE)
        for line in wrap_text(text, fonts.MONO, size, self.width):
            self.items.append(TextLine(line, fonts.MONO, size, align))

    def rule(self, *, dashed: bool = False) -> None:
        """Add a separator line."""
        self.items.append(Rule(dashed))

    def gap(self, height_mm: float = 1.5) -> None:
        """Add blank space."""
        self.items.append(Gap(height_mm * mm))

    def barcode(self, value: str, caption: str = "") -> None:
        """Add a Code128 barcode of `value` with `caption` (default: the value) below."""
        self.items.append(CodeBlock(codes.code128(value, self.width, caption=caption)))

    @property
    def height(self) -> float:
        """Page height that fits every item plus the top and bottom margins."""
        return sum(item.height for item in self.items) + 2 * TOP_BOTTOM_MARGIN

    def draw(self, canvas: Canvas) -> None:
        """Draw every item on `canvas`, top to bottom."""
        top = self.height - TOP_BOTTOM_MARGIN
        for item in self.items:
            item.draw(canvas, self.left, top, self.width)
            top -= item.height

    def render(self, title: str) -> bytes:
        """The slip as a one-page PDF exactly as tall as its content."""
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(self.page_width, self.height), invariant=1)
        canvas.setTitle(title)
        canvas.setCreator("Loyalty Desktop")
        self.draw(canvas)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
