"""Granting and revoking admin roles, each change audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.platform.admin.models import AdminGrant
from appfleet.platform.admin.permissions import ROLE_NAMES, Held
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.platform.users.models import User


async def held_by(session: AsyncSession, user_id: uuid.UUID) -> tuple[Held, ...]:
    rows = await session.execute(
        select(AdminGrant.role, AdminGrant.app).where(AdminGrant.user_id == user_id)
    )
    return tuple(Held(role, app) for role, app in rows)


async def grants(session: AsyncSession, app: str | None = None) -> list[AdminGrant]:
    """Every grant (for one app: that app's and the deployment-wide ones), oldest first."""
    statement = select(AdminGrant).order_by(AdminGrant.id)
    if app is not None:
        statement = statement.where((AdminGrant.app == app) | AdminGrant.app.is_(None))
    return list(await session.scalars(statement))


async def grant(
    session: AsyncSession,
    clock: Clock,
    origin: Origin,
    *,
    user_id: uuid.UUID,
    role: str,
    app: str | None,
    by: uuid.UUID | None,
) -> AdminGrant:
    """Give `user_id` `role` in `app` (None: deployment-wide), replacing the role they held in
    that scope."""
    if role not in ROLE_NAMES:
        raise ValidationFailed(
            f"Unknown role {role!r}", details={"field": "role", "allowed": list(ROLE_NAMES)}
        )
    if await session.get(User, user_id) is None:
        raise NotFound("No such user")
    scope = AdminGrant.app.is_(None) if app is None else AdminGrant.app == app
    row = await session.scalar(
        select(AdminGrant).where(AdminGrant.user_id == user_id, scope).with_for_update()
    )
    previous = row.role if row else None
    if row is None:
        row = AdminGrant(user_id=user_id, app=app, role=role, granted_at=clock.now(), granted_by=by)
        session.add(row)
    else:
        row.role, row.granted_at, row.granted_by = role, clock.now(), by
    await session.flush()
    await audit.record(
        session,
        clock,
        origin,
        "role_change",
        user_id,
        previous=previous,
        role=role,
        scope=app,
        by=str(by) if by else None,
    )
    return row


async def revoke(
    session: AsyncSession, clock: Clock, origin: Origin, grant_id: int, *, by: uuid.UUID
) -> None:
    row = await session.get(AdminGrant, grant_id)
    if row is None:
        raise NotFound("No such grant")
    await session.delete(row)
    await audit.record(
        session,
        clock,
        origin,
        "role_change",
        row.user_id,
        previous=row.role,
        role=None,
        scope=row.app,
        by=str(by),
    )
