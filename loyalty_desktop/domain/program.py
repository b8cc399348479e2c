"""The loyalty program as a versioned, validated document (TOML on disk, a default built in)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from fractions import Fraction
from typing import Any

from .errors import InvalidInput

TIER_KEYS = ("bronz", "gumus", "altin", "platin")


@dataclass(frozen=True)
class Tier:
    """A tier reached when qualifying spend over the window is at least `threshold` kuruş."""

    key: str
    name: str
    threshold: int
    multiplier: Fraction
    cashback_percent: Fraction


@dataclass(frozen=True)
class CouponRule:
    """A coupon the program issues: a fixed value or a percentage with a cap."""

    value: int = 0
    percent: Fraction = Fraction(0)
    min_basket: int = 0
    valid_days: int = 30

    @property
    def enabled(self) -> bool:
        return self.value > 0 or self.percent > 0


@dataclass(frozen=True)
class Program:
    """Every number of the loyalty program; amounts in kuruş, durations in days or months."""

    version: int = 1
    name: str = "Varsayılan program"
    timezone: str = "Europe/Istanbul"
    kurus_per_point: int = 1000
    point_value: int = 10
    min_redeem_points: int = 50
    points_expiry_months: int = 12
    expiry_reminder_days: int = 30
    tier_window_days: int = 365
    downgrade_grace_days: int = 30
    cashback_pending_days: int = 14
    welcome_points: int = 50
    referral_points: int = 100
    referral_min_first_purchase: int = 20000
    next_order_threshold: int = 75000
    next_order: CouponRule = CouponRule(value=5000, min_basket=25000, valid_days=30)
    birthday: CouponRule = CouponRule(value=10000, percent=Fraction(20), valid_days=7)
    tier_upgrade: CouponRule = CouponRule()
    win_back: CouponRule = CouponRule()
    club_fee: int = 30000
    club_discount_percent: Fraction = Fraction(5)
    club_days: int = 365
    offline_stale_hours: int = 24
    offline_max_points_per_day: int = 500
    offline_max_wallet_per_day: int = 20000
    clv_lifespan_years: int = 3
    card_prefix: str = "979"
    tiers: tuple[Tier, ...] = field(
        default_factory=lambda: (
            Tier("bronz", "Bronz", 0, Fraction(1), Fraction(0)),
            Tier("gumus", "Gümüş", 100000, Fraction(5, 4), Fraction(1)),
            Tier("altin", "Altın", 500000, Fraction(3, 2), Fraction(2)),
            Tier("platin", "Platin", 1500000, Fraction(2), Fraction(3)),
        )
    )

    def tier(self, key: str) -> Tier:
        """The tier with this key."""
        for t in self.tiers:
            if t.key == key:
                return t
        raise InvalidInput(f"Unknown tier {key!r}.", code="unknown_tier")

    def tier_rank(self, key: str) -> int:
        """Position of a tier, 0 for the lowest."""
        return [t.key for t in self.tiers].index(key)

    def qualified_tier(self, spend: int) -> Tier:
        """The highest tier whose threshold the spend reaches."""
        best = self.tiers[0]
        for t in self.tiers:
            if spend >= t.threshold:
                best = t
        return best

    def next_tier(self, key: str) -> Tier | None:
        """The tier above this one, if any."""
        rank = self.tier_rank(key)
        return self.tiers[rank + 1] if rank + 1 < len(self.tiers) else None


DEFAULT_PROGRAM = Program()


def _to_plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return _fraction_text(value)
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    return value


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            n = scaled.numerator
            return f"{n // 10**places}.{n % 10**places:0{places}d}"
    return f"{value.numerator}/{value.denominator}"


def program_to_dict(program: Program) -> dict[str, Any]:
    """The program as plain data (fractions as exact decimal strings)."""
    return _to_plain(asdict(program))


def program_to_toml(program: Program) -> str:
    """The program as a TOML document."""
    import tomli_w

    return tomli_w.dumps(program_to_dict(program))


def _fraction(name: str, raw: Any) -> Fraction:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InvalidInput(
            f"Program field {name!r} must be a number written as text, e.g. \"1.25\".",
            code="invalid_program",
            field=name,
        )
    try:
        value = Fraction(str(raw).replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(
            f"Program field {name!r}: {raw!r} is not a number.", code="invalid_program", field=name
        ) from None
    if value < 0:
        raise InvalidInput(
            f"Program field {name!r} must not be negative.", code="invalid_program", field=name
        )
    return value


def _int(name: str, raw: Any, minimum: int = 0, maximum: int = 10**12) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidInput(
            f"Program field {name!r} must be a whole number.", code="invalid_program", field=name
        )
    if not minimum <= raw <= maximum:
        raise InvalidInput(
            f"Program field {name!r} must be between {minimum} and {maximum}, got {raw}.",
            code="invalid_program",
            field=name,
        )
    return raw


_POSITIVE = {
    "kurus_per_point", "point_value", "points_expiry_months", "tier_window_days", "club_days",
    "version", "clv_lifespan_years",
}


def _coupon_rule(name: str, raw: Any) -> CouponRule:
    if not isinstance(raw, dict):
        raise InvalidInput(f"Program field {name!r} must be a table.", code="invalid_program",
                           field=name)
    known = {f.name for f in fields(CouponRule)}
    for key in raw:
        if key not in known:
            raise InvalidInput(f"Unknown program field '{name}.{key}'.", code="invalid_program",
                               field=f"{name}.{key}")
    rule = CouponRule(
        value=_int(f"{name}.value", raw.get("value", 0)),
        percent=_fraction(f"{name}.percent", raw.get("percent", "0")),
        min_basket=_int(f"{name}.min_basket", raw.get("min_basket", 0)),
        valid_days=_int(f"{name}.valid_days", raw.get("valid_days", 30), 1, 3660),
    )
    if rule.percent > 100:
        raise InvalidInput(f"Program field '{name}.percent' must be at most 100.",
                           code="invalid_program", field=f"{name}.percent")
    if rule.percent > 0 and rule.value <= 0:
        raise InvalidInput(
            f"Program field '{name}.value' (the cap of a percentage coupon) must be positive.",
            code="invalid_program", field=f"{name}.value")
    return rule


def _tiers(raw: Any) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("Program field 'tiers' must be a non-empty list.",
                           code="invalid_program", field="tiers")
    tiers = []
    for i, item in enumerate(raw):
        name = f"tiers[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"Program field {name!r} must be a table.", code="invalid_program",
                               field=name)
        key = item.get("key")
        if key not in TIER_KEYS:
            raise InvalidInput(f"Program field '{name}.key' must be one of {', '.join(TIER_KEYS)}.",
                               code="invalid_program", field=f"{name}.key")
        label = item.get("name")
        if not isinstance(label, str) or not label.strip():
            raise InvalidInput(f"Program field '{name}.name' must be a non-empty text.",
                               code="invalid_program", field=f"{name}.name")
        multiplier = _fraction(f"{name}.multiplier", item.get("multiplier", "1"))
        if multiplier <= 0 or multiplier > 10:
            raise InvalidInput(f"Program field '{name}.multiplier' must be above 0 and at most 10.",
                               code="invalid_program", field=f"{name}.multiplier")
        cashback = _fraction(f"{name}.cashback_percent", item.get("cashback_percent", "0"))
        if cashback > 50:
            raise InvalidInput(f"Program field '{name}.cashback_percent' must be at most 50.",
                               code="invalid_program", field=f"{name}.cashback_percent")
        tiers.append(Tier(key, label.strip(), _int(f"{name}.threshold", item.get("threshold")),
                          multiplier, cashback))
    if tiers[0].threshold != 0:
        raise InvalidInput("Program field 'tiers[0].threshold' must be 0 (the entry tier).",
                           code="invalid_program", field="tiers[0].threshold")
    for a, b in zip(tiers, tiers[1:]):
        if b.threshold <= a.threshold:
            raise InvalidInput("Program field 'tiers' must have strictly rising thresholds.",
                               code="invalid_program", field="tiers")
    if len({t.key for t in tiers}) != len(tiers):
        raise InvalidInput("Program field 'tiers' has a tier key twice.", code="invalid_program",
                           field="tiers")
    return tuple(tiers)


def program_from_dict(data: dict[str, Any]) -> Program:
    """Build and validate a program; an error names the offending field."""
    if not isinstance(data, dict):
        raise InvalidInput("A program must be a table of fields.", code="invalid_program")
    known = {f.name: f for f in fields(Program)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in known:
            raise InvalidInput(f"Unknown program field {key!r}.", code="invalid_program", field=key)
        default = getattr(DEFAULT_PROGRAM, key)
        if key == "tiers":
            values[key] = _tiers(raw)
        elif isinstance(default, CouponRule):
            values[key] = _coupon_rule(key, raw)
        elif isinstance(default, Fraction):
            values[key] = _fraction(key, raw)
        elif isinstance(default, bool):
            values[key] = raw
        elif isinstance(default, int):
            values[key] = _int(key, raw, 1 if key in _POSITIVE else 0)
        elif isinstance(default, str):
            if not isinstance(raw, str) or not raw.strip():
                raise InvalidInput(f"Program field {key!r} must be a non-empty text.",
                                   code="invalid_program", field=key)
            values[key] = raw.strip()
    program = replace(DEFAULT_PROGRAM, **values)
    _check_timezone(program.timezone)
    if not (program.card_prefix.isdigit() and len(program.card_prefix) == 3):
        raise InvalidInput("Program field 'card_prefix' must be 3 digits.", code="invalid_program",
                           field="card_prefix")
    if program.club_discount_percent > 100:
        raise InvalidInput("Program field 'club_discount_percent' must be at most 100.",
                           code="invalid_program", field="club_discount_percent")
    return program


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Program field 'timezone': unknown time zone {name!r}.",
                           code="invalid_program", field="timezone") from None


def program_from_toml(text: str) -> Program:
    """Parse a TOML program document; syntax errors and bad fields are InvalidInput."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"The program file is not valid TOML: {exc}.",
                           code="invalid_program") from None
    return program_from_dict(data)


def replace_version(program: Program, version: int) -> Program:
    """The same rules under another version number."""
    return replace(program, version=version)
