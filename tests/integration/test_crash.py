"""Kill a process doing sales with SIGKILL at random moments: nothing half-written, nothing lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loyalty_desktop.services import open_terminal

ITERATIONS = int(os.environ.get("LOYALTY_CRASH_ITERATIONS", "25"))


@pytest.mark.slow
def test_sigkill_during_sales_loses_nothing_committed(tmp_path):
    data = tmp_path / "d"
    with open_terminal(data) as term:
        term.init_shop("Crash Test", "Owner", "1234")
        card = term.enrol("Çökme Testi")["card_number"]
    rng = random.Random(42)
    reported: list[str] = []
    child = Path(__file__).with_name("crash_child.py")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    for i in range(ITERATIONS):
        proc = subprocess.Popen([sys.executable, str(child), str(data), card, str(i)],
                                stdout=subprocess.PIPE, text=True, env=env)
        first = proc.stdout.readline()  # the child is up and has committed one sale
        if first:
            reported.append(first.strip())
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        reported.extend(line.strip() for line in out.splitlines() if line.strip())
    with open_terminal(data) as term:
        report = term.check()
        assert report["ok"], report
        stored = {r[0] for r in term.db.execute("SELECT sale_id FROM sales")}
        assert set(reported) <= stored
        ledger_sales = {r[0] for r in term.db.execute(
            "SELECT ref FROM ledger WHERE kind = 'sale'")}
        assert ledger_sales == stored  # no sale without its ledger rows, and the reverse
        assert term.db.execute("SELECT COUNT(*) FROM sales WHERE result = '{}'").fetchone()[0] == 0
    assert len(reported) >= ITERATIONS
