"""Secrets and who may call: bearer tokens, one-time pairing codes, per-token rate limits."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .storage import SqlStorage, TerminalAuth

# No 0/O, 1/I/L, 5/S or 8/B: a code read aloud or typed from a phone is typed right.
PAIRING_ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"
PAIRING_CODE_LENGTH = 8
TOKEN_BYTES = 32

bearer_scheme = HTTPBearer(auto_error=False, description="The token a terminal got by pairing.")


@dataclass
class ApiError(Exception):
    """An HTTP error with a stable code, answered as {"code", "message"}."""

    status: int
    code: str
    message: str
    headers: dict[str, str] | None = None


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a token or code: only hashes are stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A terminal's bearer token: 32 random bytes, URL-safe text."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_pairing_code() -> str:
    """A short one-time code from an unambiguous alphabet."""
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A typed code without spaces or dashes, upper case."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def format_code(code: str) -> str:
    """A code as people read it: ABCD-EFGH."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def storage_of(request: Request) -> SqlStorage:
    """The app's storage (opened by the lifespan)."""
    return request.app.state.storage  # type: ignore[no-any-return]


def take_or_refuse(request: Request, key: str, rate: float, burst: float) -> None:
    """Take one request from the bucket `key`, or answer 429 with Retry-After."""
    wait = storage_of(request).take_token(key, request.app.state.clock(), rate, burst)
    if wait is not None:
        raise _too_many(wait)


def _too_many(wait: float) -> ApiError:
    """The 429 answer, with whole seconds to wait in Retry-After."""
    return ApiError(
        429, "rate_limited", "Too many requests; try again later.",
        {"Retry-After": str(max(1, math.ceil(wait)))},
    )


def authorized(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> TerminalAuth:
    """The terminal behind the bearer token (401 if missing, unknown or revoked; 429 if too fast)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "unauthorized", "A bearer token is needed.", _CHALLENGE)
    settings = request.app.state.settings
    auth, wait = storage_of(request).authorize(
        hash_secret(credentials.credentials), request.app.state.clock(),
        settings.rate_per_second, settings.rate_burst,
    )
    if auth is None:
        raise ApiError(401, "unauthorized", "This token is unknown or revoked.", _CHALLENGE)
    if wait is not None:
        raise _too_many(wait)
    return auth


def limit_pairing(request: Request) -> None:
    """Rate-limit pairing attempts per client address (guessing codes is slow)."""
    settings = request.app.state.settings
    host = request.client.host if request.client else "unknown"
    take_or_refuse(request, "pair:" + host, settings.pair_rate_per_second, settings.pair_rate_burst)


_CHALLENGE = {"WWW-Authenticate": "Bearer"}
