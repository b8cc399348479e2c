"""Background sync: sync_once on a plain thread, backoff with jitter, a status for the status bar."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import errors
from .client import SyncClient, SyncReport
from .errors import SyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the status bar (safe to read from any thread)."""

    paired: bool = True
    online: bool | None = None  # None until the first attempt ends
    syncing: bool = False
    waiting_events: int = 0
    last_sync_at: str | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    consecutive_failures: int = 0
    next_attempt_in: float | None = None
    last_report: SyncReport | None = None


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped."""
    ceiling = min(cap, base * 2 ** max(0, failures - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class SyncLoop:
    """Runs a SyncClient every `interval` seconds off the caller's thread; never raises into it.

    `on_change(status)` is called from the loop's thread after each attempt (a Qt caller
    forwards it with a signal).
    """

    def __init__(
        self,
        client: SyncClient,
        *,
        interval: float = 30.0,
        min_backoff: float = 2.0,
        max_backoff: float = 300.0,
        rng: random.Random | None = None,
        on_change: Callable[[SyncStatus], None] | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.rng = rng or random.Random()
        self.on_change = on_change
        self._status = SyncStatus()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def status(self) -> SyncStatus:
        """The latest snapshot."""
        with self._lock:
            return self._status

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="loyalty-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its attempt and stop; wait up to `timeout` seconds."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.client.close()

    def sync_now(self) -> None:
        """Run an attempt as soon as possible (e.g. right after a sale or a button press)."""
        self._wake.set()

    def _run(self) -> None:
        """Attempt, wait, repeat until stopped."""
        while not self._stop.is_set():
            delay = self.run_once()
            self._update(next_attempt_in=delay)
            self._wake.wait(delay)
            self._wake.clear()

    def run_once(self) -> float:
        """One attempt; returns the seconds to wait before the next one."""
        self._update(syncing=True)
        previous = self.status()
        try:
            report = self.client.sync_once()
        except SyncError as error:
            delay = self._failed(previous, error.code, error.message, error.retry_after)
        except Exception as error:  # a bug must not kill the loop: report it and back off
            log.exception("sync attempt failed")
            delay = self._failed(previous, "sync_failed", f"{type(error).__name__}: {error}", None)
        else:
            self._update(
                paired=True, online=True, last_sync_at=self._last_sync_at(), last_error=None,
                last_error_code=None, consecutive_failures=0, last_report=report,
            )
            delay = self.interval
        self._update(syncing=False, waiting_events=self._waiting(previous.waiting_events))
        if self.on_change is not None:
            try:
                self.on_change(self.status())
            except Exception:
                log.exception("sync status callback failed")
        return delay

    def _failed(self, previous: SyncStatus, code: str, message: str, retry_after: float | None) -> float:
        """Record a failed attempt; the delay grows with each failure in a row."""
        if code == errors.NOT_PAIRED:
            self._update(paired=False, online=False, last_error=message, last_error_code=code)
            return self.interval
        failures = previous.consecutive_failures + 1
        delay = backoff_delay(failures, self.min_backoff, self.max_backoff, self.rng)
        if retry_after is not None:
            delay = max(delay, retry_after)
        self._update(
            online=code == errors.RATE_LIMITED, last_error=message, last_error_code=code,
            consecutive_failures=failures,
        )
        return delay

    def _last_sync_at(self) -> str | None:
        """The last successful sync time the store saved."""
        try:
            return self.client.store.sync_state().get("last_sync_at")
        except Exception:
            log.exception("reading the sync state failed")
            return None

    def _waiting(self, fallback: int) -> int:
        """Own events not yet confirmed by the server (the previous count if the store fails)."""
        try:
            return self.client.waiting_events()
        except Exception:
            log.exception("counting waiting events failed")
            return fallback

    def _update(self, **changes: object) -> None:
        """Replace the snapshot with some fields changed."""
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
