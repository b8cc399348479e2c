"""Chain report budget on PostgreSQL: rollups kept as sales arrive, the monthly report < 10 s.

Builds once (cached in the PostgreSQL database --db-name, default bench_chain) a tenant of
--stores stores with --members members and --sales sales over the 12 months before
--month's end, COPYing the events into `events` in the body format terminals push (a real
terminal's sale, walk-in sale, refund, feedback and enrolment, each made a text template once
and filled by string formatting), then folds the whole history into the rollups with the real
projector (informational; --build-only stops there: build outside the benchmark lock). Each of
--runs runs then appends one busy day of --day-sales sales after everything held (as pushes
would; with --pieces N in N pieces, the projector folding after each as it does after pushes,
and the last piece is the end of day), times the incremental fold of that day (or of its last
piece; budget < 1 s), the projector's next step (the
member snapshots, `report_snapshots.close_months`: work only on a new month's first fold) and
the monthly chain report's KPIs and PDF (budget < 10 s); the medians are printed last.

    LOYALTY_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python benchmarks/report_server.py [--members 1000000] [--sales 10000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
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
from loyalty_desktop.server.report_snapshots import close_months  # noqa: E402
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


_SLOT = re.compile(r'"@@(\w+):r@@"|@@(\w+)@@')


def _template(event: dict[str, Any]) -> str:
    """A COPY text line of `events` whose body is the event as a terminal pushes it (compact
    JSON), each "@@name@@" inside a string and each "@@name:r@@" string (replaced whole: a
    number or JSON) left as a %-format field."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    if "\t" in body or "\n" in body:
        raise ValueError("a template body must fit in one COPY text field")
    body = body.replace("\\", "\\\\").replace("%", "%%")  # COPY's escape; a literal %
    body = _SLOT.sub(lambda m: f"%({m[1] or m[2]})s", body)
    return ("%(tenant)s\t%(server_seq)s\t%(id)s\t%(terminal)s\t%(seq)s\t" + event["kind"]
            + "\t" + body + "\n")


