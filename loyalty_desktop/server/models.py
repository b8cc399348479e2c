"""Wire shapes of protocol version 1 (pydantic), the source of the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    with_config,
)
from typing_extensions import NotRequired, TypedDict

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # printable text, nothing a database would refuse
CODE_PATTERN = r"^[A-Za-z0-9 -]{1,32}$"
MAX_SEQ = 2**53 - 1  # exact in every JSON reader


def _whole_number(low: int, high: int) -> Any:
    """A JSON number without a fraction (5, 5.0, 1e2) within bounds; strings and booleans refused.

    A float value (5.0) stays a float in the parsed event: users take int() of it.
    """
    return Union[  # noqa: UP007 (built at run time from annotated types)
        Annotated[StrictInt, Field(ge=low, le=high)],
        Annotated[StrictFloat, Field(multiple_of=1, ge=low, le=high)],
    ]


SeqNumber = _whole_number(1, MAX_SEQ)
VersionNumber = _whole_number(0, 2**31 - 1)


@with_config(ConfigDict(extra="allow"))
class Event(TypedDict):
    """One event as terminals record it (docs/contracts.md "Events"); extra fields are kept."""

    id: Annotated[str, Field(pattern=ID_PATTERN, description="UUIDv7 of the event")]
    terminal_id: Annotated[str, Field(pattern=ID_PATTERN)]
    seq: Annotated[SeqNumber, Field(description="the terminal's gap-free counter")]
    kind: Annotated[str, Field(pattern=KIND_PATTERN)]
    member_id: NotRequired[Annotated[str | None, Field(max_length=64)]]
    at: Annotated[str, Field(max_length=64, description="business time, ISO 8601 with offset")]
    recorded_at: Annotated[str, Field(max_length=64, description="wall clock, ISO 8601")]
    program_version: VersionNumber
    payload: dict[str, Any]


class PushRequest(TypedDict):
    """A batch of one terminal's own events: at most 500 (413 beyond), all its own (403 if not)."""

    events: Annotated[list[Event], Field(json_schema_extra={"maxItems": 500})]


# Validates the raw body in one pass (Rust JSON parser); its JSON schema documents the body.
PUSH_REQUEST = TypeAdapter(PushRequest)


class Rejected(BaseModel):
    """An event the server refused; it is recorded as a conflict for managers."""

    id: str
    seq: int
    reason: str = Field(description="payload_mismatch or seq_taken")


class PushResponse(BaseModel):
    """The answer per event, the server's identity and how far the terminal is held."""

    instance_id: str
    accepted: list[str]
    duplicate: list[str]
    rejected: list[Rejected]
    acked_seq: int = Field(description="highest seq of this terminal held with no gap before it")
    last_server_seq: int


class PulledEvent(BaseModel):
    """An event with its place in the tenant's order."""

    server_seq: int
    event: dict[str, Any]


class PullResponse(BaseModel):
    """One page of the tenant's events after a cursor, in server_seq order."""

    instance_id: str
    events: list[PulledEvent]
    next_cursor: int
    has_more: bool


class StatusResponse(BaseModel):
    """Where a terminal stands: what to push from, and where to pull again after a restore."""

    instance_id: str
    tenant_id: str
    terminal_id: str
    acked_seq: int
    last_server_seq: int
    pull_floor: int | None = Field(
        description="set when known_instance is an older life of this server: pull again "
        "from min(pull_cursor, pull_floor)"
    )


class ConflictItem(BaseModel):
    """A flagged conflict: the rejected event and the event it clashed with."""

    id: int
    event_id: str
    terminal_id: str
    seq: int
    reason: str
    existing_event_id: str | None
    event: dict[str, Any]
    detected_at: str


class ConflictsResponse(BaseModel):
    """A page of flagged conflicts of the tenant."""

    conflicts: list[ConflictItem]
    next_cursor: int


class TerminalResponse(BaseModel):
    """A terminal of the same tenant and how far the server holds its events."""

    terminal_id: str
    name: str | None
    store: str | None
    acked_seq: int
    revoked: bool


class PairRequest(BaseModel):
    """A terminal asking for its token with a one-time code."""

    code: str = Field(pattern=CODE_PATTERN, description="e.g. ACDE-FGH2")
    terminal_id: str | None = Field(default=None, pattern=ID_PATTERN)
    terminal_name: str | None = Field(default=None, max_length=100, pattern=NAME_PATTERN)
    store_name: str | None = Field(default=None, max_length=100, pattern=NAME_PATTERN)


class PairResponse(BaseModel):
    """The terminal's own bearer token (shown once; the server keeps only its hash)."""

    token: str
    tenant_id: str
    tenant_name: str
    terminal_id: str
    store: str | None
    instance_id: str


class HealthResponse(BaseModel):
    """Liveness and identity of the server."""

    status: str
    instance_id: str
    schema_version: int
    version: str


class ErrorResponse(BaseModel):
    """Every error: a stable code and an English message."""

    code: str
    message: str
