"""Invariants of the pure engine: folds, refunds, earning base, money conservation."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain.checkout import SaleRequest, price_sale, sale_entries
from loyalty_desktop.domain.errors import LoyaltyError
from loyalty_desktop.domain.ids import uuid7
from loyalty_desktop.domain.ledger import Entry, fold, view
from loyalty_desktop.domain.program import DEFAULT_PROGRAM as P
from loyalty_desktop.domain.refunds import price_refund, refund_entries

IST = ZoneInfo("Europe/Istanbul")
START = datetime(2026, 1, 1, 10, tzinfo=IST)
M = "member-1"


class Book:
    """A member's ledger kept in memory, driven only by the domain functions."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.sales: dict[str, tuple] = {}
        self.refunded: dict[str, int] = {}
        self.codes = itertools.count(200000000000)

    def view(self, at):
        return view(fold(self.entries), at, P)

    def sale(self, total, at, redeem=0, wallet=0):
        v = self.view(at)
        p = price_sale(P, M, v, SaleRequest(total, redeem, wallet), at,
                       new_code=lambda: str(next(self.codes)))
        sid = uuid7()
        self.entries += sale_entries(sid, M, at, p, P)
        self.sales[sid] = (p, at)
        self.refunded[sid] = 0
        return sid, p

    def refund(self, sid, amount, at):
        p, sale_at = self.sales[sid]
        r = price_refund(p, self.refunded[sid], amount, at, P, sale_at=sale_at)
        self.entries += refund_entries(uuid7(), M, sid, sale_at, at, r, P)
        self.refunded[sid] += r.amount
        return r


ops = st.lists(
    st.tuples(st.sampled_from(["sale", "redeem", "wallet", "refund", "partial"]),
              st.integers(100, 300_000), st.integers(0, 100)),
    min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_balances_are_sums_and_never_drift(seq):
    book = Book()
    at = START
    for kind, amount, knob in seq:
        at += timedelta(hours=7)
        v = book.view(at)
        try:
            if kind == "sale":
                book.sale(amount, at)
            elif kind == "redeem" and v.points >= 50:
                book.sale(amount, at, redeem=min(v.points, amount // 10, 50 + knob))
            elif kind == "wallet" and v.wallet_available > 0:
                book.sale(amount, at, wallet=min(v.wallet_available, amount))
            elif kind in ("refund", "partial") and book.sales:
                sid = random.Random(knob).choice(sorted(book.sales))
                left = book.sales[sid][0].total - book.refunded[sid]
                if left:
                    book.refund(sid, None if kind == "refund" else max(1, left * knob // 100), at)
        except LoyaltyError:
            continue
        led = fold(book.entries)
        assert led.points_total == sum(e.points for e in book.entries)
        assert led.wallet_total == sum(e.wallet for e in book.entries)
        assert all(lot.remaining >= 0 for lot in led.lots)
    # Every refund share adds up exactly to the sale's components once fully refunded.
    for sid, (p, sale_at) in book.sales.items():
        if book.refunded[sid] == p.total:
            got = [e for e in book.entries if e.ref == sid and e.kind == "spend_refund"]
            assert -sum(e.spend for e in got) == p.money_paid


@settings(max_examples=80, deadline=None)
@given(st.integers(100, 500_000), st.integers(0, 2000), st.integers(0, 100))
def test_points_never_come_from_points_or_wallet(total, held, wallet_pct):
    book = Book()
    if held:
        e_id = uuid7()
        book.entries.append(Entry(id=f"{e_id}:000", event_id=e_id, member_id=M, kind="adjust",
                                  at=START, points=held, expires_at=START + timedelta(days=300)))
    at = START + timedelta(days=1)
    v = book.view(at)
    redeem = min(v.points, total // 10)
    if redeem < 50:
        redeem = 0
    _, p = book.sale(total, at, redeem=redeem)
    assert p.money_paid == total - p.points_value - p.wallet_used - p.discount
    assert p.points_earned == p.money_paid // 1000  # Bronz x1: only money earns


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(100, 400_000), min_size=0, max_size=6), st.integers(100, 400_000),
       st.integers(0, 100))
def test_full_refund_restores_every_balance_and_tier(history, total, redeem_pct):
    book = Book()
    at = START
    for amount in history:
        at += timedelta(days=3)
        book.sale(amount, at)
    at += timedelta(days=1)
    before = book.view(at + timedelta(hours=2))
    redeem = min(before.points, total // 10) * redeem_pct // 100
    sid, p = book.sale(total, at, redeem=redeem if redeem >= 50 else 0)
    book.refund(sid, None, at + timedelta(hours=1))
    after = book.view(at + timedelta(hours=2))
    assert after.points == before.points
    assert after.wallet_available == before.wallet_available
    assert after.wallet_pending == before.wallet_pending
    assert after.qualifying_spend == before.qualifying_spend
    assert after.tier == before.tier
    assert after.live_sales == before.live_sales


@settings(max_examples=40, deadline=None)
@given(st.integers(1000, 300_000), st.lists(st.integers(1, 99), min_size=1, max_size=5))
def test_partial_refunds_add_up_to_the_sale(total, cuts):
    book = Book()
    sid, p = book.sale(total, START)
    got = {"money": 0, "points": 0, "cashback": 0}
    for pct in cuts:
        left = total - book.refunded[sid]
        if left <= 1:
            break
        r = book.refund(sid, max(1, left * pct // 100), START + timedelta(hours=1))
        got["money"] += r.money_refunded
        got["points"] += r.points_reversed
        got["cashback"] += r.cashback_cancelled
    r = book.refund(sid, None, START + timedelta(hours=2))
    got["money"] += r.money_refunded
    got["points"] += r.points_reversed
    got["cashback"] += r.cashback_cancelled
    assert got == {"money": p.money_paid, "points": p.points_earned, "cashback": p.cashback}


def test_any_arrival_order_gives_the_same_fold():
    book = Book()
    at = START
    rng = random.Random(3)
    for _ in range(30):
        at += timedelta(days=rng.randint(1, 20))
        v = book.view(at)
        redeem = 50 if v.points >= 60 and rng.random() < 0.5 else 0
        sid, p = book.sale(rng.randint(1000, 200_000), at, redeem=redeem)
        if rng.random() < 0.2:
            book.refund(sid, None, at + timedelta(hours=3))
    reference = view(fold(sorted(book.entries, key=lambda e: e.id)), at, P)
    for seed in range(5):
        shuffled = book.entries[:]
        random.Random(seed).shuffle(shuffled)
        assert view(fold(sorted(shuffled, key=lambda e: e.id)), at, P) == reference
