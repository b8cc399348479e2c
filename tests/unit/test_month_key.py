"""`rollups.month_key` (the last month's bounds kept per zone) gives the month of a plain
conversion, at the bounds and across zones with DST and half-hour offsets, in any order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from loyalty_desktop.domain.clock import month_bounds, zone
from loyalty_desktop.store.rollups import month_key

ZONES = ("Europe/Istanbul", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
         "Australia/Lord_Howe", "UTC")
TICK = timedelta(microseconds=1)


def plain(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).strftime("%Y-%m")


def test_month_key_equals_a_plain_conversion() -> None:
    rng = random.Random(5)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    moments = [start + timedelta(seconds=rng.randrange(3 * 366 * 86400)) for _ in range(3000)]
    for tz in ZONES:
        edges = []
        for year in (2023, 2024, 2025):
            for month in range(1, 13):
                first, _ = month_bounds(year, month, tz)
                edges += [first - TICK, first, first + TICK]
        shuffled = moments + edges
        rng.shuffle(shuffled)
        for order in (sorted(moments + edges), shuffled):
            assert [month_key(m, tz) for m in order] == [plain(m, tz) for m in order]
