"""Tiers from qualifying spend over a rolling window, with the downgrade grace period.

The tier is a function of the spend history and the moment it is valued at: each sale's net
spend (after refunds, dated at the sale) enters the window at the sale's time and leaves it
`window` days later. Walking those moments in time order: a higher qualified tier applies at
once; when spend falls below the current tier a grace period starts at that moment, and if
spend does not qualify again within it the member drops to what the spend then qualifies for.
A refund rewrites the sale's spend from the start, so a tier the refunded spend had earned
was never reached: the downgrade is immediate, with no grace.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .clock import micros_of
from .program import Program, Tier


@dataclass(frozen=True)
class TierStatus:
    """A member's tier at a moment, with the spend that holds it."""

    tier: Tier
    qualifying_spend: int
    grace_until: datetime | None


def qualifying_spend(spends: Iterable[tuple[datetime, int]], at: datetime, window_days: int) -> int:
    """Net spend of sales in (at - window, at]."""
    start = at - timedelta(days=window_days)
    return sum(amount for when, amount in spends if start < when <= at)


def tier_status(spends: Iterable[tuple[datetime, int]], at: datetime, program: Program) -> TierStatus:
    """The tier in force at `at`, from (sale time, net spend) pairs."""
    window = timedelta(days=program.tier_window_days)
    grace = timedelta(days=program.downgrade_grace_days)
    changes: dict[datetime, int] = {}
    get = changes.get
    drops = False
    for when, amount in spends:
        if when > at or amount == 0:
            continue
        changes[when] = get(when, 0) + amount
        leaves = when + window
        if leaves <= at:  # it left the window by `at`
            changes[leaves] = get(leaves, 0) - amount
            drops = True
        elif amount < 0:
            drops = True
    tiers = program.tiers
    if not drops:  # spend only ever rose: no downgrade, no grace, the tier of the sum
        total = sum(changes.values())
        return TierStatus(tiers[_qualified([t.threshold for t in tiers], total)], total, None)
    ((rank, spend, grace_start),) = _walk(sorted(changes.items()), [at], grace, program)
    grace_until = grace_start + grace if grace_start is not None else None
    return TierStatus(tiers[rank], spend, grace_until)


def _qualified(thresholds: list[int], spend: int) -> int:
    """Rank of the highest tier whose threshold the spend reaches (thresholds rise)."""
    return max(bisect_right(thresholds, spend) - 1, 0)


def _walk(steps: list[tuple[Any, int]], moments: Iterable[Any], grace: Any,
          program: Program) -> list[tuple[int, int, Any]]:
    """The walk of the rule over spend changes (time, change) in time order, sampled at each
    of the rising `moments`: (rank, spend in the window, grace start or None) there. A higher
    qualified tier applies at once; when spend falls below the tier a grace starts, and a
    grace that ran out before a change (or by the moment) drops to what spend qualifies for.
    Times are datetimes with a timedelta grace, or microseconds with an integer one."""
    thresholds = [t.threshold for t in program.tiers]
    n = len(steps)
    out = []
    rank = spend = i = 0
    grace_start = None
    for at in moments:
        while i < n and steps[i][0] <= at:
            moment, change = steps[i]
            i += 1
            if grace_start is not None and grace_start + grace <= moment:
                rank, grace_start = _qualified(thresholds, spend), None
            spend += change
            q_rank = _qualified(thresholds, spend)
            if q_rank >= rank:
                rank, grace_start = q_rank, None
            elif grace_start is None:
                grace_start = moment
        if grace_start is not None and grace_start + grace <= at:
            rank, grace_start = _qualified(thresholds, spend), None
        out.append((rank, spend, grace_start))
    return out


def tier_ranks_at(spends: Iterable[tuple[datetime, int]], moments: list[datetime],
                  program: Program) -> list[int]:
    """The rank (index into program.tiers) of the tier `tier_status` gives at each moment, in
    one walk: `moments` rising. Spend made after a moment does not count at it, as there."""
    return tier_ranks_micros([(micros_of(when), amount) for when, amount in spends],
                             [micros_of(at) for at in moments], program)


_DAY_US = 86_400_000_000


def tier_ranks_micros(spends: Iterable[tuple[int, int]], moments: Iterable[int],
                      program: Program) -> list[int]:
    """`tier_ranks_at` with times as microseconds since the epoch (integers hash and compare
    several times faster than aware datetimes: the server walks every member it refolds)."""
    window = program.tier_window_days * _DAY_US
    grace = program.downgrade_grace_days * _DAY_US
    changes: dict[int, int] = {}
    get = changes.get
    for when, amount in spends:
        if amount:
            changes[when] = get(when, 0) + amount
            changes[when + window] = get(when + window, 0) - amount
    return [rank for rank, _, _ in _walk(sorted(changes.items()), moments, grace, program)]
