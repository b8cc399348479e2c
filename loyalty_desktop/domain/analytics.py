"""CRM analytics: CLV, RFM scores and segments, churn risk, NPS and CSAT (pure, exact money).

Every function values a history "as of" `now`: purchases after `now` are ignored, so a report
for a past month gives the same answer whenever it is run. Amounts are integer kuruş.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from fractions import Fraction
from statistics import median

from .errors import InvalidInput
from .money import round_half_up


@dataclass(frozen=True)
class Purchase:
    """One sale of a member as the analytics see it: when, and kuruş net of refunds."""

    at: datetime
    amount: int


def _require_aware(moment: datetime, what: str) -> None:
    """Refuse a naive datetime: analytics compare times across time zones."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidInput(f"{what} must be a timezone-aware datetime.", code="naive_datetime")


def history_as_of(purchases: Iterable[Purchase], now: datetime) -> list[Purchase]:
    """The validated purchases made at or before `now`, oldest first."""
    _require_aware(now, "now")
    kept = []
    for purchase in purchases:
        _require_aware(purchase.at, "A purchase time")
        if isinstance(purchase.amount, bool) or not isinstance(purchase.amount, int):
            raise InvalidInput("A purchase amount must be integer kuruş.", code="invalid_amount")
        if purchase.amount < 0:
            raise InvalidInput("A purchase amount cannot be negative.", code="invalid_amount")
        if purchase.at <= now:
            kept.append(purchase)
    return sorted(kept, key=lambda p: p.at)


def _elapsed_us(start: datetime, end: datetime) -> int:
    """Real elapsed microseconds between two aware datetimes (offsets honoured)."""
    delta = end.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    return delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds


def _add_years(moment: datetime, years: int) -> datetime:
    """The same wall-clock moment `years` later; 29 February falls on 1 March."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, month=3, day=1)


def years_between(start: datetime, end: datetime) -> Fraction:
    """Exact calendar years from `start` to `end`: whole anniversaries plus the elapsed part
    of the current anniversary year (so 2024-03-01 -> 2026-03-01 is exactly 2)."""
    local = start.astimezone(end.tzinfo)
    whole = end.year - local.year
    while whole > 0 and _add_years(local, whole) > end:
        whole -= 1
    anniversary = _add_years(local, whole)
    next_anniversary = _add_years(local, whole + 1)
    part = Fraction(_elapsed_us(anniversary, end), _elapsed_us(anniversary, next_anniversary))
    return whole + part


def clv(purchases: Iterable[Purchase], now: datetime, lifespan_years: int | Fraction = 3) -> int:
    """Customer lifetime value in kuruş: average purchase value x purchases per year x lifespan.

    Purchases per year = count / observed years, where observed years run from the first
    purchase to `now` (calendar years, see `years_between`) with a floor of one year, so one
    sale last week counts as one purchase a year, not fifty. No purchases -> 0.
    """
    if isinstance(lifespan_years, bool) or Fraction(lifespan_years) <= 0:
        raise InvalidInput("The expected lifespan must be positive.", code="invalid_lifespan")
    history = history_as_of(purchases, now)
    if not history:
        return 0
    count = len(history)
    average_value = Fraction(sum(p.amount for p in history), count)
    observed_years = max(years_between(history[0].at, now), Fraction(1))
    per_year = Fraction(count) / observed_years
    return round_half_up(average_value * per_year * Fraction(lifespan_years))


@dataclass(frozen=True)
class RFM:
    """Raw recency (whole days), frequency and monetary (kuruş) values and their 1-5 scores."""

    recency_days: int
    frequency: int
    monetary: int
    r: int
    f: int
    m: int


def quintile_scores(values: Mapping[str, int | Fraction]) -> dict[str, int]:
    """Score each value 1-5 by its mid-rank percentile (5 = highest value).

    Percentile = (values below + half the values equal) / n; score = 1 + floor(5 x
    percentile). Equal values get equal scores, whatever the order they came in; n = 5
    distinct values score 1..5, and a lone or all-equal population scores 3 (the middle).
    """
    ordered = sorted(values.values())
    n = len(ordered)
    scores = {}
    for key, value in values.items():
        below = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - below
        percentile = Fraction(2 * below + equal, 2 * n)
        scores[key] = min(5, 1 + int(5 * percentile))
    return scores


def _local_day(moment: datetime, now: datetime) -> date:
    """The calendar date of `moment` in the time zone of `now` (the shop's)."""
    return moment.astimezone(now.tzinfo).date()


def rfm_scores(members: Mapping[str, Sequence[Purchase]], now: datetime) -> dict[str, RFM]:
    """RFM values and quintile scores for the members who bought at least once by `now`.

    Recency is whole calendar days (shop time zone) since the last purchase, and fewer
    days score higher; frequency is the number of purchases; monetary the kuruş spent.
    """
    raw = {}
    for member_id, purchases in members.items():
        history = history_as_of(purchases, now)
        if history:
            days = (now.date() - _local_day(history[-1].at, now)).days
            raw[member_id] = (days, len(history), sum(p.amount for p in history))
    r = quintile_scores({k: -v[0] for k, v in raw.items()})
    f = quintile_scores({k: v[1] for k, v in raw.items()})
    m = quintile_scores({k: v[2] for k, v in raw.items()})
    return {k: RFM(*v, r=r[k], f=f[k], m=m[k]) for k, v in raw.items()}


# The usual RFM map on (recency, frequency) scores: row r = 1..5, column f = 1..5.
_SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
)

