"""`/admin/outbox`: email and push as sent, dead letters, and sending one again."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from appfleet.core.deps import DbSession
from appfleet.platform.admin import operations
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import PATH
from appfleet.runtime import outbox

router = APIRouter(prefix=f"{PATH}/outbox", include_in_schema=False, route_class=ConsoleRoute)
STATUSES = ("pending", "failed", "sent", "dead", "cancelled")


@router.get("")
async def messages(
    console: CurrentConsole,
    session: DbSession,
    status: Annotated[Literal["", "pending", "failed", "sent", "dead", "cancelled"], Query()] = "",
) -> HTMLResponse:
    apps = console.admin.apps(operations.PERMISSION)
    rows = await outbox.recent(
        session, app=None, apps=apps, recipient=None, status=status or None, limit=100
    )
    return render(
        "outbox.html", console, section="outbox", rows=rows, shown=status, statuses=STATUSES
    )


@router.post("/{message_id}/requeue")
async def requeue(
    message_id: uuid.UUID, request: Request, console: PostedBy, session: DbSession
) -> RedirectResponse:
    await operations.requeue(session, request.app.state.clock, console.admin, message_id)
    return back_to(f"{PATH}/outbox?status=dead")
