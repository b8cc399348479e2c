"""Pulled events applied in batches: each member's cached fold extended with the batch's new
entries (or folded again when they sort before its cache) gives the caches a full fold gives."""

from __future__ import annotations

import random

from loyalty_desktop.services import open_terminal
from loyalty_desktop.store.ledger_repo import cache_matches_ledger

from .conftest import MANAGER_PIN, t

CACHES = ("SELECT member_id, points_total, debt, wallet_total, entries, last_entry FROM balances "
          "ORDER BY member_id", "SELECT * FROM lots ORDER BY lot_id",
          "SELECT * FROM member_months ORDER BY member_id, month",
          "SELECT * FROM coupons ORDER BY code")


def _busy_month(terminal, enrol) -> list[str]:
    members = [enrol(f"Üye {i}", phone=f"0532000{i:04d}")["member_id"] for i in range(5)]
    rng = random.Random(7)
    for day in range(1, 28):
        for _ in range(2):
            m = rng.choice(members)
            points = terminal.member(m, at=t(f"2026-03-{day:02d} 10:00"))["points"]
            s = terminal.sale(m, rng.randint(5_000, 90_000), at=t(f"2026-03-{day:02d} 10:00"),
                              redeem_points=50 if points >= 100 and rng.random() < 0.3 else 0)
            if rng.random() < 0.2:
                terminal.refund(s["sale_id"], amount=s["total"] // 2, manager_pin=MANAGER_PIN,
                                at=t(f"2026-03-{day:02d} 12:00"))
    return members


def _caches(term) -> list[list[tuple]]:
    return [term.db.execute(sql).fetchall() for sql in CACHES]


def test_batches_in_order_and_out_of_order_give_the_caches_of_a_full_fold(tmp_path, terminal,
                                                                          enrol):
    members = _busy_month(terminal, enrol)
    events = terminal.events_after(0, 10_000)
    setup = [e for e in events if e["kind"] in ("program_published", "member_enrolled")]
    rest = [e for e in events if e not in setup]
    in_order = open_terminal(tmp_path / "in-order")
    shuffled = open_terminal(tmp_path / "shuffled")
    try:
        in_order.apply_remote(setup)
        for i in range(0, len(rest), 17):  # each batch extends the folds cached by the last
            in_order.apply_remote(rest[i:i + 17])
        shuffled.apply_remote(setup)
        batches = [rest[i:i + 17] for i in range(0, len(rest), 17)]
        random.Random(3).shuffle(batches)  # later batches first: earlier entries fold again
        for batch in batches:
            shuffled.apply_remote(batch)
        for other in (in_order, shuffled):
            assert all(cache_matches_ledger(other.db, m) for m in members)
            assert _caches(other) == _caches(terminal)
            assert other.check()["ok"]
            when = t("2026-04-01 00:00")
            assert ([other.member(m, at=when) for m in members]
                    == [terminal.member(m, at=when) for m in members])
    finally:
        in_order.close()
        shuffled.close()
