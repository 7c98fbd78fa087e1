from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import Depends, Request

from appfleet.apps.corpfinity.models import Reminder
from appfleet.apps.corpfinity.service import Member, Runtime
from appfleet.apps.corpfinity.service import reminders as reminder_service
from appfleet.apps.corpfinity.service._common import runtime_from
from appfleet.core.database import Database
from appfleet.core.deps import DbSession
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.auth.errors import TokenRejected


def runtime_of(request: Request) -> Runtime:
    return runtime_from(request.app.state)


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


@dataclass(frozen=True, slots=True)
class Call:
    """Who calls and what serves them: one dependency for the app's routes (each dependency
    costs FastAPI more to resolve than what it looks up)."""

    member: Member
    rt: Runtime
    db: Database


async def get_call(request: Request, claims: CurrentClaims) -> Call:
    """The caller from the cached profile (their timezone decides their "today")."""
    state = request.app.state
    app = state.registry.get(claims.app)
    profile = await state.profiles.read(state.db, app, claims.user_id)
    if profile is None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    data = orjson.loads(profile)
    member = Member(app, claims.user_id, data["timezone"], data["language"], data["name"])
    return Call(member, runtime_of(request), state.db)


async def get_member(call: CallDep) -> Member:
    return call.member


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CallDep = Annotated[Call, Depends(get_call)]
MemberDep = Annotated[Member, Depends(get_member)]


async def get_owned_reminder(
    reminder_id: uuid.UUID, member: MemberDep, session: DbSession
) -> Reminder:
    """The caller's reminder; anyone else's is a 404."""
    return await reminder_service.owned(session, member, reminder_id)


OwnedReminder = Annotated[Reminder, Depends(get_owned_reminder)]
