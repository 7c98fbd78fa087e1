"""Administering accounts: search, detail, suspension, forced password reset, export and
deletion. An admin sees a user when they hold the permission in one app the user belongs to;
changing the account (shared by every app of its identity group) needs the permission in all
of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import Conflict, Forbidden, NotFound
from appfleet.core.registry import AppRegistry
from appfleet.platform.admin.deps import Admin
from appfleet.platform.admin.schemas import (
    ActivityRead,
    DeviceRead,
    MembershipRead,
    UserDetail,
    UserList,
    UserSummary,
)
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.auth.models import AuthSession
from appfleet.platform.auth.recovery import end_all_sessions, request_password_reset
from appfleet.platform.auth.runtime import AuthRuntime
from appfleet.platform.auth.service import Caller
from appfleet.platform.billing import service as billing_service
from appfleet.platform.billing.models import Subscription
from appfleet.platform.privacy import service as privacy_service
from appfleet.platform.users.models import Membership, User

RECENT_ACTIVITY = 20
READ, CHANGE = "users:read", "users"


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _member_of(apps: frozenset[str] | set[str]) -> ColumnElement[bool]:
    return exists().where(Membership.user_id == User.id, Membership.app.in_(apps))


async def search(
    session: AsyncSession,
    admin: Admin,
    *,
    text: str | None,
    app: str | None,
    plan: str | None,
    active: bool | None,
    created_from: date | None,
    created_to: date | None,
    limit: int,
    offset: int,
) -> UserList:
    conditions: list[ColumnElement[bool]] = []
    visible = admin.apps(READ)
    if app is not None:
        admin.check(READ, app)
        conditions.append(_member_of({app}))
    elif visible is not None:
        conditions.append(_member_of(visible))
    if text:
        pattern = _like(text.strip())
        conditions.append(
            func.lower(User.email).like(pattern, escape="\\")
            | func.lower(User.name).like(pattern, escape="\\")
        )
    if plan is not None:
        entitled = [
            Subscription.user_id == User.id,
            Subscription.status.in_(billing_service.ENTITLED),
            *([Subscription.app == app] if app else []),
        ]
        if plan == billing_service.FREE:  # free is having no paid plan
            conditions.append(~exists().where(*entitled))
        else:
            conditions.append(exists().where(*entitled, Subscription.plan == plan))
    if active is not None:
        conditions.append(User.is_active.is_(active))
    if created_from is not None:
        conditions.append(User.created_at >= datetime.combine(created_from, time(), UTC))
    if created_to is not None:
        after = datetime.combine(created_to + timedelta(days=1), time(), UTC)
        conditions.append(User.created_at < after)
    total = await session.scalar(select(func.count()).select_from(User).where(*conditions))
    users = list(
        await session.scalars(
            select(User)
            .where(*conditions)
            .order_by(User.created_at.desc(), User.id)
            .limit(limit)
            .offset(offset)
        )
    )
    apps = await _apps_of(session, [u.id for u in users])
    return UserList(
        items=[_summary(u, apps.get(u.id, [])) for u in users],
        total=int(total or 0),
        limit=limit,
        offset=offset,
    )


async def _apps_of(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {}
    if ids:
        rows = await session.execute(
            select(Membership.user_id, Membership.app)
            .where(Membership.user_id.in_(ids))
            .order_by(Membership.created_at)
        )
        for user_id, app in rows:
            found.setdefault(user_id, []).append(app)
    return found


def _summary(user: User, apps: list[str]) -> UserSummary:
    return UserSummary(
        id=user.id,
        email=user.email,
        name=user.name,
        identity_group=user.identity_group,
        apps=apps,
        is_active=user.is_active,
        is_anonymous=user.is_anonymous,
        suspended_at=user.suspended_at,
        deleted_at=user.deleted_at,
        created_at=user.created_at,
    )


async def target(
    session: AsyncSession, admin: Admin, user_id: uuid.UUID, permission: str
) -> tuple[User, list[str]]:
    """The user and their apps, if the admin may act on them: reading needs `permission` in
    one of their apps, changing it in every one (the account is theirs all). A user the admin
    may not see is a 404, as a missing one is."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    apps = (await _apps_of(session, [user_id])).get(user_id, [])
    visible = admin.apps(READ)
    if visible is not None and not visible.intersection(apps):
        raise NotFound("No such user")
    allowed = all(admin.can(permission, a) for a in apps) if apps else admin.can(permission, None)
    if not allowed:
        raise Forbidden(
            "This account is shared by apps you do not administer",
            details={"reason": "permission_missing", "permission": permission, "apps": apps},
        )
    return user, apps


