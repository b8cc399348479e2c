"""Money as integer kuruş: parsing cashier input, exact rounding and formatting."""

from __future__ import annotations

import re
from fractions import Fraction

from .errors import InvalidInput

KURUS_PER_LIRA = 100
MAX_AMOUNT = 100_000_000_00  # 100 million TL: anything above is a typing accident

_HOW = "Write amounts like 1234,56 or 1.234,56 (at most two decimals)."
_PLAIN = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")  # 1234 / 1234,5 / 1234.56
_TR_GROUPED = re.compile(r"^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$")  # 1.234 / 1.234,56


def parse_amount(text: str) -> int:
    """Parse a cashier's amount into kuruş, refusing anything ambiguous or invalid.

    Accepted: "1234,56", "1234.56", "1.234,56", "1234". Refused: more than two decimals,
    "1,234.56", a lone "1.234" (thousands or decimal?), signs, letters, NaN, exponents.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"Amount must be text, got {type(text).__name__}. {_HOW}")
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    for suffix in ("₺", "TL", "tl"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    if not s:
        raise InvalidInput(f"Amount is empty. {_HOW}", code="invalid_amount")
    if re.fullmatch(r"\d+\.\d{3}", s):
        raise InvalidInput(
            f"Amount {text!r} is ambiguous (thousands or decimals?). {_HOW}",
            code="ambiguous_amount",
        )
    grouped = _TR_GROUPED.fullmatch(s)
    match = grouped or _PLAIN.fullmatch(s)
    if not match:
        raise InvalidInput(f"Amount {text!r} is not a valid amount. {_HOW}", code="invalid_amount")
    whole = match.group(1).replace(".", "")
    frac = (match.group(2) or "").ljust(2, "0")
    kurus = int(whole) * KURUS_PER_LIRA + int(frac or "0")
    if kurus > MAX_AMOUNT:
        raise InvalidInput(
            f"Amount {text!r} is over the maximum of {format_try(MAX_AMOUNT)}.",
            code="amount_too_large",
        )
    return kurus


def round_half_up(value: Fraction | int) -> int:
    """Round an exact non-negative or negative value to the nearest integer, halves away from 0."""
    v = Fraction(value)
    if v >= 0:
        return int((v + Fraction(1, 2)).__floor__())
    return -int((-v + Fraction(1, 2)).__floor__())


def percent_of(amount: int, percent: Fraction | int, cap: int | None = None) -> int:
    """`percent` % of `amount` kuruş, capped before rounding, rounded half-up."""
    value = Fraction(amount) * Fraction(percent) / 100
    if cap is not None and value > cap:
        value = Fraction(cap)
    return round_half_up(value)


def format_amount(kurus: int, *, decimal: str = ",", group: str = ".") -> str:
    """Format kuruş as '1.234,56' (Turkish grouping by default), with a sign if negative."""
    sign = "-" if kurus < 0 else ""
    whole, frac = divmod(abs(kurus), KURUS_PER_LIRA)
    digits = f"{whole:,}".replace(",", group)
    return f"{sign}{digits}{decimal}{frac:02d}"


def format_try(kurus: int, lang: str = "tr") -> str:
    """Format kuruş for people: '1.234,56 ₺' in Turkish, '₺1,234.56' in English."""
    if lang.startswith("en"):
        text = format_amount(abs(kurus), decimal=".", group=",")
        return f"{'-' if kurus < 0 else ''}₺{text}"
    return f"{format_amount(kurus)} ₺"
