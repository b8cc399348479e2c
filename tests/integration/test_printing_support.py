"""Shared helpers of the printing tests: rasterise PDFs with poppler, decode with zxing-cpp.

No tests here; the printing test modules import these helpers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) is not installed",
)

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def write_pdf(pdf: bytes, folder: Path, name: str = "doc.pdf") -> Path:
    """Save PDF bytes in `folder` and return the path."""
    path = folder / name
    path.write_bytes(pdf)
    return path


def rasterize(pdf: bytes, folder: Path, dpi: int) -> list[Image.Image]:
    """Every page of the PDF as a grayscale image, rendered by pdftoppm at `dpi`."""
    source = write_pdf(pdf, folder, f"raster-{dpi}.pdf")
    prefix = folder / f"page-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(prefix)],
                   check=True, capture_output=True, timeout=60)
    pages = sorted(folder.glob(f"page-{dpi}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(page).convert("L") for page in pages]


def decode(image: Image.Image, kind: zxingcpp.BarcodeFormat) -> list[str]:
    """Texts of every barcode of `kind` zxing-cpp finds in the image."""
    return [code.text for code in zxingcpp.read_barcodes(image, formats=kind)]


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The text of the PDF in reading layout (pdftotext -layout)."""
    source = write_pdf(pdf, folder, "text.pdf")
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],
                            check=True, capture_output=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_words(pdf: bytes, folder: Path) -> tuple[tuple[float, float], list[tuple]]:
    """(page width, height) and every word as (xMin, yMin, xMax, yMax, text), in points."""
    source = write_pdf(pdf, folder, "bbox.pdf")
    result = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(source), "-"],
                            check=True, capture_output=True, timeout=60)
    html = result.stdout.decode("utf-8")
    width, height = (float(v) for v in _PAGE.search(html).groups())
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(html)]
    return (width, height), words
