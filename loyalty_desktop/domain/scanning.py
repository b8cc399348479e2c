"""Keyboard-wedge scanners: telling a scan from typing, undoing keyboard layouts, and
classifying what the counter's single search box received.

Burst detector (`WedgeDetector`), for an event filter that may HOLD keystrokes:
- Every character keystroke is held when it arrives, not delivered.
- A keystroke within `max_gap_ms` of the previous held one (gap <= max_gap) continues the
  burst. USB scanners type 1-15 ms apart; people type 80-300 ms apart (40-60 ms in a fast
  typist's bursts), so a person's key is held at most `max_gap_ms`, which nobody notices.
- When no keystroke came for `max_gap_ms` the held characters are RELEASED to the focused
  widget, in order: a person typed them. The event loop calls `timeout(t)` at
  `pending_deadline()` (it releases when t >= deadline); a keystroke or Enter arriving after
  the deadline releases the old burst first, so a late timer loses nothing.
- Enter within `max_gap_ms` of a held burst of at least `min_length` characters is a SCAN:
  the characters and the Enter are swallowed and `Scan(payload)` carries the text with the
  keyboard layout undone (`normalize_scanned`).
- If a scan began while a person's keystrokes were still held, those leading characters (at
  most `max_human_prefix` of them) are released before the Scan, provided what follows them
  is one of our codes (payload, card number or coupon code); otherwise the whole burst is
  the scan.
- Any other Enter is passed on (`PassEnter`) after releasing what was held. A burst whose
  Enter came too late is released as typing, so the search box still gets all of it.
- `flush()` releases everything at once (for a non-character key, a focus change).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .cards import is_valid_card_number, looks_like_payload, parse_coupon_code
from .errors import InvalidInput

ENTER = "\n"


@dataclass(frozen=True)
class Release:
    """Give these held characters back to the focused widget, in order: a person typed them."""

    text: str


@dataclass(frozen=True)
class Scan:
    """A complete scan: the characters and the Enter are swallowed."""

    payload: str


@dataclass(frozen=True)
class PassEnter:
    """An Enter that belongs to the focused widget."""


Action = Release | Scan | PassEnter


def is_known_code(text: str) -> bool:
    """True for one of our scannable codes: a card payload, a card number, a coupon code."""
    if looks_like_payload(text) or is_valid_card_number(text):
        return True
    try:
        parse_coupon_code(text)
    except InvalidInput:
        return False
    return True


class WedgeDetector:
    """Separates scanner bursts from typing, keystroke by keystroke (see the module docstring)."""

    def __init__(
        self, max_gap_ms: float = 25.0, min_length: int = 8, max_human_prefix: int = 3
    ) -> None:
        if max_gap_ms <= 0 or min_length < 1 or max_human_prefix < 0:
            raise ValueError("max_gap_ms must be > 0, min_length >= 1, max_human_prefix >= 0")
        self.max_gap_ms = float(max_gap_ms)
        self.min_length = min_length
        self.max_human_prefix = max_human_prefix
        self._held: list[str] = []
        self._last_ms: float | None = None

    def pending_deadline(self) -> float | None:
        """When the held characters must be released if no key comes (None: nothing held)."""
        if self._last_ms is None:
            return None
        return self._last_ms + self.max_gap_ms

    def feed(self, char: str, t_ms: float) -> list[Action]:
        """A character keystroke at `t_ms`: hold it, releasing an older burst first."""
        actions = self._release_if_after_deadline(t_ms)
        if char:
            self._held.append(char)
            self._last_ms = t_ms
        return actions

    def enter(self, t_ms: float) -> list[Action]:
        """An Enter keystroke at `t_ms`: completes a scan, or is passed on to the widget."""
        actions = self._release_if_after_deadline(t_ms)
        text = self._take()
        if not text:
            return [*actions, PassEnter()]
        if len(text) < self.min_length:
            return [*actions, Release(text), PassEnter()]
        prefix, payload = self._split_scan(text)
        return [*actions, *([Release(prefix)] if prefix else []), Scan(payload)]

    def timeout(self, t_ms: float) -> list[Action]:
        """The timer fired at `t_ms`: release what was held if its deadline has passed."""
        deadline = self.pending_deadline()
        if deadline is None or t_ms < deadline:
            return []
        return [Release(self._take())]

    def flush(self) -> list[Action]:
        """Release everything held now (a non-character key or a focus change came)."""
        text = self._take()
        return [Release(text)] if text else []

    def _release_if_after_deadline(self, t_ms: float) -> list[Action]:
        """Release the held burst when `t_ms` is past its deadline (the timer was late)."""
        deadline = self.pending_deadline()
        if deadline is None or t_ms <= deadline:
            return []
        return [Release(self._take())]

    def _take(self) -> str:
        """Empty the hold and return what it held."""
        text = "".join(self._held)
        self._held.clear()
        self._last_ms = None
        return text

    def _split_scan(self, text: str) -> tuple[str, str]:
        """(typed prefix, scanned payload) of a burst ended by a fast Enter."""
        for cut in range(min(self.max_human_prefix, len(text) - self.min_length) + 1):
            payload = normalize_scanned(text[cut:])
            if is_known_code(payload):
                return text[:cut], payload
        return "", normalize_scanned(text)


def replay(detector: WedgeDetector, events: Iterable[tuple[float, str]]) -> list[Action]:
    """Drive a detector through recorded (t_ms, key) events, firing its timer like an event
    loop would; key ENTER is the Enter key. For tests and for diagnosing a scanner."""
    actions: list[Action] = []
    for t_ms, key in events:
        deadline = detector.pending_deadline()
        if deadline is not None and deadline < t_ms:
            actions += detector.timeout(deadline)
        actions += detector.enter(t_ms) if key == ENTER else detector.feed(key, t_ms)
    deadline = detector.pending_deadline()
    if deadline is not None:
        actions += detector.timeout(deadline)
    return actions


# --- keyboard layouts -------------------------------------------------------------------
# Key positions row by row (number row, top, home, bottom; the key US types "\" with is the
# ISO key left of Enter). Each string lists what that layout types on those keys.
_US_PLAIN = "`1234567890-=" "qwertyuiop[]\\" "asdfghjkl;'" "zxcvbnm,./"
_US_SHIFT = "~!@#$%^&*()_+" "QWERTYUIOP{}|" 'ASDFGHJKL:"' "ZXCVBNM<>?"
_TRQ_PLAIN = '"1234567890*-' "qwertyuıopğü," "asdfghjklşi" "zxcvbnmöç."
_TRQ_SHIFT = "é!'^+%&/()=?_" "QWERTYUIOPĞÜ;" "ASDFGHJKLŞİ" "ZXCVBNMÖÇ:"
_TRF_PLAIN = "+1234567890/-" "fgğıodrnhpqwx" "uieaütkmlyş" "jövcçzsb.,"
_TRF_SHIFT = "*!\"^$%&'()=?_" "FGĞIODRNHPQWX" "UİEAÜTKMLYŞ" "JÖVCÇZSB:;"

US_TO_TR_Q: dict[str, str] = dict(zip(" " + _US_PLAIN + _US_SHIFT, " " + _TRQ_PLAIN + _TRQ_SHIFT, strict=True))
US_TO_TR_F: dict[str, str] = dict(zip(" " + _US_PLAIN + _US_SHIFT, " " + _TRF_PLAIN + _TRF_SHIFT, strict=True))

_US_SHIFTED_DIGITS = "!@#$%^&*()"  # Shift + 1 2 3 4 5 6 7 8 9 0


def _shifted_digit_table(layout: dict[str, str]) -> dict[str, str]:
    """{symbol Shift+digit types under a layout: the digit}."""
    return {layout[sym]: "1234567890"[i] for i, sym in enumerate(_US_SHIFTED_DIGITS)}


_SHIFTED_DIGITS: dict[str, dict[str, str]] = {
    "us": {sym: "1234567890"[i] for i, sym in enumerate(_US_SHIFTED_DIGITS)},
    "tr_q": _shifted_digit_table(US_TO_TR_Q),
    "tr_f": _shifted_digit_table(US_TO_TR_F),
}


def _ascii_digit(char: str) -> str:
    """Any Unicode decimal digit (full-width, Arabic-Indic...) as its ASCII digit."""
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None else char


def _decode_with(text: str, table: dict[str, str]) -> str | None:
    """The text with one layout's Shift+digit symbols turned back into digits, or None."""
    out = []
    for char in text:
        if "0" <= char <= "9":
            out.append(char)
        elif char in table:
            out.append(table[char])
        else:
            return None
    return "".join(out)


