"""`/api/v1/admin/limits`: rate limits and AI budgets as they stand, changed at run time per
app (`?app=`) or for every app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.errors import NotFound
from appfleet.core.routing import app_router
from appfleet.platform.admin import limits
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.admin.schemas import LimitRead, LimitsRead, LimitWrite

router: APIRouter = app_router(prefix=f"{ADMIN_PREFIX}/limits", tags=["admin: limits"])
Tuner = Annotated[Admin, require(limits.PERMISSION, anywhere=True)]
Name = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["login"])]
ForApp = Annotated[str | None, Query(max_length=40, description="One app; omit for every app.")]


def _known(request: Request, app: str | None) -> None:
    if app is not None and app not in request.app.state.registry:
        raise NotFound(f"No app named {app!r}")


@router.get("", response_model=LimitsRead)
async def read_limits(admin: Tuner, request: Request, session: DbSession) -> LimitsRead:
    """Every limit's settings value, and the overrides the caller may change."""
    return await limits.listing(session, admin, request.app.state.limits)


@router.put("/{name}", response_model=LimitRead)
async def put_limit(
    name: Name,
    body: LimitWrite,
    admin: Tuner,
    request: Request,
    session: DbSession,
    clock: ClockDep,
    app: ForApp = None,
) -> LimitRead:
    """Set a limit (`login` = `10/minute`) or an AI budget (`ai_daily_tokens` = `200000`);
    in force in every process within two seconds, no restart."""
    book = request.app.state.limits
    _known(request, app)
    return await limits.put(session, clock, admin, book, app, name, body.value)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def clear_limit(
    name: Name,
    admin: Tuner,
    request: Request,
    session: DbSession,
    clock: ClockDep,
    app: ForApp = None,
) -> None:
    """Back to the settings file's value (for an app: every app's override, if any)."""
    _known(request, app)
    await limits.clear(session, clock, admin, request.app.state.limits, app, name)
