"""The route classes every appfleet router uses.

`DeferredRoute` builds FastAPI's per-route state when the route is first used rather than when
its module is imported; `AppRoute` finishes an idempotent request inside the request's unit of
work: the handler has produced its response, the session has not yet committed, so the stored
response commits with the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path, get_name

from appfleet.core.errors import ErrorEnvelope
from appfleet.core.idempotency import service as idempotency_service
from appfleet.core.idempotency.deps import CLAIM_SCOPE_KEY
from appfleet.core.registry import API_PREFIX


class DeferredRoute(APIRoute):
    """An APIRoute that analyses its endpoint on first use.

    FastAPI inspects a route's signature and builds a validator (a pydantic TypeAdapter) for each
    parameter, body, response and documented error response as the decorator runs: about 2 ms a
    route, a quarter of a process's start-up across the fleet's 230 routes, nearly all of it for
    routes the first requests of a new serverless instance never reach. This route keeps only its
    path (for matching and dispatch) and its arguments; whatever else is asked of it first — the
    matcher's methods, the handler, the OpenAPI generator's fields — builds the whole route with
    FastAPI's own constructor, once, after which every attribute is a plain one.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self.path = path
        self.endpoint = endpoint
        self.name = options.get("name") or get_name(endpoint)
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self._deferred = options

    def build(self) -> None:
        """Finish the route now (no-op once built)."""
        options = self.__dict__.pop("_deferred", None)
        if options is not None:
            APIRoute.__init__(self, self.path, self.endpoint, **options)

    if not TYPE_CHECKING:  # to the type checker every attribute is APIRoute's, as declared

        def __getattr__(self, name: str) -> Any:
            # Only reached for attributes not set yet: everything but the path until built.
            if name.startswith("__") or "_deferred" not in self.__dict__:
                raise AttributeError(name)
            self.build()
            return getattr(self, name)


class AppRoute(DeferredRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            response = await handler(request)
            claim = request.scope.pop(CLAIM_SCOPE_KEY, None)
            if claim is not None:
                await idempotency_service.complete(claim, response)
            return response

        return run


# What any app route may answer besides its own responses, always in the standard envelope:
# documented on every operation so clients (and generated SDKs) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": description}
    for status, description in (
        (400, "The request is not valid (the fields are named in `details`)."),
        (401, "No valid access token (`details.reason` says why)."),
        (403, "Not allowed (a role or a plan is missing)."),
        (404, "No such resource, or not yours."),
        (409, "Conflicts with the current state."),
        (413, "The body is too large."),
        (426, "This build of the app is below its minimum version (`details.store_url`)."),
        (429, "Too many requests (`Retry-After` says when to come back)."),
        (503, "A service this needs is unavailable; retry later."),
    )
}


def _camel(words: list[str]) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""


def operation_id(route: APIRoute) -> str:
    """`{app}.{group}.{action}`, e.g. `pennywise.transactions.list`: the group is the route's
    last tag, the action its function's name without the group's own word
    (`list_transactions` → `list`, `read_balance` → `readBalance`). An app's own OpenAPI
    document drops the app (`transactions.list`), which is what generated SDKs are named by."""
    app = route.path.split("/")[3] if route.path.startswith(API_PREFIX + "/") else "platform"
    tag = str(route.tags[-1]) if route.tags else "api"
    group = _camel([w for w in re.split(r"[^a-z0-9]+", tag.lower()) if w])
    one = group[:-3] + "y" if group.endswith("ies") else group.removesuffix("s")
    stems = {group, one, one + "s"}
    words = [w for w in route.name.lower().split("_") if w]
    action = _camel([w for w in words if w not in stems]) or _camel(words)
    return f"{app}.{group}.{action}"


def app_router(**kwargs: Any) -> APIRouter:
    responses = {**ERROR_RESPONSES, **kwargs.pop("responses", {})}
    return APIRouter(
        route_class=AppRoute,
        responses=responses,
        generate_unique_id_function=operation_id,
        **kwargs,
    )
