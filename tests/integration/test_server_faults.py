"""Faults: the server killed mid-batch again and again, requests duplicated and reordered.

After each: every event is held exactly once, no terminal has a gap in its seqs, and the
tenant's server_seq has no hole.
"""

from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import PG_ENV, Backend, ServerProcess, make_backend
from loyalty_desktop.sync import SyncClient, SyncError, pair_terminal
from loyalty_desktop.sync.memory import MemorySyncStore

KILLS = int(os.environ.get("LOYALTY_SERVER_KILLS", "5"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh server database of each kind."""
    made = make_backend(request.param, tmp_path)
    if made is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    yield made
    made.drop()


def held(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    """Every event the server holds for the token's tenant."""
    found, after = [], 0
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            page = http.get("/v1/events", params={"after": after}).json()
            found += page["events"]
            after = page["next_cursor"]
            if not page["has_more"]:
                return found


def assert_exactly_once(events: list[dict[str, Any]], stores: list[MemorySyncStore]) -> None:
    """Each store's events held once, gap-free seqs, server_seq without holes."""
    assert [e["server_seq"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["event"]["id"] for e in events}) == len(events)
    for store in stores:
        seqs = sorted(e["event"]["seq"] for e in events if e["event"]["terminal_id"] == store.terminal_id())
        assert seqs == list(range(1, len(store.own) + 1))
        mine = {e["event"]["id"]: e["event"] for e in events}
        assert all(mine[own["id"]] == own for own in store.own)


@pytest.mark.slow
def test_server_killed_mid_batch_again_and_again(backend: Backend) -> None:
    rng = random.Random(int(os.environ.get("LOYALTY_FAULT_SEED", str(time.time_ns()))))
    tenant = admin.add_tenant(backend.admin_url, "Kırılgan")["tenant_id"]
    server = ServerProcess(backend.app_url, settings={"rate_burst": 100_000}).start()
    stores = [MemorySyncStore(), MemorySyncStore()]
    for store in stores:
        pair_terminal(store, server.url, admin.create_pairing_code(backend.admin_url, tenant)["code"])
    clients = [SyncClient(store, timeout=5.0) for store in stores]
    kills_done = threading.Event()
    failures = []

    def killer() -> None:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.4))
            server.kill()
            server.start()
        kills_done.set()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        while not kills_done.is_set():
            index = rng.randrange(len(stores))
            for _ in range(rng.randint(1, 300)):
                stores[index].record(payload={"total": rng.randint(1, 10**6)})
            try:
                clients[index].sync_once()
            except SyncError as error:
                failures.append(error.code)
                time.sleep(0.02)
        thread.join()
        for client in clients + clients:  # converge: push the rest, pull the others'
            client.sync_once()
        events = held(server, stores[0].state["token"])
    finally:
        kills_done.set()
        thread.join()
        for client in clients:
            client.close()
        server.close()
    assert failures, "no request was interrupted by a kill"
    assert_exactly_once(events, stores)
    assert set(stores[0].remote) == {e["id"] for e in stores[1].own}
    assert set(stores[1].remote) == {e["id"] for e in stores[0].own}


def test_duplicated_and_reordered_requests(backend: Backend) -> None:
    rng = random.Random(5)
    tenant = admin.add_tenant(backend.admin_url, "Tekrar")["tenant_id"]
    server = ServerProcess(backend.app_url, settings={"rate_burst": 100_000}).start()
    try:
        store = MemorySyncStore()
        pair_terminal(store, server.url, admin.create_pairing_code(backend.admin_url, tenant)["code"])
        for _ in range(2000):
            store.record()
        batches, start = [], 0
        while start < 2000:
            size = rng.randint(50, 500)
            batches.append(store.own[start: start + size])
            start += size
        batches += [store.own[a: a + 300] for a in rng.sample(range(0, 1700), 6)]  # overlaps
        requests = batches * 3
        rng.shuffle(requests)
        headers = {"Authorization": f"Bearer {store.state['token']}"}

        def send(batch: list[dict[str, Any]]) -> dict[str, Any]:
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
                answer = http.post("/v1/events", json={"events": batch})
                assert answer.status_code == 200, answer.text
                return answer.json()  # type: ignore[no-any-return]

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(send, requests))
        accepted = [i for a in answers for i in a["accepted"]]
        assert sorted(accepted) == sorted(e["id"] for e in store.own)  # each accepted once
        assert all(a["rejected"] == [] for a in answers)
        assert max(a["acked_seq"] for a in answers) == 2000
        assert_exactly_once(held(server, store.state["token"]), [store])
    finally:
        server.close()
