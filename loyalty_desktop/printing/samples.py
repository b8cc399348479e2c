"""A realistic sale, refund and member for test prints, previews and the receipt benchmark."""

from __future__ import annotations

import copy

SAMPLE_SALE_ID = "0194f3a2-7c1e-7b3d-9a41-5d2c8e6f1a07"
SAMPLE_REFUND_ID = "0194f3b8-02aa-7e51-8c3f-2b9d4e7a6c10"

_MEMBER = {
    "member_id": "0194f000-1111-7222-8333-444455556666",
    "card_number": "9790123456789010",
    "card_generation": 1,
    "name": "Çiğdem Işıkgöz",
    "tier": "altin", "tier_name": "Altın", "next_tier": "platin", "next_tier_name": "Platin",
    "next_tier_remaining": 988000,
    "points": 1234, "points_value": 12340, "points_debt": 0,
    "points_expiring": [{"points": 80, "expires_at": "2026-12-10T00:00:00+03:00"}],
    "wallet_available": 2500, "wallet_pending": 1122,
    "qualifying_spend": 512000,
    "club_until": "2027-11-23T10:15:00+03:00",
    "valued_at": "2026-11-23T14:05:00+03:00",
}

_COUPONS = [
    {"code": "248291365018", "kind": "next_order", "value": 5000, "percent": None,
     "min_basket": 25000, "valid_from": "2026-11-23T14:05:00+03:00",
     "valid_until": "2026-12-23T14:05:00+03:00"},
    {"code": "273011826495", "kind": "birthday", "value": 10000, "percent": 20,
     "min_basket": 0, "valid_from": "2026-11-20T00:00:00+03:00",
     "valid_until": "2026-12-04T00:00:00+03:00"},
]

_SALE = {
    "sale_id": SAMPLE_SALE_ID, "at": "2026-11-23T11:05:00+00:00",
    "terminal_id": "0194eeee-0000-7000-8000-000000000001", "cashier": "Ayşe",
    "total": 123456, "club_discount": 6173, "coupon_discount": 5000, "discount": 11173,
    "coupon_used": "255120498738", "points_redeemed": 500, "points_value": 5000,
    "wallet_used": 1500, "money_paid": 105783, "points_earned": 132, "bonus_points": 50,
    "bonus": [{"kind": "welcome", "points": 50}],
    "cashback_pending": 1058, "cashback_available_at": "2026-12-07T14:05:00+03:00",
    "coupons_issued": _COUPONS,
    "tier_before": "gumus", "tier_after": "altin", "program_version": 1,
}

_REFUND = {
    "refund_id": SAMPLE_REFUND_ID, "sale_id": SAMPLE_SALE_ID, "at": "2026-11-25T09:30:00+03:00",
    "amount": 49382, "money_refunded": 42313, "points_reversed": 53, "points_restored": 200,
    "bonus_reversed": 0, "wallet_restored": 600, "cashback_cancelled": 423,
    "coupons_returned": [], "coupons_cancelled": [],
    "tier_before": "altin", "tier_after": "gumus",
}


def sample_member(payload: str = "") -> dict:
    """A member object valued at the sample sale, with `payload` as its card payload."""
    return {**copy.deepcopy(_MEMBER), "card_payload": payload}


def sample_sale(coupons: int = 2, payload: str = "") -> dict:
    """A sale using every payment kind and issuing `coupons` (0-2) coupons."""
    sale = copy.deepcopy(_SALE)
    sale["coupons_issued"] = sale["coupons_issued"][:coupons]
    sale["member"] = sample_member(payload)
    return sale


def sample_refund(payload: str = "") -> dict:
    """A 40 % refund of the sample sale, which takes the member back to Gümüş."""
    refund = copy.deepcopy(_REFUND)
    member = sample_member(payload)
    member.update(tier="gumus", tier_name="Gümüş", next_tier="altin", next_tier_name="Altın",
                  next_tier_remaining=30313, qualifying_spend=469687, points=1381,
                  points_value=13810, wallet_available=3100, wallet_pending=635)
    refund["member"] = member
    return refund
