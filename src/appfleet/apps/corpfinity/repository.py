"""Queries of one user's CorpFinity data; every statement starts from that user."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import (
    Challenge,
    Completion,
    DailyTracking,
    Progress,
    Reminder,
    Unlock,
)


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active(self, category: str | None, energy: str | None) -> list[Challenge]:
        query = select(Challenge).where(Challenge.active.is_(True))
        if category:
            query = query.where(Challenge.goal_category == category)
        if energy:
            query = query.where(Challenge.energy_level == energy)
        return list(await self.session.scalars(query.order_by(Challenge.id)))

    async def get(self, challenge_id: str) -> Challenge | None:
        return await self.session.get(Challenge, challenge_id)

    async def categories(self) -> set[str]:
        query = select(Challenge.goal_category).where(Challenge.active.is_(True)).distinct()
        return set(await self.session.scalars(query))


class UserData:
    """One user's completions, progress, achievements, reminders and tracking."""

    def __init__(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        self.session, self.user_id = session, user_id

    def completions(self) -> Select[Completion]:
        return select(Completion).where(Completion.user_id == self.user_id)

    async def by_client_id(self, client_id: uuid.UUID) -> Completion | None:
        return await self.session.scalar(
            self.completions().where(Completion.client_id == client_id)
        )

    async def completion_days(self) -> list[date]:
        query = select(Completion.local_date).where(Completion.user_id == self.user_id).distinct()
        return list(await self.session.scalars(query))

    async def progress(self) -> Progress | None:
        return await self.session.get(Progress, self.user_id)

    async def unlocked(self) -> dict[str, Unlock]:
        rows = await self.session.scalars(select(Unlock).where(Unlock.user_id == self.user_id))
        return {row.achievement_id: row for row in rows}

    async def count_by(self, column: object) -> dict[str, int]:
        """Completions per value of `column` (category, energy level)."""
        query = (
            select(column, func.count())  # type: ignore[call-overload]
            .where(Completion.user_id == self.user_id, column.is_not(None))  # type: ignore[attr-defined]
            .group_by(column)
        )
        return {str(value): int(count) for value, count in await self.session.execute(query)}

    async def count_by_category_and_energy(self) -> list[tuple[str | None, str | None, int]]:
        query = (
            select(Completion.goal_category, Completion.energy_level, func.count())
            .where(Completion.user_id == self.user_id)
            .group_by(Completion.goal_category, Completion.energy_level)
        )
        return [(c, e, int(n)) for c, e, n in await self.session.execute(query)]

    async def count_in(self, category: str) -> int:
        query = select(func.count()).where(
            Completion.user_id == self.user_id, Completion.goal_category == category
        )
        return int(await self.session.scalar(query) or 0)

    async def completed_between(self, first: date, last: date) -> int:
        query = select(func.count()).where(
            Completion.user_id == self.user_id,
            Completion.local_date >= first,
            Completion.local_date <= last,
        )
        return int(await self.session.scalar(query) or 0)

    def reminders(self) -> Select[Reminder]:
        return select(Reminder).where(Reminder.user_id == self.user_id)

    async def reminder(self, reminder_id: uuid.UUID) -> Reminder | None:
        return await self.session.scalar(self.reminders().where(Reminder.id == reminder_id))

    def tracking(self) -> Select[DailyTracking]:
        return select(DailyTracking).where(DailyTracking.user_id == self.user_id)

    async def tracking_on(self, day: date) -> DailyTracking | None:
        return await self.session.scalar(self.tracking().where(DailyTracking.date == day))

    async def tracking_between(self, first: date, last: date) -> list[DailyTracking]:
        query = self.tracking().where(DailyTracking.date >= first, DailyTracking.date <= last)
        return list(await self.session.scalars(query.order_by(DailyTracking.date)))

    async def tracked_days(self, field: str, at_least: int) -> int:
        column = getattr(DailyTracking, field)
        condition = column.is_not(None) if field == "mood" else column >= at_least
        query = select(func.count()).where(DailyTracking.user_id == self.user_id, condition)
        return int(await self.session.scalar(query) or 0)

    async def tracked_total(self, field: str) -> int:
        column = getattr(DailyTracking, field)
        query = select(func.coalesce(func.sum(column), 0)).where(
            DailyTracking.user_id == self.user_id
        )
        return int(await self.session.scalar(query) or 0)
