"""Errors a user can cause: each carries a stable code and a readable message."""

from __future__ import annotations


class LoyaltyError(Exception):
    """Base for every error the user can cause; nothing is written when it is raised."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of the error (the CLI contract)."""
        return {"code": self.code, "message": self.message}


class InvalidInput(LoyaltyError):
    """Malformed input: an amount, a date, a payload that cannot be read."""

    code = "invalid_input"
    exit_code = 2


class NotFound(LoyaltyError):
    """A member, card, sale or coupon that does not exist."""

    code = "not_found"
    exit_code = 2


class Refused(LoyaltyError):
    """A well-formed request the rules refuse (expired coupon, refund over remainder...)."""

    code = "refused"
    exit_code = 2


class PermissionDenied(LoyaltyError):
    """Wrong PIN, a locked account or a role that may not do this."""

    code = "permission_denied"
    exit_code = 2


class StoreError(LoyaltyError):
    """The data directory cannot be used (locked, newer version, damaged)."""

    code = "store_error"
    exit_code = 1
