"""Profiles: reading and updating a user as one app sees them, with a read-through cache."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock, zone
from appfleet.core.database import Database, after_commit, insert, unit_of_work
from appfleet.core.registry import AppContext, AppRegistry
from appfleet.platform.users.models import Activity, Membership, User
from appfleet.platform.users.repository import UserRepository
from appfleet.platform.users.schemas import UserRead, UserUpdate
from appfleet.runtime.cache import Cache, read_through


def to_read(user: User, membership: Membership) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        avatar_seed=user.avatar_seed,
        timezone=user.timezone,
        language=user.language,
        is_anonymous=user.is_anonymous,
        country=user.country,
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at,
        preferences=membership.preferences,
    )


async def join_app(session: AsyncSession, clock: Clock, user: User, app: AppContext) -> Membership:
    membership = Membership(user_id=user.id, app=app.name, preferences={}, created_at=clock.now())
    session.add(membership)
    await session.flush()
    return membership


async def record_activity(
    session: AsyncSession, user_id: uuid.UUID, app: str, at: datetime
) -> None:
    """Mark `at`'s UTC day as one the member used the app (once a day; repeats do nothing)."""
    await session.execute(
        insert(session, Activity.__table__)
        .values(app=app, day=at.date(), user_id=user_id)
        .on_conflict_do_nothing()
    )


def update_profile(user: User, membership: Membership, change: UserUpdate, clock: Clock) -> None:
    if change.timezone is not None:
        zone(change.timezone)  # a validation error names the bad zone
        user.timezone = change.timezone
    if change.country is not None:
        user.country = change.country.upper()
    for field in ("name", "avatar_seed", "language"):
        value = getattr(change, field)
        if value is not None:
            setattr(user, field, value)
    if change.preferences is not None:
        merge_preferences(membership, change.preferences)
    user.updated_at = clock.now()


def merge_preferences(membership: Membership, change: dict[str, Any]) -> None:
    """Merge `change` into the app's preferences for the user; a None value removes a key."""
    merged = dict(membership.preferences)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    membership.preferences = merged  # a new dict, so the JSON column sees the change


PROFILE_TTL_S = 300  # seed 000: cache:user for 5 minutes


def profile_key(user_id: uuid.UUID, app: str) -> str:
    return f"cache:user:{user_id}:{app}"


class ProfileCache:
    """Profiles cached per (user, app). A change forgets them, after it commits, in every app
    that shares the account, so no app serves a stale profile."""

    def __init__(self, cache: Cache, registry: AppRegistry) -> None:
        self._cache = cache
        self._registry = registry

    async def read(self, db: Database, app: AppContext, user_id: uuid.UUID) -> bytes | None:
        """The user's profile as JSON, from the cache or the database (then cached); None when
        the user is gone or inactive. A cache hit opens no database session at all."""

        async def load() -> bytes | None:
            async with unit_of_work(db, write=False) as session:
                repository = UserRepository(session, app.identity_group)
                found = await repository.member_of(user_id, app.name)
            if found is None or not found[0].is_active:
                return None
            return to_read(*found).model_dump_json().encode()

        return await read_through(self._cache, profile_key(user_id, app.name), PROFILE_TTL_S, load)

    def forget(self, session: AsyncSession, user: User) -> None:
        keys = [profile_key(user.id, app) for app in self._registry.in_group(user.identity_group)]
        cache = self._cache

        async def forget() -> None:
            await cache.delete(*keys)

        after_commit(session, forget)
