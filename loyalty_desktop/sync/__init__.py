"""Terminal-side sync: pair once, then push own events and pull the others' in the background."""

from .client import SyncClient, SyncReport, pair, pair_terminal
from .errors import SyncError
from .loop import SyncLoop, SyncStatus, backoff_delay
from .protocol import LocalSyncStore

__all__ = [
    "LocalSyncStore", "SyncClient", "SyncError", "SyncLoop", "SyncReport", "SyncStatus",
    "backoff_delay", "pair", "pair_terminal",
]
