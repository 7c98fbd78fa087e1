"""CorpFinity's stored streak row, which must always equal a recomputation from the history —
checked on randomized histories, out-of-order days included, against the real database
statement (the arithmetic itself: tests/core/test_streaks.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appfleet.apps.corpfinity.models import Completion, Progress
from appfleet.apps.corpfinity.service import streaks as streak_service
from appfleet.core.database import Database, unit_of_work
from appfleet.core.streaks import StreakState, recompute
from appfleet.platform.users.models import User

D = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    days=st.lists(
        # Mostly forward, sometimes a day or two back (a phone syncing late), repeats allowed.
        st.integers(min_value=-2, max_value=3),
        min_size=1,
        max_size=25,
    )
)
def test_the_stored_row_equals_a_recomputation(database_url: str, days: list[int]) -> None:
    import asyncio

    asyncio.run(_apply_and_compare(database_url, days))


async def _apply_and_compare(url: str, steps: list[int]) -> None:
    from appfleet.core.settings import DatabaseSettings

    db = Database(url, DatabaseSettings())
    try:
        user_id = uuid.uuid4()
        async with unit_of_work(db) as session:
            session.add(
                User(id=user_id, identity_group="corpfinity", created_at=NOW, updated_at=NOW)
            )
        day, seen = D, []
        for step in steps:
            day = max(D, day + timedelta(days=step))
            seen.append(day)
            async with unit_of_work(db) as session:
                session.add(
                    Completion(
                        user_id=user_id,
                        title="t",
                        completed_at=NOW,
                        local_date=day,
                        local_hour=12,
                        created_at=NOW,
                    )
                )
                await session.flush()
                await streak_service.advance(session, user_id, day, NOW)
        async with unit_of_work(db, write=False) as session:
            row = await session.get(Progress, user_id)
        assert row is not None
        expected = recompute(seen)
        assert StreakState(row.current_streak, row.longest_streak, row.last_completed_date) == (
            expected
        )
        assert row.total_completions == len(steps)
    finally:
        await db.dispose()
