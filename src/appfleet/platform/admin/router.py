"""`/api/v1/admin`: the caller's grants, and granting roles (super_admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.routing import app_router
from appfleet.platform.admin import service
from appfleet.platform.admin.deps import CurrentAdmin, require
from appfleet.platform.admin.models import AdminGrant
from appfleet.platform.admin.permissions import ROLES
from appfleet.platform.admin.schemas import AdminMe, GrantRead, GrantWrite

ADMIN_PREFIX = "/api/v1/admin"
router: APIRouter = app_router(prefix=ADMIN_PREFIX, tags=["admin"])
GRANTS = [require("grants")]


def _read(row: AdminGrant) -> GrantRead:
    return GrantRead(
        id=row.id, user_id=row.user_id, role=row.role, app=row.app, granted_at=row.granted_at
    )


@router.get("/me", response_model=AdminMe)
async def read_me(admin: CurrentAdmin, session: DbSession) -> AdminMe:
    """The caller's roles, and what they may do where."""
    held = [g for g in await service.grants(session) if g.user_id == admin.user.id]
    everything = sorted({p for perms in ROLES.values() for p in perms if p != "*"})
    permissions = {}
    for permission in everything:
        apps = admin.apps(permission)
        if apps is None or apps:
            permissions[permission] = None if apps is None else sorted(apps)
    return AdminMe(
        user_id=admin.user.id,
        email=admin.user.email,
        grants=[_read(g) for g in held],
        permissions=permissions,
    )


@router.get("/grants", response_model=list[GrantRead], dependencies=GRANTS)
async def list_grants(session: DbSession) -> list[GrantRead]:
    """Every admin grant of the deployment."""
    return [_read(g) for g in await service.grants(session)]


@router.put("/grants", response_model=GrantRead, dependencies=GRANTS)
async def put_grant(
    body: GrantWrite, admin: CurrentAdmin, session: DbSession, clock: ClockDep, request: Request
) -> GrantRead:
    """Give a user a role, deployment-wide or in one app (replacing their role there)."""
    if body.app is not None and body.app not in request.app.state.registry:
        raise ValidationFailed(f"No app named {body.app!r}", details={"field": "app"})
    row = await service.grant(
        session,
        clock,
        admin.acting_on(body.app),
        user_id=body.user_id,
        role=body.role,
        app=body.app,
        by=admin.user.id,
    )
    return _read(row)


@router.delete("/grants/{grant_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=GRANTS)
async def delete_grant(
    grant_id: int, admin: CurrentAdmin, session: DbSession, clock: ClockDep
) -> None:
    """Take a role away."""
    if grant_id <= 0:
        raise NotFound("No such grant")
    await service.revoke(session, clock, admin.origin, grant_id, by=admin.user.id)
