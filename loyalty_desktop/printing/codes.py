"""QR codes and Code128 barcodes sized for the printers a shop has.

Module sizes are whole printer dots of a 203 dpi (8 dots/mm) thermal printer, and every
code is placed on that dot grid, so bars print with clean edges instead of smeared ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from loyalty_desktop.domain.errors import InvalidInput

from . import fonts

DOT = 0.125 * mm  # one dot of a 203 dpi thermal head (8 dots per mm)
QR_QUIET_MODULES = 4
CODE128_QUIET_MODULES = 10
CODE128_MODULE_DOTS = (3, 2)  # 0.375 mm if it fits the paper, else 0.25 mm
CODE128_TEXT_SIZE = 8.0


def snap_to_dots(value: float) -> float:
    """`value` (points) moved to the nearest printer dot."""
    return round(value / DOT) * DOT


def qr_matrix(payload: str) -> list[list[bool]]:
    """QR modules of a numeric payload (error correction M), quiet zone included."""
    if not payload or not payload.isdigit() or not payload.isascii():
        raise InvalidInput("A card QR payload must be digits only.", code="invalid_card_payload")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_QUIET_MODULES)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def qr_module_size(module_count: int, max_size: float) -> float:
    """The largest whole-dot module size (points) that fits `module_count` into `max_size`."""
    dots = int(max_size / module_count / DOT + 1e-9)
    if dots < 2:
        raise InvalidInput("There is no room to print the QR code.", code="qr_too_small")
    return dots * DOT


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, max_size: float) -> float:
    """Draw the QR of `payload` with its white quiet zone, lower-left at (x, y); return its size."""
    matrix = qr_matrix(payload)
    module = qr_module_size(len(matrix), max_size)
    draw_qr_matrix(canvas, matrix, x, y, module)
    return module * len(matrix)


def draw_qr_matrix(canvas: Canvas, matrix: list[list[bool]], x: float, y: float,
                   module: float) -> None:
    """Draw QR modules (quiet zone included) on a white square, lower-left at (x, y)."""
    count = len(matrix)
    size = module * count
    x, y = snap_to_dots(x), snap_to_dots(y)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        row_y = y + (count - 1 - row_index) * module
        for start, length in dark_runs(row):
            path.rect(x + start * module, row_y, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row: one rectangle per run."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


@dataclass(frozen=True)
class Barcode128:
    """A Code128 barcode with 10-module quiet zones and its text below, ready to draw."""

    value: str
    module: float
    bar_height: float
    caption: str = ""  # the text under the bars; the value itself when empty

    @cached_property
    def _barcode(self) -> Code128:
        """ReportLab's Code128 symbol (no human-readable text: drawn in DejaVu below)."""
        quiet = CODE128_QUIET_MODULES * self.module
        return Code128(
            self.value, barWidth=self.module, barHeight=self.bar_height,
            quiet=1, lquiet=quiet, rquiet=quiet, humanReadable=0,
        )

    @cached_property
    def width(self) -> float:
        """Width in points, quiet zones included."""
        return float(self._barcode.width)

    @property
    def height(self) -> float:
        """Height in points: the bars plus the line of text under them."""
        return self.bar_height + CODE128_TEXT_SIZE * 1.5

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        """Draw with the quiet zone's left edge at x and the text's bottom at y."""
        x = snap_to_dots(x)
        bars_y = snap_to_dots(y + CODE128_TEXT_SIZE * 1.5)
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        self._barcode.drawOn(canvas, x, bars_y)
        canvas.setFont(fonts.MONO, CODE128_TEXT_SIZE)
        caption = self.caption or self.value
        canvas.drawCentredString(x + self.width / 2, y + CODE128_TEXT_SIZE * 0.4, caption)
        canvas.restoreState()


def code128(value: str, max_width: float, bar_height: float = 10 * mm,
            caption: str = "") -> Barcode128:
    """The widest clean Code128 of `value` (3 or 2 dots a module) that fits `max_width`."""
    if not value or not value.isascii() or not value.isprintable():
        raise InvalidInput(f"Code {value!r} cannot be printed as a barcode.", code="invalid_code")
    for dots in CODE128_MODULE_DOTS:
        barcode = Barcode128(value, dots * DOT, bar_height, caption)
        if barcode.width <= max_width:
            return barcode
    raise InvalidInput(
        f"Code {value!r} is too long to print as a barcode on this paper.",
        code="barcode_too_wide",
    )
