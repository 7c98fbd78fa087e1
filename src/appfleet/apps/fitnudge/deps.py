from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import Depends, Request

from appfleet.apps.fitnudge.models import Goal
from appfleet.apps.fitnudge.service import Coach, goals
from appfleet.apps.fitnudge.service._common import Athlete, coach_from
from appfleet.core.deps import DbSession
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.auth.errors import TokenRejected


def coach_of(request: Request) -> Coach:
    return coach_from(request.app.state)


async def get_coach(request: Request) -> Coach:
    return coach_of(request)


CoachDep = Annotated[Coach, Depends(get_coach)]


async def get_athlete(request: Request, claims: CurrentClaims) -> Athlete:
    """The caller from the cached profile (no database transaction held by the route)."""
    state = request.app.state
    app = state.registry.get(claims.app)
    profile = await state.profiles.read(state.db, app, claims.user_id)
    if profile is None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    data = orjson.loads(profile)
    return Athlete(claims.user_id, data["name"], data["language"], data["timezone"])


AthleteDep = Annotated[Athlete, Depends(get_athlete)]


async def get_owned_goal(goal_id: uuid.UUID, claims: CurrentClaims, session: DbSession) -> Goal:
    """The caller's goal; anyone else's is a 404."""
    return await goals.owned(session, claims.user_id, goal_id)


OwnedGoal = Annotated[Goal, Depends(get_owned_goal)]
