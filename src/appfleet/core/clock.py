"""An injectable clock and the timezone arithmetic every feature shares.

Timestamps are stored in UTC; a user's "today" and local times of day are computed in their IANA
zone. Local wall times that DST skips or repeats are resolved explicitly here, once.
"""

from __future__ import annotations

import time as systime
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import WithJsonSchema

from appfleet.core.errors import ValidationFailed

# A wall-clock time in someone's own zone ("22:00"). JSON Schema's `time` format demands an
# offset, which a local time has not: documented as the HH:MM[:SS] text it is.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "examples": ["22:00"],
        }
    ),
]


class Clock:
    """The time source. Production uses the system clock; tests pass their own `now`."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._system = now is None
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        moment = self._now()
        if moment.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return moment.astimezone(UTC)

    def timestamp(self) -> float:
        """Seconds since the epoch: `now()` for hot paths (no datetime is built)."""
        return systime.time() if self._system else self.now().timestamp()

    def today(self, zone: str | ZoneInfo) -> date:
        return local_date(self.now(), zone)


class FixedClock(Clock):
    """A clock that stands still until moved; for tests and simulations."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)
        super().__init__(lambda: self.moment)

    def advance(self, delta: timedelta) -> None:
        self.moment += delta

    def set(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)


_KNOWN_ZONES: frozenset[str] | None = None


def zone(name: str | ZoneInfo) -> ZoneInfo:
    """The IANA zone called `name`, or a validation error naming it."""
    if isinstance(name, ZoneInfo):
        return name
    global _KNOWN_ZONES
    if _KNOWN_ZONES is None:
        _KNOWN_ZONES = frozenset(available_timezones())
    # ZoneInfo accepts file paths and odd spellings; only real IANA names are allowed.
    if name not in _KNOWN_ZONES and name != "UTC":
        raise ValidationFailed(
            f"Unknown timezone {name!r}", details={"timezone": {"message": "not an IANA zone"}}
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"Unknown timezone {name!r}") from exc


CLOCK_SKEW = timedelta(minutes=2)  # how far ahead of ours a phone's clock may plausibly be


def plausible(claimed: datetime | None, now: datetime, back: timedelta) -> datetime | None:
    """A client's time for something that happened, if plausible: with a zone, not ahead of
    ours (beyond clock skew, then capped at now), not older than `back`. Else None."""
    if claimed is None or claimed.tzinfo is None:
        return None
    if claimed > now + CLOCK_SKEW or claimed < now - back:
        return None
    return min(claimed, now)


def local_date(moment: datetime, tz: str | ZoneInfo) -> date:
    """The calendar date at `moment` for someone living in `tz`."""
    return moment.astimezone(zone(tz)).date()


def local_day_bounds(day: date, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC. A DST day lasts 23 or 25 hours."""
    tzinfo = zone(tz)
    start = datetime.combine(day, time(0), tzinfo).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo).astimezone(UTC)
    return start, end


def at_local_time(day: date, wall: time, tz: str | ZoneInfo) -> datetime:
    """The UTC instant when clocks in `tz` show `wall` on `day`.

    A wall time skipped by a spring-forward gap (02:30 in New York in March) is moved forward
    by the gap, as a phone alarm does; a repeated autumn wall time takes its first occurrence.
    """
    # PEP 495: fold=0 resolves a gap with the offset in force before it (02:30 EST = 03:30 EDT)
    # and a repeated hour with its first occurrence, which are exactly the rules above.
    return datetime.combine(day, wall, zone(tz)).astimezone(UTC)


def next_local_time(after: datetime, wall: time, tz: str | ZoneInfo) -> datetime:
    """The first instant strictly after `after` when clocks in `tz` show `wall`."""
    day = local_date(after, tz)
    for offset in range(3):
        moment = at_local_time(day + timedelta(days=offset), wall, tz)
        if moment > after:
            return moment
    raise AssertionError("unreachable: a wall time recurs within two days")


def next_local_time_on(
    after: datetime, wall: time, tz: str | ZoneInfo, weekdays: Collection[int]
) -> datetime | None:
    """The first instant strictly after `after` when clocks in `tz` show `wall` on one of
    `weekdays` (0 = Monday); None without any."""
    day = local_date(after, tz)
    for offset in range(9):  # a week, and the days DST and zones can shift it by
        candidate = day + timedelta(days=offset)
        if candidate.weekday() in weekdays:
            moment = at_local_time(candidate, wall, tz)
            if moment > after:
                return moment
    return None
