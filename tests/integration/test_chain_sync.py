"""Two terminals with their own data sell offline to the same members, sync through a real server,
and end with identical balances, lots, coupons and tiers."""

from __future__ import annotations

import random
import shutil
import sqlite3

import httpx
import pytest

from loyalty_desktop.server import admin
from loyalty_desktop.server.balances import member_state
from loyalty_desktop.server.testing import ServerProcess
from loyalty_desktop.services import open_terminal
from loyalty_desktop.store import database as dbm
from loyalty_desktop.services.sync_adapter import TerminalSyncStore
from loyalty_desktop.sync.client import SyncClient, pair_terminal

from .conftest import t

MANAGER_PIN = "9876"


def _server_events(term) -> list[dict]:
    """Every event the server holds for this terminal's tenant, read over HTTP."""
    state = term.sync_state()
    events, cursor = [], 0
    with httpx.Client(base_url=state["server_url"],
                      headers={"Authorization": f"Bearer {state['token']}"}) as client:
        while True:
            page = client.get("/v1/events", params={"after": cursor, "limit": 500}).json()
            events += [item["event"] for item in page["events"]]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return events


def _server_balances(term, member_id: str, when) -> dict:
    """The member's balances as the server computes them (GET /v1/members/{id}/balances)."""
    state = term.sync_state()
    with httpx.Client(base_url=state["server_url"],
                      headers={"Authorization": f"Bearer {state['token']}"}) as client:
        answer = client.get(f"/v1/members/{member_id}/balances",
                            params={"at": when.isoformat()})
        assert answer.status_code == 200, answer.text
        return answer.json()


def _sync(term) -> dict:
    with SyncClient(TerminalSyncStore(term)) as client:
        return client.sync_once()


@pytest.fixture
def chain(tmp_path):
    yield from _chain(tmp_path)


@pytest.fixture
def clashing_chain(tmp_path, monkeypatch):
    """Two terminals that drew the same card key id (42)."""
    import secrets

    drawn = secrets.choice
    monkeypatch.setattr(secrets, "choice", lambda seq: 42 if isinstance(seq, list) and 42 in seq
                        else drawn(seq))  # the key id from 1-99 (not the pairing code's letters)
    yield from _chain(tmp_path)


