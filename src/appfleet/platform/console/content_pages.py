"""`/admin/moderation`: each app's queue of reported content, and decisions on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from appfleet.core.deps import DbSession
from appfleet.platform.admin import moderation
from appfleet.platform.admin.schemas import ModerationDecision
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import PATH

router = APIRouter(prefix=f"{PATH}/moderation", include_in_schema=False, route_class=ConsoleRoute)
PAGE = 25


@router.get("")
async def queue(
    request: Request,
    console: CurrentConsole,
    session: DbSession,
    app: Annotated[str | None, Query(max_length=40)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    registry = request.app.state.registry
    apps = [
        c.name
        for c in registry
        if c.moderation is not None and console.admin.can(moderation.PERMISSION, c.name)
    ]
    chosen = app if app in apps else (apps[0] if apps else None)
    flagged = None
    if chosen is not None:
        flagged = await moderation.queue(session, registry.get(chosen), PAGE, offset)
    return render(
        "moderation.html",
        console,
        section="moderation",
        apps=apps,
        chosen=chosen,
        flagged=flagged,
        page=PAGE,
        offset=offset,
    )


@router.post("/{app}/{item_id}")
async def decide(
    app: str,
    item_id: str,
    request: Request,
    console: PostedBy,
    session: DbSession,
    action: Annotated[str, Form(max_length=10)],
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> RedirectResponse:
    state = request.app.state
    console.admin.check(moderation.PERMISSION, app)
    decision = ModerationDecision.model_validate({"action": action, "note": note or None})
    await moderation.decide(
        session, state, state.clock, console.admin, state.registry.get(app), item_id, decision
    )
    return back_to(f"{PATH}/moderation?app={app}")
