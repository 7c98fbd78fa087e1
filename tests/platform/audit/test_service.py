"""Audit events are written in the transaction of the change they describe: committed with it,
rolled back with it, in the order they happened."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.audit.service import Origin

pytestmark = pytest.mark.anyio

ORIGIN = Origin(app="corpfinity", ip="203.0.113.7", user_agent="Corpfinity/3.2 iOS")


async def events(database: Database) -> list[AuditEvent]:
    async with unit_of_work(database, write=False) as session:
        return list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


async def test_an_event_commits_with_its_change_and_keeps_who_where_and_what(
    database: Database, clock: FixedClock
) -> None:
    ann = uuid.uuid4()
    async with unit_of_work(database) as session:
        await audit.record(session, clock, ORIGIN, "login", ann, method="password")
        await audit.record(session, clock, ORIGIN, "logout", ann)

    first, second = await events(database)
    assert (first.action, second.action) == ("login", "logout")
    assert (first.user_id, first.app, first.ip) == (ann, "corpfinity", "203.0.113.7")
    assert first.user_agent == "Corpfinity/3.2 iOS"
    assert first.details == {"method": "password"} and second.details == {}
    assert first.at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)


async def test_an_event_of_a_change_that_fails_is_rolled_back_with_it(
    database: Database, clock: FixedClock
) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(database) as session:
            await audit.record(session, clock, ORIGIN, "password_reset", uuid.uuid4())
            raise RuntimeError("the change failed after its event was written")

    assert await events(database) == []
