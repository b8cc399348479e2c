"""The window's background sync: network on the loop's thread, store calls through the worker."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import ServerProcess
from loyalty_desktop.services import open_terminal
from loyalty_desktop.services.sync_adapter import TerminalSyncStore
from loyalty_desktop.sync.client import pair_terminal
from loyalty_desktop.ui.sync_bridge import BackgroundSync
from loyalty_desktop.ui.worker import TerminalWorker

IST = ZoneInfo("Europe/Istanbul")


def test_background_sync_pushes_sales_without_blocking_the_worker(qtbot, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    admin.migrate(db_url)
    tenant = admin.add_tenant(db_url, "Zincir")
    server = ServerProcess(db_url).start()
    term = open_terminal(tmp_path / "t")
    worker = None
    sync = None
    try:
        term.init_shop("Zincir", "Sahip", "2468", at=datetime(2026, 1, 1, 9, tzinfo=IST))
        code = admin.create_pairing_code(db_url, tenant["tenant_id"])["code"]
        pair_terminal(TerminalSyncStore(term), server.url, code)
        member = term.enrol("Arka Plan", at=datetime(2026, 1, 1, 10, tzinfo=IST))
        worker = TerminalWorker(term)
        sync = BackgroundSync(worker, interval=3600)
        seen = []
        sync.changed.connect(seen.append)
        assert sync.start_if_paired(worker.run_now(lambda t: t.sync_state()))
        qtbot.waitUntil(lambda: any(s.online for s in seen), timeout=20_000)
        started = time.monotonic()
        sale = worker.run_now(lambda t: t.sale(member["member_id"], 25_000))
        assert time.monotonic() - started < 5  # the worker was free while sync waited on HTTP
        sync.sync_now()
        qtbot.waitUntil(lambda: worker.run_now(lambda t: t.sync_state())["waiting"] == 0,
                        timeout=20_000)
        with admin.admin_storage(db_url) as storage:
            held = [body for _, body in storage.pull(1, 0, 500)]
        assert any(sale["sale_id"] in body for body in held)
    finally:
        if sync is not None:
            sync.stop()
        if worker is not None:
            worker.shutdown()
        term.close()
        server.stop()


def test_not_paired_means_no_loop(qtbot, tmp_path):
    term = open_terminal(tmp_path / "t")
    worker = TerminalWorker(term)
    try:
        sync = BackgroundSync(worker)
        assert not sync.start_if_paired(worker.run_now(lambda t: t.sync_state()))
        sync.stop()
    finally:
        worker.shutdown()
        term.close()
