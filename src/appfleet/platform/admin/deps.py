"""The admin API's caller: an access token from any app of the deployment, whose user holds an
admin grant; and the permission checks every admin route declares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import after_commit, unit_of_work
from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.errors import Forbidden, NotFound
from appfleet.platform.admin import service
from appfleet.platform.admin.permissions import Held, allows, apps_allowed
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.deps import CurrentMember, Member, required_bearer
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.auth.runtime import AuthRuntime
from appfleet.platform.users.models import User


@dataclass(frozen=True, slots=True)
class Admin:
    user: User
    grants: tuple[Held, ...]
    origin: Origin

    def can(self, permission: str, app: str | None) -> bool:
        return allows(self.grants, permission, app)

    def apps(self, permission: str) -> frozenset[str] | None:
        return apps_allowed(self.grants, permission)

    def check(self, permission: str, app: str) -> None:
        """403 unless `permission` is held in `app` (an app named in a filter or a path)."""
        if not self.can(permission, app):
            raise Forbidden(
                f"This needs the {permission!r} permission in {app}",
                details={"reason": "permission_missing", "permission": permission, "app": app},
            )

    def acting_on(self, app: str | None) -> Origin:
        """The audit origin of an action on `app`."""
        return Origin(app=app, ip=self.origin.ip, user_agent=self.origin.user_agent)


async def current_admin(request: Request, session: DbSession) -> Admin:
    token = required_bearer(request, "Sign in to any app of this deployment and send its token")
    state = request.app.state
    auth: AuthRuntime = state.auth
    audience = auth.tokens.audience(token)
    if audience is None or audience not in state.registry:
        raise TokenRejected("token_invalid")
    claims = auth.tokens.read(token, app=audience, expected="access", now=state.clock.now())
    if await auth.is_revoked(claims):
        raise TokenRejected("token_revoked")
    user = await session.get(User, claims.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    grants = await service.held_by(session, user.id)
    if not grants:
        raise Forbidden("This needs an admin role", details={"reason": "not_an_admin"})
    if state.settings.env == "production" and user.totp_enabled_at is None:
        raise Forbidden(
            "Administrators must turn on two-factor sign-in first",
            details={"reason": "mfa_required"},
        )
    request.scope["state"]["user_id"] = str(user.id)
    admin = Admin(user, grants, Origin.of(request, None))
    record_read(request, session, admin)
    return admin


def record_read(request: Request, session: AsyncSession, admin: Admin) -> None:
    """Audit what an admin looked at. A read's unit of work writes nothing, so the entry is
    written in one of its own once the read has finished (a write started inside the read
    could not commit on SQLite: the read's snapshot is older than it)."""
    if request.method != "GET":
        return
    state = request.app.state
    origin = admin.acting_on(request.path_params.get("app"))
    path, query = request.url.path, request.url.query[:300] or None

    async def write() -> None:
        async with unit_of_work(state.db) as audit_session:
            await audit.record(
                audit_session,
                state.clock,
                origin,
                "admin_viewed",
                admin.user.id,
                path=path,
                query=query,
            )

    after_commit(session, write)


CurrentAdmin = Annotated[Admin, Depends(current_admin)]


def require(permission: str, *, anywhere: bool = False) -> Any:
    """A route dependency: the admin holds `permission` in the app the path names (`{app}`),
    or deployment-wide on paths that name none — or, `anywhere`, in at least one app (the
    service then narrows to those); else 403. Answers the Admin."""

    async def dependency(request: Request, admin: CurrentAdmin) -> Admin:
        app = request.path_params.get("app")
        if app is not None and app not in request.app.state.registry:
            raise NotFound(f"No app named {app!r}")
        if anywhere and admin.apps(permission) != frozenset():
            return admin
        if not admin.can(permission, app):
            raise Forbidden(
                f"This needs the {permission!r} permission"
                + (f" in {app}" if app else " in some app" if anywhere else " deployment-wide"),
                details={"reason": "permission_missing", "permission": permission, "app": app},
            )
        return admin

    return Depends(dependency)


def member_may(permission: str) -> Any:
    """A route dependency for an app's own admin routes: the signed-in member holds
    `permission` in this app (an admin grant for it, or deployment-wide), else 403."""

    async def dependency(member: CurrentMember, session: DbSession, app: CurrentApp) -> Member:
        if not allows(await service.held_by(session, member.user.id), permission, app.name):
            raise Forbidden(
                f"This needs the {permission!r} permission in {app.name}",
                details={"reason": "permission_missing", "permission": permission},
            )
        return member

    return Depends(dependency)
