"""Two server processes on one PostgreSQL serve the same tenant consistently."""

from __future__ import annotations

import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import PG_ENV, ServerProcess, TempPostgres
from loyalty_desktop.sync import SyncClient, pair_terminal
from loyalty_desktop.sync.memory import MemorySyncStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg() -> Any:
    """A fresh migrated PostgreSQL database with its app role."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    database = TempPostgres(url).create()
    yield database
    database.drop()


def pull_page(url: str, token: str, after: int) -> dict[str, Any]:
    """One pull page."""
    answer = httpx.get(f"{url}/v1/events", params={"after": after},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def pull_all(url: str, token: str) -> list[tuple[int, str]]:
    """(server_seq, event id) of everything the tenant holds, through one server."""
    found, after = [], 0
    while True:
        page = pull_page(url, token, after)
        found += [(e["server_seq"], e["event"]["id"]) for e in page["events"]]
        after = page["next_cursor"]
        if not page["has_more"]:
            return found


def sync(store: MemorySyncStore) -> Any:
    """One sync run."""
    with SyncClient(store) as client:
        return client.sync_once()


def test_two_processes_one_tenant(pg: TempPostgres) -> None:
    rng = random.Random(11)
    tenant = admin.add_tenant(pg.admin_url, "İki Süreç")["tenant_id"]
    settings = {"rate_burst": 100_000, "pair_rate_burst": 1000}
    servers = [ServerProcess(pg.app_url, settings=settings).start() for _ in range(2)]
    try:
        stores = [MemorySyncStore() for _ in range(4)]
        for i, store in enumerate(stores):
            code = admin.create_pairing_code(pg.admin_url, tenant)["code"]
            pair_terminal(store, servers[i % 2].url, code)
            for _ in range(1500):
                store.record()
        assert len({s.state["server_instance_id"] for s in stores}) == 1

        requests = []
        for store in stores:
            chunks = [store.own[i: i + 250] for i in range(0, 1500, 250)]
            requests += [(store, chunk, rng.randrange(2)) for chunk in chunks * 2]  # each twice
        rng.shuffle(requests)

        def send(request: tuple[MemorySyncStore, list[dict[str, Any]], int]) -> dict[str, Any]:
            store, chunk, target = request
            answer = httpx.post(
                f"{servers[target].url}/v1/events", json={"events": chunk},
                headers={"Authorization": f"Bearer {store.state['token']}"}, timeout=60,
            )
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]

        seen: list[tuple[int, str]] = []
        done = threading.Event()

        def follow() -> None:
            """Pull through the other server while pushes commit: must never skip an event."""
            cursor = 0
            while True:
                finished = done.is_set()
                page = pull_page(servers[1].url, stores[0].state["token"], cursor)
                seen.extend((e["server_seq"], e["event"]["id"]) for e in page["events"])
                cursor = page["next_cursor"]
                if finished and not page["has_more"]:
                    return

        follower = threading.Thread(target=follow)
        follower.start()
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(send, requests))
        done.set()
        follower.join(60)

        accepted = [i for a in answers for i in a["accepted"]]
        assert len(accepted) == len(set(accepted)) == 6000
        via_first = pull_all(servers[0].url, stores[1].state["token"])
        via_second = pull_all(servers[1].url, stores[2].state["token"])
        assert via_first == via_second
        assert [seq for seq, _ in via_first] == list(range(1, 6001))
        assert seen == via_first  # the follower saw every event once, in order
        assert {i for _, i in via_first} == {e["id"] for s in stores for e in s.own}
    finally:
        for server in servers:
            server.close()


def test_rate_limit_is_shared_by_the_processes(pg: TempPostgres) -> None:
    tenant = admin.add_tenant(pg.admin_url, "Sınırlı")["tenant_id"]
    settings = {"rate_burst": 4, "rate_per_second": 0.01}
    servers = [ServerProcess(pg.app_url, settings=settings).start() for _ in range(2)]
    try:
        store = MemorySyncStore()
        pair_terminal(store, servers[0].url, admin.create_pairing_code(pg.admin_url, tenant)["code"])
        headers = {"Authorization": f"Bearer {store.state['token']}"}
        codes = [
            httpx.get(f"{servers[n % 2].url}/v1/sync/status", headers=headers).status_code
            for n in range(6)
        ]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        for server in servers:
            server.close()


def test_serve_with_two_workers(pg: TempPostgres) -> None:
    tenant = admin.add_tenant(pg.admin_url, "İşçiler")["tenant_id"]
    server = ServerProcess(pg.app_url, extra_args=("--workers", "2")).start()
    try:
        stores = [MemorySyncStore(), MemorySyncStore()]
        for store in stores:
            pair_terminal(store, server.url, admin.create_pairing_code(pg.admin_url, tenant)["code"])
            for _ in range(600):
                store.record()
        with ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(sync, stores))
        assert [r.pushed for r in reports] == [600, 600]
        assert [seq for seq, _ in pull_all(server.url, stores[0].state["token"])] == list(range(1, 1201))
    finally:
        server.close()
