from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.platform.users.models import Membership, User


class UserRepository:
    """Users of one identity group; every query starts from that group."""

    def __init__(self, session: AsyncSession, identity_group: str) -> None:
        self.session = session
        self.group = identity_group

    def _in_group(self) -> Select[User]:
        return select(User).where(User.identity_group == self.group)

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(self._in_group().where(User.email == email))

    async def by_provider(self, provider: str, subject: str) -> User | None:
        """The user signed in with `provider` ("apple" or "google") as `subject`."""
        column = User.apple_sub if provider == "apple" else User.google_sub
        return await self.session.scalar(self._in_group().where(column == subject))

    async def member_of(self, user_id: uuid.UUID, app: str) -> tuple[User, Membership] | None:
        """The user and their membership of `app`, if both exist."""
        row = (
            await self.session.execute(
                select(User, Membership)
                .join(Membership, Membership.user_id == User.id)
                .where(User.identity_group == self.group, User.id == user_id, Membership.app == app)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def membership(self, user_id: uuid.UUID, app: str) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(Membership.user_id == user_id, Membership.app == app)
        )
