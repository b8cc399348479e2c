"""The ASGI app factory: storage opened by the lifespan, limits, errors as {"code", "message"}."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import psycopg_pool
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loyalty_desktop import __version__
from loyalty_desktop.domain.errors import (
    InvalidInput,
    LoyaltyError,
    NotFound,
    PermissionDenied,
    Refused,
)

from .api import router
from .balances import router as balances_router
from .report_api import PushWatcher, rollup_worker
from .report_api import router as report_router
from .auth import ApiError
from .models import PUSH_REQUEST
from .settings import ServerSettings
from .storage import open_storage

STATUS_BY_ERROR: tuple[tuple[type[LoyaltyError], int], ...] = (
    (InvalidInput, 422), (NotFound, 404), (PermissionDenied, 403), (Refused, 409),
)
DATABASE_DOWN = (psycopg.OperationalError, psycopg_pool.PoolTimeout, sqlite3.OperationalError)


def create_app(
    db_url: str,
    *,
    settings: ServerSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Build the server for a database URL (SQLite path or postgresql://); no state outside it."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the storage at start, close it at shutdown."""
        app.state.storage = await run_in_threadpool(open_storage, db_url, settings)
        try:
            async with rollup_worker(app.state.storage, settings.report_rollup_seconds,
                                     settings.report_rollup_delay) as app.state.rollups:
                yield
        finally:
            await run_in_threadpool(app.state.storage.close)

    app = FastAPI(
        title="Loyalty Desktop sync server",
        version=__version__,
        description="Terminals push their events and pull the others' (protocol version 1).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.include_router(router)
    app.include_router(balances_router)
    app.include_router(report_router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    _install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PushWatcher)
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus the push body's schema (validated from raw bytes, not by FastAPI)."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        body = PUSH_REQUEST.json_schema(ref_template="#/components/schemas/{model}")
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(body.pop("$defs", {}))
        schemas["PushRequest"] = body
        app.openapi_schema = document
    return app.openapi_schema


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error answer."""
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    """Map every error to {"code", "message"} with the right status."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(LoyaltyError)
    async def loyalty_error(_: Request, exc: LoyaltyError) -> JSONResponse:
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 503)
        return _error(status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, "invalid_input", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = getattr(exc, "code", "http_error")
        headers = exc.headers
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers = {"Allow": ", ".join(_allowed_methods(request))}
        return _error(exc.status_code, code, str(exc.detail), headers)

    for error in DATABASE_DOWN:

        @app.exception_handler(error)
        async def database_down(_: Request, exc: Exception) -> JSONResponse:
            return _error(503, "database_unavailable", "The database is not answering.",
                          {"Retry-After": "5"})


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route offers for the request's path."""
    path = request.url.path
    return sorted({
        method for route in request.app.routes
        if isinstance(route, APIRoute) and route.path_regex.match(path)
        for method in route.methods
    })


class BodyLimit:
    """Answer 413 to a request body over the limit, before the app reads it all."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length, then count what is streamed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _too_large(self.max_bytes)(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised while the app reads a streamed body that passes the limit (answered 413)."""

    code = "body_too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is over {max_bytes} bytes.")


def _too_large(max_bytes: int) -> Any:
    """The 413 answer."""
    return _error(413, BodyTooLarge.code, f"The request body is over {max_bytes} bytes.")
