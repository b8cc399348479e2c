"""The server's per-member refold (`report_ledgers`): entries arriving in any order (a late
push) give the same lots, lost restores and tier series as in order, and match the domain's
own fold and tier walk."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from loyalty_desktop.domain.clock import UTC, from_micros, micros_of, to_db
from loyalty_desktop.domain.program import DEFAULT_PROGRAM as P
from loyalty_desktop.domain.tiers import tier_status
from loyalty_desktop.server.report_ledgers import (
    Refolder, _add_spend, _empty, _end, compact_entry, compact_spend,
)

TZ = "Europe/Istanbul"
START = datetime(2025, 1, 10, 9, tzinfo=UTC)


def _entry(n: int, kind: str, day: int, points: int, ref: str | None = None) -> list:
    at = START + timedelta(days=day)
    expires = to_db(at + timedelta(days=365)) if points > 0 and kind != "restore" else None
    event_id = f"{n:08x}-0000-7000-8000-000000000000"
    return compact_entry(event_id, {"id": f"{event_id}:000", "kind": kind, "at": to_db(at),
                                    "points": points, "expires_at": expires, "ref": ref})


def _spend(entry_id: str, ref: str, day: int, spend: int) -> list:
    return compact_spend({"id": entry_id, "ref": ref, "spend": spend,
                          "at": to_db(START + timedelta(days=day))})


def _history() -> tuple[list[list], list[list]]:
    entries = [_entry(1, "earn", 0, 120), _entry(2, "bonus", 0, 50),
               _entry(3, "redeem", 40, -100, "s3"), _entry(4, "earn", 40, 30),
               _entry(5, "redeem", 370, -60, "s5"), _entry(6, "restore", 406, 60, "s5"),
               _entry(7, "adjust", 100, 25), _entry(8, "reverse", 410, -10, "00000004-0000-7000-8000-000000000000")]
    spends = [_spend("a:1", "s1", 0, 120_000), _spend("a:3", "s3", 40, 30_000),
              _spend("b:1", "s3", 40, -10_000), _spend("a:5", "s5", 370, 70_000)]
    return entries, spends


def _state(entries: list[list], spends: list[list]) -> dict:
    state = _empty()
    state["e"] = [list(e) for e in entries]
    for item in spends:
        _add_spend(state, list(item))
    return state


def test_any_arrival_order_folds_the_same() -> None:
    entries, spends = _history()
    r = Refolder(TZ, P)
    expected = r.refold(_state(entries, spends), None)
    rng = random.Random(5)
    for _ in range(20):
        e, s = entries[:], spends[:]
        rng.shuffle(e)
        rng.shuffle(s)
        assert r.refold(_state(e, s), None) == expected
    # by hand: the day-40 redeem takes 100 of the 120 earned (oldest lot, lower id first); the
    # day-370 redeem of 60 finds the day-0 lots expired (day 365) and takes 30 + 25, 5 short
    # (a debt); its restore on day 406 pays the debt, gives 25 back to the live adjustment and
    # 30 to the day-40 lot, expired on day 405: lost; the reverse on day 410 takes 10 from the
    # adjustment. Left: 20 + 50 expiring in January 2026 and 15 in April 2026.
    assert expected["x"] == {"2026-01": 70, "2026-04": 15}
    assert expected["l"] == {"2026-02": 30}


def test_tier_series_is_the_walk_at_each_month_end() -> None:
    entries, spends = _history()
    state = _state(entries, spends)
    series = Refolder(TZ, P).refold(state, None)["t"]
    pairs = [(from_micros(at), amount) for _, at, amount in state["s"].values()]
    keys = [t.key for t in P.tiers]
    rank = 0
    month = "2025-01"
    while month <= "2027-06":
        now = keys.index(tier_status(pairs, _end(month, TZ), P).tier.key)
        if now != rank:
            assert series.pop(month) == [rank, now], month
        rank = now
        y, m = int(month[:4]), int(month[5:])
        month = f"{y + m // 12:04d}-{m % 12 + 1:02d}"
    assert series == {} and rank == 0


def test_an_erased_member_leaves_the_lists_in_its_month() -> None:
    entries, spends = _history()
    r = Refolder(TZ, P)
    whole = r.refold(_state(entries, spends), None)["t"]
    erased = r.refold(_state(entries, spends), to_db(datetime(2025, 3, 15, tzinfo=UTC)))["t"]
    assert erased == {m: v for m, v in whole.items() if m < "2025-03"} | {"2025-03": [1, -1]}


def test_a_refund_entry_before_its_sale_keeps_the_sale_time() -> None:
    state = _empty()
    _add_spend(state, _spend("b:1", "s1", 100, -5_000))
    _add_spend(state, _spend("a:1", "s1", 0, 20_000))
    assert state["s"]["s1"] == ["a:1", micros_of(START), 15_000]
    sale = "00000009-0000-7000-8000-000000000000"  # a sale's own entry: kept without the ref
    _add_spend(state, _spend(sale + ":000", sale, 3, 7_000))
    _add_spend(state, _spend(sale + ":002", sale, 3, -2_000))
    assert state["s"][sale] == [":000", micros_of(START + timedelta(days=3)), 5_000]
