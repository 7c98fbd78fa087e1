from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts

from appfleet import __version__
from appfleet.core.deps import CurrentApp
from appfleet.core.registry import AppContext
from appfleet.core.routing import app_router
from appfleet.platform.info.schemas import AppInfoRead

router = app_router(tags=["app"])


@router.get("/", response_model=AppInfoRead)
async def read_app_info(app: CurrentApp) -> AppInfoRead:
    """This app's name, display name and enabled features."""
    return AppInfoRead(
        name=app.name,
        display_name=app.display_name,
        summary=app.summary,
        api_version="v1",
        identity_group=app.identity_group,
        features=list(app.features),
    )


@router.get("/openapi.json", include_in_schema=False)
async def read_app_openapi(request: Request, app: CurrentApp) -> dict[str, Any]:
    """The OpenAPI document of this app alone: platform routes plus the app's own."""
    cache: dict[str, dict[str, Any]] = request.app.state.openapi_by_app
    if app.name not in cache:
        cache[app.name] = app_document(request.app, app)
    return cache[app.name]


def app_document(fleet: FastAPI, app: AppContext) -> dict[str, Any]:
    """One app's OpenAPI document, its operation ids without the app (`transactions.list`):
    what `/api/v1/{app}/openapi.json` serves and SDKs are generated from."""
    prefix = app.prefix + "/"
    routes = [
        route
        for route in iter_route_contexts(fleet.routes)
        if (route.path or "").startswith(prefix)
    ]
    document = get_openapi(
        title=f"{app.display_name} API", version=__version__, summary=app.summary, routes=routes
    )
    own = f"{app.name}."
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if operation.get("operationId", "").startswith(own):
                operation["operationId"] = operation["operationId"][len(own) :]
    return document
