"""Pure arithmetic of the reports: months, rates, the points tie-out, fast CLV and RFM.

The fast CLV and RFM segment functions work from per-member summaries (count, sum, first and
last purchase) that the store aggregates in SQL, and give exactly what `analytics.clv` and
`analytics.segment_of(rfm_scores(...))` give from the full purchase lists (the tests compare).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from fractions import Fraction

import numpy as np

from .analytics import _SEGMENT_GRID, NpsResult, _add_years, years_between
from .clock import from_db, from_micros, micros_of, shop_midnight, to_db, zone
from .errors import InvalidInput
from .money import round_half_up

TICK = timedelta(microseconds=1)  # "at the end of the month" = the last instant inside it
SAMPLE_FOR_FIT = 600  # buyers the BG/NBD fit of the at-risk list takes (evenly spread by id)
AT_RISK_SEGMENTS = ("at_risk", "cant_lose")  # RFM segments the at-risk list draws from
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) from 'YYYY-MM', or InvalidInput."""
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"Month {text!r} is not valid; write it like 2026-03.",
                           code="invalid_month")
    return int(match.group(1)), int(match.group(2))


def month_key(year: int, month: int) -> str:
    """'YYYY-MM'."""
    return f"{year:04d}-{month:02d}"


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """The month `months` later (negative: earlier)."""
    total = year * 12 + month - 1 + months
    return total // 12, total % 12 + 1


def month_after(key: str, months: int = 1) -> str:
    """The 'YYYY-MM' key `months` after another (negative: before)."""
    return month_key(*shift_month(*parse_month(key), months))


def months_between(first: str, last: str) -> list[str]:
    """'YYYY-MM' keys from `first` to `last`, both included (none when `last` is earlier)."""
    out = []
    while first <= last:
        out.append(first)
        first = month_after(first)
    return out


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage rounded to two decimals; None when whole is 0."""
    if not whole:
        return None
    return round_half_up(Fraction(100 * part * 100, whole)) / 100


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to two decimals; None when whole is 0."""
    if not whole:
        return None
    return round_half_up(Fraction(part * 100, whole)) / 100


def average_kurus(total: int, count: int) -> int:
    """The average of `count` amounts summing to `total`, rounded half-up; 0 for none."""
    return round_half_up(Fraction(total, count)) if count else 0


def clv_from_summary(total: int, first_at: datetime, now: datetime,
                     lifespan_years: int | Fraction) -> int:
    """analytics.clv from a summary: average x count/years x lifespan = total x lifespan/years.

    Observed years run from the first purchase to `now`, at least one year.
    """
    if _add_years(first_at.astimezone(now.tzinfo), 1) > now:
        return round_half_up(Fraction(total) * Fraction(lifespan_years))  # under a year: 1
    observed = max(years_between(first_at, now), Fraction(1))
    return round_half_up(Fraction(total) * Fraction(lifespan_years) / observed)


