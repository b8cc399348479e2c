"""Protocol version 1: pairing, push, pull, status, conflicts. Every query is scoped to the token."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from pydantic_core import to_json

from loyalty_desktop import __version__

from . import auth
from .auth import ApiError, authorized, storage_of
from .models import (
    ID_PATTERN,
    PUSH_REQUEST,
    checked_push,
    ConflictsResponse,
    ErrorResponse,
    HealthResponse,
    PairRequest,
    PairResponse,
    PullResponse,
    PushResponse,
    StatusResponse,
    TerminalResponse,
)
from .storage import TerminalAuth
from .storage.batch import EventBatch, IncomingEvent, pull_floor

MAX_CURSOR = 2**53 - 1


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers of an operation."""
    return {status: {"model": ErrorResponse} for status in statuses}


AUTH_ERRORS = (401, 429)
router = APIRouter()


@router.get("/health", response_model=HealthResponse, tags=["server"], responses=_errors(503))
def health(request: Request) -> dict[str, Any]:
    """Liveness: the database answers, with this server's instance id and schema version."""
    storage = storage_of(request)
    return {
        "status": "ok", "instance_id": storage.instance_id(),
        "schema_version": storage.schema_version(), "version": __version__,
    }


@router.post(
    "/v1/pair", response_model=PairResponse, tags=["pairing"],
    responses=_errors(400, 403, 409, 422, 429),
)
def pair(body: PairRequest, request: Request, _: None = Depends(auth.limit_pairing)) -> dict[str, Any]:
    """Exchange a one-time pairing code for the terminal's own bearer token."""
    token = auth.new_token()
    storage = storage_of(request)
    paired = storage.pair(
        auth.hash_secret(auth.normalise_code(body.code)), request.app.state.clock(),
        body.terminal_id or str(uuid.uuid4()), body.terminal_name, body.store_name,
        auth.hash_secret(token),
    )
    return {**paired, "token": token, "instance_id": storage.instance_id()}


PUSH_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}


@router.post(
    "/v1/events", response_model=PushResponse, tags=["sync"], openapi_extra=PUSH_BODY_DOC,
    responses=_errors(*AUTH_ERRORS, 403, 413, 422),
)
async def push(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(auth.bearer_scheme),
) -> Response:
    """Store a batch of the terminal's events: idempotent by event id, one transaction."""
    raw = await request.body()
    return await run_in_threadpool(_push, request, credentials, raw)


def _push(request: Request, credentials: HTTPAuthorizationCredentials | None, raw: bytes) -> Response:
    """Authorize (as `authorized` does, in this same worker thread), validate, store, answer."""
    who = authorized(request, credentials)
    checked = checked_push(raw)
    if checked is None:
        try:
            body = PUSH_REQUEST.validate_json(raw)
        except ValidationError as error:
            raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
        batch = EventBatch.of([IncomingEvent.from_event(e) for e in body["events"]])
    else:
        batch = EventBatch(*checked)
    limit = request.app.state.settings.max_batch_events
    if len(batch.ids) > limit:
        raise ApiError(413, "batch_too_large", f"A push carries at most {limit} events.")
    if batch.terminal_ids.count(who.terminal_id) != len(batch.ids):
        raise ApiError(403, "foreign_terminal", "A terminal pushes only its own events.")
    result = storage_of(request).push_batch(who, batch)
    return Response(to_json({
        "instance_id": who.instance_id, "accepted": result.accepted,
        "duplicate": result.duplicate, "rejected": result.rejected,
        "acked_seq": result.acked_seq, "last_server_seq": result.last_server_seq,
    }), media_type="application/json")


@router.get(
    "/v1/events", response_model=PullResponse, tags=["sync"], responses=_errors(*AUTH_ERRORS)
)
async def pull(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_CURSOR, description="server_seq cursor"),
    limit: int = Query(500, ge=1, le=500),
    who: TerminalAuth = Depends(authorized),
) -> Response:
    """The tenant's events after a cursor in server_seq order, every terminal's included."""
    page_limit = min(limit, request.app.state.settings.page_limit)
    rows = await run_in_threadpool(storage_of(request).pull, who.tenant_pk, after, page_limit)
    items = ",".join(f'{{"server_seq":{seq},"event":{body}}}' for seq, body in rows)
    cursor = rows[-1][0] if rows else after
    text = (
        f'{{"instance_id":{json.dumps(who.instance_id)},"next_cursor":{cursor},'
        f'"has_more":{"true" if len(rows) == page_limit else "false"},"events":[{items}]}}'
    )
    return Response(text, media_type="application/json")


@router.get(
    "/v1/events/{event_id}", tags=["sync"], responses=_errors(*AUTH_ERRORS, 404),
    response_model=dict[str, Any],
)
def event(
    request: Request,
    event_id: str = Path(pattern=ID_PATTERN),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """One event of the token's tenant (404 for any other tenant's)."""
    found = storage_of(request).event(who.tenant_pk, event_id)
    if found is None:
        raise ApiError(404, "event_not_found", "No such event.")
    return {"server_seq": found[0], "event": json.loads(found[1])}


@router.get(
    "/v1/sync/status", response_model=StatusResponse, tags=["sync"],
    responses=_errors(*AUTH_ERRORS),
)
def status(
    request: Request,
    known_instance: str | None = Query(None, pattern=ID_PATTERN),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """Where the terminal stands: push from acked_seq; after a restore, pull from pull_floor."""
    acked, last, lineage, starts = storage_of(request).sync_position(who)
    return {
        "instance_id": lineage[-1], "tenant_id": who.tenant_id, "terminal_id": who.terminal_id,
        "acked_seq": acked, "last_server_seq": last,
        "pull_floor": pull_floor(known_instance, lineage, starts),
    }


@router.get(
    "/v1/conflicts", response_model=ConflictsResponse, tags=["managers"],
    responses=_errors(*AUTH_ERRORS),
)
def conflicts(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_CURSOR, description="conflict id cursor"),
    limit: int = Query(100, ge=1, le=500),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """Rejected events of the tenant (same id with another payload, a seq taken twice)."""
    rows = storage_of(request).conflicts(who.tenant_pk, after, limit)
    items = [
        {"id": r[0], "event_id": r[1], "terminal_id": r[2], "seq": r[3], "reason": r[4],
         "existing_event_id": r[5], "event": json.loads(r[6]), "detected_at": _iso(r[7])}
        for r in rows
    ]
    return {"conflicts": items, "next_cursor": items[-1]["id"] if items else after}


@router.get(
    "/v1/terminals/{terminal_id}", response_model=TerminalResponse, tags=["managers"],
    responses=_errors(*AUTH_ERRORS, 404),
)
def terminal(
    request: Request,
    terminal_id: str = Path(pattern=ID_PATTERN),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """A terminal of the same tenant and how far its events are held (404 for others)."""
    row = storage_of(request).terminal(who.tenant_pk, terminal_id)
    if row is None:
        raise ApiError(404, "terminal_not_found", "No such terminal.")
    return {
        "terminal_id": row[0], "name": row[1], "store": row[2], "acked_seq": int(row[3]),
        "revoked": row[5] is not None,
    }


def _iso(value: Any) -> str:
    """A timestamp from either database as ISO 8601 text."""
    return value if isinstance(value, str) else value.isoformat()
