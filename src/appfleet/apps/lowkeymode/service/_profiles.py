"""Profiles: a pseudonym made up the first time one is needed, changed by the user (unique
regardless of case), being listed or not, the app's preferences."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.lowkeymode.models import Profile
from appfleet.apps.lowkeymode.schemas import ProfileRead, ProfileUpdate
from appfleet.apps.lowkeymode.service._common import BOARD_PREFIX, Lowkey, standing_keys
from appfleet.core.database import insert
from appfleet.core.errors import Conflict
from appfleet.platform.auth.deps import Member
from appfleet.platform.auth.service import pseudonym
from appfleet.platform.users.service import merge_preferences
from appfleet.runtime.cache import forget_after_commit

_ATTEMPTS = 8  # made-up pseudonyms collide rarely; a few tries always find a free one


async def ensure(session: AsyncSession, lk: Lowkey, user_id: uuid.UUID) -> Profile:
    """The user's profile, created with a made-up pseudonym if they have none yet."""
    for _ in range(_ATTEMPTS):
        found = await session.get(Profile, user_id, populate_existing=True)
        if found is not None:
            return found
        name, now = pseudonym(99_990), lk.clock.now()
        # Nothing on conflict: a concurrent request made the profile, or the name is taken.
        await session.execute(
            insert(session, Profile.__table__)
            .values(
                user_id=user_id,
                pseudonym=name,
                pseudonym_key=name.lower(),
                listed=True,
                ambassador=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
    raise Conflict("No free pseudonym was found; try again")  # pragma: no cover - 8 collisions


def read(profile: Profile, member: Member) -> ProfileRead:
    return ProfileRead(
        pseudonym=profile.pseudonym,
        listed=profile.listed,
        ambassador=profile.ambassador,
        preferences=member.membership.preferences,
        created_at=profile.created_at,
    )


async def update(
    session: AsyncSession, lk: Lowkey, member: Member, change: ProfileUpdate
) -> ProfileRead:
    profile = await ensure(session, lk, member.user.id)
    shown = (profile.pseudonym, profile.listed)
    if change.pseudonym is not None and change.pseudonym != profile.pseudonym:
        profile.pseudonym, profile.pseudonym_key = change.pseudonym, change.pseudonym.lower()
    if change.listed is not None:
        profile.listed = change.listed
    if change.preferences is not None:
        merge_preferences(member.membership, change.preferences)
        lk.profiles.forget(session, member.user)  # /users/me shows the preferences too
    profile.updated_at = lk.clock.now()
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("That pseudonym is taken", details={"reason": "pseudonym_taken"}) from exc
    if (profile.pseudonym, profile.listed) != shown:
        forget_after_commit(session, lk.cache, prefix=BOARD_PREFIX)
        now = lk.clock.now()  # the boards shown now: earlier days' are never read again
        forget_after_commit(session, lk.cache, *standing_keys(member.user.id, now))
    return read(profile, member)