def clv_many(nets: np.ndarray, firsts: np.ndarray, now: datetime,
             lifespan_years: int | Fraction) -> np.ndarray:
    """`clv_from_summary` of many members at once (net kuruş, first purchase as microseconds
    since the epoch; `now` aware), exactly: the calendar part (whole anniversaries, the length
    of the current anniversary year) is worked out once per local date of first purchase, the
    division per member in floating point, and a member is done the slow exact way when its
    value lies within 0.001 of a rounding tie, when its date, anniversary or next anniversary
    is a day whose UTC offset changes (or next to one), or when the anniversary falls on `now`'s
    own date (whole years then depend on the time of day)."""
    nets, firsts = np.asarray(nets, dtype=np.int64), np.asarray(firsts, dtype=np.int64)
    out = np.zeros(len(nets), dtype=np.int64)
    if not len(nets):
        return out
    tz = now.tzinfo
    key = getattr(tz, "key", None)
    if key is None:  # a fixed offset (tests) or another tzinfo: the exact way throughout
        return np.array([clv_from_summary(int(n), from_micros(int(f)), now, lifespan_years)
                         for n, f in zip(nets, firsts)], dtype=np.int64)
    today = now.date()
    oldest = from_micros(int(firsts.min())).astimezone(tz).date()
    ordinals = LocalDays(today, key, max((today - oldest).days, 0) + 1).ordinals_micros(firsts)
    dates, where = np.unique(ordinals, return_inverse=True)
    slow_date = np.zeros(len(dates), dtype=bool)
    whole, to_anniversary, year_length = (np.zeros(len(dates), dtype=np.int64) for _ in range(3))
    day = 86_400_000_000
    for k, ordinal in enumerate(dates.tolist()):
        first_day = date.fromordinal(ordinal)
        noon = datetime.combine(first_day, datetime.min.time(), tz).replace(hour=12)
        years = today.year - first_day.year
        while years > 0 and _add_years(noon, years).date() > today:
            years -= 1
        anniversary = _add_years(noon, years).date()
        following = _add_years(noon, years + 1).date()
        if years < 1 or anniversary == today or not all(
                _steady_day(d + timedelta(days=j), key) for d in (first_day, anniversary, following)
                for j in (-1, 0, 1)):
            slow_date[k] = True
            continue
        offsets = [_offset_us(d, key) for d in (first_day, anniversary, following)]
        whole[k] = years
        to_anniversary[k] = (anniversary - first_day).days * day + offsets[0] - offsets[1]
        year_length[k] = (following - anniversary).days * day + offsets[1] - offsets[2]
    life = Fraction(lifespan_years)
    e1 = micros_of(now) - (firsts + to_anniversary[where])  # into the current anniversary year
    e2 = year_length[where]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (nets.astype(np.float64) * float(life.numerator) * e2.astype(np.float64)
                 / (float(life.denominator) * (whole[where].astype(np.float64) * e2 + e1)))
    rounded = np.sign(value) * np.floor(np.abs(value) + 0.5)
    near_tie = np.abs(np.abs(value) - np.floor(np.abs(value)) - 0.5) < 1e-3
    slow = slow_date[where] | near_tie | ~np.isfinite(value)
    out[~slow] = rounded[~slow].astype(np.int64)
    for i in np.flatnonzero(slow):
        out[i] = clv_from_summary(int(nets[i]), from_micros(int(firsts[i])), now, lifespan_years)
    return out


def _steady_day(day: date, tz: str) -> bool:
    """True when the zone's UTC offset is the same all through a local day."""
    start = datetime.combine(day, datetime.min.time(), zone(tz))
    end = datetime.combine(day, datetime.max.time(), zone(tz))
    return start.utcoffset() == end.utcoffset()


def _offset_us(day: date, tz: str) -> int:
    """The zone's UTC offset on a steady local day, in microseconds."""
    offset = datetime.combine(day, datetime.min.time(), zone(tz)).replace(hour=12).utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1)


def segment_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, dict]:
    """Per segment: size before, size after, members who came in and who left."""
    sizes_before, sizes_after = Counter(before.values()), Counter(after.values())
    joined = Counter(s for k, s in after.items() if before.get(k) != s)
    left = Counter(s for k, s in before.items() if after.get(k) != s)
    return {name: {"before": sizes_before[name], "after": sizes_after[name],
                   "joined": joined[name], "left": left[name],
                   "change": sizes_after[name] - sizes_before[name]}
            for name in sorted(set(sizes_before) | set(sizes_after))}


def segment_changes_coded(before: np.ndarray, after: np.ndarray,
                          names: tuple[str, ...]) -> dict[str, dict]:
    """`segment_changes` of two arrays of segment codes (index into `names`, -1 for none)
    over the same members."""
    out = {}
    present = (set(np.unique(before).tolist()) | set(np.unique(after).tolist())) - {-1}
    for code in sorted(present, key=lambda c: names[c]):
        was, now = before == code, after == code
        size_before, size_after = int(np.count_nonzero(was)), int(np.count_nonzero(now))
        out[names[code]] = {"before": size_before, "after": size_after,
                            "joined": int(np.count_nonzero(now & ~was)),
                            "left": int(np.count_nonzero(was & ~now)),
                            "change": size_after - size_before}
    return out


def tie_out(opening: int, flows: Mapping[str, int], closing: int) -> dict[str, int | bool]:
    """opening + issued - redeemed + restored - reversed - expired - adjusted_out = closing."""
    expected = (opening + flows["issued"] - flows["redeemed"] + flows["restored"]
                - flows["reversed"] - flows["expired"] - flows["adjusted_out"])
    return {"opening": opening, **flows, "expected_closing": expected, "closing": closing,
            "difference": closing - expected, "checked": expected == closing}


