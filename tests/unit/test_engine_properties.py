"""Invariants of the pure engine: folds, refunds, earning base, money conservation."""

from __future__ import annotations

import itertools
import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain.checkout import SaleRequest, price_sale, sale_entries
from loyalty_desktop.domain.errors import LoyaltyError
from loyalty_desktop.domain.ids import uuid7
from loyalty_desktop.domain.ledger import Entry, extend, fold, ledger_from_data, ledger_to_data, view
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


def play(book: Book, kind: str, amount: int, knob: int, at: datetime) -> bool:
    """Do one generated operation on the book; False if the rules refused it."""
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
        return False
    return True


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
        if not play(book, kind, amount, knob, at):
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


@settings(max_examples=60, deadline=None)
@given(ops)
def test_the_cached_fold_round_trips_and_extends_like_a_fresh_fold(seq):
    """The balances cache keeps the fold as JSON; a sale extends that copy instead of folding
    the whole ledger again: after every step it must equal a fresh fold, valued the same."""
    book = Book()
    at = START
    state = json.dumps(ledger_to_data(fold([])))
    folded = 0
    for kind, amount, knob in seq:
        at += timedelta(hours=7)
        if not play(book, kind, amount, knob, at):
            continue
        cached = extend(ledger_from_data(json.loads(state)), book.entries[folded:])
        folded = len(book.entries)
        fresh = fold(book.entries)
        assert cached == fresh
        for moment in (at, at + timedelta(days=20), at + timedelta(days=400)):
            assert view(cached, moment, P) == view(fresh, moment, P)
        state = json.dumps(ledger_to_data(cached))


def test_a_fold_in_another_format_version_is_not_used():
    data = ledger_to_data(fold([]))
    assert ledger_from_data({**data, "v": data["v"] + 1}) is None


def test_the_cached_fold_keeps_overdraft_debts_and_club():
    """Debts by redemption (an overdraft from two offline terminals), restored points, an
    expired lot and the club: every prefix round-trips and extends like a fresh fold."""
    year = timedelta(days=365)

    def entry(n, kind, at, **kw):
        return Entry(id=f"e{n:03d}", event_id=f"ev{n:03d}", member_id=M, kind=kind, at=at, **kw)

    entries = [
        entry(1, "earn", START, points=100, expires_at=START + year, ref="s1"),
        entry(2, "earn", START + timedelta(days=1), points=40,
              expires_at=START + timedelta(days=2), ref="s2"),
        entry(3, "redeem", START + timedelta(days=3), points=-150, ref="r1"),
        entry(4, "redeem", START + timedelta(days=3), points=-30, ref="r2"),
        entry(5, "restore", START + timedelta(days=4), points=60, ref="r1"),
        entry(6, "club_joined", START + timedelta(days=5), data={"days": 365}),
        entry(7, "earn", START + timedelta(days=6), points=500, expires_at=START + year,
              ref="s3"),
    ]
    for cut in range(len(entries) + 1):
        state = json.dumps(ledger_to_data(fold(entries[:cut])))
        cached = extend(ledger_from_data(json.loads(state)), entries[cut:])
        assert cached == fold(entries)
    assert fold(entries[:5]).debt_by and fold(entries).club_until is not None
