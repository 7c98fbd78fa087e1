"""Rate limits and AI budgets changed at run time: per app (the `flags` permission there) or
for every app (deployment-wide). Audited; in force in every process within seconds."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import Forbidden, NotFound, ValidationFailed
from appfleet.platform.admin.deps import Admin
from appfleet.platform.admin.schemas import LimitRead, LimitsRead
from appfleet.platform.audit import service as audit
from appfleet.runtime.limits import BUDGETS, EVERY_APP, LimitBook, parse_value
from appfleet.runtime.models import LimitOverride

PERMISSION = "flags"


def check(admin: Admin, book: LimitBook, app: str | None, name: str) -> None:
    if name not in book.names():
        raise NotFound(f"No limit named {name!r}", details={"known": book.names()})
    if app is not None:
        admin.check(PERMISSION, app)
    elif not admin.can(PERMISSION, None):
        raise Forbidden(
            "Limits for every app need the flags permission deployment-wide",
            details={"reason": "permission_missing", "permission": PERMISSION, "app": None},
        )


async def listing(session: AsyncSession, admin: Admin, book: LimitBook) -> LimitsRead:
    rows = await session.scalars(select(LimitOverride).order_by(LimitOverride.name))
    apps = admin.apps(PERMISSION)
    return LimitsRead(
        defaults={name: book.default(name) for name in book.names()},
        budgets=sorted(BUDGETS),
        overrides=[_read(r) for r in rows if apps is None or r.scope in apps],
    )


def _read(row: LimitOverride) -> LimitRead:
    scope = None if row.scope == EVERY_APP else row.scope
    return LimitRead(app=scope, name=row.name, value=row.value, updated_at=row.updated_at)


async def put(
    session: AsyncSession,
    clock: Clock,
    admin: Admin,
    book: LimitBook,
    app: str | None,
    name: str,
    value: str,
) -> LimitRead:
    check(admin, book, app, name)
    try:
        parse_value(name, value.strip())
    except ValueError as error:
        kind = "a token count" if name in BUDGETS else "a rate like 5/minute"
        raise ValidationFailed(
            f"{name} needs {kind}", details={"value": {"message": str(error)}}
        ) from None
    scope = app or EVERY_APP
    row = await session.get(LimitOverride, (scope, name))
    if row is None:
        row = LimitOverride(scope=scope, name=name)
        session.add(row)
    row.value, row.updated_at, row.updated_by = value.strip(), clock.now(), str(admin.user.id)
    await session.flush()
    book.reread_after_commit(session)
    await audit.record(
        session,
        clock,
        admin.acting_on(app),
        "limit_changed",
        admin.user.id,
        limit=name,
        value=row.value,
    )
    return _read(row)


async def clear(
    session: AsyncSession, clock: Clock, admin: Admin, book: LimitBook, app: str | None, name: str
) -> None:
    """Back to the settings file's value (or every app's override, for an app)."""
    check(admin, book, app, name)
    await session.execute(
        delete(LimitOverride).where(
            LimitOverride.scope == (app or EVERY_APP), LimitOverride.name == name
        )
    )
    book.reread_after_commit(session)
    await audit.record(
        session, clock, admin.acting_on(app), "limit_cleared", admin.user.id, limit=name
    )
