"""PennyWise's background work: a member's insights after an import, and every night for the
members who recorded money lately (seed 003: insights generated in the background)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Insight, Transaction
from appfleet.apps.pennywise.service import Ledger, Owner, insights
from appfleet.core.clock import Clock
from appfleet.core.database import unit_of_work
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.ai.service import AiService
from appfleet.platform.users.models import User
from appfleet.runtime.cache import Cache
from appfleet.runtime.jobs.queue import enqueue
from appfleet.runtime.realtime import Broker

NIGHTLY_BATCH = 500  # members per night's run; the rest wait for the next


def _ledger(context: JobContext) -> Ledger:
    return Ledger(
        clock=context.clock,
        cache=context.resource(Cache),
        broker=context.resource(Broker),
        ai=context.resource(AiService),
    )


async def generate_for(context: JobContext, args: dict[str, Any]) -> None:
    user_id = uuid.UUID(str(args["user_id"]))
    async with unit_of_work(context.db, write=False) as reading:
        timezone = await reading.scalar(select(User.timezone).where(User.id == user_id))
    if timezone is None:
        return  # the account is gone
    # Its own units of work: the model is asked with no transaction open.
    await insights.generate(context.db, _ledger(context), Owner(user_id, timezone))


async def queue_for(session: AsyncSession, clock: Clock, user_id: uuid.UUID) -> None:
    """Insights for one member soon, in the caller's unit of work (after an import)."""
    await enqueue(session, clock, GENERATE, {"user_id": str(user_id)})


async def nightly(context: JobContext, _args: dict[str, Any]) -> None:
    now = context.clock.now()
    fresh = exists().where(
        Insight.user_id == Transaction.user_id, Insight.created_at > now - timedelta(hours=20)
    )
    active = (
        select(Transaction.user_id)
        .where(Transaction.created_at > now - timedelta(days=90), ~fresh)
        .distinct()
        .limit(NIGHTLY_BATCH)
    )
    day = now.date().isoformat()
    for user_id in await context.session.scalars(active):
        args = {"user_id": str(user_id)}
        await enqueue(context.session, context.clock, GENERATE, args, key=f"{user_id}:{day}")


GENERATE = Task("pennywise.insights", generate_for, queue="analytics", timeout_s=120)
NIGHTLY = Task("pennywise.insights_nightly", nightly, queue="analytics", timeout_s=300)
TASKS = (GENERATE, NIGHTLY)
SCHEDULES = (Schedule("pennywise.insights_nightly", NIGHTLY.name, cron="30 2 * * *"),)
