"""The tier walk (`tier_status`) against a plain reference of the rule, day by day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain.program import DEFAULT_PROGRAM as P
from loyalty_desktop.domain.tiers import tier_ranks_at, tier_status

IST = ZoneInfo("Europe/Istanbul")
START = datetime(2025, 1, 1, 12, tzinfo=IST)


def reference(spends, at, program):
    """The rule read literally: walk every moment spend changes (a sale enters, or leaves the
    window), upgrade at once, downgrade only after the grace has run out below the tier."""
    window = timedelta(days=program.tier_window_days)
    grace = timedelta(days=program.downgrade_grace_days)
    moments = sorted({w for w, a in spends if w <= at and a}
                     | {w + window for w, a in spends if a and w + window <= at})

    def spend_at(m):
        return sum(a for w, a in spends if a and w <= m and not w + window <= m)

    def rank(s):
        return max(i for i, t in enumerate(program.tiers) if s >= t.threshold or i == 0)

    tier, since = 0, None
    for m in moments:
        if since is not None and since + grace <= m:
            tier, since = rank(spend_at_before(spends, m, window)), None
        q = rank(spend_at(m))
        if q >= tier:
            tier, since = q, None
        elif since is None:
            since = m
    if since is not None and since + grace <= at:
        tier, since = rank(spend_at(at)), None
    return program.tiers[tier].key, spend_at(at), (since + grace if since else None)


def spend_at_before(spends, m, window):
    """Spend just before moment m (the grace ends before the change at m applies)."""
    return sum(a for w, a in spends if a and w < m and not w + window < m)


history = st.lists(st.tuples(st.integers(0, 900), st.integers(-50_000, 900_000)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(history, st.integers(0, 1000))
def test_tier_walk_matches_the_rule(raw, at_day):
    spends = [(START + timedelta(days=d, hours=i % 5), a) for i, (d, a) in enumerate(raw)]
    at = START + timedelta(days=at_day, hours=3)
    got = tier_status(spends, at, P)
    assert (got.tier.key, got.qualifying_spend, got.grace_until) == reference(spends, at, P)


def test_rising_spend_takes_the_fast_path_and_a_lapse_the_walk():
    rising = [(START, 120_000), (START + timedelta(days=30), 400_000)]
    assert tier_status(rising, START + timedelta(days=40), P).tier.key == "altin"
    # A year later the first sale has left the window: spend 400,000 qualifies for gumus,
    # but the downgrade waits out the grace.
    later = START + timedelta(days=366)
    status = tier_status(rising, later, P)
    assert status.tier.key == "altin" and status.grace_until is not None
    assert tier_status(rising, later + timedelta(days=31), P).tier.key == "gumus"


@settings(max_examples=300, deadline=None)
@given(history, st.lists(st.integers(0, 1300), max_size=30),
       st.lists(st.tuples(st.integers(0, 24), st.sampled_from([0, 30, 365, 395])), max_size=10))
def test_ranks_at_many_moments_are_tier_status_at_each(raw, days, edges):
    """One walk sampled at rising moments (month ends on the server) gives, at each, the tier
    `tier_status` gives there, grace and spend after the moment included."""
    spends = [(START + timedelta(days=d, hours=i % 5), a) for i, (d, a) in enumerate(raw)]
    moments = [START + timedelta(days=d, hours=d % 7) for d in days]
    moments += [spends[k][0] + timedelta(days=shift) for k, shift in edges if k < len(spends)]
    moments.sort()  # some on a sale, its leaving the window or the grace's end exactly
    keys = [t.key for t in P.tiers]
    assert [keys[r] for r in tier_ranks_at(spends, moments, P)] == [
        tier_status(spends, m, P).tier.key for m in moments]
