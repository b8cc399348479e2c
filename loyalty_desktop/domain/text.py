"""Turkish-aware text: search keys, casing, phone numbers in E.164 and masking for receipts.

Python's own casing is wrong for Turkish ("I".lower() is "i", "i".upper() is "I"), and
"İ".lower() leaves a combining dot behind, so every casing here goes through the Turkish
dotted/dotless pairs first.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidInput

_TR_LOWER = str.maketrans({"İ": "i", "I": "ı"})
_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_WORD_START = re.compile(r"(?:^|(?<=[\s\-(\"“‘/]))(\w)")
_MARK_CATEGORIES = frozenset({"Mn", "Me"})

_PHONE_HOW = (
    "Write the phone number like 0532 123 45 67 or +90 532 123 45 67; "
    "for another country start with + and the country code (e.g. +49 30 1234567)."
)
_PHONE_CHARS = re.compile(r"^\+?[0-9\s().\-/]+$")
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_TURKISH_NATIONAL = re.compile(r"^[2-9][0-9]{9}$")  # area codes and 5xx mobiles; never 0 or 1
_INTERNATIONAL = re.compile(r"^[1-9][0-9]{7,14}$")


def turkish_lower(s: str) -> str:
    """Lower case with Turkish rules: İ -> i and I -> ı."""
    return s.translate(_TR_LOWER).lower()


def turkish_upper(s: str) -> str:
    """Upper case with Turkish rules: i -> İ and ı -> I."""
    return s.translate(_TR_UPPER).upper()


def turkish_title(s: str) -> str:
    """Capitalise each word the Turkish way: "ışık ırmak" -> "Işık Irmak" ("İzmir'de" stays)."""
    return _WORD_START.sub(lambda m: turkish_upper(m.group(1)), turkish_lower(s))


def _strip_marks(s: str) -> str:
    """Decompose and drop combining marks (cedilla, breve, diaeresis, circumflex...)."""
    decomposed = unicodedata.normalize("NFD", s)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in _MARK_CATEGORIES)
    return unicodedata.normalize("NFC", kept)


def fold(text: str) -> str:
    """The search key: NFKC, Turkish lower case, letters folded to ASCII, spaces collapsed.

    "ÇİĞDEM IŞIK", "çiğdem ışık" and "cigdem isik" all give "cigdem isik".
    """
    s = unicodedata.normalize("NFKC", text)
    s = s.translate(_TR_LOWER).casefold()
    s = _strip_marks(s).replace("ı", "i")
    return " ".join(s.split())


def _phone_digits(text: str) -> tuple[bool, str]:
    """(had a leading + or 00, the digits) of a phone number, or InvalidInput."""
    if not isinstance(text, str) or not _PHONE_CHARS.fullmatch(text.strip()):
        raise InvalidInput(f"{text!r} is not a phone number. {_PHONE_HOW}", code="invalid_phone")
    s = _PHONE_SEPARATORS.sub("", text.strip())
    if s.startswith("+"):
        return True, s[1:]
    if s.startswith("00"):
        return True, s[2:]
    return False, s


def normalize_phone(text: str) -> str:
    """A phone number in E.164 ("+905321234567"); Turkish numbers may be written nationally."""
    international, digits = _phone_digits(text)
    if not international:
        if len(digits) == 11 and digits.startswith("0"):
            digits = digits[1:]
        elif len(digits) == 12 and digits.startswith("90"):
            digits = digits[2:]
        if _TURKISH_NATIONAL.fullmatch(digits):
            return "+90" + digits
    elif digits.startswith("90"):
        if _TURKISH_NATIONAL.fullmatch(digits[2:]):
            return "+" + digits
    elif _INTERNATIONAL.fullmatch(digits):
        return "+" + digits
    raise InvalidInput(f"{text!r} is not a phone number. {_PHONE_HOW}", code="invalid_phone")


def mask_name(name: str) -> str:
    """The name as printed on a receipt: first name, initial of the last word ("Çiğdem I.")."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {turkish_upper(words[-1][0])}."


def mask_card_number(number: str) -> str:
    """A card number with only its last four digits shown: "•••• •••• •••• 9012"."""
    digits = "".join(c for c in str(number) if c in "0123456789")
    if len(digits) < 4:
        raise InvalidInput(
            f"{number!r} is not a card number: it has fewer than four digits.",
            code="card_number_invalid",
        )
    return f"•••• •••• •••• {digits[-4:]}"