async def detail(
    session: AsyncSession, registry: AppRegistry, admin: Admin, user_id: uuid.UUID
) -> UserDetail:
    user, apps = await target(session, admin, user_id, READ)
    joined = dict(
        (
            await session.execute(
                select(Membership.app, Membership.created_at).where(Membership.user_id == user.id)
            )
        ).all()
    )
    memberships = []
    for app in apps:
        found = (
            await billing_service.entitled_subscription(session, registry.get(app), user.id)
            if app in registry
            else None
        )
        plan = found.plan if found else billing_service.FREE
        memberships.append(MembershipRead(app=app, joined_at=joined[app], plan=plan))
    devices = await session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .order_by(AuthSession.last_seen_at.desc())
    )
    events = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.user_id == user.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(RECENT_ACTIVITY)
    )
    return UserDetail(
        **_summary(user, apps).model_dump(),
        country=user.country,
        timezone=user.timezone,
        suspension_reason=user.suspension_reason,
        memberships=memberships,
        devices=[
            DeviceRead(
                session_id=d.id,
                app=d.app,
                device_name=d.device_name,
                platform=d.platform,
                app_version=d.app_version,
                last_ip=d.last_ip,
                last_seen_at=d.last_seen_at,
            )
            for d in devices
        ],
        recent_activity=[ActivityRead(at=e.at, app=e.app, action=e.action) for e in events],
    )


@dataclass(frozen=True, slots=True)
class Operator:
    """An admin acting on accounts: what the auth services need to sign a user out."""

    admin: Admin
    registry: AppRegistry
    auth: AuthRuntime
    clock: Clock

    def caller(self, apps: list[str]) -> Caller:
        # Sessions are revoked for as long as any of the user's apps lets an access token live.
        contexts = [self.registry.get(a) for a in apps if a in self.registry] or list(self.registry)
        app = max(contexts, key=self.auth.access_ttl)
        return Caller(app=app, origin=self.admin.acting_on(None), clock=self.clock, auth=self.auth)


async def suspend(
    session: AsyncSession, op: Operator, user_id: uuid.UUID, reason: str
) -> UserDetail:
    """Inactive at once in every app: sessions end and access tokens are refused."""
    user, apps = await target(session, op.admin, user_id, CHANGE)
    if user.deleted_at is not None:
        raise Conflict("This account is deleted", details={"reason": "account_deleted"})
    if user.suspended_at is None:
        caller = op.caller(apps)
        user.is_active, user.suspended_at, user.suspension_reason = False, op.clock.now(), reason
        user.updated_at = op.clock.now()
        op.auth.profiles.forget(session, user)
        await end_all_sessions(session, caller, user.id, "suspended")
        await _audit(session, op, "user_suspended", user.id, reason=reason)
    return await detail(session, op.registry, op.admin, user.id)


async def unsuspend(session: AsyncSession, op: Operator, user_id: uuid.UUID) -> UserDetail:
    user, _ = await target(session, op.admin, user_id, CHANGE)
    if user.suspended_at is not None and user.deleted_at is None:
        user.is_active, user.suspended_at, user.suspension_reason = True, None, None
        user.updated_at = op.clock.now()
        op.auth.profiles.forget(session, user)
        await _audit(session, op, "user_unsuspended", user.id)
    return await detail(session, op.registry, op.admin, user.id)


async def force_password_reset(session: AsyncSession, op: Operator, user_id: uuid.UUID) -> None:
    """The old password stops working, every session ends, and a reset link is emailed."""
    user, apps = await target(session, op.admin, user_id, CHANGE)
    if user.email is None or user.password_hash is None:
        raise Conflict(
            "This account signs in without a password", details={"reason": "no_password"}
        )
    if not user.is_active:
        raise Conflict("This account is not active", details={"reason": "inactive"})
    caller = op.caller(apps)
    user.password_hash, user.updated_at = None, op.clock.now()
    await end_all_sessions(session, caller, user.id, "password_reset_forced")
    await request_password_reset(session, caller, user.email)
    await _audit(session, op, "password_reset_forced", user.id)


async def export(session: AsyncSession, op: Operator, user_id: uuid.UUID) -> dict[str, Any]:
    """What every app the admin reads holds about the user (the user's own export, per app)."""
    user, apps = await target(session, op.admin, user_id, READ)
    readable = [a for a in apps if op.admin.can(READ, a) and a in op.registry]
    data = {}
    for app in readable:
        caller = Caller(op.registry.get(app), op.admin.acting_on(app), op.clock, op.auth)
        data[app] = await privacy_service.export(session, caller, user.id)
    return {"user_id": str(user.id), "apps": data}


async def delete(session: AsyncSession, op: Operator, user_id: uuid.UUID) -> None:
    """The user's own deletion (sign-out, Apple grant revoked, purge after the retention)."""
    user, apps = await target(session, op.admin, user_id, CHANGE)
    if user.deleted_at is not None:
        raise Conflict("This account is already deleted", details={"reason": "account_deleted"})
    if user.suspended_at is not None:
        # Deletion starts from an active account; a suspended one is still deleted outright.
        user.is_active, user.suspended_at, user.suspension_reason = True, None, None
    await session.flush()
    await privacy_service.delete_account(session, op.caller(apps), user.id, None)
    await _audit(session, op, "user_deleted_by_admin", user.id)


async def _audit(
    session: AsyncSession, op: Operator, action: str, user_id: uuid.UUID, **details: Any
) -> None:
    await audit.record(
        session, op.clock, op.admin.origin, action, user_id, by=str(op.admin.user.id), **details
    )
