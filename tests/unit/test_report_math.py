"""Report arithmetic: the fast CLV/RFM equal the analytics functions; months, rates, tie-out."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain import analytics
from loyalty_desktop.domain.clock import from_micros, micros_of
from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.domain.report_math import (
    average_kurus, clv_from_summary, clv_many, parse_month, percent, segment_changes, shift_month, tie_out,
    tier_movements, what_changed,
)

IST = ZoneInfo("Europe/Istanbul")


def _population(seed: int, members: int = 60):
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, 9, tzinfo=IST)
    return {f"m{i}": [analytics.Purchase(start + timedelta(days=rng.randrange(700),
                                                            hours=rng.randrange(12)),
                                         rng.randrange(0, 90000))
                      for _ in range(rng.randrange(1, 9))] for i in range(members)}


@pytest.mark.parametrize("seed", range(5))
def test_clv_from_summary_equals_analytics_clv(seed):
    now = datetime(2025, 12, 31, 23, 59, 59, tzinfo=IST)
    for purchases in _population(seed).values():
        kept = [p for p in purchases if p.at <= now]
        if not kept:
            continue
        first = min(p.at for p in kept)
        assert clv_from_summary(sum(p.amount for p in kept), first, now, 3) == \
            analytics.clv(purchases, now, 3)


def test_clv_source_example():
    first = datetime(2025, 2, 1, 10, tzinfo=IST)
    assert clv_from_summary(4 * 50000, first, datetime(2026, 1, 31, tzinfo=IST), 3) == 600000


def test_months():
    assert parse_month("2026-03") == (2026, 3)
    for bad in ("2026-13", "2026-3", "März", ""):
        with pytest.raises(InvalidInput):
            parse_month(bad)
    assert shift_month(2026, 1, -1) == (2025, 12) and shift_month(2025, 12, 1) == (2026, 1)
    assert shift_month(2026, 3, -3) == (2025, 12)


def test_rates_and_averages():
    assert percent(1, 3) == 33.33 and percent(2, 3) == 66.67 and percent(1, 0) is None
    assert average_kurus(95000, 3) == 31667 and average_kurus(5, 0) == 0


def test_tie_out_flags_a_difference():
    flows = {"issued": 100, "redeemed": 30, "restored": 5, "reversed": 10, "expired": 20,
             "adjusted_out": 5}
    assert tie_out(50, flows, 90)["checked"]
    broken = tie_out(50, flows, 91)
    assert not broken["checked"] and broken["difference"] == 1


def test_segment_and_tier_movements():
    changes = segment_changes({"a": "loyal", "b": "lost"}, {"a": "loyal", "b": "champions",
                                                              "c": "new"})
    assert changes["lost"] == {"before": 1, "after": 0, "joined": 0, "left": 1, "change": -1}
    assert changes["champions"]["joined"] == 1
    moves = tier_movements({"a": "gumus", "b": "bronz"}, {"a": "bronz", "b": "altin", "c": "bronz"},
                           ["bronz", "gumus", "altin", "platin"])
    assert moves == {"upgrades": 1, "downgrades": 1,
                     "moves": {"bronz>altin": 1, "gumus>bronz": 1}}


@pytest.mark.parametrize("tz", ["Europe/Istanbul", "Europe/Berlin", "Asia/Kolkata"])
def test_local_days_match_the_exact_conversion(tz):
    from datetime import date, timezone

    from loyalty_desktop.domain.clock import from_db, to_db
    from loyalty_desktop.domain.report_math import LocalDays

    days = LocalDays(date(2026, 3, 31), tz, days_back=400)
    rng = random.Random(3)
    base = datetime(2025, 3, 1, tzinfo=timezone.utc)
    for _ in range(2000):
        text = to_db(base + timedelta(minutes=rng.randrange(60 * 24 * 420)))
        assert days.day_of(text) == from_db(text).astimezone(ZoneInfo(tz)).date()
    old = to_db(datetime(2020, 1, 1, 22, 30, tzinfo=timezone.utc))
    assert days.day_of(old) == from_db(old).astimezone(ZoneInfo(tz)).date()


def test_fast_clv_cutoff_is_exact_around_a_year_and_leap_days():
    from loyalty_desktop.domain.report_math import under_a_year_cutoff

    for now in (datetime(2025, 2, 28, 12, tzinfo=IST), datetime(2025, 3, 1, 9, tzinfo=IST),
                datetime(2024, 2, 29, 23, 59, tzinfo=IST), datetime(2026, 1, 31, tzinfo=IST)):
        cutoff = under_a_year_cutoff(now)
        for hours in range(-72, 72, 3):
            first = cutoff + timedelta(hours=hours)
            purchases = [analytics.Purchase(first, 1000)]
            if first > cutoff and first <= now:
                assert analytics.clv(purchases, now, 3) == 3000


@pytest.mark.parametrize("seed", range(5))
def test_segments_from_summary_equals_analytics_segments(seed):
    from loyalty_desktop.domain.report_math import segments_from_summary

    now = datetime(2026, 1, 15, 12, tzinfo=IST)
    population = _population(seed, members=200)
    summary = {}
    for member, purchases in population.items():
        kept = sorted((p for p in purchases if p.at <= now), key=lambda p: p.at)
        if kept:
            summary[member] = (kept[-1].at.date(), len(kept), sum(p.amount for p in kept))
    expected = {k: analytics.segment_of(v) for k, v in analytics.rfm_scores(population,
                                                                               now).items()}
    assert segments_from_summary(summary, now.date()) == expected
    assert segments_from_summary({}, now.date()) == {}


_ZONES = ("Europe/Istanbul", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
          "America/Santiago")


@settings(max_examples=60, deadline=None)
@given(zone_name=st.sampled_from(_ZONES), seed=st.integers(0, 2**32 - 1),
       lifespan=st.sampled_from([1, 3, 5, Fraction(5, 2), Fraction(7, 3)]),
       day_end=st.booleans())
def test_clv_many_equals_clv_from_summary(zone_name, seed, lifespan, day_end):
    """The vectorised CLV equals the exact one member by member: first purchases over ten
    years (29 February, DST change days and their midnights included), nets with ties
    (x.5 after the division), `now` at a day's last instant or anywhere in a day."""
    rng = random.Random(seed)
    tz = ZoneInfo(zone_name)
    now = datetime(2026, 3, 1, tzinfo=tz) + timedelta(days=rng.randrange(400))
    now = now.replace(hour=23, minute=59, second=59, microsecond=999_999) if day_end else (
        now + timedelta(microseconds=rng.randrange(86_400_000_000)))
    firsts, nets = [], []
    for _ in range(300):
        kind = rng.random()
        if kind < 0.15:  # a DST change day, or 29 February, at any hour
            base = rng.choice([datetime(2024, 3, 31), datetime(2024, 10, 27), datetime(2025, 3, 9),
                               datetime(2023, 11, 5), datetime(2024, 2, 29), datetime(2020, 2, 29),
                               datetime(2024, 4, 7), datetime(2025, 9, 7)])
            moment = base.replace(tzinfo=tz) + timedelta(minutes=rng.randrange(-1440, 2880))
        elif kind < 0.2:  # the same date as `now`, years back (anniversary today)
            moment = now - timedelta(days=365 * rng.randrange(1, 4), hours=rng.randrange(-3, 3))
        else:
            moment = now - timedelta(microseconds=rng.randrange(3650 * 86_400_000_000))
        firsts.append(micros_of(moment))
        nets.append(rng.choice([rng.randrange(0, 5_000_000), 1, 2, 3, 7, 0]))
    got = clv_many(np.array(nets), np.array(firsts), now, lifespan)
    want = [clv_from_summary(n, from_micros(f), now, lifespan) for n, f in zip(nets, firsts)]
    assert got.tolist() == want


def test_clv_many_under_a_year_and_empty():
    now = datetime(2026, 5, 31, 23, 59, 59, 999_999, tzinfo=IST)
    first = micros_of(datetime(2025, 8, 1, 10, tzinfo=IST))
    assert clv_many(np.array([200_000]), np.array([first]), now, 3).tolist() == [600_000]
    assert clv_many(np.array([], dtype=np.int64), np.array([], dtype=np.int64), now, 3).tolist() == []


def test_what_changed_groups_thousands_in_each_language() -> None:
    current = {"revenue": 0, "active": 49_713, "new": 8_210, "nps": None, "liability": None,
               "difference": -1_234}
    previous = {"revenue": 0, "active": 49_533, "nps": None}
    tr = what_changed(current, previous, "tr", str)
    en = what_changed(current, previous, "en", str)
    assert tr[:2] == ["Alışveriş yapan üye sayısı 49.533 → 49.713.", "Bu ay 8.210 yeni üye katıldı."]
    assert en[:2] == ["Members who bought: 49,533 → 49,713.", "8,210 new members joined this month."]
    assert "-1.234" in tr[2] and "-1,234" in en[2]
