"""`GET /v1/reports/monthly` and the background projector that keeps the report rollups current.

The projector runs in each server process beside the app, never inside a push: a push only
wakes it (after `report_rollup_delay` seconds, so a burst of pushes is folded once), and a
timer runs it every `report_rollup_seconds` anyway. Several processes may run it at once;
`report_rollups` locks each tenant's cursor, so nothing is folded twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.clock import UTC
from ..domain.report_math import parse_month
from .auth import authorized, storage_of
from .models import ErrorResponse
from .report_chain import chain_monthly_report
from .report_rollups import fold_tenants
from .storage import SqlStorage, TerminalAuth

log = logging.getLogger(__name__)
router = APIRouter()


@router.get(
    "/v1/reports/monthly", tags=["managers"], response_model=dict[str, Any],
    responses={401: {"model": ErrorResponse, "description": "missing or revoked token"},
               422: {"model": ErrorResponse, "description": "month is not YYYY-MM"},
               429: {"model": ErrorResponse, "description": "rate limited"}},
)
async def monthly_report(
    request: Request,
    month: str = Query(..., pattern=r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM, shop time"),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """The chain's monthly loyalty report for the token's tenant: the terminal report's
    sections the server can compute, a per-store breakdown, and `omitted` (what it cannot)."""
    year, number = parse_month(month)
    now = datetime.fromtimestamp(request.app.state.clock(), UTC)
    storage = storage_of(request)
    return await run_in_threadpool(chain_monthly_report, storage, who.tenant_pk, year, number,
                                   now)


class RollupWorker:
    """Runs the projector after pushes and on a timer, in a worker thread.

    After a push it waits for `delay` seconds without pushes (a burst of batches is folded
    once, after it, instead of competing with it for the CPU and the database), but never
    longer than `interval` after the first push, so rollups keep up under a steady stream.
    """

    def __init__(self, storage: SqlStorage, interval: float, delay: float) -> None:
        self.storage, self.interval, self.delay = storage, interval, delay
        self.wake = asyncio.Event()
        self.last_push = 0.0
        self.runs = 0

    def pushed(self) -> None:
        """A push was stored: fold once pushes pause."""
        self.last_push = time.monotonic()
        self.wake.set()

    async def run(self) -> None:
        """Fold, then wait for a push or the timer; errors are logged, the loop goes on."""
        while True:
            try:
                await run_in_threadpool(fold_tenants, self.storage)
                self.runs += 1
            except Exception:  # the database may be away for a while: try again later
                log.exception("report rollup failed; retrying in %s s", self.interval)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.interval)
            if self.wake.is_set():
                await self._quiet()
                self.wake.clear()

    async def _quiet(self) -> None:
        """Sleep until pushes have paused for `delay`, or `interval` has passed."""
        latest = time.monotonic() + self.interval
        while True:
            now = time.monotonic()
            wait = min(self.last_push + self.delay, latest) - now
            if wait <= 0:
                return
            await asyncio.sleep(wait)


@contextlib.asynccontextmanager
async def rollup_worker(storage: SqlStorage, interval: float, delay: float
                        ) -> AsyncIterator[RollupWorker | None]:
    """The worker running for the app's life (None when `interval` is 0: disabled)."""
    if interval <= 0:
        yield None
        return
    worker = RollupWorker(storage, interval, delay)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class PushWatcher:
    """ASGI middleware: wake the rollup worker after a push answered 200 (nothing else)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through; note a successful POST /v1/events."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/events":
            await self.app(scope, receive, send)
            return

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                worker = getattr(scope["app"].state, "rollups", None)
                if worker is not None:
                    worker.pushed()
            await send(message)

        await self.app(scope, receive, watched)