def nps_object(result: NpsResult) -> dict[str, int | float | None]:
    """NPS counts and the score rounded to one decimal (None with no answers)."""
    score = None if result.score is None else round_half_up(result.score * 10) / 10
    return {"promoters": result.promoters, "passives": result.passives,
            "detractors": result.detractors, "answers": result.total, "score": score}


def tier_movements(before: Mapping[str, str], after: Mapping[str, str],
                   order: list[str]) -> dict[str, object]:
    """Upgrades, downgrades and (from, to) counts between two tier maps."""
    rank = {key: i for i, key in enumerate(order)}
    pairs: dict[str, int] = {}
    up = down = 0
    for member, tier in after.items():
        old = before.get(member, order[0])
        if old == tier:
            continue
        pairs[f"{old}>{tier}"] = pairs.get(f"{old}>{tier}", 0) + 1
        if rank[tier] > rank[old]:
            up += 1
        else:
            down += 1
    return {"upgrades": up, "downgrades": down, "moves": dict(sorted(pairs.items()))}


def tier_movements_ranked(before: np.ndarray, after: np.ndarray,
                          order: list[str]) -> dict[str, object]:
    """`tier_movements` of two arrays of tier ranks (index into `order`) over the same members."""
    moved = before != after
    return tier_movements_counted(Counter(zip(before[moved].tolist(), after[moved].tolist())),
                                  order)


def tier_movements_counted(pairs: Mapping[tuple[int, int], int],
                           order: list[str]) -> dict[str, object]:
    """`tier_movements` of members counted by (rank before, rank after), the ranks indexes into
    `order` (pairs with equal ranks or no members are not moves)."""
    moves = {(a, b): n for (a, b), n in pairs.items() if a != b and n}
    up = sum(n for (a, b), n in moves.items() if b > a)
    return {"upgrades": up, "downgrades": sum(moves.values()) - up,
            "moves": dict(sorted((f"{order[a]}>{order[b]}", n) for (a, b), n in moves.items()))}


_PHRASES = {
    "tr": {
        "revenue": "Üye cirosu önceki aya göre %{pct} {dir} ({now}).",
        "active": "Alışveriş yapan üye sayısı {before} → {now}.",
        "new": "Bu ay {n} yeni üye katıldı.",
        "nps": "NPS {before} → {now}.",
        "liability": "Puan yükümlülüğü ay sonunda {now}.",
        "tie_fail": "DİKKAT: puan mutabakatı tutmuyor (fark {diff} puan).",
        "up": "arttı", "down": "azaldı", "flat": "değişmedi",
    },
    "en": {
        "revenue": "Member revenue {dir} {pct}% on the previous month ({now}).",
        "active": "Members who bought: {before} → {now}.",
        "new": "{n} new members joined this month.",
        "nps": "NPS {before} → {now}.",
        "liability": "Points liability at month end: {now}.",
        "tie_fail": "WARNING: the points tie-out does not hold (off by {diff} points).",
        "up": "rose", "down": "fell", "flat": "was unchanged",
    },
}


def what_changed(current: Mapping[str, object], previous: Mapping[str, object], lang: str,
                 money: object) -> list[str]:
    """A few computed sentences comparing this month with the previous one.

    Both mappings carry revenue, active, new, nps (None when no answers), liability and
    difference (the tie-out's); `money` formats kuruş for the language.
    """
    english = lang.startswith("en")
    words = _PHRASES["en" if english else "tr"]

    def num(value: object) -> str:
        return str(value) if english else str(value).replace(".", ",")

    def count(value: object) -> str:  # thousands grouped: 49.713 (tr), 49,713 (en)
        text = f"{int(value):,}"  # type: ignore[call-overload]
        return text if english else text.replace(",", ".")

    out = []
    rev, rev_before = int(current["revenue"]), int(previous["revenue"])  # type: ignore[call-overload]
    if rev_before:
        change = percent(abs(rev - rev_before), rev_before)
        direction = words["up"] if rev > rev_before else words["down"] if rev < rev_before \
            else words["flat"]
        out.append(words["revenue"].format(pct=num(change), dir=direction, now=money(rev)))  # type: ignore[operator]
    out.append(words["active"].format(before=count(previous["active"]),
                                      now=count(current["active"])))
    out.append(words["new"].format(n=count(current["new"])))
    if current["nps"] is not None:
        before = "-" if previous["nps"] is None else num(previous["nps"])
        out.append(words["nps"].format(before=before, now=num(current["nps"])))
    if current["liability"] is not None:  # None: no point balances (the server's report)
        out.append(words["liability"].format(now=money(current["liability"])))  # type: ignore[operator]
    if current["difference"]:
        out.append(words["tie_fail"].format(diff=count(current["difference"])))
    return out


