from __future__ import annotations

from fastapi import Request, Response

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.users import service
from appfleet.platform.users.deps import Profiles
from appfleet.platform.users.schemas import UserRead, UserUpdate
from appfleet.platform.users.service import ProfileCache
from appfleet.runtime.realtime import BrokerDep, publish_after_commit, user_channel

router = app_router(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserRead)
async def read_me(claims: CurrentClaims, request: Request) -> Response:
    """The signed-in user, as this app sees them."""
    # The hottest authenticated route: one dependency; every further dependency costs FastAPI
    # more to resolve than the attribute reads below.
    state = request.app.state
    profiles: ProfileCache = state.profiles
    body = await profiles.read(state.db, state.registry.get(claims.app), claims.user_id)
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
    broker: BrokerDep,
) -> UserRead:
    """Change name, avatar, timezone, language or this app's preferences."""
    service.update_profile(member.user, member.membership, change, clock)
    profiles.forget(session, member.user)
    updated = service.to_read(member.user, member.membership)
    # The user's other devices learn of it at once (after the commit).
    channel = user_channel(member.claims.app, member.user.id)
    publish_after_commit(session, broker, channel, "user.updated", updated.model_dump(mode="json"))
    return updated
