"""CLV, RFM, segments, churn risk, NPS and CSAT on hand-computed cases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from loyalty_desktop.domain.analytics import (
    RFM,
    SEGMENT_NAMES,
    SEGMENTS,
    NpsResult,
    Purchase,
    churn_risk,
    clv,
    csat,
    is_detractor,
    nps,
    quintile_scores,
    rfm_scores,
    segment_of,
    years_between,
)
from loyalty_desktop.domain.errors import InvalidInput

IST = ZoneInfo("Europe/Istanbul")


def at(*args: int) -> datetime:
    """A moment in Istanbul time."""
    return datetime(*args, tzinfo=IST)


def every(start: datetime, days: int, count: int, amount: int) -> list[Purchase]:
    """`count` purchases of `amount` kuruş, `days` apart from `start`."""
    return [Purchase(start + timedelta(days=days * i), amount) for i in range(count)]


# --- CLV ------------------------------------------------------------------------------------


def test_clv_source_example_500_tl_four_a_year_for_three_years() -> None:
    start = at(2024, 3, 1, 10)
    quarterly = [Purchase(start.replace(year=2024 + (3 * i) // 12, month=1 + (2 + 3 * i) % 12),
                          50000) for i in range(8)]
    assert [p.at.month for p in quarterly] == [3, 6, 9, 12, 3, 6, 9, 12]
    assert clv(quarterly, now=at(2026, 3, 1, 10), lifespan_years=3) == 600000


def test_years_between_counts_calendar_years_exactly() -> None:
    assert years_between(at(2024, 3, 1, 10), at(2026, 3, 1, 10)) == 2
    assert years_between(at(2024, 2, 29, 9), at(2026, 3, 1, 9)) == 2  # 29 Feb -> 1 Mar
    assert years_between(at(2025, 1, 1), at(2026, 7, 2, 12)) == Fraction(3, 2)  # 182.5 / 365
    utc_start = datetime(2024, 3, 1, 7, tzinfo=timezone.utc)  # 10:00 in Istanbul
    assert years_between(utc_start, at(2026, 3, 1, 10)) == 2


def test_clv_new_member_is_not_annualised_beyond_one_purchase_a_year() -> None:
    yesterday = at(2026, 5, 31, 18)
    assert clv([Purchase(yesterday, 10000)], now=at(2026, 6, 1, 9)) == 30000


def test_clv_fractional_observation_period() -> None:
    history = [Purchase(at(2025, 1, 1), 10000), Purchase(at(2025, 9, 1), 15000),
               Purchase(at(2026, 5, 5), 20000)]
    # 45.000 kuruş over 1.5 years: 15.000 avg x 2 a year x 3 years = 90.000
    assert clv(history, now=at(2026, 7, 2, 12)) == 90000


def test_clv_rounds_half_up_to_the_kurus() -> None:
    history = [Purchase(at(2024, 3, 1), 5000), Purchase(at(2025, 3, 1), 5001)]
    assert clv(history, now=at(2026, 3, 1), lifespan_years=1) == 5001  # 10.001 / 2 = 5.000,5
    assert clv(history, now=at(2026, 3, 1), lifespan_years=Fraction(1, 2)) == 2500  # 2.500,25


def test_clv_ignores_purchases_after_now_and_is_zero_without_history() -> None:
    history = [Purchase(at(2026, 1, 1), 20000), Purchase(at(2026, 9, 1), 99999)]
    assert clv(history, now=at(2026, 6, 1)) == 60000
    assert clv([], now=at(2026, 6, 1)) == 0
    assert clv(history[1:], now=at(2026, 6, 1)) == 0


@pytest.mark.parametrize("history, now, lifespan, code", [
    ([], datetime(2026, 1, 1), 3, "naive_datetime"),
    ([Purchase(datetime(2025, 1, 1), 100)], at(2026, 1, 1), 3, "naive_datetime"),
    ([Purchase(at(2025, 1, 1), -100)], at(2026, 1, 1), 3, "invalid_amount"),
    ([Purchase(at(2025, 1, 1), 100.5)], at(2026, 1, 1), 3, "invalid_amount"),
    ([Purchase(at(2025, 1, 1), 100)], at(2026, 1, 1), 0, "invalid_lifespan"),
    ([Purchase(at(2025, 1, 1), 100)], at(2026, 1, 1), -1, "invalid_lifespan"),
])
def test_clv_refuses_bad_input(history, now, lifespan, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        clv(history, now=now, lifespan_years=lifespan)
    assert caught.value.code == code


# --- RFM ------------------------------------------------------------------------------------

NOW = at(2026, 6, 30, 12)


def test_rfm_quintiles_on_five_distinct_members() -> None:
    members = {
        "ayse": every(NOW - timedelta(days=2 + 9 * 10), 10, 10, 50000),    # 500.000
        "bora": every(NOW - timedelta(days=10 + 5 * 7), 7, 6, 15000),      # 90.000
        "cem": every(NOW - timedelta(days=40 + 2 * 30), 30, 3, 100000),    # 300.000
        "deniz": every(NOW - timedelta(days=100 + 60), 60, 2, 10000),      # 20.000
        "eda": [Purchase(NOW - timedelta(days=300), 5000)],
        "never": [],
        "later": [Purchase(NOW + timedelta(days=1), 5000)],
    }
    scores = rfm_scores(members, NOW)
    assert scores == {
        "ayse": RFM(recency_days=2, frequency=10, monetary=500000, r=5, f=5, m=5),
        "bora": RFM(recency_days=10, frequency=6, monetary=90000, r=4, f=4, m=3),
        "cem": RFM(recency_days=40, frequency=3, monetary=300000, r=3, f=3, m=4),
        "deniz": RFM(recency_days=100, frequency=2, monetary=20000, r=2, f=2, m=2),
        "eda": RFM(recency_days=300, frequency=1, monetary=5000, r=1, f=1, m=1),
    }
    segments = {member: segment_of(rfm) for member, rfm in scores.items()}
    assert segments == {"ayse": "champions", "bora": "loyal", "cem": "need_attention",
                        "deniz": "hibernating", "eda": "lost"}


def test_quintiles_of_ten_distinct_values_are_two_per_score() -> None:
    scores = quintile_scores({f"m{i}": i * 7 for i in range(10)})
    assert [scores[f"m{i}"] for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_score_whatever_the_order() -> None:
    # mid-rank percentiles: 1,1 -> 2/8 -> 2; 2 -> 5/8 -> 4; 5 -> 7/8 -> 5
    forward = quintile_scores({"a": 1, "b": 1, "c": 2, "d": 5})
    backward = quintile_scores({"d": 5, "c": 2, "b": 1, "a": 1})
    assert forward == backward == {"a": 2, "b": 2, "c": 4, "d": 5}


def test_small_shops_still_get_scores() -> None:
    assert quintile_scores({"only": 42}) == {"only": 3}
    assert quintile_scores({"x": 1, "y": 2}) == {"x": 2, "y": 4}
    assert quintile_scores({"x": 1, "y": 2, "z": 3}) == {"x": 1, "y": 3, "z": 5}
    assert quintile_scores({"x": 7, "y": 7, "z": 7}) == {"x": 3, "y": 3, "z": 3}
    assert quintile_scores({}) == {}
    one = rfm_scores({"solo": [Purchase(NOW - timedelta(days=3), 1000)]}, NOW)
    assert one == {"solo": RFM(3, 1, 1000, 3, 3, 3)}


def test_recency_counts_calendar_days_in_the_shop_time_zone() -> None:
    late_utc = datetime(2026, 6, 29, 22, 30, tzinfo=timezone.utc)  # 01:30 on the 30th here
    scores = rfm_scores({"m": [Purchase(late_utc, 100)]}, NOW)
    assert scores["m"].recency_days == 0


# --- Segments -------------------------------------------------------------------------------


def test_every_score_pair_has_exactly_one_known_segment() -> None:
    seen = {segment_of(RFM(0, 0, 0, r, f, 3)) for r in range(1, 6) for f in range(1, 6)}
    assert seen == set(SEGMENTS)
    assert len(SEGMENTS) == 11


@pytest.mark.parametrize("r, f, segment", [
    (5, 1, "new"), (4, 1, "promising"), (3, 1, "about_to_sleep"), (3, 2, "about_to_sleep"),
    (5, 2, "potential_loyalist"), (4, 3, "potential_loyalist"), (3, 4, "loyal"),
    (2, 5, "cant_lose"), (1, 3, "at_risk"), (2, 4, "at_risk"),
    (1, 2, "hibernating"), (2, 1, "hibernating"), (1, 1, "lost"), (4, 5, "loyal"),
    (5, 4, "champions"), (3, 3, "need_attention"),
])
def test_segment_map(r: int, f: int, segment: str) -> None:
    assert segment_of(RFM(0, 0, 0, r, f, 1)) == segment


def test_segment_names_are_translated() -> None:
    for lang in ("tr", "en"):
        assert set(SEGMENT_NAMES[lang]) == set(SEGMENTS)
        assert all(SEGMENT_NAMES[lang].values())
    assert SEGMENT_NAMES["tr"]["champions"] == "Şampiyonlar"
    assert SEGMENT_NAMES["en"]["cant_lose"] == "Can't lose them"


def test_segment_refuses_scores_outside_one_to_five() -> None:
    with pytest.raises(InvalidInput):
        segment_of(RFM(0, 0, 0, 0, 3, 3))
    with pytest.raises(InvalidInput):
        segment_of(RFM(0, 0, 0, 3, 6, 3))


# --- Churn risk -----------------------------------------------------------------------------


@pytest.mark.parametrize("silence, risk", [(12, "low"), (15, "low"), (16, "medium"),
                                           (30, "medium"), (31, "high")])
def test_churn_against_the_members_own_ten_day_rhythm(silence: int, risk: str) -> None:
    history = every(NOW - timedelta(days=silence + 50), 10, 6, 1000)
    assert churn_risk(history, NOW) == risk


def test_churn_uses_the_median_gap() -> None:
    start = NOW - timedelta(days=100)
    visits = [start, start + timedelta(days=10), start + timedelta(days=20),
              start + timedelta(days=60)]  # gaps 10, 10, 40: median 10
    history = [Purchase(v, 500) for v in visits]
    assert churn_risk(history, start + timedelta(days=75)) == "low"
    assert churn_risk(history, start + timedelta(days=80)) == "medium"
    assert churn_risk(history, start + timedelta(days=91)) == "high"


def test_churn_typical_gap_has_a_one_week_floor() -> None:
    daily = every(NOW - timedelta(days=19), 1, 20, 300)  # gaps of 1 day, last visit NOW
    assert churn_risk(daily, NOW + timedelta(days=10)) == "low"     # 10 <= 1.5 x 7
    assert churn_risk(daily, NOW + timedelta(days=11)) == "medium"
    assert churn_risk(daily, NOW + timedelta(days=21)) == "medium"  # 21 <= 3 x 7
    assert churn_risk(daily, NOW + timedelta(days=22)) == "high"


def test_churn_of_a_single_visit_uses_the_given_gap() -> None:
    once = [Purchase(NOW, 2500), Purchase(NOW + timedelta(hours=2), 700)]  # one visit
    assert churn_risk(once, NOW + timedelta(days=135)) == "low"
    assert churn_risk(once, NOW + timedelta(days=136)) == "medium"
    assert churn_risk(once, NOW + timedelta(days=271)) == "high"
    assert churn_risk(once, NOW + timedelta(days=46), single_visit_gap_days=30) == "medium"


def test_churn_needs_a_purchase() -> None:
    with pytest.raises(InvalidInput) as caught:
        churn_risk([Purchase(NOW + timedelta(days=1), 100)], NOW)
    assert caught.value.code == "no_purchases"


# --- NPS and CSAT ---------------------------------------------------------------------------


def test_nps_counts_and_exact_score() -> None:
    result = nps([10, 9, 8, 7, 6, 0, 10])
    assert (result.promoters, result.passives, result.detractors, result.total) == (3, 2, 2, 7)
    assert result.score == Fraction(100, 7)  # (3 - 2) / 7 x 100
    assert nps([10] * 4).score == 100
    assert nps([0, 6, 3]).score == -100
    assert nps([9, 7, 5, 5]).score == -25
    assert nps(iter([8, 7])).score == 0


def test_nps_of_no_answers_has_no_score() -> None:
    assert nps([]) == NpsResult(0, 0, 0, 0, None)


@pytest.mark.parametrize("bad", [11, -1, 9.5, True, "9", None])
def test_nps_refuses_answers_outside_zero_to_ten(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        nps([10, bad])
    assert caught.value.code == "invalid_nps_score"


def test_is_detractor() -> None:
    assert [is_detractor(s) for s in range(11)] == [True] * 7 + [False] * 4
    with pytest.raises(InvalidInput):
        is_detractor(11)


def test_csat_counts_four_and_five_as_satisfied() -> None:
    result = csat([5, 4, 3, 2, 1, 5])
    assert (result.satisfied, result.total) == (3, 6)
    assert result.percent == 50
    assert result.average == Fraction(20, 6)
    assert csat([4, 4, 5]).percent == 100
    assert csat([1, 2, 4]).percent == Fraction(100, 3)
    empty = csat([])
    assert (empty.satisfied, empty.total, empty.percent, empty.average) == (0, 0, None, None)


@pytest.mark.parametrize("bad", [0, 6, 4.0, False])
def test_csat_refuses_answers_outside_one_to_five(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        csat([5, bad])
    assert caught.value.code == "invalid_csat_score"
