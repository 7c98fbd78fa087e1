"""Who is using the console: the admin a live console session names, and the CSRF check every
form post passes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.core.deps import DbSession
from appfleet.core.errors import Forbidden
from appfleet.platform.admin import service as grants
from appfleet.platform.admin.deps import Admin, record_read
from appfleet.platform.audit.service import Origin
from appfleet.platform.console.session import COOKIE, Console, SignInRequired, csrf_of, same
from appfleet.platform.console.session import signed_in as session_of


async def current_console(request: Request, session: DbSession) -> Console:
    state = request.app.state
    codec = state.auth.tokens
    user, row = await session_of(
        session, codec, state.clock, state.registry, request.cookies.get(COOKIE)
    )
    held = await grants.held_by(session, user.id)
    if not held or (state.settings.env == "production" and user.totp_enabled_at is None):
        raise SignInRequired()
    request.scope["state"]["user_id"] = str(user.id)
    admin = Admin(user, held, Origin.of(request, None))
    record_read(request, session, admin)
    return Console(admin, row.id, row.app, csrf_of(codec, row.id))


CurrentConsole = Annotated[Console, Depends(current_console)]


async def posted_by(request: Request, console: CurrentConsole) -> Console:
    """A form post from the console's own page: its CSRF token matches the session's."""
    form = await request.form()
    token = form.get("csrf")
    if not same(console.csrf, token if isinstance(token, str) else None):
        raise Forbidden("This form has expired; reload the page and try again")
    return console


PostedBy = Annotated[Console, Depends(posted_by)]
