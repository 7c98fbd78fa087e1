from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.platform.notifications.models import Notification, NotificationPreference
from appfleet.providers.push.models import PushDevice

# Pushes that count toward the daily limit: sent or waiting to be sent.
PUSHED_STATES = ("queued", "held")


class NotificationRepository:
    """One user's notifications and devices in one app; every query starts from that scope."""

    def __init__(self, session: AsyncSession, app: str, user_id: uuid.UUID) -> None:
        self.session, self.app, self.user_id = session, app, user_id

    def notifications(self) -> Select[Notification]:
        return select(Notification).where(
            Notification.app == self.app, Notification.user_id == self.user_id
        )

    def inbox(self) -> Select[Notification]:
        return self.notifications().where(Notification.replaced_at.is_(None))

    async def get(self, notification_id: uuid.UUID) -> Notification | None:
        return await self.session.scalar(
            self.notifications().where(Notification.id == notification_id)
        )

    async def by_key(self, key: str) -> Notification | None:
        return await self.session.scalar(self.notifications().where(Notification.key == key))

    async def _count(self, *conditions: ColumnElement[bool]) -> int:
        query = (
            select(func.count())
            .select_from(Notification)
            .where(Notification.app == self.app, Notification.user_id == self.user_id, *conditions)
        )
        return int(await self.session.scalar(query) or 0)

    async def unread(self) -> int:
        return await self._count(Notification.replaced_at.is_(None), Notification.read_at.is_(None))

    async def pushed_between(self, start: datetime, end: datetime) -> int:
        return await self._count(
            Notification.push_state.in_(PUSHED_STATES),
            Notification.created_at >= start,
            Notification.created_at < end,
        )

    async def unread_with_collapse_key(self, key: str) -> list[Notification]:
        rows = await self.session.scalars(
            self.inbox().where(Notification.collapse_key == key, Notification.read_at.is_(None))
        )
        return list(rows)

    async def preference(self) -> NotificationPreference | None:
        return await self.session.get(NotificationPreference, (self.user_id, self.app))

    def devices(self) -> Select[PushDevice]:
        return select(PushDevice).where(
            PushDevice.app == self.app, PushDevice.user_id == self.user_id
        )
