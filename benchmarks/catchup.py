"""Catch-up budget: a terminal offline for a week pulls 20,000 events in under 10 s.

Terminal A records a week of a busy shop (members enrolled, sales, some refunds: 20,000 events
by default) and pushes them to a real server process (SQLite). Terminal B, paired with the same
tenant and empty of A's week, then runs one sync: pull every page and apply it. Prints the time
of B's catch-up, events/s, the bare cost of only fetching the pages over HTTP, and last
`ratio=<catch-up / bare fetch>`.

    python benchmarks/catchup.py [--events 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from loyalty_desktop.server import admin  # noqa: E402
from loyalty_desktop.server.testing import ServerProcess  # noqa: E402
from loyalty_desktop.services import open_terminal  # noqa: E402
from loyalty_desktop.services.sync_adapter import TerminalSyncStore  # noqa: E402
from loyalty_desktop.sync.client import SyncClient, pair_terminal  # noqa: E402

IST = ZoneInfo("Europe/Istanbul")


def record_week(term, events: int, rng: random.Random) -> int:
    """Enrol members and sell for a week in one transaction; returns events recorded."""
    start = datetime(2026, 11, 16, 9, tzinfo=IST)
    members = []
    with term.transaction():
        for i in range(max(events // 20, 10)):
            members.append(term.enrol(f"Üye {i}", phone=f"0532{i:07d}", at=start)["member_id"])
        step = timedelta(days=7) / events
        n = len(members)
        while n < events:
            when = start + step * n
            term.sale(rng.choice(members), rng.randint(2_000, 150_000), at=when)
            n += 1
    return term.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def fetch_all(url: str, token: str) -> int:
    """The bare operation: only download every page."""
    count, cursor = 0, 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            page = client.get("/v1/events", params={"after": cursor, "limit": 500}).json()
            count += len(page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="catchup-"))
    db_url = f"sqlite:///{work / 'server.db'}"
    admin.migrate(db_url)
    tenant = admin.add_tenant(db_url, "Zincir")["tenant_id"]
    server = ServerProcess(db_url).start()
    try:
        a = open_terminal(work / "a")
        a.init_shop("Zincir", "Sahip", "2468")
        b = open_terminal(work / "b")
        b.init_shop("Zincir", "Sahip", "1357")
        for term in (a, b):
            pair_terminal(TerminalSyncStore(term), server.url,
                          admin.create_pairing_code(db_url, tenant)["code"])
        t0 = time.perf_counter()
        recorded = record_week(a, args.events, random.Random(1))
        print(f"terminal A recorded {recorded} events in {time.perf_counter() - t0:.1f} s",
              flush=True)
        with SyncClient(TerminalSyncStore(a)) as client:
            t0 = time.perf_counter()
            pushed = client.sync_once().pushed
        print(f"A pushed {pushed} in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        fetched = fetch_all(server.url, b.sync_state()["token"])
        bare = time.perf_counter() - t0
        print(f"bare fetch of {fetched} events: {bare:.2f} s", flush=True)
        with SyncClient(TerminalSyncStore(b)) as client:
            t0 = time.perf_counter()
            report = client.sync_once()
            took = time.perf_counter() - t0
        print(f"catch-up: pulled {report.pulled} events in {took:.2f} s "
              f"({report.pulled / took:,.0f} events/s); budget 10 s", flush=True)
        assert b.check()["ok"]
        a.close()
        b.close()
        print(f"ratio={took / bare:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
