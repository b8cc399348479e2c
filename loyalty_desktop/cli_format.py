"""Readable (non-JSON) output of CLI results."""

from __future__ import annotations

from typing import Any

from .domain.money import format_try

_MONEY_KEYS = {
    "total", "discount", "club_discount", "coupon_discount", "wallet_used", "money_paid",
    "cashback_pending", "wallet_available", "wallet_pending", "qualifying_spend",
    "money_refunded", "wallet_restored", "cashback_cancelled", "amount", "points_value",
    "next_tier_remaining", "value", "min_basket", "fee", "size_money",
}


def _value(key: str, value: Any) -> str:
    if key in _MONEY_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return format_try(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    return str(value)


def human(result: Any, indent: str = "") -> str:
    """Lines of `key: value`, nested objects indented, lists one item per block."""
    if isinstance(result, list):
        if not result:
            return f"{indent}(none)"
        return "\n".join(human(item, indent) + ("\n" if isinstance(item, dict) else "")
                         for item in result).rstrip()
    if not isinstance(result, dict):
        return f"{indent}{result}"
    lines = []
    for key, value in result.items():
        if key in ("card_payload",):
            continue
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.append(human(value, indent + "  "))
        elif isinstance(value, list):
            if not value:
                lines.append(f"{indent}{key}: -")
            elif all(not isinstance(v, (dict, list)) for v in value):
                lines.append(f"{indent}{key}: {', '.join(str(v) for v in value)}")
            else:
                lines.append(f"{indent}{key}:")
                for item in value:
                    lines.append(human(item, indent + "  - ").replace("\n" + indent + "  - ",
                                                                       "\n" + indent + "    "))
        else:
            lines.append(f"{indent}{key}: {_value(key, value)}")
    return "\n".join(lines)
