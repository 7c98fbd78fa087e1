"""Moderation across apps: each app that has members' content declares its queue and how a
decision applies (`AppManifest.moderation`); here the permission, the audit and the shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import NotFound
from appfleet.core.registry import AppContext, Flagged, ModerationHooks
from appfleet.platform.admin.deps import Admin
from appfleet.platform.admin.schemas import FlaggedList, FlaggedRead, ModerationDecision
from appfleet.platform.audit import service as audit

PERMISSION = "content"


def hooks_of(app: AppContext) -> ModerationHooks:
    if app.moderation is None:
        raise NotFound(f"{app.name} has no content to moderate")
    return app.moderation


def read(item: Flagged) -> FlaggedRead:
    return FlaggedRead(
        id=item.id,
        author_id=item.author_id,
        author_name=item.author_name,
        text=item.text,
        flag_count=item.flag_count,
        reasons=list(item.reasons),
        created_at=item.created_at,
        status=item.status,
        moderation=item.moderation,
    )


async def queue(session: AsyncSession, app: AppContext, limit: int, offset: int) -> FlaggedList:
    items, total = await hooks_of(app).flagged(session, limit, offset)
    return FlaggedList(items=[read(i) for i in items], total=total)


async def decide(
    session: AsyncSession,
    resources: Any,
    clock: Clock,
    admin: Admin,
    app: AppContext,
    item_id: str,
    decision: ModerationDecision,
) -> FlaggedRead:
    item = await hooks_of(app).decide(
        session, resources, app, item_id, decision.action, decision.note
    )
    await audit.record(
        session,
        clock,
        admin.acting_on(app.name),
        f"moderation_{decision.action}",
        item.author_id,
        by=str(admin.user.id),
        item=item.id,
    )
    return read(item)
