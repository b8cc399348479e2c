"""Sync ingest benchmark: events pushed over HTTP in batches of 500 vs. inserted straight.

Starts a real server process (uvicorn) on a throwaway PostgreSQL database, pushes N events
from several terminals through POST /v1/events (bodies encoded before the clock starts, as
terminals do it on their own machines), then inserts the same rows straight into a copy of
the events table (same columns and indexes, one transaction per batch of 500) twice: with
binary COPY (the fastest bare insert; the server's own insert of a new batch, unnest of split
texts, costs PostgreSQL about the same) and with a plain executemany INSERT. Also runs the HTTP ingest against an SQLite server. Each figure
is the median of several rounds. The last line is `ratio=<HTTP events/s / COPY events/s>`.

Goals: PostgreSQL >= 25,000 events/s, p99 < 200 ms per batch, ratio >= 0.5; SQLite >= 10,000.

    .venv/bin/python benchmarks/sync.py --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loyalty_desktop.server import admin  # noqa: E402
from loyalty_desktop.server.storage.batch import compact_json  # noqa: E402
from loyalty_desktop.server.storage.postgres import COPY_EVENTS, COPY_TYPES  # noqa: E402
from loyalty_desktop.server.testing import PG_ENV, ServerProcess, TempPostgres  # noqa: E402
from loyalty_desktop.sync import pair  # noqa: E402
from loyalty_desktop.sync.memory import MemorySyncStore  # noqa: E402

BATCH = 500
FAST = {"rate_burst": 1_000_000, "rate_per_second": 1_000_000, "pair_rate_burst": 1000}


def make_events(terminals: int, per_terminal: int, rng: random.Random) -> list[list[dict[str, Any]]]:
    """Realistic sale events (about 450 bytes each) for each terminal."""
    streams = []
    for _ in range(terminals):
        store = MemorySyncStore()
        for _ in range(per_terminal):
            total = rng.randint(1_000, 250_000)
            store.record(
                member_id=f"0194{rng.getrandbits(96):024x}",
                payload={
                    "sale_id": f"0194{rng.getrandbits(96):024x}", "total": total,
                    "money_paid": total, "points_earned": total // 1000, "cashier": "Ayşe",
                    "lines": [{"category": "kahve", "amount": total}],
                    "tier_before": "bronz", "tier_after": "bronz",
                },
            )
        streams.append(store.own)
    return streams


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def http_ingest(
    url: str, tokens: list[str], streams: list[list[dict[str, Any]]], client: str = "plain"
) -> tuple[float, list[float]]:
    """Push every stream from its own thread in batches: (seconds, per-batch latencies).

    `client` "plain" sends each request with http.client on one kept-alive connection per
    terminal (what the server is asked to do, at the least client CPU: the client shares this
    machine's 2 cores with the server and PostgreSQL, where terminals have their own);
    "httpx" uses httpx, like the terminals' SyncClient (several ms of CPU per batch more).
    """
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    host, port = urlsplit(url).hostname, urlsplit(url).port

    def check(status: int, text: bytes, count: int) -> bool:
        if status != 200 or len(json.loads(text)["accepted"]) != count:
            errors.append(text[:200].decode(errors="replace"))
            return False
        return True

    def run_plain(token: str, bodies: list[tuple[int, bytes]]) -> None:
        mine = []
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            for count, body in bodies:
                began = time.perf_counter()
                conn.request("POST", "/v1/events", body=body, headers=headers)
                answer = conn.getresponse()
                text = answer.read()
                mine.append(time.perf_counter() - began)
                if not check(answer.status, text, count):
                    return
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    def run_httpx(token: str, bodies: list[tuple[int, bytes]]) -> None:
        mine = []
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for count, body in bodies:
                began = time.perf_counter()
                answer = http.post("/v1/events", content=body)
                mine.append(time.perf_counter() - began)
                if not check(answer.status_code, answer.content, count):
                    return
        with lock:
            latencies.extend(mine)

    # Terminals encode their batches on their own machines: encoded before the clock starts.
    encoded = [
        [(len(events[i: i + BATCH]), json.dumps({"events": events[i: i + BATCH]}).encode())
         for i in range(0, len(events), BATCH)]
        for events in streams
    ]
    run = run_plain if client == "plain" else run_httpx
    threads = [threading.Thread(target=run, args=args) for args in zip(tokens, encoded, strict=True)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"push failed: {errors[0]}")
    return elapsed, latencies


def serve_and_ingest(
    admin_url: str, app_url: str, streams: list[list[dict[str, Any]]], rounds: int,
    workers: int = 1, client: str = "plain",
) -> list[tuple[float, list[float]]]:
    """A server on the database; per round a new tenant, its terminals paired, a timed ingest."""
    extra = ("--workers", str(workers)) if workers > 1 else ()
    server = ServerProcess(app_url, settings=FAST, extra_args=extra).start()
    try:
        results = []
        for _ in range(rounds):
            tenant = admin.add_tenant(admin_url, f"bench-{time.time_ns()}")["tenant_id"]
            tokens = []
            for events in streams:
                code = admin.create_pairing_code(admin_url, tenant)["code"]
                tokens.append(pair(server.url, code, terminal_id=events[0]["terminal_id"])["token"])
            results.append(http_ingest(server.url, tokens, streams, client))
        return results
    finally:
        server.close()


def direct_insert(
    admin_url: str, streams: list[list[dict[str, Any]]], how: str, table: str
) -> tuple[float, list[float]]:
    """The same rows straight into a copy of the events table, one transaction per batch.

    `how` is "copy" (binary COPY, the fastest bare insert) or "insert" (executemany of a
    parameterised INSERT, what an application typically does).
    """
    rows = [(e["id"], e["terminal_id"], e["seq"], e["kind"], compact_json(e))
            for events in streams for e in events]
    latencies = []
    with psycopg.connect(admin_url) as conn:
        conn.execute(f"CREATE TABLE {table} (LIKE events INCLUDING ALL)")
        conn.commit()
        began = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            chunk = [(1, start + i + 1, *row) for i, row in enumerate(rows[start: start + BATCH])]
            t0 = time.perf_counter()
            with conn.cursor() as cur:
                if how == "copy":
                    with cur.copy(COPY_EVENTS.replace("events", table, 1)) as copy:
                        copy.set_types(COPY_TYPES)
                        for row in chunk:
                            copy.write_row(row)
                else:
                    cur.executemany(
                        f"INSERT INTO {table} (tenant_id, server_seq, event_id, terminal_id, seq,"
                        " kind, body) VALUES (%s, %s, %s, %s, %s, %s, %s)", chunk,
                    )
            conn.commit()
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - began
    return elapsed, latencies


def report(label: str, count: int, results: list[tuple[float, list[float]]]) -> float:
    """Print one line of figures (median round, p99 over every batch); return events/s."""
    rate = statistics.median(count / elapsed for elapsed, _ in results)
    latencies = [latency for _, batch in results for latency in batch]
    print(f"{label}: {rate:,.0f} events/s (median of {len(results)} rounds of {count} events), "
          f"batch p50={statistics.median(latencies) * 1000:.1f} ms "
          f"p99={percentile(latencies, 99) * 1000:.1f} ms")
    return rate


def main() -> None:
    """Run the benchmark and print the figures, `ratio=...` last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get(PG_ENV), help=f"admin URL (default ${PG_ENV})")
    parser.add_argument("--events", type=int, default=50_000, help="events per round")
    parser.add_argument("--terminals", type=int, default=2, help="terminals pushing at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per measurement")
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument("--client", choices=("plain", "httpx"), default="plain",
                        help="HTTP client of the pushing terminals (see http_ingest)")
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit(f"Give a PostgreSQL admin URL with --pg or ${PG_ENV}.")
    per_terminal = args.events // args.terminals
    streams = make_events(args.terminals, per_terminal, random.Random(3))
    count = per_terminal * args.terminals
    print(f"events={count} batch={BATCH} terminals={args.terminals} rounds={args.rounds} "
          f"postgres server workers={args.workers} client={args.client}")
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "server.db")
        admin.migrate(db)
        sqlite_rate = report("sqlite http", count,
                             serve_and_ingest(db, db, streams, args.rounds, client=args.client))
    pg = TempPostgres(args.pg, prefix="loyalty_bench").create()
    try:
        http_rate = report(
            "postgres http", count,
            serve_and_ingest(pg.admin_url, pg.app_url, streams, args.rounds, args.workers,
                             args.client),
        )
        direct = {
            how: report(f"postgres direct {how.upper()}", count, [
                direct_insert(pg.admin_url, streams, how, f"bench_{how}_{n}")
                for n in range(args.rounds)
            ])
            for how in ("copy", "insert")
        }
    finally:
        pg.drop()
    print("goals: postgres >= 25,000 events/s, p99 < 200 ms, ratio >= 0.5; sqlite >= 10,000 "
          f"events/s (sqlite {'met' if sqlite_rate >= 10_000 else 'NOT met'})")
    print(f"ratio_vs_insert={http_rate / direct['insert']:.2f}  (HTTP vs executemany INSERT)")
    print(f"ratio={http_rate / direct['copy']:.2f}")


if __name__ == "__main__":
    main()
