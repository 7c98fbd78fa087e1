"""The limits every request consults: when they are due for a re-read, every request that finds
them so waits for one read and all go on together (behind a lock they went one per turn of the
event loop, and under load that queue was the API's p99)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import AiSettings, RateLimitSettings
from appfleet.runtime.limits import LimitBook, Rate
from appfleet.runtime.models import LimitOverride

pytestmark = pytest.mark.anyio


def count_override_reads(database: Database) -> list[str]:
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM limit_override" in statement:
            reads.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    return reads


async def test_requests_that_find_the_limits_due_share_one_read(
    database: Database, clock: FixedClock
) -> None:
    async with unit_of_work(database) as session:
        session.add(
            LimitOverride(
                scope="corpfinity", name="login", value="2/minute", updated_at=clock.now()
            )
        )
    book = LimitBook(database, RateLimitSettings(), AiSettings(), reread_s=0)
    reads = count_override_reads(database)

    rates = await asyncio.gather(*(book.rate("corpfinity", "login") for _ in range(40)))

    assert rates == [Rate(2, 60.0)] * 40
    assert len(reads) == 1
    assert await book.rate("pennywise", "login") == Rate(5, 60.0)  # the settings' own
    assert len(reads) == 2  # due again at once with reread_s=0: a new read, not the old one