def _chain(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    admin.migrate(db_url)
    tenant = admin.add_tenant(db_url, "Zincir Kahve")
    server = ServerProcess(db_url).start()
    terms = []
    try:
        for i, name in enumerate(("Kadıköy", "Beşiktaş")):
            term = open_terminal(tmp_path / f"t{i}")
            term.init_shop("Zincir Kahve", f"Sahip {i}", f"24{i}8", at=t("2025-01-01 09:00"))
            term.add_staff("Müdür", "manager", MANAGER_PIN, by_pin=f"24{i}8")
            code = admin.create_pairing_code(db_url, tenant["tenant_id"], store=name)["code"]
            pair_terminal(TerminalSyncStore(term), server.url, code, store_name=name)
            terms.append(term)
        yield terms
    finally:
        for term in terms:
            term.close()
        server.stop()


def test_offline_sales_converge_across_terminals(chain):
    a, b = chain
    members = [a.enrol(f"Üye {i} Şahin", phone=f"0532100{i:04d}", at=t("2026-01-01 09:00"))
               for i in range(3)]
    _sync(a)
    _sync(b)  # B learns the members and A's card key
    assert b.scan(members[0]["card_payload"])["member_id"] == members[0]["member_id"]
    rng = random.Random(4)
    for day in range(2, 20):  # both offline, selling to the same members
        for term in (a, b):
            m = rng.choice(members)["member_id"]
            view = term.member(m, at=t(f"2026-01-{day:02d} 10:00"))
            redeem = 50 if view["points"] >= 80 and rng.random() < 0.4 else 0
            s = term.sale(m, rng.randint(5_000, 120_000), redeem_points=redeem,
                          at=t(f"2026-01-{day:02d} 10:00"))
            if rng.random() < 0.15:
                term.refund(s["sale_id"], amount=s["total"] // 2, manager_pin=MANAGER_PIN,
                            at=t(f"2026-01-{day:02d} 15:00"))
    for _ in range(2):
        _sync(a)
        _sync(b)
    when = t("2026-02-01 00:00")
    for m in members:
        left, right = a.member(m["member_id"], at=when), b.member(m["member_id"], at=when)
        assert left == right
        server_side = _server_balances(a, m["member_id"], when)
        assert server_side == member_state(_server_events(a), m["member_id"], when)
        assert server_side["points"] == left["points"]
        assert server_side["wallet_available"] == left["wallet_available"]
        assert server_side["wallet_pending"] == left["wallet_pending"]
        assert server_side["tier"] == left["tier"]
        assert server_side["qualifying_spend"] == left["qualifying_spend"]
        assert server_side["coupons"] == sorted(c["code"] for c in left["coupons"])
    lots = "SELECT lot_id, remaining, expires_at FROM lots ORDER BY lot_id"
    assert a.db.execute(lots).fetchall() == b.db.execute(lots).fetchall()
    assert a.check()["ok"] and b.check()["ok"]


def test_same_points_on_two_offline_terminals_flag_an_overdraft(chain):
    a, b = chain
    m = a.enrol("Çift Harcama", at=t("2026-01-01 09:00"))
    a.adjust(m["member_id"], 400, "hediye", MANAGER_PIN, at=t("2026-01-01 09:30"))
    _sync(a)
    _sync(b)
    a.sale(m["member_id"], 40_000, redeem_points=400, at=t("2026-01-02 10:00"))
    b.sale(m["member_id"], 40_000, redeem_points=400, at=t("2026-01-02 10:01"))
    _sync(a)
    report = _sync(b)
    _sync(a)
    when = t("2026-01-03 00:00")
    left, right = a.member(m["member_id"], at=when), b.member(m["member_id"], at=when)
    assert left == right and left["points"] < 0 and "overdraft" in left["flags"]
    kinds = {c["kind"] for c in report.conflicts} | {c["kind"] for c in a.conflicts()}
    assert "overdraft" in kinds


def test_terminal_restored_from_old_backup_gets_everything_back(chain, tmp_path):
    from loyalty_desktop.services.terminal import restore_backup
    from loyalty_desktop.store.database import list_backups

    a, b = chain
    m = a.enrol("Yedek Testi", at=t("2026-01-01 09:00"))
    a.sale(m["member_id"], 10_000, at=t("2026-01-02 10:00"))
    _sync(a)
    a.backup()
    lost = a.sale(m["member_id"], 20_000, at=t("2026-01-03 10:00"))  # after the backup
    _sync(a)
    data_dir, old_id = a.data_dir, a.terminal_id
    state = a.sync_state()
    a.close()
    restore_backup(data_dir, list_backups(data_dir)[0])
    restored = open_terminal(data_dir)
    chain[0] = restored
    assert restored.terminal_id != old_id
    assert restored.sync_state()["token"] is None  # must pair again under its new identity
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    tenant = admin.list_tenants(db_url)[0]
    code = admin.create_pairing_code(db_url, tenant["tenant_id"], store="Kadıköy")["code"]
    pair_terminal(TerminalSyncStore(restored), state["server_url"], code, store_name="Kadıköy")
    _sync(restored)
    assert restored.sale_detail(lost["sale_id"])["sale_id"] == lost["sale_id"]
    new = restored.sale(m["member_id"], 30_000, at=t("2026-01-04 10:00"))
    _sync(restored)
    _sync(b)
    when = t("2026-01-05 00:00")
    assert restored.member(m["member_id"], at=when) == b.member(m["member_id"], at=when)
    assert b.sale_detail(new["sale_id"])["total"] == 30_000


def test_cards_verify_across_terminals_that_share_a_key_id(clashing_chain, tmp_path):
    a, b = clashing_chain
    keys = "SELECT key_id, COUNT(*) FROM issuer_keys GROUP BY key_id"
    assert a.db.execute(keys).fetchall() == [(42, 1)] == b.db.execute(keys).fetchall()
    ali = a.enrol("Ali Şahin", at=t("2026-01-01 09:00"))
    ayse = b.enrol("Ayşe Kaya", at=t("2026-01-01 09:05"))
    for _ in range(2):
        _sync(a)
        _sync(b)
    for term in (a, b):  # each knows both keys with id 42 and takes both terminals' cards
        assert term.db.execute(keys).fetchall() == [(42, 2)]
        assert term.scan(ali["card_payload"])["member_id"] == ali["member_id"]
        assert term.scan(ayse["card_payload"])["member_id"] == ayse["member_id"]
        assert term.db.execute("SELECT COUNT(*) FROM conflicts").fetchone()[0] == 0
    # B as an older version left it: A's key set aside as a clash; 0005 learns it from its event
    b.close()
    old = tmp_path / "b_at_0004"
    shutil.copytree(b.data_dir, old, ignore=shutil.ignore_patterns("*.lock"))
    conn = sqlite3.connect(old / dbm.DB_NAME)
    own = conn.execute("SELECT key_id, public_key, private_key, created_at FROM issuer_keys"
                       " WHERE private_key IS NOT NULL").fetchall()
    conn.execute("DROP TABLE issuer_keys")
    conn.execute("CREATE TABLE issuer_keys (key_id INTEGER PRIMARY KEY, public_key BLOB NOT NULL,"
                 " private_key BLOB, created_at TEXT NOT NULL) STRICT")
    conn.executemany("INSERT INTO issuer_keys VALUES (?, ?, ?, ?)", own)
    conn.execute("INSERT INTO conflicts (id, kind, member_id, detail, detected_at) VALUES"
                 " ('e1', 'issuer_key_clash', NULL, '{\"key_id\": 42}', '2026-01-01')")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_shared_key_ids'")
    conn.commit()
    conn.close()
    with open_terminal(old) as upgraded:
        assert upgraded.db.execute(keys).fetchall() == [(42, 2)]
        assert upgraded.scan(ali["card_payload"])["member_id"] == ali["member_id"]
        assert upgraded.db.execute("SELECT COUNT(*) FROM conflicts").fetchone()[0] == 0
        assert upgraded.check()["ok"]