def _slotted(t: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each generated kind as a real terminal's event of that kind, the varied values slots."""

    def base(kind: str, member: str | None) -> dict[str, Any]:
        return {"id": "@@id@@", "terminal_id": "@@terminal@@", "seq": "@@seq:r@@", "kind": kind,
                "member_id": member, "at": "@@at@@", "recorded_at": "@@at@@",
                "program_version": 1}

    sale = t["sale"]["payload"]
    entries = [{**model, "id": f"@@id@@:{i:03d}", "member_id": "@@member@@", "at": "@@at@@",
                "ref": "@@id@@", "spend": "@@total:r@@" if model["kind"] == "sale" else 0,
                "points": "@@points:r@@" if model["kind"] == "earn" else 0,
                "data": {"money_paid": "@@total:r@@", "total": "@@total:r@@"}
                if model["kind"] == "sale" else None}
               for i, model in enumerate(sale["entries"][:2])]  # the spend and the earn
    walk_in = t["walk_in"]["payload"]
    refund = t["refund"]["payload"]
    amounts = {"total": "@@total:r@@", "money_paid": "@@total:r@@", "after_club": "@@total:r@@"}
    return {
        "program_published": {**base("program_published", None),
                              "payload": t["program_published"]["payload"]},
        "member_enrolled": {**base("member_enrolled", "@@member@@"), "payload": {
            "entries": [], "member": {**t["member_enrolled"]["payload"]["member"],
                                      "member_id": "@@member@@", "name": "Üye @@card@@",
                                      "card_number": "979@@card13@@"}}},
        "sale": {**base("sale", "@@member@@"), "payload": {
            **sale, "entries": entries,
            "pricing": {**sale["pricing"], **amounts, "points_earned": "@@points:r@@"}}},
        "walk_in": {**base("sale", None), "payload": {
            **walk_in, "entries": [],
            "pricing": {**walk_in["pricing"], **amounts, "points_earned": 0}}},
        "refund": {**base("refund", "@@member@@"), "payload": {
            **refund, "sale_id": "@@sale@@",
            "entries": [{**refund["entries"][0], "id": "@@id@@:000", "member_id": "@@member@@",
                         "at": "@@sale_at@@", "ref": "@@sale@@", "spend": "@@minus:r@@"},
                        {**refund["entries"][1], "id": "@@id@@:001", "member_id": "@@member@@",
                         "at": "@@at@@", "ref": "@@sale@@", "points": "@@minus_points:r@@"}],
            "pricing": {**refund["pricing"], "amount": "@@amount:r@@",
                        "money_refunded": "@@amount:r@@"}}},
        "feedback": {**base("feedback", "@@member:r@@"), "payload": {
            **t["feedback"]["payload"], "sale_id": "@@sale@@", "nps": "@@nps:r@@",
            "csat": "@@csat:r@@"}},
    }


class Generator:
    """COPY text of a chain's events shaped as a real terminal's (each kind's JSON built once
    with slots, then filled in by string formatting), ids and amounts varied."""

    def __init__(self, templates: dict[str, dict[str, Any]], terminals: list[str], tenant: int,
                 next_seq: int) -> None:
        self.terminals = terminals
        self.seqs = dict.fromkeys(terminals, 0)
        self.n = 0
        self.tenant, self.next_seq = tenant, next_seq
        self.lines: list[str] = []
        self.t = {kind: _template(event) for kind, event in _slotted(templates).items()}

    def _add(self, kind: str, terminal: str, at: str, **fields: Any) -> str:
        """Append one event's line; its id."""
        self.n += 1
        self.seqs[terminal] += 1
        event_id = f"{self.n:08x}-0000-7000-8000-{int(terminal[:8], 16):012x}"
        self.lines.append(self.t[kind] % {
            "tenant": self.tenant, "server_seq": self.next_seq, "id": event_id,
            "terminal": terminal, "seq": self.seqs[terminal], "at": at, **fields})
        self.next_seq += 1
        return event_id

    def take(self) -> str:
        """The lines made since the last take, as one COPY text."""
        text = "".join(self.lines)
        self.lines = []
        return text

    def program(self, terminal: str, at: datetime) -> None:
        """The program the first terminal published."""
        self._add("program_published", terminal, to_db(at))

    def enrol(self, terminal: str, member: str, at: str, card: int) -> None:
        """A member's enrolment."""
        self._add("member_enrolled", terminal, at, member=member, card=card,
                  card13=f"{card:013d}")

    def sale(self, terminal: str, member: str | None, at: str, total: int) -> str:
        """A sale (member: spend and earn entries; walk-in: none); its id."""
        if member is None:
            return self._add("walk_in", terminal, at, total=total)
        return self._add("sale", terminal, at, member=member, total=total, points=total // 1000)

    def refund(self, terminal: str, member: str, sale: str, sale_at: str, total: int,
               at: str) -> None:
        """A partial refund of a member sale (spend refund dated at the sale, points reversed)."""
        amount = total // 5
        self._add("refund", terminal, at, member=member, sale=sale, sale_at=sale_at,
                  amount=amount, minus=-amount, minus_points=-(amount // 1000))

    def feedback(self, terminal: str, member: str | None, sale: str, at: str, score: int) -> None:
        """An NPS and CSAT answer for a sale."""
        self._add("feedback", terminal, at, member="null" if member is None else f'"{member}"',
                  sale=sale, nps=score, csat=1 + score // 3)


def member_id(number: int) -> str:
    """The id of the chain's member number `number` (from 0)."""
    return f"{number:08x}-2222-7000-8000-000000000000"


def sales_of_day(gen: Generator, rng: random.Random, members: list[str], day: datetime,
                 count: int) -> None:
    """A day's sales (85 % members), with 3 % refunded and 5 % answered, in time order."""
    opening = day + timedelta(hours=8)
    choice, chance, between = rng.choice, rng.random, rng.randrange
    for i in range(count):
        moment = opening + timedelta(seconds=i * 14 * 3600 // count)
        at = to_db(moment)
        terminal = choice(gen.terminals)
        member = choice(members) if chance() < 0.85 else None
        total = between(2_000, 150_001)
        sale = gen.sale(terminal, member, at, total)
        if member and chance() < 0.03:
            gen.refund(terminal, member, sale, at, total, to_db(moment + timedelta(minutes=5)))
        elif chance() < 0.05:
            gen.feedback(terminal, member, sale, to_db(moment + timedelta(minutes=1)),
                         between(0, 11))


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
        gen = Generator(real_templates(), terminals, tenant, 1)
        gen.program(terminals[0], first)
        days = 365
        per_day_members = -(-args.members // days)
        per_day_sales = args.sales // days
        members: list[str] = []
        making = copying = 0.0
        for d in range(days):
            t0 = time.perf_counter()
            day = first + timedelta(days=d)
            enrolled = to_db(day + timedelta(hours=7))
            for _ in range(min(per_day_members, args.members - len(members))):
                members.append(member_id(len(members)))
                gen.enrol(rng.choice(terminals), members[-1], enrolled, len(members) - 1)
            sales_of_day(gen, rng, members, day, per_day_sales)
            text = gen.take()
            t1 = time.perf_counter()
            with conn.cursor() as cur, cur.copy(COPY) as copy:
                copy.write(text)
            conn.execute("UPDATE tenants SET last_seq = %s WHERE id = %s",
                         (gen.next_seq - 1, tenant))
            conn.commit()
            making, copying = making + t1 - t0, copying + time.perf_counter() - t1
            if d % 30 == 0:
                print(f"  day {d}/{days}: {gen.next_seq - 1:,} events, "
                      f"{time.perf_counter() - started:.0f} s (making the text {making:.0f} s,"
                      f" COPY {copying:.0f} s)", flush=True)
        seq = gen.next_seq
        for terminal, last in gen.seqs.items():
            conn.execute("UPDATE terminals SET acked_seq = %s WHERE terminal_id = %s",
                         (last, terminal))
        conn.execute("ANALYZE")
        load = time.perf_counter() - started
        print(f"loaded {seq - 1:,} events in {load:.1f} s (making the text {making:.1f} s, COPY"
              f" {copying:.1f} s)", flush=True)
        conn.commit()
    app_url = with_database(admin_url, args.db_name, user="bench_chain_app")
    storage = PostgresStorage(app_url)
    try:
        t0 = time.perf_counter()
        folded = fold_pending(storage, tenant)
        close_months(storage, tenant)  # the snapshots, grouped from every member month
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


def vacuum(url: str) -> None:
    """VACUUM (ANALYZE) the rollups, as autovacuum would have by now on a server that runs it
    (this machine's PostgreSQL has autovacuum off; the fold's upserts leave dead rows behind,
    1.4 M in report_member_months after the history and a few runs). Not timed."""
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("report_member_months", "report_days", "report_members", "report_sales",
                      "report_member_snapshots", "report_ledgers", "report_member_tiers"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    print(f"rollups vacuumed and analysed in {time.perf_counter() - t0:.1f} s (not timed)")


def one_more_day(facts: dict[str, Any], args: argparse.Namespace,
                 between: Any = None) -> tuple[int, int]:
    """Append a busy day after everything held (as the day's pushes would): (events, seq).
    With `args.pieces` > 1 the day goes in that many pieces in time order, `between()` called
    after each (the projector folding as pushes arrive)."""
    from loyalty_desktop.domain.clock import from_db

    day = from_db(facts["next_day"])
    rng = random.Random(int(day.timestamp()))
    seqs = json.loads(facts["seqs"])
    tenant, seq = int(facts["tenant"]), int(facts["next_seq"])
    gen = Generator(real_templates(), list(seqs), tenant, seq)
    gen.seqs, gen.n = seqs, int(facts["n"])
    members = [member_id(i) for i in range(int(facts["members"]))]
    sales_of_day(gen, rng, members, day, args.day_sales)
    end = gen.next_seq
    lines = gen.lines
    gen.lines = []
    pieces = max(1, getattr(args, "pieces", 1))
    size = -(-len(lines) // pieces)
    for i in range(0, len(lines), size):
        part = lines[i:i + size]
        last = int(part[-1].split("\t", 2)[1])  # the piece's last server_seq
        with psycopg.connect(facts["url"]) as conn:
            with conn.cursor() as cur, cur.copy(COPY) as copy:
                copy.write("".join(part))
            conn.execute("UPDATE tenants SET last_seq = %s WHERE id = %s", (last, tenant))
        if between is not None and i + size < len(lines):  # the last piece: the caller's
            between()
    with psycopg.connect(facts["url"]) as conn:
        new = {"next_seq": str(end), "next_day": to_db(day + timedelta(days=1)),
               "n": str(gen.n), "seqs": json.dumps(gen.seqs)}
        for k, v in new.items():
            conn.execute("UPDATE bench_facts SET value = %s WHERE key = %s", (v, k))
    facts.update(new)
    return end - seq, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=10_000_000)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--month", default="2026-06", help="report month (history ends with it)")
    parser.add_argument("--day-sales", type=int, default=30_000)
    parser.add_argument("--pieces", type=int, default=1,
                        help="append each day in this many pieces, folding after each (as the"
                             " projector does after pushes); the last piece is the end of day")
    parser.add_argument("--db-name", default="bench_chain")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on one more day")
    parser.add_argument("--build-only", action="store_true",
                        help="build the cached database (outside the benchmark lock), no runs")
    args = parser.parse_args()
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        print(f"set {PG_ENV} to a PostgreSQL admin URL", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    facts = build(admin_url, args)
    vacuum(facts["url"])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"cached database {args.db_name}: {int(facts['events']):,} events "
          f"({args.members:,} members, {args.sales:,} sales), loaded in {facts['load_seconds']} s;"
          f" whole-history rollup {facts['history_seconds']} s (informational)"
          f"{'' if time.perf_counter() - t0 > 60 else ' [from cache]'}")
    if args.build_only:
        return 0
    runs = [one_run(admin_url, facts, args, n + 1) for n in range(args.runs)]
    print(f"median of {len(runs)} runs (a new day each): " + ", ".join(
        f"{name} {statistics.median(r[name] for r in runs):.3f} s" for name in runs[0])
          + f"  [day fold budget 1 s, report budget 10 s]; load average {os.getloadavg()[0]:.1f}")
    return 0


def one_run(admin_url: str, facts: dict[str, Any], args: argparse.Namespace, n: int
            ) -> dict[str, float]:
    """Append a day (in pieces, folding after each but the last, with --pieces), fold it (or
    its last piece), build the month's report; print and return the times."""
    storage = PostgresStorage(with_database(admin_url, args.db_name, user="bench_chain_app"))
    piece_times: list[float] = []

    def fold_piece() -> None:
        t0 = time.perf_counter()
        fold_pending(storage, int(facts["tenant"]))
        piece_times.append(time.perf_counter() - t0)

    events, _ = one_more_day(facts, args, fold_piece)
    load = os.getloadavg()[0]
    if piece_times:
        print(f"run {n}: {len(piece_times)} pieces of the day folded as they arrived: median "
              f"{statistics.median(piece_times):.3f} s, max {max(piece_times):.3f} s; the last "
              "piece (the end-of-day rollup) next")
    try:
        phases: dict[str, float] = {}
        t1, cpu = time.perf_counter(), time.process_time()
        folded = fold_pending(storage, int(facts["tenant"]), timings=phases)
        day_fold, cpu = time.perf_counter() - t1, time.process_time() - cpu
        t_close = time.perf_counter()  # the projector's next step: once a month, work to do
        kept = close_months(storage, int(facts["tenant"]))
        closing = time.perf_counter() - t_close
        year, month = parse_month(args.month)
        t2, cpu_kpis = time.perf_counter(), time.process_time()
        parts: dict[str, float] = {}
        report = chain_monthly_report(storage, int(facts["tenant"]), year, month,
                                      datetime.now().astimezone(), fold=False, timings=parts)
        kpis, cpu_kpis = time.perf_counter() - t2, time.process_time() - cpu_kpis
    finally:
        storage.close()
    t3 = time.perf_counter()
    pdf = render_monthly_report(report, "tr")
    render = time.perf_counter() - t3
    print(f"run {n} (load average {load:.1f} before it): end-of-day rollup: {folded:,} events "
          + (f"(the last of {args.pieces} pieces of a day of {args.day_sales:,} sales)"
             if args.pieces > 1 else f"({args.day_sales:,} sales)")
          + f" folded in {day_fold:.3f} s  "
          f"[budget 1 s: {'OK' if day_fold < 1 else 'OVER'}]")
    print("  " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in phases.items())
          + f"; this process's CPU {cpu:.3f} s (the rest is PostgreSQL and waiting)")
    print(f"  member snapshots kept ({', '.join(kept)}) in {closing:.3f} s (the projector's step"
          " after the fold; a month's snapshot is built once, on the first fold of a new month)")
    print(f"  monthly report {args.month}: KPIs {kpis:.3f} s, PDF {render:.3f} s "
          f"({len(pdf):,} bytes), total {kpis + render:.3f} s  "
          f"[budget 10 s: {'OK' if kpis + render < 10 else 'OVER'}]; this process's CPU for "
          f"the KPIs {cpu_kpis:.3f} s (the rest is PostgreSQL and waiting)")
    print("  report parts: " + ", ".join(f"{name} {seconds:.3f} s"
                                         for name, seconds in parts.items()))
    print(f"  member sections: CLV of {report['clv']['members']:,} members, "
          f"{len(report['segments'])} segments, at risk by {report['at_risk']['method']} "
          f"({report['at_risk']['candidates']:,} candidates, "
          f"{len(report['at_risk']['members'])} listed)")
    points, tiers = report["points"], report["tiers"]
    print(f"  points: closing {points['closing']:,}, tie-out "
          f"{'holds' if points['checked'] else 'FAILS'}, liability {points['liability']:,} kuruş;"
          f" tiers at the month end {tiers['distribution']}, {tiers['movements']['upgrades']:,}"
          f" up, {tiers['movements']['downgrades']:,} down; CLV by tier "
          + ", ".join(f"{k} {v['average']:,}" for k, v in report["clv"]["by_tier"].items()))
    print(f"  member sales {report['sales']['member_sales']:,}, active members "
          f"{report['members']['active']:,}, stores {len(report['stores'])}, "
          f"events folded in all {report['folded_through']:,}; {events:,} events appended")
    return {"day fold": day_fold, "snapshots": closing, "KPIs": kpis, **parts,
            "PDF": render, "report": kpis + render}


if __name__ == "__main__":
    raise SystemExit(main())
