"""Checkout budget: sales through the service layer vs a bare SQLite transaction doing the same writes.

Builds (once, cached) a store of N members and M historical sales with bulk SQL, then records
2,000 sales through `Terminal.sale` and 2,000 bare transactions that write the same rows
(event, ledger entries, sale, lots, coupons, audit; the member's balances row with its cached
fold, its month rollup and the month's points rewritten) with the same durability (WAL,
synchronous=FULL).
Prints p50/p99 of each, member lookup by card and name search, and last `ratio=<p50 service /
p50 bare>`. Budget: ratio <= 2.5, lookup p99 < 1 ms, name search p99 < 5 ms.

    python benchmarks/checkout.py [--members 100000] [--sales 2000000] [--runs 2000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loyalty_desktop.demo import FIRST, LAST  # noqa: E402
from loyalty_desktop.domain.cards import luhn_check_digit  # noqa: E402
from loyalty_desktop.domain.clock import from_db, to_db, zone  # noqa: E402
from loyalty_desktop.domain.ids import uuid7  # noqa: E402
from loyalty_desktop.domain.text import fold  # noqa: E402
from loyalty_desktop.services import open_terminal  # noqa: E402
from loyalty_desktop.store.database import connect  # noqa: E402

UTC = timezone.utc
TZ = "Europe/Istanbul"  # the bench shop's zone (init_shop's default): months of the rollups


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def build(path: Path, members: int, sales: int, seed: int = 1) -> None:
    """Create the big store with bulk inserts (rows shaped exactly like the services write),
    then fill what the projector keeps beside them (month rollups, each member's cached fold),
    so the store is what a terminal that sold all this would hold. Batched, without fsync
    (a benchmark fixture: a crash while building just means building again)."""
    from loyalty_desktop.store.ledger_repo import fill_states
    from loyalty_desktop.store.rollups import rebuild

    term = open_terminal(path)
    term.init_shop("Bench", "Owner", "1234", at=datetime(2025, 1, 1, tzinfo=UTC))
    term.close()
    db = connect(path / "loyalty.db")
    # One huge transaction: in WAL mode every page would go through a multi-GB WAL (slow
    # once it outgrows the page cache); a rollback journal holds only the few pages that
    # existed before it.
    db.execute("PRAGMA journal_mode=MEMORY")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    rng = random.Random(seed)
    terminal_id = db.execute("SELECT value FROM meta WHERE key='terminal_id'").fetchone()[0]
    seq = db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
    start = datetime(2025, 11, 1, tzinfo=UTC)
    ids = []
    ev_sql = ("INSERT INTO events (id, terminal_id, seq, kind, member_id, at, recorded_at,"
              " program_version, payload) VALUES (?,?,?,?,?,?,?,?,?)")
    t0 = time.perf_counter()
    with db.atomic():
        events, mem_rows, fts, cards = [], [], [], []
        at = to_db(start)
        for i in range(members):
            mid = uuid7()
            body = f"979{i:012d}"
            card = body + luhn_check_digit(body)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            ids.append(mid)
            seq += 1
            events.append((mid, terminal_id, seq, "member_enrolled", mid, at, at, 1, "{}"))
            mem_rows.append((mid, card, name, fold(name), f"+9053{i:08d}", at))
            fts.append((mid, fold(name)))
            cards.append((card, mid, at))
        db.conn.executemany(ev_sql, events)
        db.conn.executemany("INSERT INTO members (member_id, card_number, name, name_fold, phone,"
                            " created_at) VALUES (?,?,?,?,?,?)", mem_rows)
        db.conn.executemany("INSERT INTO members_fts (member_id, name_fold) VALUES (?,?)", fts)
        db.conn.executemany("INSERT INTO cards (card_number, member_id, generation, status, "
                            "issued_at) VALUES (?,?,1,'active',?)", cards)
        per_member: dict[str, list] = {}
        chunk = 50_000
        for lo in range(0, sales, chunk):
            events, ledger, lots, sale_rows = [], [], [], []
            for n in range(lo, min(sales, lo + chunk)):
                mid = ids[rng.randrange(members)]
                at_dt = start + timedelta(seconds=n * 15)
                at = to_db(at_dt)
                sid = uuid7()
                total = rng.randint(1000, 200000)
                pts = total // 1000
                seq += 1
                events.append((sid, terminal_id, seq, "sale", mid, at, at, 1, "{}"))
                ledger.append((f"{sid}:000", sid, mid, "sale", at, total, None, None, sid))
                exp = to_db(at_dt + timedelta(days=365))
                if pts:
                    ledger.append((f"{sid}:001", sid, mid, "earn", at, 0, pts, exp, sid))
                    lots.append((f"{sid}:001", mid, sid, pts, pts, at, exp))
                sale_rows.append((sid, mid, at, total, total, pts, terminal_id, "{}", "{}"))
                entry = per_member.setdefault(mid, [0, 0, None])
                entry[0] += pts
                entry[1] += 1 + bool(pts)
                entry[2] = f"{sid}:001" if pts else f"{sid}:000"
            db.conn.executemany(ev_sql, events)
            db.conn.executemany("INSERT INTO ledger (id, event_id, member_id, kind, at, spend, "
                                "points, expires_at, ref) VALUES (?,?,?,?,?,?,"
                                "COALESCE(?, 0),?,?)", ledger)
            db.conn.executemany("INSERT INTO lots (lot_id, member_id, source, points, remaining, "
                                "earned_at, expires_at) VALUES (?,?,?,?,?,?,?)", lots)
            db.conn.executemany("INSERT INTO sales (sale_id, member_id, at, total, money_paid, "
                                "points_earned, terminal_id, pricing, result) "
                                "VALUES (?,?,?,?,?,?,?,?,?)", sale_rows)
        db.conn.executemany("INSERT INTO balances (member_id, points_total, debt, wallet_total, "
                            "entries, last_entry) VALUES (?,?,0,0,?,?)",
                            [(mid, *row) for mid, row in per_member.items()])
        print(f"rows written in {time.perf_counter() - t0:.0f} s", flush=True)
        rebuild(db)
        print(f"rollups in {time.perf_counter() - t0:.0f} s", flush=True)
        fill_states(db)
        print(f"cached folds in {time.perf_counter() - t0:.0f} s", flush=True)
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.conn.close()


def rows_of_sale(db, sale_id: str, audit_before: int) -> dict:
    """Every row one service sale wrote or rewrote, to replay the same writes bare: the event,
    its ledger entries, the sale, lots, coupons and audit rows it added, and the rows it
    rewrote (the member's balances and cached fold, its month rollup, the month's points)."""
    def fetch(sql, *args):
        cur = db.conn.execute(sql, list(args) or [sale_id])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    sale = fetch("SELECT * FROM sales WHERE sale_id = ?")
    member = sale[0]["member_id"]
    month = from_db(sale[0]["at"]).astimezone(zone(TZ)).strftime("%Y-%m")
    # Entry and lot ids are "<event id>:NNN": a primary-key range, not a scan of millions.
    return {"events": fetch("SELECT * FROM events WHERE id = ?"),
            "ledger": fetch("SELECT * FROM ledger WHERE id > ?1 || ':' AND id < ?1 || ';'"),
            "sales": sale,
            "lots": fetch("SELECT * FROM lots WHERE lot_id > ?1 || ':' AND lot_id < ?1 || ';'"),
            "coupons": fetch("SELECT * FROM coupons WHERE issued_event = ?"),
            "audit": fetch("SELECT * FROM audit WHERE id > ?", audit_before),
            "balances": fetch("SELECT * FROM balances WHERE member_id = ?", member),
            "member_months": fetch("SELECT * FROM member_months WHERE member_id = ? AND "
                                   "month = ?", member, month),
            "point_months": fetch("SELECT * FROM point_months WHERE month = ?", month)}


def bare_sale(db, rows: dict, seq: int) -> None:
    """The same row writes as a service sale (same sizes, fresh ids), with no rules: the floor."""
    sid = uuid7()

    def insert(table, row, suffix="", verb="INSERT"):
        row = dict(row)
        for key in ("id", "sale_id", "event_id", "source", "issued_event"):
            if key in row and table not in ("balances", "audit"):
                row[key] = sid
        if "lot_id" in row:
            row["lot_id"] = sid + row["lot_id"][-4:]
        if table == "ledger":
            row["id"] = sid + suffix
        if table == "events":
            row["terminal_id"], row["seq"] = "bench-bare", seq
        if table == "sales":
            row["idempotency_key"] = None
        if table == "coupons":
            row["code"] = sid[-12:] + suffix
        if table == "audit":
            row.pop("id")
        cols = ",".join(row)
        db.conn.execute(f"{verb} INTO {table} ({cols}) VALUES ({','.join('?' * len(row))})",
                        list(row.values()))

    with db.atomic():
        for table in ("events", "ledger", "sales", "lots", "coupons", "audit"):
            for i, row in enumerate(rows[table]):
                insert(table, row, suffix=f":{i:03d}")
        for table in ("balances", "member_months", "point_months"):  # rewritten in place
            for row in rows[table]:
                insert(table, row, verb="INSERT OR REPLACE")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/loyalty-bench"))
    args = ap.parse_args()
    cached = args.cache / f"store-{args.members}-{args.sales}"
    if not (cached / "loyalty.db").exists():
        shutil.rmtree(cached, ignore_errors=True)
        t0 = time.perf_counter()
        build(cached, args.members, args.sales)
        print(f"built store: {args.members} members, {args.sales} sales in "
              f"{time.perf_counter() - t0:.0f} s")
    open_terminal(cached).close()  # migrate the cached store once, not every copy
    work = args.cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached, work)
    term = open_terminal(work)
    rng = random.Random(5)
    rows = term.db.execute("SELECT member_id, card_number, name_fold FROM members "
                           "ORDER BY RANDOM() LIMIT ?", [args.runs]).fetchall()
    lookups, member_loads, searches, service = [], [], [], []
    print(f"store ready; {len(rows)} members sampled", flush=True)
    for _, card, name in rows:
        t0 = time.perf_counter()
        term._by_card_number(card)
        lookups.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        term.find_member(card)
        member_loads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        term.search_members(name.split()[1][:5] + " " + name.split()[0][:4], limit=20)
        searches.append(time.perf_counter() - t0)
    bare = []
    # Interleaved, so machine load hits both sides alike: a service sale, then a bare
    # transaction writing the very same rows (fresh ids) with the same durability.
    for i, (member_id, _, _) in enumerate(rows):
        audit_before = term.db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
        t0 = time.perf_counter()
        sale = term.sale(member_id, rng.randint(1000, 150000))
        service.append(time.perf_counter() - t0)
        sale_rows = rows_of_sale(term.db, sale["sale_id"], audit_before)
        t0 = time.perf_counter()
        bare_sale(term.db, sale_rows, i + 1)
        bare.append(time.perf_counter() - t0)
    term.close()
    print(f"card lookup (index): p50 {pct(lookups, .5):.3f} ms  p99 {pct(lookups, .99):.3f} ms")
    print(f"member object by card (signature-free lookup + ledger fold): "
          f"p50 {pct(member_loads, .5):.3f} ms  p99 {pct(member_loads, .99):.3f} ms")
    print(f"name search: p50 {pct(searches, .5):.3f} ms  p99 {pct(searches, .99):.3f} ms")
    print(f"service sale: p50 {pct(service, .5):.3f} ms  p99 {pct(service, .99):.3f} ms")
    print(f"bare transaction: p50 {pct(bare, .5):.3f} ms  p99 {pct(bare, .99):.3f} ms")
    print(f"ratio={statistics.median(service) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
