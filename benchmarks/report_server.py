"""Chain report budget on PostgreSQL: rollups kept as sales arrive, the monthly report < 10 s.

Builds once (cached in the PostgreSQL database --db-name, default bench_chain) a tenant of
--stores stores with --members members and --sales sales over the 12 months before
--month's end, COPYing the events into `events` in the body format terminals push (templates
taken from a real terminal's sale, walk-in sale, refund, feedback and enrolment), then folds
the whole history into the rollups (informational). Each run then appends one busy day of
--day-sales sales after everything held (as pushes would), times the incremental fold of that
day (budget < 1 s), and times the monthly chain report's KPIs and PDF (budget < 10 s).

    LOYALTY_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python benchmarks/report_server.py [--members 1000000] [--sales 10000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from loyalty_desktop.domain.clock import month_bounds, to_db  # noqa: E402
from loyalty_desktop.domain.report_math import parse_month  # noqa: E402
from loyalty_desktop.printing.report import render_monthly_report  # noqa: E402
from loyalty_desktop.server.report_chain import chain_monthly_report  # noqa: E402
from loyalty_desktop.server.report_rollups import fold_pending  # noqa: E402
from loyalty_desktop.server.storage import PostgresStorage, migrate_postgres  # noqa: E402
from loyalty_desktop.server.testing import PG_ENV, with_database  # noqa: E402

TENANT = "Bench Chain"
COPY = ("COPY events (tenant_id, server_seq, event_id, terminal_id, seq, kind, body)"
        " FROM STDIN")


def real_templates() -> dict[str, dict[str, Any]]:
    """One event of each kind as a real terminal pushes it (its own sale, refund, ...)."""
    from zoneinfo import ZoneInfo

    from loyalty_desktop.services import open_terminal

    ist = ZoneInfo("Europe/Istanbul")
    at = datetime(2026, 1, 2, 10, tzinfo=ist)
    with tempfile.TemporaryDirectory() as folder:
        term = open_terminal(Path(folder) / "t")
        term.init_shop("Bench", "Owner", "2468", at=at)
        term.add_staff("Manager", "manager", "9876", by_pin="2468")
        m = term.enrol("Üye Örnek", at=at)["member_id"]
        s = term.sale(m, 50_000, at=at + timedelta(hours=1))
        term.refund(s["sale_id"], amount=10_000, manager_pin="9876", at=at + timedelta(hours=2))
        term.feedback(s["sale_id"], nps=9, csat=5, at=at + timedelta(hours=1, minutes=5))
        term.sale(None, 12_000, at=at + timedelta(hours=3))
        events = term.events_after(0, 100)
        term.close()
    out = {}
    for e in events:
        e.pop("server_seq", None)
        key = "walk_in" if e["kind"] == "sale" and e["member_id"] is None else e["kind"]
        out.setdefault(key, e)
    return out


class Generator:
    """Events of a chain with the structure of the templates, ids and amounts varied."""

    def __init__(self, templates: dict[str, dict[str, Any]], terminals: list[str]) -> None:
        self.t = templates
        self.terminals = terminals
        self.seqs = dict.fromkeys(terminals, 0)
        self.n = 0

    def _base(self, kind: str, terminal: str, member: str | None, at: datetime) -> dict[str, Any]:
        self.n += 1
        self.seqs[terminal] += 1
        text = to_db(at)
        return {"id": f"{self.n:08x}-0000-7000-8000-{int(terminal[:8], 16):012x}",
                "terminal_id": terminal, "seq": self.seqs[terminal], "kind": kind,
                "member_id": member, "at": text, "recorded_at": text, "program_version": 1}

    def program(self, terminal: str, at: datetime) -> dict[str, Any]:
        """The program the first terminal published."""
        return {**self._base("program_published", terminal, None, at),
                "payload": self.t["program_published"]["payload"]}

    def enrol(self, terminal: str, member: str, at: datetime, card: int) -> dict[str, Any]:
        """A member's enrolment."""
        e = self._base("member_enrolled", terminal, member, at)
        m = {**self.t["member_enrolled"]["payload"]["member"], "member_id": member,
             "name": f"Üye {card}", "card_number": f"979{card:013d}"}
        e["payload"] = {"entries": [], "member": m}
        return e

    def sale(self, terminal: str, member: str | None, at: datetime, total: int) -> dict[str, Any]:
        """A sale (member: spend and earn entries; walk-in: none)."""
        e = self._base("sale", terminal, member, at)
        kind = "sale" if member else "walk_in"
        payload = dict(self.t[kind]["payload"])
        points = total // 1000
        pricing = {**payload["pricing"], "total": total, "money_paid": total,
                   "after_club": total, "points_earned": points if member else 0}
        entries = []
        if member:
            for i, model in enumerate(payload["entries"][:2]):
                entries.append({**model, "id": f"{e['id']}:{i:03d}", "member_id": member,
                                "at": e["at"], "ref": e["id"],
                                "spend": total if model["kind"] == "sale" else 0,
                                "points": points if model["kind"] == "earn" else 0,
                                "data": {"money_paid": total, "total": total}
                                if model["kind"] == "sale" else None})
        e["payload"] = {**payload, "pricing": pricing, "entries": entries}
        return e

    def refund(self, terminal: str, sale: dict[str, Any], at: datetime) -> dict[str, Any]:
        """A partial refund of a member sale (spend refund dated at the sale, points reversed)."""
        e = self._base("refund", terminal, sale["member_id"], at)
        model = self.t["refund"]["payload"]
        amount = sale["payload"]["pricing"]["total"] // 5
        entries = [{**model["entries"][0], "id": f"{e['id']}:000", "member_id": sale["member_id"],
                    "at": sale["at"], "ref": sale["id"], "spend": -amount},
                   {**model["entries"][1], "id": f"{e['id']}:001", "member_id": sale["member_id"],
                    "at": e["at"], "ref": sale["id"], "points": -(amount // 1000)}]
        e["payload"] = {**model, "sale_id": sale["id"], "entries": entries,
                        "pricing": {**model["pricing"], "amount": amount,
                                    "money_refunded": amount}}
        return e

    def feedback(self, terminal: str, sale: dict[str, Any], at: datetime, score: int
                 ) -> dict[str, Any]:
        """An NPS and CSAT answer for a sale."""
        e = self._base("feedback", terminal, sale["member_id"], at)
        e["payload"] = {**self.t["feedback"]["payload"], "sale_id": sale["id"], "nps": score,
                        "csat": 1 + score // 3}
        return e


def sales_of_day(gen: Generator, rng: random.Random, members: list[str], day: datetime,
                 count: int) -> list[dict[str, Any]]:
    """A day's sales (85 % members), with 3 % refunded and 5 % answered, in time order."""
    out = []
    for i in range(count):
        at = day + timedelta(hours=8, seconds=int(i * 14 * 3600 / count))
        terminal = rng.choice(gen.terminals)
        member = rng.choice(members) if rng.random() < 0.85 else None
        s = gen.sale(terminal, member, at, rng.randint(2_000, 150_000))
        out.append(s)
        if member and rng.random() < 0.03:
            out.append(gen.refund(terminal, s, at + timedelta(minutes=5)))
        elif rng.random() < 0.05:
            out.append(gen.feedback(terminal, s, at + timedelta(minutes=1), rng.randint(0, 10)))
    return out


def copy_events(conn: psycopg.Connection, tenant: int, start_seq: int,
                events: list[dict[str, Any]]) -> int:
    """COPY events into the table with their server_seq; the next free seq."""
    with conn.cursor() as cur, cur.copy(COPY) as copy:
        for e in events:
            copy.write_row((tenant, start_seq, e["id"], e["terminal_id"], e["seq"], e["kind"],
                            json.dumps(e, ensure_ascii=False, separators=(",", ":"))))
            start_seq += 1
    return start_seq


def build(admin_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Create, migrate and fill the cached database; returns its recorded facts."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (args.db_name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.db_name)))
    url = with_database(admin_url, args.db_name)
    migrate_postgres(url, app_role="bench_chain_app")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_facts (key TEXT PRIMARY KEY, value TEXT)")
        facts = dict(conn.execute("SELECT key, value FROM bench_facts").fetchall())
    wanted = {"members": str(args.members), "sales": str(args.sales), "month": args.month}
    if all(facts.get(k) == v for k, v in wanted.items()) and "history_seconds" in facts:
        return {**facts, "url": url}
    if facts:
        raise SystemExit(f"{args.db_name} holds another size ({facts}); drop it or pass "
                         "--db-name")
    started = time.perf_counter()
    rng = random.Random(7)
    templates = real_templates()
    year, month = parse_month(args.month)
    end = month_bounds(year, month)[1]
    first = end - timedelta(days=365)
    with psycopg.connect(url) as conn:
        tenant = conn.execute("INSERT INTO tenants (uid, name) VALUES (gen_random_uuid()::text,"
                              " %s) RETURNING id", (TENANT,)).fetchone()[0]
        terminals = []
        for i in range(args.stores):
            store = conn.execute("INSERT INTO stores (tenant_id, name) VALUES (%s, %s) RETURNING"
                                 " id", (tenant, f"Mağaza {i + 1:02d}")).fetchone()[0]
            terminal = f"{i:08x}-1111-7000-8000-000000000000"
            conn.execute("INSERT INTO terminals (tenant_id, terminal_id, store_id, name,"
                         " token_hash) VALUES (%s, %s, %s, %s, %s)",
                         (tenant, terminal, store, f"Kasa {i + 1}", f"bench-{i}"))
            terminals.append(terminal)
        gen = Generator(templates, terminals)
        seq = copy_events(conn, tenant, 1, [gen.program(terminals[0], first)])
        days = 365
        per_day_members = -(-args.members // days)
        per_day_sales = args.sales // days
        members: list[str] = []
        for d in range(days):
            day = first + timedelta(days=d)
            batch = []
            for _ in range(min(per_day_members, args.members - len(members))):
                member = f"{len(members):08x}-2222-7000-8000-000000000000"
                batch.append(gen.enrol(rng.choice(terminals), member, day + timedelta(hours=7),
                                       len(members)))
                members.append(member)
            batch += sales_of_day(gen, rng, members, day, per_day_sales)
            seq = copy_events(conn, tenant, seq, batch)
            conn.execute("UPDATE tenants SET last_seq = %s WHERE id = %s", (seq - 1, tenant))
            conn.commit()
            if d % 30 == 0:
                print(f"  day {d}/{days}: {seq - 1:,} events, {time.perf_counter() - started:.0f} s",
                      flush=True)
        for terminal, last in gen.seqs.items():
            conn.execute("UPDATE terminals SET acked_seq = %s WHERE terminal_id = %s",
                         (last, terminal))
        conn.execute("ANALYZE")
        load = time.perf_counter() - started
        print(f"loaded {seq - 1:,} events in {load:.1f} s", flush=True)
        conn.commit()
    app_url = with_database(admin_url, args.db_name, user="bench_chain_app")
    storage = PostgresStorage(app_url)
    try:
        t0 = time.perf_counter()
        folded = fold_pending(storage, tenant, batch=20_000)
        history = time.perf_counter() - t0
    finally:
        storage.close()
    facts = {**wanted, "tenant": str(tenant), "events": str(seq - 1), "load_seconds":
             f"{load:.1f}", "history_seconds": f"{history:.1f}", "history_events": str(folded),
             "next_seq": str(seq), "next_day": to_db(end), "n": str(gen.n),
             "seqs": json.dumps(gen.seqs)}
    with psycopg.connect(url) as conn:
        conn.execute("ANALYZE")
        for k, v in facts.items():
            conn.execute("INSERT INTO bench_facts VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
                         " SET value = excluded.value", (k, v))
    return {**facts, "url": url}


def one_more_day(facts: dict[str, Any], args: argparse.Namespace) -> tuple[int, int]:
    """Append a busy day after everything held (as the day's pushes would): (events, seq)."""
    from loyalty_desktop.domain.clock import from_db

    day = from_db(facts["next_day"])
    rng = random.Random(int(day.timestamp()))
    seqs = json.loads(facts["seqs"])
    gen = Generator(real_templates(), list(seqs))
    gen.seqs, gen.n = seqs, int(facts["n"])
    members = [f"{i:08x}-2222-7000-8000-000000000000" for i in range(int(facts["members"]))]
    events = sales_of_day(gen, rng, members, day, args.day_sales)
    tenant, seq = int(facts["tenant"]), int(facts["next_seq"])
    with psycopg.connect(facts["url"]) as conn:
        end = copy_events(conn, tenant, seq, events)
        conn.execute("UPDATE tenants SET last_seq = %s WHERE id = %s", (end - 1, tenant))
        new = {"next_seq": str(end), "next_day": to_db(day + timedelta(days=1)),
               "n": str(gen.n), "seqs": json.dumps(gen.seqs)}
        for k, v in new.items():
            conn.execute("UPDATE bench_facts SET value = %s WHERE key = %s", (v, k))
    facts.update(new)
    return len(events), end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=10_000_000)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--month", default="2026-06", help="report month (history ends with it)")
    parser.add_argument("--day-sales", type=int, default=30_000)
    parser.add_argument("--db-name", default="bench_chain")
    args = parser.parse_args()
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        print(f"set {PG_ENV} to a PostgreSQL admin URL", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    facts = build(admin_url, args)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"cached database {args.db_name}: {int(facts['events']):,} events "
          f"({args.members:,} members, {args.sales:,} sales), loaded in {facts['load_seconds']} s;"
          f" whole-history rollup {facts['history_seconds']} s (informational)"
          f"{'' if time.perf_counter() - t0 > 60 else ' [from cache]'}")
    events, _ = one_more_day(facts, args)
    storage = PostgresStorage(with_database(admin_url, args.db_name, user="bench_chain_app"))
    try:
        phases: dict[str, float] = {}
        t1, cpu = time.perf_counter(), time.process_time()
        folded = fold_pending(storage, int(facts["tenant"]), timings=phases)
        day_fold, cpu = time.perf_counter() - t1, time.process_time() - cpu
        year, month = parse_month(args.month)
        t2, cpu_kpis = time.perf_counter(), time.process_time()
        report = chain_monthly_report(storage, int(facts["tenant"]), year, month,
                                      datetime.now().astimezone(), fold=False)
        kpis, cpu_kpis = time.perf_counter() - t2, time.process_time() - cpu_kpis
    finally:
        storage.close()
    t3 = time.perf_counter()
    pdf = render_monthly_report(report, "tr")
    render = time.perf_counter() - t3
    print(f"end-of-day rollup: {folded:,} events ({args.day_sales:,} sales) folded in "
          f"{day_fold:.3f} s  [budget 1 s: {'OK' if day_fold < 1 else 'OVER'}]")
    print("  " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in phases.items())
          + f"; this process's CPU {cpu:.3f} s (the rest is PostgreSQL and waiting)")
    print(f"monthly report {args.month}: KPIs {kpis:.3f} s, PDF {render:.3f} s "
          f"({len(pdf):,} bytes), total {kpis + render:.3f} s  "
          f"[budget 10 s: {'OK' if kpis + render < 10 else 'OVER'}]; this process's CPU for "
          f"the KPIs {cpu_kpis:.3f} s (the rest is PostgreSQL and waiting)")
    print(f"  member sales {report['sales']['member_sales']:,}, active members "
          f"{report['members']['active']:,}, stores {len(report['stores'])}, "
          f"events folded in all {report['folded_through']:,}; {events:,} events appended")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
