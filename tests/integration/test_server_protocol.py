"""The sync protocol against a real server process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from loyalty_desktop.domain.ids import uuid7
from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import PG_ENV, Backend, ServerProcess, make_backend
from loyalty_desktop.server.storage.schema import SQLITE_MIGRATIONS, latest_version


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh server database of each kind."""
    made = make_backend(request.param, tmp_path_factory.mktemp("server"))
    if made is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    yield made
    made.drop()


@pytest.fixture(scope="module")
def server(backend: Backend) -> Any:
    """One server process for the module's tests."""
    process = ServerProcess(backend.app_url, settings={"pair_rate_burst": 10_000}).start()
    yield process
    process.close()


@pytest.fixture
def http(server: ServerProcess) -> Any:
    """An HTTP client for the server."""
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client


def new_tenant(backend: Backend) -> str:
    """A tenant with a unique name: its id."""
    return str(admin.add_tenant(backend.admin_url, f"shop-{uuid.uuid4().hex[:8]}")["tenant_id"])


def pair(http: httpx.Client, backend: Backend, tenant: str, **fields: Any) -> dict[str, str]:
    """Pair a new terminal of the tenant: the pairing answer plus an auth header."""
    code = admin.create_pairing_code(backend.admin_url, tenant)["code"]
    body = {"code": code, "terminal_id": str(uuid.uuid4()), **fields}
    answer = http.post("/v1/pair", json=body)
    assert answer.status_code == 200, answer.text
    return {**answer.json(), "auth": f"Bearer {answer.json()['token']}"}


def events(terminal_id: str, seqs: range | list[int], **changes: Any) -> list[dict[str, Any]]:
    """Wire events of a terminal with the given seqs."""
    return [
        {"id": uuid7(), "terminal_id": terminal_id, "seq": seq, "kind": "sale",
         "member_id": None, "at": "2026-11-23T10:15:00+03:00",
         "recorded_at": "2026-11-23T10:15:00.123+03:00", "program_version": 1,
         "payload": {"total": 100 * seq, "note": "Çiğdem Işık"}, **changes}
        for seq in seqs
    ]


def push(http: httpx.Client, terminal: dict[str, str], batch: list[dict[str, Any]]) -> httpx.Response:
    """POST a batch with the terminal's token."""
    return http.post("/v1/events", json={"events": batch}, headers={"Authorization": terminal["auth"]})


