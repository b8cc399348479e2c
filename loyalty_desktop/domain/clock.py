"""Time rules: aware datetimes, shop-time calendar arithmetic, one text form for storage."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import InvalidInput

UTC = timezone.utc
DEFAULT_TZ = "Europe/Istanbul"


def zone(name: str = DEFAULT_TZ) -> ZoneInfo:
    """The ZoneInfo of a shop time zone."""
    return ZoneInfo(name)


def require_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: every time in the program carries its offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"Time {moment.isoformat()} has no time zone.", code="naive_time")
    return moment


def to_db(moment: datetime) -> str:
    """Storage form: UTC, fixed width, so text order is time order."""
    return require_aware(moment).astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Read the storage form back."""
    return datetime.fromisoformat(text)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros_of(moment: datetime) -> int:
    """Microseconds since the epoch (exact): the integer form of a time the rollups and the
    cached fold keep (a naive time cannot be subtracted from the aware epoch: TypeError)."""
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """Back from `micros_of`, in UTC (exact within ±285 years of 1970)."""
    return _EPOCH + timedelta(microseconds=int(micros))


def to_json(moment: datetime | None, tz: str = DEFAULT_TZ) -> str | None:
    """ISO 8601 with the shop's offset, to the second (the CLI contract)."""
    if moment is None:
        return None
    return moment.astimezone(zone(tz)).isoformat(timespec="seconds")


def parse_time(text: str, tz: str = DEFAULT_TZ) -> datetime:
    """Parse '2026-11-23T10:15', '2026-11-23 10:15:00+03:00' or '2026-11-23' (shop time)."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"Time {text!r} is not valid; write it like 2026-11-23T14:05 or 2026-11-23.",
            code="invalid_time",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz))
    return moment


def add_months(day: date, months: int) -> date:
    """Same date `months` later; a date the month lacks (29 Feb) rolls to the next day (1 Mar)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return date(year, month, day.day)
    return date(year, month, last) + timedelta(days=day.day - last)


def shop_midnight(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """00:00 of a calendar day in the shop's time zone."""
    return datetime.combine(day, time(0), tzinfo=zone(tz))


def expiry_of_lot(earned_at: datetime, months: int, tz: str = DEFAULT_TZ) -> datetime:
    """Points earned at a moment expire at 00:00 shop time on the same date `months` later."""
    local_day = earned_at.astimezone(zone(tz)).date()
    return shop_midnight(add_months(local_day, months), tz)


def birthday_in_year(birthday: date, year: int) -> date:
    """The birthday as celebrated in `year` (29 February falls on 1 March in other years)."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, birthday.month, birthday.day)


def month_bounds(year: int, month: int, tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in shop time."""
    start = shop_midnight(date(year, month, 1), tz)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, shop_midnight(nxt, tz)


def now_utc() -> datetime:
    """The current time, aware."""
    return datetime.now(UTC)
