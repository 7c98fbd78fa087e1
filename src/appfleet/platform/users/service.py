"""Profiles: reading and updating a user as one app sees them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock, zone
from appfleet.core.registry import AppContext
from appfleet.platform.users.models import Membership, User
from appfleet.platform.users.schemas import UserRead, UserUpdate


def to_read(user: User, membership: Membership) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        avatar_seed=user.avatar_seed,
        timezone=user.timezone,
        language=user.language,
        is_anonymous=user.is_anonymous,
        email_verified=user.email_verified_at is not None,
        role=user.role,
        created_at=user.created_at,
        preferences=membership.preferences,
    )


async def join_app(session: AsyncSession, clock: Clock, user: User, app: AppContext) -> Membership:
    membership = Membership(user_id=user.id, app=app.name, preferences={}, created_at=clock.now())
    session.add(membership)
    await session.flush()
    return membership


def update_profile(user: User, membership: Membership, change: UserUpdate, clock: Clock) -> None:
    if change.timezone is not None:
        zone(change.timezone)  # a validation error names the bad zone
        user.timezone = change.timezone
    for field in ("name", "avatar_seed", "language"):
        value = getattr(change, field)
        if value is not None:
            setattr(user, field, value)
    if change.preferences is not None:
        merged = dict(membership.preferences)
        for key, value in change.preferences.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        membership.preferences = merged  # a new dict, so the JSON column sees the change
    user.updated_at = clock.now()
