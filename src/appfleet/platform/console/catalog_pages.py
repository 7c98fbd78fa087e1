"""`/admin/catalogs`: the apps' editable content (Health Index's products, CorpFinity's
challenges), listed and edited through a form built from each catalog's fields."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.deps import DbSession
from appfleet.core.errors import ValidationFailed
from appfleet.core.registry import EditableCatalog
from appfleet.platform.admin import catalogs
from appfleet.platform.console.deps import CurrentConsole, PostedBy
from appfleet.platform.console.pages import ConsoleRoute, back_to, render
from appfleet.platform.console.session import PATH, Console

router = APIRouter(prefix=f"{PATH}/catalogs", include_in_schema=False, route_class=ConsoleRoute)
NEW = "new"


@router.get("")
async def every(request: Request, console: CurrentConsole) -> HTMLResponse:
    found = catalogs.editable(request.app.state.registry, console.admin)
    return render("catalogs.html", console, section="catalogs", found=found)


@router.get("/{app}/{key}")
async def rows(
    app: str,
    key: str,
    request: Request,
    console: CurrentConsole,
    session: DbSession,
    edit: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    return await _page(request, console, session, app, key, edit, None, None, 200)


async def _page(
    request: Request,
    console: Console,
    session: AsyncSession,
    app: str,
    key: str,
    edit: str | None,
    values: dict[str, Any] | None,
    error: str | None,
    status: int,
) -> HTMLResponse:
    context, catalog = catalogs.find(request.app.state.registry, console.admin, app, key)
    listed = await catalog.rows(session)
    editing = next((r for r in listed if r["id"] == edit), None)
    if values is None:
        values = editing or {}
    return render(
        "catalog.html",
        console,
        section="catalogs",
        status=status,
        app=context,
        catalog=catalog,
        rows=listed,
        editing=editing,
        creating=edit == NEW,
        values=values,
        error=error,
    )


def _values(catalog: EditableCatalog, form: Any, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in catalog.fields:
        if field.on_create_only and not creating:
            continue
        if field.kind == "bool":
            values[field.name] = form.get(field.name) == "true"
        else:
            raw = form.get(field.name)
            values[field.name] = raw.strip() if isinstance(raw, str) else ""
    return values


@router.post("/{app}/{key}", response_model=None)
async def save(
    app: str, key: str, request: Request, console: PostedBy, session: DbSession
) -> HTMLResponse | RedirectResponse:
    state = request.app.state
    context, catalog = catalogs.find(state.registry, console.admin, app, key)
    form = await request.form()
    item = form.get("item_id")
    item_id = item if isinstance(item, str) and item else None
    values = _values(catalog, form, item_id is None)
    origin = console.admin.acting_on(context.name)
    try:
        await catalog.write(session, state, origin, console.admin.user.id, item_id, values)
    except ValidationFailed as error:
        return await _page(
            request, console, session, app, key, item_id or NEW, values, error.message, 400
        )
    return back_to(f"{PATH}/catalogs/{app}/{key}")
