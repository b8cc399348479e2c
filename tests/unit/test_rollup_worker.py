"""The server's background report projector waits for a burst of pushes to end."""

from __future__ import annotations

import asyncio
import time

from loyalty_desktop.server import report_api


def run_worker(monkeypatch, interval, delay, push_for, push_every=0.02, after=0.6):
    """Start a worker, push for `push_for` seconds, wait `after`; (fold times, burst end)."""
    folds: list[float] = []
    monkeypatch.setattr(report_api, "fold_tenants", lambda storage: folds.append(time.monotonic()))

    async def scenario():
        worker = report_api.RollupWorker(object(), interval, delay)
        task = asyncio.create_task(worker.run())
        await asyncio.sleep(0.1)  # the fold at start
        end = time.monotonic() + push_for
        while time.monotonic() < end:
            worker.pushed()
            await asyncio.sleep(push_every)
        burst_end = time.monotonic()
        await asyncio.sleep(after)
        task.cancel()
        return burst_end

    burst_end = asyncio.run(scenario())
    return folds, burst_end


def test_a_burst_of_pushes_is_folded_once_after_it(monkeypatch):
    folds, burst_end = run_worker(monkeypatch, interval=30, delay=0.2, push_for=1.0)
    assert len(folds) == 2  # at start, then once after the burst
    assert burst_end + 0.15 <= folds[1] <= burst_end + 0.5


def test_a_steady_stream_is_still_folded_every_interval(monkeypatch):
    folds, burst_end = run_worker(monkeypatch, interval=0.4, delay=0.2, push_for=1.5)
    during = [f for f in folds[1:] if f < burst_end]
    assert len(during) >= 2  # no quiet moment, yet the rollups keep up
