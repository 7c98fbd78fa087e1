"""`/api/v1/admin/users`: finding accounts and acting on them (`users:read` to look, `users`
to change; see platform/admin/users.py for how app-scoped grants apply)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from appfleet.core.deps import DbSession
from appfleet.core.routing import app_router
from appfleet.platform.admin import users
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.admin.schemas import SuspendWrite, UserDetail, UserList

router: APIRouter = app_router(prefix=f"{ADMIN_PREFIX}/users", tags=["admin: users"])
Reader = Annotated[Admin, require(users.READ, anywhere=True)]


async def get_operator(request: Request, admin: Reader) -> users.Operator:
    state = request.app.state
    return users.Operator(admin, state.registry, state.auth, state.clock)


Operator = Annotated[users.Operator, Depends(get_operator)]


@router.get("", response_model=UserList)
async def list_users(
    admin: Reader,
    session: DbSession,
    search: Annotated[str | None, Query(max_length=100, description="In email or name.")] = None,
    app: Annotated[str | None, Query(max_length=40)] = None,
    plan: Annotated[str | None, Query(max_length=40, examples=["pro"])] = None,
    active: bool | None = None,
    created_from: date | None = None,
    created_to: Annotated[date | None, Query(description="Inclusive.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> UserList:
    """Accounts in the apps the caller reads users of, newest first, with the total."""
    return await users.search(
        session,
        admin,
        text=search,
        app=app,
        plan=plan,
        active=active,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        offset=offset,
    )


@router.get("/{user_id}", response_model=UserDetail)
async def read_user(user_id: uuid.UUID, op: Operator, session: DbSession) -> UserDetail:
    """Memberships and plans, devices signed in, recent activity."""
    return await users.detail(session, op.registry, op.admin, user_id)


@router.post("/{user_id}/suspend", response_model=UserDetail)
async def suspend_user(
    user_id: uuid.UUID, body: SuspendWrite, op: Operator, session: DbSession
) -> UserDetail:
    """Suspend the account in every app at once: its tokens stop working."""
    return await users.suspend(session, op, user_id, body.reason)


@router.post("/{user_id}/unsuspend", response_model=UserDetail)
async def unsuspend_user(user_id: uuid.UUID, op: Operator, session: DbSession) -> UserDetail:
    """Lift a suspension (the user signs in again)."""
    return await users.unsuspend(session, op, user_id)


@router.post("/{user_id}/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def force_password_reset(user_id: uuid.UUID, op: Operator, session: DbSession) -> None:
    """Retire the password, sign out everywhere, and email a reset link."""
    await users.force_password_reset(session, op, user_id)


@router.get("/{user_id}/export")
async def export_user(user_id: uuid.UUID, op: Operator, session: DbSession) -> dict[str, Any]:
    """The user's data in each app the caller reads users of."""
    return await users.export(session, op, user_id)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: uuid.UUID, op: Operator, session: DbSession) -> None:
    """Delete the account as its owner would (purged after the retention period)."""
    await users.delete(session, op, user_id)
