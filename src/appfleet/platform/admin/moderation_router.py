"""`/api/v1/admin/apps/{app}/moderation`: reported content and decisions on it (the `content`
permission in that app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from appfleet.core.deps import DbSession
from appfleet.core.routing import app_router
from appfleet.platform.admin import moderation
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.admin.schemas import FlaggedList, FlaggedRead, ModerationDecision

router: APIRouter = app_router(
    prefix=f"{ADMIN_PREFIX}/apps/{{app}}/moderation", tags=["admin: moderation"]
)
Moderator = Annotated[Admin, require(moderation.PERMISSION)]
ItemId = Annotated[str, Path(max_length=100)]


@router.get("", response_model=FlaggedList)
async def flagged(
    app: str,
    admin: Moderator,
    request: Request,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> FlaggedList:
    """Reported items no one has decided on, the most reported first, with the total."""
    return await moderation.queue(session, request.app.state.registry.get(app), limit, offset)


@router.post("/{item_id}", response_model=FlaggedRead)
async def decide(
    app: str,
    item_id: ItemId,
    body: ModerationDecision,
    admin: Moderator,
    request: Request,
    session: DbSession,
) -> FlaggedRead:
    """Approve (stays, leaves the queue until reported again), warn (stays; the author is
    told), or remove (leaves the app; the author is told)."""
    state = request.app.state
    context = state.registry.get(app)
    return await moderation.decide(session, state, state.clock, admin, context, item_id, body)
