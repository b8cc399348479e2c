"""A member's balances on the server: the same fold of the same events the terminals run.

The server keeps events opaque; to answer "what does this member have", it reads the tenant's
events, takes the ledger entries of the member (and of members merged into it), and folds them
with the domain's ledger under the newest published program. Because every terminal folds the
same entries in the same order, the answer equals what each synced terminal shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from ..domain.clock import DEFAULT_TZ, UTC, to_json, zone
from ..domain.ledger import fold, view
from ..domain.program import DEFAULT_PROGRAM, Program, program_from_toml
from ..store.ledger_repo import entry_from_data
from .auth import ApiError, authorized, storage_of
from .storage.base import SqlStorage, TerminalAuth

PAGE = 500
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
ID_PATTERN = r"^[0-9a-fA-F-]{36}$"


def tenant_events(storage: SqlStorage, tenant_pk: int) -> Iterator[dict[str, Any]]:
    """Every event of a tenant, in server order."""
    after = 0
    while True:
        rows = storage.pull(tenant_pk, after, PAGE)
        for _, body in rows:
            yield json.loads(body)
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def member_state(events: Iterable[dict[str, Any]], member_id: str,
                 at: datetime) -> dict[str, Any]:
    """Balances, lots, coupons and tier of a member valued at `at`, from raw events."""
    events = list(events)
    if not any(e["kind"] == "member_enrolled" and e.get("member_id") == member_id
               for e in events):
        raise ApiError(404, "member_not_found", "No such member in this tenant.")
    merged_into = {e["payload"]["merged_id"]: e["payload"]["keep_id"]
                   for e in events if e["kind"] == "member_merged"}
    ids = {member_id} | {m for m in merged_into if _root(m, merged_into) == member_id}
    program = _program(events)
    entries = sorted((entry_from_data(e["id"], d) for e in events
                      for d in e["payload"].get("entries", []) if d["member_id"] in ids),
                     key=lambda entry: entry.id)
    led = fold(entries)
    v = view(led, at, program)
    tz = program.timezone
    return {
        "member_id": member_id, "valued_at": to_json(at, tz), "tier": v.tier,
        "points": v.points, "points_debt": v.points_debt,
        "wallet_available": v.wallet_available, "wallet_pending": v.wallet_pending,
        "qualifying_spend": v.qualifying_spend, "flags": v.flags,
        "club_until": to_json(v.club_until, tz),
        "coupons": sorted(c.code for c in v.coupons),
        "lots": sorted([lot.lot_id, lot.remaining, to_json(lot.expires_at, tz)]
                       for lot in led.lots),
    }


def _root(member: str, merged_into: dict[str, str]) -> str:
    seen = set()
    while member in merged_into and member not in seen:
        seen.add(member)
        member = merged_into[member]
    return member


def _program(events: list[dict[str, Any]]) -> Program:
    published = [e["payload"] for e in events if e["kind"] == "program_published"]
    if not published:
        return DEFAULT_PROGRAM
    newest = max(published, key=lambda p: p["version"])
    return program_from_toml(newest["doc"])


router = APIRouter()


@router.get("/v1/members/{member_id}/balances", tags=["members"],
            response_model=dict[str, Any],
            responses={404: {"description": "no such member in the token's tenant"},
                       401: {"description": "missing or revoked token"},
                       429: {"description": "rate limited"}})
async def balances(
    request: Request,
    member_id: str = Path(pattern=ID_PATTERN),
    at: datetime | None = Query(None, description="ISO 8601 time to value at (default now; "
                                                  "without an offset: the shop's zone)"),
    who: TerminalAuth = Depends(authorized),
) -> dict[str, Any]:
    """The member's balances as the server folds the tenant's events (a chain-wide view)."""
    if at is None:
        moment = datetime.now(UTC)
    elif at.tzinfo is None:
        moment = at.replace(tzinfo=zone(DEFAULT_TZ))
    else:
        moment = at
    # Keep the window arithmetic inside datetime's range; nothing in a ledger changes between
    # these bounds and the far past or future, so the answer is the same.
    moment = min(max(moment, EARLIEST), LATEST)
    storage = storage_of(request)

    def compute() -> dict[str, Any]:
        return member_state(tenant_events(storage, who.tenant_pk), member_id, moment)

    return await run_in_threadpool(compute)