def normalize_scanned(text: str) -> str:
    """What a scanner meant to type, undoing what the keyboard layout made of it.

    Digits sit on the same unshifted keys in US, Turkish-Q and Turkish-F, so a plain scan
    arrives intact. Full-width and other Unicode digits (an IME) become ASCII. A scanner
    that holds Shift (Caps Lock compensation, an AZERTY setting) types the layout's Shift+digit
    symbols: those are mapped back when exactly one layout explains all of them, or exactly
    one explanation is a valid code of ours. Anything else is returned as it came (stripped).
    Num Lock-off keypad keys produce no characters and cannot be recovered here.
    """
    s = "".join(_ascii_digit(c) for c in text.strip())
    if not s or (s.isascii() and s.isdigit()):
        return s
    candidates = {d for table in _SHIFTED_DIGITS.values() if (d := _decode_with(s, table))}
    if len(candidates) == 1:
        return candidates.pop()
    valid = {d for d in candidates if is_known_code(d)}
    return valid.pop() if len(valid) == 1 else s


# --- the counter's search box -----------------------------------------------------------
_CODE_SEPARATORS = re.compile(r"[\s\-]")
_PHONE_SHAPE = re.compile(r"^\+?[0-9\s()\-]+$")


def classify_input(text: str) -> str:
    """What the search box received: "payload", "card_number", "coupon_code", "phone" or "name"."""
    s = text.strip()
    compact = _CODE_SEPARATORS.sub("", s)
    if compact.isascii() and compact.isdigit():
        if len(compact) == 177:
            return "payload"
        if len(compact) == 16:
            return "card_number"
        if len(compact) == 12 and compact.startswith("2"):
            return "coupon_code"
    if _PHONE_SHAPE.fullmatch(s) and 10 <= sum(c.isdigit() for c in s) <= 13:
        return "phone"
    return "name"
