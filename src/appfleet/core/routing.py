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


def app_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=AppRoute, **kwargs)