SEGMENTS = (
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost",
)

SEGMENT_NAMES = {
    "tr": {
        "champions": "Şampiyonlar", "loyal": "Sadık müşteriler",
        "potential_loyalist": "Sadık adayları", "new": "Yeni müşteriler",
        "promising": "Umut vadedenler", "need_attention": "İlgi bekleyenler",
        "about_to_sleep": "Uykuya dalmak üzere", "at_risk": "Risk altında",
        "cant_lose": "Kaybedilmemesi gerekenler", "hibernating": "Uykudakiler",
        "lost": "Kaybedilenler",
    },
    "en": {
        "champions": "Champions", "loyal": "Loyal customers",
        "potential_loyalist": "Potential loyalists", "new": "New customers",
        "promising": "Promising", "need_attention": "Need attention",
        "about_to_sleep": "About to sleep", "at_risk": "At risk",
        "cant_lose": "Can't lose them", "hibernating": "Hibernating", "lost": "Lost",
    },
}


def segment_of(rfm: RFM) -> str:
    """The named segment of a member from its recency and frequency scores."""
    if rfm.r not in range(1, 6) or rfm.f not in range(1, 6):
        raise InvalidInput("RFM scores must be between 1 and 5.", code="invalid_rfm")
    return _SEGMENT_GRID[rfm.r - 1][rfm.f - 1]


MIN_TYPICAL_GAP_DAYS = 7
CHURN_MEDIUM_FACTOR = Fraction(3, 2)
CHURN_HIGH_FACTOR = 3


def churn_risk(purchases: Iterable[Purchase], now: datetime, *,
               single_visit_gap_days: int = 90) -> str:
    """"low", "medium" or "high": days since the last visit against the member's typical gap.

    Visits are distinct purchase days (shop time zone). The typical gap is the median of the
    member's gaps between visits, at least MIN_TYPICAL_GAP_DAYS (weekends and holidays are
    not churn); a member with one visit has no gaps and uses `single_visit_gap_days` (the
    caller may pass the shop's median gap). Risk is low up to 1.5 typical gaps of silence,
    medium up to 3, high beyond.
    """
    history = history_as_of(purchases, now)
    if not history:
        raise InvalidInput("A member with no purchases has no churn risk.", code="no_purchases")
    visits = sorted({_local_day(p.at, now) for p in history})
    gaps = [(later - earlier).days for earlier, later in zip(visits, visits[1:])]
    typical = Fraction(median(gaps)) if gaps else Fraction(single_visit_gap_days)
    typical = max(typical, Fraction(MIN_TYPICAL_GAP_DAYS))
    silence = (now.date() - visits[-1]).days
    if silence <= CHURN_MEDIUM_FACTOR * typical:
        return "low"
    if silence <= CHURN_HIGH_FACTOR * typical:
        return "medium"
    return "high"


@dataclass(frozen=True)
class NpsResult:
    """Net Promoter Score counts; `score` is exact (-100..100), None with no answers."""

    promoters: int
    passives: int
    detractors: int
    total: int
    score: Fraction | None


@dataclass(frozen=True)
class CsatResult:
    """Customer satisfaction: share of 4-5 answers (percent) and the average, None if empty."""

    satisfied: int
    total: int
    percent: Fraction | None
    average: Fraction | None


def _checked_score(score: object, low: int, high: int, what: str) -> int:
    """An answer as an int within [low, high], or InvalidInput."""
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise InvalidInput(f"{what} answers are whole numbers from {low} to {high}; "
                           f"got {score!r}.", code=f"invalid_{what.lower()}_score")
    return score


def is_detractor(score: int) -> bool:
    """True for an NPS answer of 0 to 6 (the follow-up-for-the-manager case)."""
    return _checked_score(score, 0, 10, "NPS") <= 6


def nps(scores: Iterable[int]) -> NpsResult:
    """NPS of 0-10 answers: % promoters (9-10) minus % detractors (0-6), as an exact Fraction.

    Round it for display with money.round_half_up; an empty set has score None.
    """
    answers = [_checked_score(s, 0, 10, "NPS") for s in scores]
    promoters = sum(1 for s in answers if s >= 9)
    detractors = sum(1 for s in answers if s <= 6)
    total = len(answers)
    score = Fraction(100 * (promoters - detractors), total) if total else None
    return NpsResult(promoters, total - promoters - detractors, detractors, total, score)


def csat(scores: Iterable[int]) -> CsatResult:
    """CSAT of 1-5 answers: satisfied = 4 or 5; percent and average are exact Fractions."""
    answers = [_checked_score(s, 1, 5, "CSAT") for s in scores]
    total = len(answers)
    satisfied = sum(1 for s in answers if s >= 4)
    if not total:
        return CsatResult(0, 0, None, None)
    return CsatResult(satisfied, total, Fraction(100 * satisfied, total),
                      Fraction(sum(answers), total))
