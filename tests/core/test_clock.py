from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from appfleet.core.clock import (
    FixedClock,
    at_local_time,
    local_date,
    local_day_bounds,
    next_local_time,
    zone,
)
from appfleet.core.errors import ValidationFailed


def test_today_depends_on_where_the_user_lives() -> None:
    clock = FixedClock(datetime(2026, 11, 23, 3, 30, tzinfo=UTC))
    assert clock.today("Europe/Berlin") == date(2026, 11, 23)
    assert clock.today("America/Los_Angeles") == date(2026, 11, 22)
    assert clock.today("Pacific/Kiritimati") == date(2026, 11, 23)
    clock.advance(timedelta(hours=7))  # 10:30 UTC: past midnight at UTC+14, not in California
    assert clock.today("Pacific/Kiritimati") == date(2026, 11, 24)
    assert clock.today("America/Los_Angeles") == date(2026, 11, 23)


def test_dst_days_last_23_and_25_hours() -> None:
    spring_start, spring_end = local_day_bounds(date(2026, 3, 8), "America/New_York")
    fall_start, fall_end = local_day_bounds(date(2026, 11, 1), "America/New_York")
    assert spring_end - spring_start == timedelta(hours=23)
    assert fall_end - fall_start == timedelta(hours=25)
    assert spring_start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)


def test_wall_time_in_a_spring_gap_moves_forward() -> None:
    # 02:30 does not exist in New York on 2026-03-08; the alarm rings at 03:30 EDT.
    moment = at_local_time(date(2026, 3, 8), time(2, 30), "America/New_York")
    assert moment == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert local_date(moment, "America/New_York") == date(2026, 3, 8)


def test_repeated_autumn_wall_time_takes_the_first() -> None:
    moment = at_local_time(date(2026, 11, 1), time(1, 30), "America/New_York")
    assert moment == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_eight_pm_stays_eight_pm_across_a_dst_change() -> None:
    before = next_local_time(datetime(2026, 3, 7, 12, tzinfo=UTC), time(20), "America/New_York")
    after = next_local_time(before, time(20), "America/New_York")
    assert before == datetime(2026, 3, 8, 1, 0, tzinfo=UTC)  # 20:00 EST
    assert after == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # 20:00 EDT, 23 hours later
    assert after - before == timedelta(hours=23)


def test_next_local_time_is_strictly_after() -> None:
    at_eight = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 20:00 in Berlin (CEST)
    assert next_local_time(at_eight, time(20), "Europe/Berlin") == at_eight + timedelta(days=1)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "", "utc+3"])
def test_unknown_zones_are_validation_errors(name: str) -> None:
    with pytest.raises(ValidationFailed):
        zone(name)


def test_clock_refuses_naive_datetimes() -> None:
    from appfleet.core.clock import Clock

    with pytest.raises(ValueError, match="aware"):
        Clock(lambda: datetime(2026, 1, 1)).now()  # noqa: DTZ001
