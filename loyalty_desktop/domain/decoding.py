"""What serial and camera scanners deliver, turned into the codes the counter understands.

Pure helpers (no Qt, no I/O) for the Qt glue in `ui.serial_scanner` and `ui.camera_scanner`:
- `LineAssembler`: bytes from a serial scanner, in any fragments, into finished lines
  (ended by CR, LF or CRLF), refusing overlong lines without keeping them in memory.
- `decode_gray` / `codes_in`: a grayscale frame into the texts of its barcodes (zxing-cpp),
  keeping only our codes (card payloads, card numbers, coupon codes).
- `RepeatFilter`: the same code held in front of a camera is reported once, not 8 times a second.
- `FrameThrottle`: at most N decodes a second, and never a second one while one is running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import zxingcpp

from .cards import looks_like_payload
from .scanning import is_known_code, normalize_scanned

MAX_LINE_LENGTH = 512
_TERMINATORS = b"\r\n"
_FORMATS = (zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.Code128
            | zxingcpp.BarcodeFormat.EAN13)


@dataclass(frozen=True)
class TooLong:
    """A line longer than the limit arrived; it was dropped up to its end of line."""

    length: int


@dataclass
class LineAssembler:
    """Collects serial bytes into normalised scan texts, line by line (CR, LF or CRLF)."""

    max_length: int = MAX_LINE_LENGTH
    _pending: bytearray = field(default_factory=bytearray)
    _dropping: int = 0  # > 0 while discarding the rest of an overlong line (its length so far)

    def feed(self, data: bytes) -> list[str | TooLong]:
        """Bytes as they arrived: the scans they completed, in order, and any overlong lines."""
        out: list[str | TooLong] = []
        start = 0
        for index, byte in enumerate(data):
            if byte in _TERMINATORS:
                out += self._end_line(data[start:index])
                start = index + 1
        out += self._keep(data[start:])
        return out

    def reset(self) -> None:
        """Forget a half-received line (the port closed or went away)."""
        self._pending.clear()
        self._dropping = 0

    def _end_line(self, tail: bytes) -> list[str | TooLong]:
        """A terminator arrived: the finished line, if it is a non-empty scan of allowed length."""
        out = self._keep(tail)
        if self._dropping:
            self._dropping = 0
            return out
        text = normalize_scanned(bytes(self._pending).decode("utf-8", errors="replace"))
        self._pending.clear()
        return [*out, text] if text else out

    def _keep(self, chunk: bytes) -> list[str | TooLong]:
        """Add bytes of an unfinished line; past the limit, report it once and drop the rest."""
        if self._dropping:
            self._dropping += len(chunk)
            return []
        self._pending += chunk
        if len(self._pending) <= self.max_length:
            return []
        self._dropping = len(self._pending)
        self._pending.clear()
        return [TooLong(self._dropping)]


def gray_array(pixels: bytes | memoryview, width: int, height: int, stride: int) -> np.ndarray:
    """A (height, width) uint8 view of 8-bit grayscale rows `stride` bytes apart."""
    if width <= 0 or height <= 0 or stride < width or len(pixels) < stride * height:
        raise ValueError(f"{len(pixels)} bytes cannot hold a {width}x{height} frame (stride {stride})")
    rows = np.frombuffer(pixels, dtype=np.uint8, count=stride * height)
    return rows.reshape(height, stride)[:, :width]


def decode_gray(gray: np.ndarray) -> list[str]:
    """Texts of every QR, Code128 or EAN-13 code zxing-cpp finds in a grayscale frame."""
    return [code.text for code in zxingcpp.read_barcodes(np.ascontiguousarray(gray),
                                                         formats=_FORMATS)]


def our_codes(texts: Iterable[str]) -> list[str]:
    """The texts that are our codes (payload-shaped, card number, coupon), normalised, in order.

    A payload-shaped text is kept even when its signature is wrong, so the counter can say
    why the card is refused; a product's EAN or a web link on the counter is ignored.
    """
    out: list[str] = []
    for text in texts:
        code = normalize_scanned(text)
        if (looks_like_payload(code) or is_known_code(code)) and code not in out:
            out.append(code)
    return out


def codes_in(gray: np.ndarray) -> list[str]:
    """Our codes in a grayscale frame (what a camera scanner reports)."""
    return our_codes(decode_gray(gray))


@dataclass
class RepeatFilter:
    """Lets a code through unless the same code was let through less than `window_s` ago."""

    window_s: float = 2.0
    _last_seen: dict[str, float] = field(default_factory=dict)

    def accept(self, code: str, now_s: float) -> bool:
        """True when `code` should be reported at `now_s` (and remember that it was)."""
        self._last_seen = {c: t for c, t in self._last_seen.items() if now_s - t < self.window_s}
        if code in self._last_seen:
            return False
        self._last_seen[code] = now_s
        return True


@dataclass
class FrameThrottle:
    """Admits a frame for decoding at most `max_per_second` times a second, one at a time."""

    max_per_second: float = 8.0
    busy: bool = False
    _last_start_s: float | None = None

    def __post_init__(self) -> None:
        """Refuse a rate that is not positive."""
        if self.max_per_second <= 0:
            raise ValueError("max_per_second must be > 0")

    def admit(self, now_s: float) -> bool:
        """True when a frame arriving at `now_s` should be decoded; it then counts as running."""
        if self.busy:
            return False
        if self._last_start_s is not None and now_s - self._last_start_s < 1 / self.max_per_second:
            return False
        self.busy = True
        self._last_start_s = now_s
        return True

    def done(self) -> None:
        """The running decode finished: the next admitted frame may start."""
        self.busy = False
