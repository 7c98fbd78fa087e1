from __future__ import annotations

from appfleet.core.deps import ClockDep
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentMember
from appfleet.platform.users import service
from appfleet.platform.users.schemas import UserRead, UserUpdate

router = app_router(prefix="/users", tags=["users"])


@router.get("/me")
async def read_me(member: CurrentMember) -> UserRead:
    """The signed-in user, as this app sees them."""
    return service.to_read(member.user, member.membership)


@router.patch("/me")
async def update_me(change: UserUpdate, member: CurrentMember, clock: ClockDep) -> UserRead:
    """Change name, avatar, timezone, language or this app's preferences."""
    service.update_profile(member.user, member.membership, change, clock)
    return service.to_read(member.user, member.membership)
