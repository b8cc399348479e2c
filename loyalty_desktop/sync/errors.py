"""Sync failures: each has a stable code the status bar translates; none is the user's fault."""

from __future__ import annotations

from loyalty_desktop.domain.errors import LoyaltyError

OFFLINE = "sync_offline"  # no connection, timeout, connection dropped
NOT_PAIRED = "sync_not_paired"
UNAUTHORIZED = "sync_unauthorized"  # 401: token revoked or unknown, pair again
FORBIDDEN = "sync_forbidden"  # 403
TOO_LARGE = "sync_too_large"  # 413
RATE_LIMITED = "sync_rate_limited"  # 429
SERVER_ERROR = "sync_server_error"  # 5xx
REJECTED = "sync_rejected"  # another 4xx
PROTOCOL = "sync_protocol"  # an answer the client does not understand
SERVER_CHANGED = "sync_server_changed"  # the instance id changed during a run
PAIRING_FAILED = "sync_pairing_failed"


class SyncError(LoyaltyError):
    """A sync run that could not finish; nothing local is lost, the next run resumes."""

    code = OFFLINE
    exit_code = 1

    def __init__(
        self, message: str, *, code: str, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.status = status
