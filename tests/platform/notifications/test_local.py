from __future__ import annotations

from datetime import date

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from appfleet.core.database import unit_of_work
from appfleet.platform.notifications.local import notify_and_email
from appfleet.platform.notifications.service import Draft
from appfleet.platform.users.models import User
from tests.fixtures.accounts import emails_to, notifications_of, register

pytestmark = pytest.mark.anyio


async def test_a_notice_found_stored_sends_neither_push_nor_email_again(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    """Two runs of a job that chose the same member: the second one, finding the notice the
    first committed, emails nothing (seen once in CI as a double weekly summary)."""
    body = await register(client, app="fitnudge", email="ann@example.com")
    context = app.state.registry.get("fitnudge")
    draft = Draft(
        kind="weekly_summary", title="Your week", body="2 check-ins", key="week:2026-03-02"
    )
    for _ in range(2):
        async with unit_of_work(app.state.db) as session:
            user = await session.scalar(select(User).where(User.email == "ann@example.com"))
            assert user is not None
            await notify_and_email(
                session,
                app.state.clock,
                context,
                user,
                draft,
                template="weekly_summary",
                context={
                    "week_start": date(2026, 3, 2),
                    "week_end": date(2026, 3, 8),
                    "count": 2,
                    "streak": 1,
                    "highlights": ["Gym: 2/3"],
                },
                default_daily_limit=10,
            )
    assert len(await notifications_of(app, body["user"]["id"], "weekly_summary")) == 1
    assert len(await emails_to(app, "ann@example.com", kind="weekly_summary")) == 1
