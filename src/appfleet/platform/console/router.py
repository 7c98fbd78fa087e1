"""`/admin`: sign-in, the dashboard and system health; the other sections are in their own
modules. Every page reads through the same services as `/api/v1/admin`, with the same
permission checks; every change is a form post carrying the session's CSRF token."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from appfleet.core.deps import DbSession
from appfleet.platform.admin import dashboard, health
from appfleet.platform.admin.dashboard_router import PERMISSION as ANALYTICS
from appfleet.platform.admin.dashboard_router import scope
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.models import AuthSession
from appfleet.platform.auth.service import Caller
from appfleet.platform.console import session as console_session
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import COOKIE, LOGIN_CSRF_COOKIE, PATH, SignInRefused

router = APIRouter(prefix=PATH, include_in_schema=False, route_class=ConsoleRoute)
Text = Annotated[str, Form(max_length=320)]
STYLESHEET = (resources.files("appfleet.platform.console") / "static" / "console.css").read_bytes()


@router.get("/static/console.css")
async def stylesheet() -> Response:
    return Response(
        STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.env == "production",
    )


def _login_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    app: str | None = None,
    ask_code: bool = False,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    apps = [{"name": c.name, "title": c.display_name} for c in request.app.state.registry]
    page = render(
        "login.html",
        None,
        status=status,
        error=error,
        email=email,
        apps=apps,
        chosen=app,
        ask_code=ask_code,
        login_csrf=token,
    )
    _cookie(page, request, LOGIN_CSRF_COOKIE, token, 3600)
    return page


@router.get("/login")
async def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_model=None)
async def log_in(
    request: Request,
    session: DbSession,
    email: Text,
    password: Annotated[str, Form(max_length=200)],
    app: Annotated[str, Form(max_length=40)],
    csrf: Annotated[str, Form(max_length=100)],
    code: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    state = request.app.state
    if not console_session.same(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf):
        return _login_page(request, status=400, error="The form expired; try again", email=email)
    if app not in state.registry:
        return _login_page(request, status=400, error="Choose an app", email=email)
    context = state.registry.get(app)
    caller = Caller(context, Origin.of(request, app), state.clock, state.auth)
    try:
        cookie = await console_session.sign_in(
            session,
            caller,
            email,
            password,
            code or None,
            production=state.settings.env == "production",
        )
    except SignInRefused as refused:
        return _login_page(
            request,
            status=400,
            error=refused.message,
            email=email,
            app=app,
            ask_code=refused.needs_code,
        )
    response = back_to(PATH)
    _cookie(response, request, COOKIE, cookie, console_session.TTL_S)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PATH)
    return response


@router.post("/logout")
async def log_out(request: Request, console: PostedBy, session: DbSession) -> RedirectResponse:
    row = await session.get(AuthSession, console.session_id)
    if row is not None:
        console_session.sign_out(request.app.state.clock, row)
    response = back_to(f"{PATH}/login")
    response.delete_cookie(COOKIE, path=PATH)
    return response


@router.get("")
async def home(
    request: Request,
    console: CurrentConsole,
    app: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    state = request.app.state
    admin = console.admin
    allowed = admin.apps(ANALYTICS)
    if allowed == frozenset():
        return render("welcome.html", console, section="dashboard")
    app = app or None
    apps = [c.name for c in state.registry if allowed is None or c.name in allowed]
    figures = await dashboard.dashboard(
        state.db, state.cache, state.clock, state.registry, scope(admin, app)
    )
    return render(
        "dashboard.html", console, section="dashboard", figures=figures, apps=apps, chosen=app
    )


@router.get("/health")
async def system_health(
    request: Request, console: CurrentConsole, session: DbSession
) -> HTMLResponse:
    if not console.admin.can(ANALYTICS, None):
        return render(
            "error.html",
            console,
            status=403,
            message="System health needs the analytics permission deployment-wide",
        )
    state = request.app.state
    report = await health.system_health(session, state.health_checks, state.db)
    return render("health.html", console, section="health", report=report)
