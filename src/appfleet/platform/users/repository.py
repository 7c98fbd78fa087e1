from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import Database
from appfleet.platform.users.models import Membership, User

# Built once: a login reads it on every attempt, and building and keying a statement per call
# costs more than running it. Besides what the password check needs, the profile a sign-in
# answers with and the membership of the app signed in to, so a sign-in that finds both need
# not read the account again.
_CREDENTIALS = (
    select(
        User.id,
        User.password_hash,
        User.is_active,
        User.deleted_at,
        User.totp_enabled_at,
        User.email,
        User.name,
        User.avatar_seed,
        User.timezone,
        User.language,
        User.is_anonymous,
        User.country,
        User.email_verified_at.is_not(None).label("email_verified"),
        User.created_at,
        Membership.id.label("membership_id"),
        Membership.preferences,
    )
    .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.app == bindparam("app")))
    .where(User.identity_group == bindparam("group"), User.email == bindparam("email"))
)

_WITH_MEMBERSHIP = (
    select(User, Membership)
    .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.app == bindparam("app")))
    .where(User.identity_group == bindparam("group"), User.id == bindparam("user_id"))
)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The account with an email, as a password check reads it (outside any session: no
    transaction is open while the hash runs)."""

    user_id: uuid.UUID
    password_hash: str | None
    # Deleted accounts that can still be restored count as usable, so their owner can be
    # told how to restore them.
    usable: bool
    # Active, no second factor and already a member of the app: the sign-in can be written
    # at once (auth/signin.py). The row holds the profile's columns and the preferences.
    ready: Row[Any] | None


async def credentials(
    db: Database, identity_group: str, email: str, app: str
) -> Credentials | None:
    """The account with `email` in the group, with its membership of `app` when it has one."""
    row = await db.first_row(_CREDENTIALS, {"group": identity_group, "email": email, "app": app})
    if row is None:
        return None
    ready = (
        row.is_active
        and row.deleted_at is None
        and row.totp_enabled_at is None
        and row.membership_id is not None
    )
    return Credentials(
        user_id=row.id,
        password_hash=row.password_hash,
        usable=row.is_active or row.deleted_at is not None,
        ready=row if ready else None,
    )


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

    async def with_membership(
        self, user_id: uuid.UUID, app: str
    ) -> tuple[User, Membership | None] | None:
        """The user and, when they have one, their membership of `app`: one query."""
        parameters = {"group": self.group, "user_id": user_id, "app": app}
        row = (await self.session.execute(_WITH_MEMBERSHIP, parameters)).first()
        return (row[0], row[1]) if row else None
