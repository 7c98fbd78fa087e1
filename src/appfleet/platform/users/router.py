from __future__ import annotations

from fastapi import Response

from appfleet.core.deps import ClockDep, CurrentApp, DatabaseDep, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.users import service
from appfleet.platform.users.deps import Profiles
from appfleet.platform.users.schemas import UserRead, UserUpdate

router = app_router(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserRead)
async def read_me(
    claims: CurrentClaims, app: CurrentApp, db: DatabaseDep, profiles: Profiles
) -> Response:
    """The signed-in user, as this app sees them."""
    body = await profiles.read(db, app, claims.user_id)
    if body is None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    return Response(body, media_type="application/json")


@router.patch("/me")
async def update_me(
    change: UserUpdate,
    member: CurrentMember,
    clock: ClockDep,
    session: DbSession,
    profiles: Profiles,
) -> UserRead:
    """Change name, avatar, timezone, language or this app's preferences."""
    service.update_profile(member.user, member.membership, change, clock)
    profiles.forget(session, member.user)
    return service.to_read(member.user, member.membership)