def pull_all(http: httpx.Client, terminal: dict[str, str], after: int = 0) -> list[dict[str, Any]]:
    """Every event after a cursor, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        page = http.get(
            "/v1/events", params={"after": after, "limit": 7},
            headers={"Authorization": terminal["auth"]},
        ).json()
        found += page["events"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return found


def test_pairing_code_is_single_use(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    code = admin.create_pairing_code(backend.admin_url, tenant, store="Kadıköy")["code"]
    first = http.post("/v1/pair", json={"code": code.lower().replace("-", " ")})
    assert first.status_code == 200
    assert first.json()["store"] == "Kadıköy" and first.json()["tenant_id"] == tenant
    again = http.post("/v1/pair", json={"code": code})
    assert again.status_code == 403 and again.json()["code"] == "pairing_code_invalid"
    assert "token" not in again.json()


def test_expired_or_unknown_pairing_code_is_refused(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    stale = admin.create_pairing_code(backend.admin_url, tenant, now=time.time() - 16 * 60)["code"]
    assert http.post("/v1/pair", json={"code": stale}).status_code == 403
    assert http.post("/v1/pair", json={"code": "AAAA-AAAA"}).status_code == 403


def test_pairing_code_for_a_store_refuses_another_store(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    code = admin.create_pairing_code(backend.admin_url, tenant, store="Moda")["code"]
    answer = http.post("/v1/pair", json={"code": code, "store_name": "Bostancı"})
    assert answer.status_code == 409 and answer.json()["code"] == "pairing_store_mismatch"


def test_push_then_pull_in_server_seq_order(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a, b = pair(http, backend, tenant), pair(http, backend, tenant)
    first = push(http, a, events(a["terminal_id"], range(1, 11))).json()
    assert len(first["accepted"]) == 10 and first["acked_seq"] == 10
    assert first["instance_id"] == a["instance_id"]
    second = push(http, b, events(b["terminal_id"], range(1, 6))).json()
    assert second["last_server_seq"] == 15
    pulled = pull_all(http, b)
    assert [p["server_seq"] for p in pulled] == list(range(1, 16))
    assert [p["event"]["terminal_id"] for p in pulled] == [a["terminal_id"]] * 10 + [b["terminal_id"]] * 5
    assert pulled[0]["event"]["payload"]["note"] == "Çiğdem Işık"
    assert pull_all(http, b, after=15) == []


def test_repush_changes_nothing(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a = pair(http, backend, tenant)
    batch = events(a["terminal_id"], range(1, 21))
    push(http, a, batch)
    again = push(http, a, batch[5:] + batch[:5]).json()
    assert again["accepted"] == [] and len(again["duplicate"]) == 20
    assert again["last_server_seq"] == 20 and again["acked_seq"] == 20
    assert len(pull_all(http, a)) == 20


def test_same_id_other_payload_is_rejected_and_flagged(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a = pair(http, backend, tenant)
    batch = events(a["terminal_id"], range(1, 4))
    push(http, a, batch)
    forged = {**batch[1], "payload": {"total": 999999}}
    answer = push(http, a, [batch[0], forged, *events(a["terminal_id"], [4])]).json()
    assert answer["duplicate"] == [batch[0]["id"]] and len(answer["accepted"]) == 1
    assert answer["rejected"] == [{"id": forged["id"], "seq": 2, "reason": "payload_mismatch"}]
    stored = http.get(f"/v1/events/{forged['id']}", headers={"Authorization": a["auth"]}).json()
    assert stored["event"]["payload"] == {"total": 200, "note": "Çiğdem Işık"}
    flagged = http.get("/v1/conflicts", headers={"Authorization": a["auth"]}).json()["conflicts"]
    assert [(c["event_id"], c["reason"]) for c in flagged] == [(forged["id"], "payload_mismatch")]
    assert flagged[0]["event"]["payload"] == {"total": 999999}
    push(http, a, [forged])  # the same rejected content is flagged once
    assert len(http.get("/v1/conflicts", headers={"Authorization": a["auth"]}).json()["conflicts"]) == 1


def test_seq_held_by_another_id_is_rejected_and_flagged(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a = pair(http, backend, tenant)
    push(http, a, events(a["terminal_id"], range(1, 4)))
    other = events(a["terminal_id"], [3])
    answer = push(http, a, other).json()
    assert answer["rejected"] == [{"id": other[0]["id"], "seq": 3, "reason": "seq_taken"}]
    assert answer["last_server_seq"] == 3
    flagged = http.get("/v1/conflicts", headers={"Authorization": a["auth"]}).json()["conflicts"]
    assert flagged[0]["reason"] == "seq_taken" and flagged[0]["existing_event_id"] != other[0]["id"]


def test_pushing_another_terminals_events_is_forbidden(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a, b = pair(http, backend, tenant), pair(http, backend, tenant)
    answer = push(http, a, events(a["terminal_id"], [1]) + events(b["terminal_id"], [1]))
    assert answer.status_code == 403 and answer.json()["code"] == "foreign_terminal"
    assert pull_all(http, a) == []


def test_tenant_isolation_on_every_endpoint(http: httpx.Client, backend: Backend) -> None:
    shop_a, shop_b = new_tenant(backend), new_tenant(backend)
    a, b = pair(http, backend, shop_a), pair(http, backend, shop_b)
    batch = events(a["terminal_id"], range(1, 6))
    push(http, a, batch)
    push(http, a, [{**batch[0], "payload": {"forged": True}}])  # a conflict in shop A
    as_b = {"Authorization": b["auth"]}
    checked = {
        ("get", "/health"): http.get("/health").status_code == 200,
        ("post", "/v1/pair"): True,  # a code is bound to its tenant: see the pairing tests
        ("get", "/v1/events"): http.get("/v1/events", headers=as_b).json()["events"] == [],
        ("post", "/v1/events"): push(http, b, events(a["terminal_id"], [6])).status_code == 403,
        ("get", "/v1/events/{event_id}"):
            http.get(f"/v1/events/{batch[0]['id']}", headers=as_b).status_code == 404,
        ("get", "/v1/terminals/{terminal_id}"):
            http.get(f"/v1/terminals/{a['terminal_id']}", headers=as_b).status_code == 404,
        ("get", "/v1/conflicts"):
            http.get("/v1/conflicts", headers=as_b).json()["conflicts"] == [],
        ("get", "/v1/members/{member_id}/balances"):
            http.get(f"/v1/members/{batch[0]['id']}/balances", headers=as_b).status_code == 404,
        ("get", "/v1/reports/monthly"): http.get(
            "/v1/reports/monthly", params={"month": "2026-11"}, headers=as_b
        ).json()["folded_through"] == 0,
        ("get", "/v1/sync/status"):
            http.get("/v1/sync/status", headers=as_b).json()["last_server_seq"] == 0,
    }
    documented = {
        (method, path)
        for path, item in http.get("/openapi.json").json()["paths"].items() for method in item
    }
    assert set(checked) == documented, "a new endpoint needs its isolation check here"
    assert all(checked.values()), checked
    assert len(pull_all(http, a)) == 5  # shop B's attempts changed nothing in shop A


def test_same_terminal_id_in_two_tenants_is_two_terminals(http: httpx.Client, backend: Backend) -> None:
    shared_id = str(uuid.uuid4())
    a = pair(http, backend, new_tenant(backend), terminal_id=shared_id)
    b = pair(http, backend, new_tenant(backend), terminal_id=shared_id)
    push(http, a, events(shared_id, range(1, 4)))
    answer = push(http, b, events(shared_id, range(1, 3))).json()
    assert len(answer["accepted"]) == 2 and answer["last_server_seq"] == 2
    assert len(pull_all(http, a)) == 3 and len(pull_all(http, b)) == 2


def test_revoked_token_gets_401_everywhere(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a = pair(http, backend, tenant)
    headers = {"Authorization": a["auth"]}
    assert http.get("/v1/sync/status", headers=headers).status_code == 200
    admin.revoke_terminal(backend.admin_url, tenant, a["terminal_id"])
    answers = [
        http.get("/v1/sync/status", headers=headers),
        http.get("/v1/events", headers=headers),
        http.post("/v1/events", json={"events": []}, headers=headers),
        http.get("/v1/conflicts", headers=headers),
        http.get(f"/v1/terminals/{a['terminal_id']}", headers=headers),
    ]
    assert [r.status_code for r in answers] == [401] * 5
    assert answers[0].headers["WWW-Authenticate"] == "Bearer"
    assert http.get("/v1/events").status_code == 401
    assert http.get("/v1/events", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_too_large_is_413(http: httpx.Client, backend: Backend) -> None:
    tenant = new_tenant(backend)
    a = pair(http, backend, tenant)
    too_many = push(http, a, events(a["terminal_id"], range(1, 502)))
    assert too_many.status_code == 413 and too_many.json()["code"] == "batch_too_large"
    huge = events(a["terminal_id"], [1], payload={"blob": "x" * (5 * 1024 * 1024)})
    too_big = push(http, a, huge)
    assert too_big.status_code == 413 and too_big.json()["code"] == "body_too_large"

    def chunks() -> Any:
        for _ in range(5):
            yield b" " * (1024 * 1024)

    streamed = http.post("/v1/events", content=chunks(), headers={"Authorization": a["auth"]})
    assert streamed.status_code == 413
    assert pull_all(http, a) == []


def test_rate_limit_answers_429_with_retry_after(http: httpx.Client, backend: Backend) -> None:
    a = pair(http, backend, new_tenant(backend))
    headers = {"Authorization": a["auth"]}
    for _ in range(300):
        answer = http.get("/v1/sync/status", headers=headers)
        if answer.status_code == 429:
            break
    assert answer.status_code == 429 and answer.json()["code"] == "rate_limited"
    wait = int(answer.headers["Retry-After"])
    assert wait >= 1
    time.sleep(wait)
    assert http.get("/v1/sync/status", headers=headers).status_code == 200


def test_status_reports_high_water_mark_over_gaps(http: httpx.Client, backend: Backend) -> None:
    a = pair(http, backend, new_tenant(backend))
    batch = events(a["terminal_id"], range(1, 11))
    assert push(http, a, batch[5:]).json()["acked_seq"] == 0  # 6..10 held, 1..5 missing
    assert push(http, a, batch[:3]).json()["acked_seq"] == 3
    assert push(http, a, batch[3:5]).json()["acked_seq"] == 10
    status = http.get("/v1/sync/status", headers={"Authorization": a["auth"]}).json()
    assert status["acked_seq"] == 10 and status["pull_floor"] is None
    assert status["instance_id"] == a["instance_id"]


def test_health_and_openapi(http: httpx.Client) -> None:
    health = http.get("/health").json()
    assert health["status"] == "ok" and health["schema_version"] == latest_version(SQLITE_MIGRATIONS)
    document = http.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/v1/events" in document["paths"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_odd_but_valid_events_round_trip(http: httpx.Client, backend: Backend) -> None:
    a = pair(http, backend, new_tenant(backend))
    odd = events(a["terminal_id"], [1, 2])
    odd[0]["payload"] = {"nul": "a\u0000b", "emoji": "🧾", "name": "İĞÜŞÖÇ ığüşöç", "deep": [[{}]]}
    odd[1] |= {"seq": 2.0, "future_field": {"x": 1}}
    answer = push(http, a, odd).json()
    assert len(answer["accepted"]) == 2 and answer["acked_seq"] == 2
    pulled = [p["event"] for p in pull_all(http, a)]
    assert pulled[0]["payload"] == odd[0]["payload"]
    assert pulled[1]["seq"] == 2 and pulled[1]["future_field"] == {"x": 1}
    assert push(http, a, odd).json()["duplicate"] == [odd[0]["id"], odd[1]["id"]]
    for bad in ({"seq": "3"}, {"seq": True}, {"seq": 3.5}, {"id": "a b"}, {"kind": "Sale"}):
        assert push(http, a, events(a["terminal_id"], [3], **bad)).status_code == 422, bad
