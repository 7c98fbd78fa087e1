from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.apps.lowkeymode.models import Profile
from appfleet.apps.lowkeymode.service import Lowkey, profiles
from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.errors import Forbidden
from appfleet.platform.admin import service as admin_service
from appfleet.platform.admin.permissions import allows
from appfleet.platform.auth.deps import CurrentMember


async def get_lowkey(request: Request) -> Lowkey:
    state = request.app.state
    return Lowkey(clock=state.clock, cache=state.cache, profiles=state.profiles)


LowkeyDep = Annotated[Lowkey, Depends(get_lowkey)]


async def get_ambassador(
    member: CurrentMember, session: DbSession, lk: LowkeyDep, app: CurrentApp
) -> Profile:
    """The caller's profile, if they are an ambassador (or manage this app's users), else 403."""
    profile = await profiles.ensure(session, lk, member.user.id)
    if not profile.ambassador and not allows(
        await admin_service.held_by(session, member.user.id), "users", app.name
    ):
        raise Forbidden(
            "Only ambassadors have referral codes", details={"reason": "not_ambassador"}
        )
    return profile


Ambassador = Annotated[Profile, Depends(get_ambassador)]
