from __future__ import annotations

from fastapi import Request, Response

from appfleet.core.deps import ClockDep, CurrentApp, DatabaseDep, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.users import service
from appfleet.platform.users.schemas import UserRead, UserUpdate
from appfleet.runtime.cache import CacheDep

router = app_router(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserRead)
async def read_me(
    claims: CurrentClaims, app: CurrentApp, db: DatabaseDep, cache: CacheDep
) -> Response:
    """The signed-in user, as this app sees them."""
    body = await service.cached_profile(cache, db, app, claims.user_id)
    if body is None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    return Response(body, media_type="application/json")


@router.patch("/me")
async def update_me(
    change: UserUpdate,
    member: CurrentMember,
    clock: ClockDep,
    session: DbSession,
    cache: CacheDep,
    request: Request,
) -> UserRead:
    """Change name, avatar, timezone, language or this app's preferences."""
    service.update_profile(member.user, member.membership, change, clock)
    apps = request.app.state.registry.in_group(member.user.identity_group)
    service.forget_profile(session, cache, member.user.id, apps)
    return service.to_read(member.user, member.membership)
