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

    async def credentials(self, email: str) -> tuple[uuid.UUID, str | None, bool] | None:
        """(id, password hash, usable) for the account with `email`: just the columns a
        password check needs, without building the whole account. Deleted accounts that can
        still be restored count as usable, so their owner can be told how to restore them."""
        row = (
            await self.session.execute(
                select(User.id, User.password_hash, User.is_active, User.deleted_at).where(
                    User.identity_group == self.group, User.email == email
                )
            )
        ).first()
        if row is None:
            return None
        return row.id, row.password_hash, row.is_active or row.deleted_at is not None

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

    async def with_membership(
        self, user_id: uuid.UUID, app: str
    ) -> tuple[User, Membership | None] | None:
        """The user and, when they have one, their membership of `app`: one query."""
        row = (
            await self.session.execute(
                self._in_group()
                .add_columns(Membership)
                .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.app == app))
                .where(User.id == user_id)
            )
        ).first()
        return (row[0], row[1]) if row else None
