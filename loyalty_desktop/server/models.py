"""Wire shapes of protocol version 1 (pydantic), the source of the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import repeat
from operator import add, itemgetter, methodcaller
from typing import Annotated, Any, NamedTuple, Union

import orjson
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


# Validates the raw body in one pass (Rust JSON parser); its JSON schema documents the body,
# and it decides (and words the error) whenever `checked_push` cannot.
PUSH_REQUEST = TypeAdapter(PushRequest)


class CheckedPush(NamedTuple):
    """A push body's events as columns, each event's text compact JSON (see `checked_push`)."""

    ids: list[str]
    terminal_ids: list[str]
    seqs: list[int]
    kinds: list[str]
    bodies: list[str]


EVENT_FIELDS = ("id", "terminal_id", "seq", "kind", "member_id", "at", "recorded_at",
                "program_version", "payload")
_ORDERS = frozenset({EVENT_FIELDS, tuple(f for f in EVENT_FIELDS if f != "member_id")})
_REQUIRED = itemgetter("id", "terminal_id", "seq", "kind", "at", "recorded_at",
                       "program_version", "payload")
_ID = re.compile(ID_PATTERN)
_KIND = re.compile(KIND_PATTERN)
_ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_CHARS = bytes(sorted({ord(c) for c in _ID_FIRST | set("._:-")}))
# An integer of 19 digits or more may be past 64 bits, where orjson reads a float instead.
# Found in C: digits become 0 (a run of 19 anywhere, strings included, is rare); then what
# may precede a number (`:`, `,`, `[`) becomes `:`, what may stand between (blanks, minus)
# is dropped, anything else becomes `x`, and `:` followed by 19 digits is a long number.
_DIGITS = bytes(ord("0") if 48 <= b <= 57 else ord("x") for b in range(256))
_NUMBER_SHAPE = bytes(
    ord("0") if 48 <= b <= 57 else ord(":") if chr(b) in ":,[" else
    ord(" ") if chr(b) in " \t\r\n-" else ord("x")
    for b in range(256)
)
_LONG_DIGITS = b"0" * 19
# Brackets in an event's text bound its nesting; pydantic refuses more than about 200 levels.
MAX_FAST_BRACKETS = 150
_count_open_lists = methodcaller("count", b"[")
_count_open_objects = methodcaller("count", b"{")


def checked_push(raw: bytes) -> CheckedPush | None:
    """A push body's events, checked as `PUSH_REQUEST` checks them, or None: ask it.

    orjson parses, then every rule of `Event` is checked a column at a time by C loops
    (`map`, `set`, `min`, `max`, `join`), with no Python code per event: several times
    cheaper than `PUSH_REQUEST.validate_json`. Each event's text is what the pydantic path
    stores (declared fields first, extra fields after). It never accepts what PUSH_REQUEST
    refuses; anything unusual (a float seq, a field out of its rules, an integer past 64
    bits, deep nesting, bad JSON) returns None, and PUSH_REQUEST accepts it or words the error.
    """
    if (_LONG_DIGITS in raw.translate(_DIGITS)
            and b":" + _LONG_DIGITS in raw.translate(_NUMBER_SHAPE).replace(b" ", b"")):
        return None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    events = body.get("events") if type(body) is dict else None
    if type(events) is not list:
        return None
    if not events:
        return CheckedPush([], [], [], [], [])
    if set(map(type, events)) != {dict}:
        return None
    try:
        columns = list(zip(*map(_REQUIRED, events), strict=True))
    except KeyError:
        return None
    ids, terminals, seqs, kinds, ats, recorded, versions, payloads = columns
    members = list(map(dict.get, events, repeat("member_id")))
    if not (
        _types(ids) == _types(terminals) == _types(kinds) == _types(ats) == _types(recorded)
        == {str}
        and _types(seqs) == _types(versions) == {int} and _types(payloads) == {dict}
        and _types(members) <= {str, type(None)}
        and 1 <= min(seqs) and max(seqs) <= MAX_SEQ
        and 0 <= min(versions) and max(versions) <= 2**31 - 1
        and max(map(len, ats)) <= 64 and max(map(len, recorded)) <= 64
        and max(map(len, filter(None, members)), default=0) <= 64
        and _valid_ids(ids)
        and all(_ID.fullmatch(terminal) for terminal in set(terminals))
        and all(_KIND.fullmatch(kind) for kind in set(kinds))
    ):
        return None
    if not set(map(tuple, events)) <= _ORDERS:
        events = [e if tuple(e) in _ORDERS else _in_declared_order(e) for e in events]
    try:
        texts = list(map(orjson.dumps, events))
    except orjson.JSONEncodeError:
        return None
    if max(map(add, map(_count_open_lists, texts), map(_count_open_objects, texts))) > MAX_FAST_BRACKETS:
        return None
    return CheckedPush(list(ids), list(terminals), list(seqs), list(kinds),
                       list(map(bytes.decode, texts)))


def _types(column: Iterable[Any]) -> set[type]:
    """The set of the exact types in a column."""
    return set(map(type, column))


def _valid_ids(ids: tuple[str, ...]) -> bool:
    """Every id matches ID_PATTERN: 1 to 64 ASCII characters, the first a letter or digit."""
    try:
        joined = "".join(ids).encode("ascii")
    except UnicodeEncodeError:
        return False
    return (
        min(map(len, ids)) >= 1 and max(map(len, ids)) <= 64
        and not joined.translate(None, _ID_CHARS)
        and set(map(itemgetter(0), ids)) <= _ID_FIRST
    )


def _in_declared_order(event: dict[str, Any]) -> dict[str, Any]:
    """The event as pydantic returns it: declared fields in order, then the extra ones."""
    ordered = {name: event[name] for name in EVENT_FIELDS if name in event}
    ordered.update((name, value) for name, value in event.items() if name not in ordered)
    return ordered


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
