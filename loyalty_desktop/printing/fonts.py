"""The DejaVu fonts for every printed document: they carry all Turkish letters and ₺.

ReportLab's built-in fonts (Helvetica, Courier) have neither "ğ/ş/ı/İ" nor "₺", so every
document draws with these TrueType fonts, registered once per process.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
MONO = "DejaVuSansMono"

_FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
}
_lock = threading.Lock()
_registered = False


def resources_dir() -> Path:
    """The `resources` folder: inside a PyInstaller bundle (`sys._MEIPASS`) or the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def font_path(font_name: str) -> Path:
    """The TTF file of one of the registered font names (REGULAR, BOLD, MONO)."""
    return resources_dir() / "fonts" / _FONT_FILES[font_name]


def register_fonts() -> None:
    """Register the DejaVu family with ReportLab; later calls return at once."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name in _FONT_FILES:
            pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
        # Bold-face lookups of the family (e.g. <b> in paragraphs) land on the bold file.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True


def text_width(text: str, font_name: str, size: float) -> float:
    """Width in points of `text` drawn in a registered font."""
    register_fonts()
    return pdfmetrics.stringWidth(text, font_name, size)
