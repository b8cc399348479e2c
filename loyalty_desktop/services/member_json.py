"""The member object of the CLI/UI contract (docs/contracts.md), built from a row and a view."""

from __future__ import annotations

import json
from typing import Any

from ..domain.clock import to_json
from ..domain.ledger import CouponState, MemberView
from ..domain.program import Program


def coupon_object(c: CouponState, tz: str) -> dict[str, Any]:
    """A coupon as the contract shows it."""
    return {"code": c.code, "kind": c.kind, "value": c.value, "percent": c.percent,
            "min_basket": c.min_basket, "valid_from": to_json(c.valid_from, tz),
            "valid_until": to_json(c.valid_until, tz)}


def member_object(row: dict[str, Any], v: MemberView, program: Program, tz: str,
                  card_payload: str | None) -> dict[str, Any]:
    """The member object valued at `v.at`."""
    tier = program.tier(v.tier)
    nxt = program.next_tier(v.tier)
    consents = json.loads(row["consents"] or "{}")
    return {
        "member_id": row["member_id"], "card_number": row["card_number"],
        "card_generation": row["card_generation"], "card_payload": card_payload,
        "name": row["name"], "phone": row["phone"], "email": row["email"],
        "birthday": row["birthday"], "blocked": bool(row["blocked"]),
        "erased": bool(row["erased_at"]),
        "tier": tier.key, "tier_name": tier.name,
        "next_tier": nxt.key if nxt else None, "next_tier_name": nxt.name if nxt else None,
        "next_tier_remaining": max(nxt.threshold - v.qualifying_spend, 0) if nxt else None,
        "tier_grace_until": to_json(v.grace_until, tz),
        "points": v.points, "points_value": max(v.points, 0) * program.point_value,
        "points_debt": v.points_debt,
        "points_expiring": [{"points": p, "expires_at": to_json(w, tz)}
                            for p, w in v.points_expiring],
        "wallet_available": v.wallet_available, "wallet_pending": v.wallet_pending,
        "wallet_pending_items": [{"amount": a, "available_at": to_json(w, tz)}
                                 for a, w in v.wallet_pending_items],
        "qualifying_spend": v.qualifying_spend,
        "coupons": [coupon_object(c, tz) for c in v.coupons],
        "club_until": to_json(v.club_until, tz),
        "consents": {ch: bool(c.get("granted")) for ch, c in sorted(consents.items())},
        "flags": v.flags,
        "valued_at": to_json(v.at, tz),
    }