def under_a_year_cutoff(now: datetime) -> datetime:
    """A moment after which a first purchase is surely less than a year before `now`.

    One calendar year back (29 February -> 1 March, the later day) plus a day of margin for
    offset changes, so the fast CLV path (observed years = 1) is only taken when it is exact.
    """
    year_back = _add_years(now, -1)
    return year_back + timedelta(days=1)


class LocalDays:
    """The shop-time calendar day of storage-form (UTC text) times, by bisecting midnights."""

    def __init__(self, today: date, tz: str, days_back: int = 1200) -> None:
        first = today - timedelta(days=days_back)
        self.days = [first + timedelta(days=i) for i in range(days_back + 2)]
        self.bounds = [to_db(shop_midnight(d, tz)) for d in self.days]
        self.tz = tz

    def day_of(self, text: str) -> date:
        """The local date of a stored time."""
        i = bisect_right(self.bounds, text)
        if 0 < i < len(self.bounds):
            return self.days[i - 1]
        return from_db(text).astimezone(zone(self.tz)).date()

    def ordinals_micros(self, micros: np.ndarray) -> np.ndarray:
        """`day_of(t).toordinal()` of many times at once, given as microseconds since the epoch."""
        bounds = np.array([micros_of(shop_midnight(d, self.tz)) for d in self.days],
                          dtype=np.int64)
        found = np.searchsorted(bounds, micros, side="right")
        out = self.days[0].toordinal() + found.astype(np.int64) - 1
        for i in np.flatnonzero((found == 0) | (found == len(bounds))):
            out[i] = from_micros(int(micros[i])).astimezone(zone(self.tz)).date().toordinal()
        return out


def _scores_array(values: np.ndarray) -> np.ndarray:
    """`_scores` for a whole array at once (same integer formula)."""
    ordered = np.sort(values)
    below = np.searchsorted(ordered, values, side="left")
    equal = np.searchsorted(ordered, values, side="right") - below
    return np.minimum(5, 1 + (5 * (2 * below + equal)) // (2 * len(values)))


SEGMENT_CODES: tuple[str, ...] = tuple(sorted({s for row in _SEGMENT_GRID for s in row}))
_GRID_CODES = np.array([[SEGMENT_CODES.index(s) for s in row] for row in _SEGMENT_GRID],
                       dtype=np.int8)


def segment_codes(recency_days: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """Each member's RFM segment (index into SEGMENT_CODES) from whole days since the last
    purchase and the number of purchases, scored among the given members as analytics does."""
    if not len(recency_days):
        return np.zeros(0, dtype=np.int8)
    r = _scores_array(-np.asarray(recency_days, dtype=np.int64))
    f = _scores_array(np.asarray(frequency, dtype=np.int64))
    return _GRID_CODES[r - 1, f - 1]


def segments_from_summary(summary: Mapping[str, tuple[date, int, int]],
                          today: date) -> dict[str, str]:
    """Each member's named RFM segment from (last day, purchases, kuruş), as analytics gives."""
    if not summary:
        return {}
    keys = list(summary)
    ordinal = today.toordinal()
    recency = np.fromiter((ordinal - summary[k][0].toordinal() for k in keys), dtype=np.int64,
                          count=len(keys))
    frequency = np.fromiter((summary[k][1] for k in keys), dtype=np.int64, count=len(keys))
    codes = segment_codes(recency, frequency).tolist()
    return {k: SEGMENT_CODES[c] for k, c in zip(keys, codes)}
