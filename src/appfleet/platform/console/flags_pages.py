"""`/admin/flags`, `/admin/experiments` and `/admin/limits`: flags per app (or deployment-wide)
created and edited from a form, experiments drafted, started, stopped and their results, and
rate limits and AI budgets changed at run time."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.deps import DbSession
from appfleet.core.errors import Forbidden, NotFound, ValidationFailed, validated
from appfleet.platform.admin import limits
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import PATH, Console
from appfleet.platform.flags import service
from appfleet.platform.flags.schemas import KEY_PATTERN, ExperimentWrite, FlagWrite

router = APIRouter(prefix=PATH, include_in_schema=False, route_class=ConsoleRoute)
PERMISSION = "flags"
KEY = re.compile(KEY_PATTERN)
GLOBAL = ""  # the form's value for a deployment-wide flag
Field = Annotated[str, Form(max_length=300)]


def _scopes(request: Request, console: Console, *, deployment: bool) -> list[str]:
    names = [c.name for c in request.app.state.registry if console.admin.can(PERMISSION, c.name)]
    return ([GLOBAL] if deployment and console.admin.can(PERMISSION, None) else []) + names


def _edit(request: Request, console: Console, session: AsyncSession, app: str | None) -> Any:
    if app:
        console.admin.check(PERMISSION, app)
    elif not console.admin.can(PERMISSION, None):
        raise Forbidden("Deployment-wide flags need the flags permission everywhere")
    state = request.app.state
    origin = console.admin.acting_on(app)
    return service.AdminEdit(session, state.flags, state.clock, origin, console.admin.user.id)


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]


def _key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise ValidationFailed("Invalid: key: lower-case letters, digits, dots and dashes")
    return key


def _chosen(app: str | None, scopes: list[str]) -> str | None:
    return app if app in scopes else (scopes[0] if scopes else None)


async def _flags_page(
    request: Request,
    console: Console,
    session: AsyncSession,
    app: str | None,
    key: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    scopes = _scopes(request, console, deployment=True)
    chosen = _chosen(app, scopes)
    listed = [] if chosen is None else await service.list_flags(session, chosen or None)
    return render(
        "flags.html",
        console,
        section="flags",
        status=400 if error else 200,
        scopes=scopes,
        chosen=chosen,
        flags=listed,
        editing=next((f for f in listed if f.key == key), None),
        error=error,
    )


@router.get("/flags")
async def flags(
    request: Request,
    console: CurrentConsole,
    session: DbSession,
    app: Annotated[str | None, Query(max_length=40)] = None,
    key: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return await _flags_page(request, console, session, app, key)


@router.post("/flags", response_model=None)
async def save_flag(
    request: Request,
    console: PostedBy,
    session: DbSession,
    app: Annotated[str, Form(max_length=40)],
    key: Annotated[str, Form(max_length=64)],
    description: Field = "",
    rollout_percent: Annotated[str, Form(max_length=10)] = "100",
    plans: Field = "",
    countries: Field = "",
    enabled: Annotated[bool, Form()] = False,
    killed: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    edit = _edit(request, console, session, app or None)
    form = {
        "description": description,
        "enabled": enabled,
        "killed": killed,
        "rollout_percent": rollout_percent or "0",
        "audience": {"plans": _words(plans), "countries": _words(countries.upper())},
    }
    try:  # everything checked before anything is written
        change, key = validated(FlagWrite, form), _key(key)
    except ValidationFailed as error:
        return await _flags_page(request, console, session, app, error=error.message)
    await service.put_flag(edit, app or None, key, change)
    return back_to(f"{PATH}/flags?app={app}")


async def _experiments_page(
    request: Request,
    console: Console,
    session: AsyncSession,
    app: str | None,
    error: str | None = None,
) -> HTMLResponse:
    scopes = _scopes(request, console, deployment=False)
    chosen = _chosen(app, scopes)
    listed = [] if chosen is None else await service.list_experiments(session, chosen)
    return render(
        "experiments.html",
        console,
        section="experiments",
        status=400 if error else 200,
        scopes=scopes,
        chosen=chosen,
        experiments=listed,
        error=error,
    )


@router.get("/experiments")
async def experiments(
    request: Request,
    console: CurrentConsole,
    session: DbSession,
    app: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return await _experiments_page(request, console, session, app)


@router.post("/experiments", response_model=None)
async def save_experiment(
    request: Request,
    console: PostedBy,
    session: DbSession,
    app: Annotated[str, Form(max_length=40)],
    key: Annotated[str, Form(max_length=64)],
    variants: Field,
    conversion_event: Annotated[str, Form(max_length=64)],
    description: Field = "",
) -> HTMLResponse | RedirectResponse:
    edit = _edit(request, console, session, app)
    arms = []
    for word in _words(variants):
        name, _, weight = word.partition(":")
        arms.append({"name": name.strip(), "weight": weight.strip() or "1"})
    form = {"description": description, "variants": arms, "conversion_event": conversion_event}
    try:  # everything checked before anything is written
        change, key = validated(ExperimentWrite, form), _key(key)
    except ValidationFailed as error:
        return await _experiments_page(request, console, session, app, error.message)
    await service.put_experiment(edit, app, key, change)
    return back_to(f"{PATH}/experiments?app={app}")


@router.get("/experiments/{app}/{key}")
async def experiment(
    app: str, key: str, request: Request, console: CurrentConsole, session: DbSession
) -> HTMLResponse:
    console.admin.check(PERMISSION, app)
    row = service.experiment_read(await service.experiment(session, app, key))
    figures = await service.results(session, app, key)
    return render(
        "experiment.html",
        console,
        section="experiments",
        app=app,
        experiment=row,
        results=figures,
    )


@router.post("/experiments/{app}/{key}/start")
async def start(
    app: str, key: str, request: Request, console: PostedBy, session: DbSession
) -> RedirectResponse:
    await service.start(_edit(request, console, session, app), app, key)
    return back_to(f"{PATH}/experiments/{app}/{key}")


@router.post("/experiments/{app}/{key}/stop")
async def stop(
    app: str,
    key: str,
    request: Request,
    console: PostedBy,
    session: DbSession,
    winner: Annotated[str | None, Form(max_length=40)] = None,
) -> RedirectResponse:
    await service.stop(_edit(request, console, session, app), app, key, winner or None)
    return back_to(f"{PATH}/experiments/{app}/{key}")


@router.get("/limits")
async def limit_page(request: Request, console: CurrentConsole, session: DbSession) -> HTMLResponse:
    return await _limits(request, console, session, None, 200)


async def _limits(
    request: Request, console: Console, session: AsyncSession, error: str | None, status: int
) -> HTMLResponse:
    book = request.app.state.limits
    listed = await limits.listing(session, console.admin, book)
    return render(
        "limits.html",
        console,
        section="limits",
        status=status,
        listed=listed,
        scopes=_scopes(request, console, deployment=True),
        names=book.names(),
        error=error,
    )


@router.post("/limits", response_model=None)
async def save_limit(
    request: Request,
    console: PostedBy,
    session: DbSession,
    app: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=64)],
    value: Annotated[str, Form(max_length=40)] = "",
    clear: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    state = request.app.state
    scope = app or None
    if scope is not None and scope not in state.registry:
        raise NotFound(f"No app named {scope!r}")
    try:
        if clear:
            await limits.clear(session, state.clock, console.admin, state.limits, scope, name)
        else:
            await limits.put(session, state.clock, console.admin, state.limits, scope, name, value)
    except ValidationFailed as error:
        return await _limits(request, console, session, error.message, 400)
    return back_to(f"{PATH}/limits")
