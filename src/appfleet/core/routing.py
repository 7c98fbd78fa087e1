"""The route class every appfleet router uses.

It finishes an idempotent request inside the request's unit of work: the handler has produced its
response, the session has not yet committed, so the stored response commits with the change.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from appfleet.core.errors import ErrorEnvelope
from appfleet.core.idempotency import service as idempotency_service
from appfleet.core.idempotency.deps import CLAIM_SCOPE_KEY


class AppRoute(APIRoute):
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


def app_router(**kwargs: Any) -> APIRouter:
    responses = {**ERROR_RESPONSES, **kwargs.pop("responses", {})}
    return APIRouter(route_class=AppRoute, responses=responses, **kwargs)
