"""`/admin/users`: finding accounts, one account's detail, suspending and unsuspending."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from appfleet.core.deps import DbSession
from appfleet.platform.admin import users
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import PATH, Console

router = APIRouter(prefix=f"{PATH}/users", include_in_schema=False, route_class=ConsoleRoute)
PAGE = 25


def _operator(request: Request, console: Console) -> users.Operator:
    state = request.app.state
    return users.Operator(console.admin, state.registry, state.auth, state.clock)


@router.get("")
async def find(
    request: Request,
    console: CurrentConsole,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=100)] = None,
    app: Annotated[str | None, Query(max_length=40)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    allowed = console.admin.apps(users.READ)
    apps = [c.name for c in request.app.state.registry if allowed is None or c.name in allowed]
    found = await users.search(
        session,
        console.admin,
        text=q or None,
        app=app or None,
        plan=None,
        active=None,
        created_from=None,
        created_to=None,
        limit=PAGE,
        offset=offset,
    )
    return render(
        "users.html",
        console,
        section="users",
        found=found,
        q=q or "",
        app=app or "",
        apps=apps,
        page=PAGE,
    )


@router.get("/{user_id}")
async def detail(
    user_id: uuid.UUID, request: Request, console: CurrentConsole, session: DbSession
) -> HTMLResponse:
    user = await users.detail(session, request.app.state.registry, console.admin, user_id)
    return render("user.html", console, section="users", user=user)


@router.post("/{user_id}/suspend")
async def suspend(
    user_id: uuid.UUID,
    request: Request,
    console: PostedBy,
    session: DbSession,
    reason: Annotated[str, Form(min_length=3, max_length=300)],
) -> RedirectResponse:
    await users.suspend(session, _operator(request, console), user_id, reason)
    return back_to(f"{PATH}/users/{user_id}")


@router.post("/{user_id}/unsuspend")
async def unsuspend(
    user_id: uuid.UUID, request: Request, console: PostedBy, session: DbSession
) -> RedirectResponse:
    await users.unsuspend(session, _operator(request, console), user_id)
    return back_to(f"{PATH}/users/{user_id}")
