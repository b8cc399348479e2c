"""The server's protocol version 1 over HTTP (httpx), with every failure turned into a SyncError."""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import orjson

from . import errors
from .errors import SyncError

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def verify_option(ca_file: str | None, verify: bool = True) -> ssl.SSLContext | bool:
    """httpx's `verify`: certificates checked by default, against `ca_file` when given."""
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return verify


def make_http_client(
    server_url: str,
    token: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    ca_file: str | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
) -> httpx.Client:
    """An httpx client for one server (and one token)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(
        base_url=server_url.rstrip("/"),
        headers=headers,
        transport=transport,
        verify=verify_option(ca_file),
        timeout=timeout,
    )


class ServerApi:
    """One method per protocol call; answers are parsed JSON, failures SyncError."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def pair(self, code: str, **fields: Any) -> dict[str, Any]:
        """POST /v1/pair: a one-time code for this terminal's token."""
        body = {"code": code, **{k: v for k, v in fields.items() if v is not None}}
        return self._call("POST", "/v1/pair", json=body)

    def status(self, known_instance: str | None) -> dict[str, Any]:
        """GET /v1/sync/status: where to push from, where to pull again after a restore."""
        params = {"known_instance": known_instance} if known_instance else None
        return self._call("GET", "/v1/sync/status", params=params)

    def push(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """POST /v1/events: a batch of own events."""
        return self._call("POST", "/v1/events", json={"events": events})

    def pull(self, after: int, limit: int) -> dict[str, Any]:
        """GET /v1/events: a page of the tenant's events after a cursor."""
        return self._call("GET", "/v1/events", params={"after": after, "limit": limit})

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send one request; return its JSON or raise a SyncError saying why not."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise SyncError(
                f"The server cannot be reached ({type(exc).__name__}).", code=errors.OFFLINE
            ) from exc
        if response.status_code != 200:
            raise _http_error(response)
        try:
            answer = _json(response)
        except ValueError as exc:
            raise SyncError("The server's answer is not JSON.", code=errors.PROTOCOL) from exc
        if not isinstance(answer, dict):
            raise SyncError("The server's answer is not a JSON object.", code=errors.PROTOCOL)
        return answer


def _json(response: httpx.Response) -> Any:
    """The answer's JSON: orjson (a catch-up page of 500 events parses in a fifth of the
    standard library's time), the standard library for what orjson refuses (integers beyond
    64 bits, NaN), which raises ValueError for text that is not JSON."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.json()


_CODE_BY_STATUS = {
    401: errors.UNAUTHORIZED,
    403: errors.FORBIDDEN,
    413: errors.TOO_LARGE,
    429: errors.RATE_LIMITED,
}


def _http_error(response: httpx.Response) -> SyncError:
    """The SyncError for a non-200 answer, with the server's message and Retry-After."""
    status = response.status_code
    code = _CODE_BY_STATUS.get(status) or (
        errors.SERVER_ERROR if status >= 500 else errors.REJECTED
    )
    try:
        message = str(response.json().get("message") or response.reason_phrase)
    except (ValueError, AttributeError):
        message = response.reason_phrase or f"HTTP {status}"
    return SyncError(
        f"Server answered {status}: {message}",
        code=code,
        retry_after=_retry_after(response.headers.get("Retry-After")),
        status=status,
    )


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is treated as absent)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
