"""Request dispatch indexed by app and first path segment.

FastAPI matches a request against routes one by one, and every app mounts the same platform
routers, so `/api/v1/pennywise/users/me` would be compared with every route of every app mounted
before it (and `auth` alone has dozens). Profiles of the hottest endpoints put a third of the
request's time there. This index sends `/api/v1/{app}/{segment}/…` straight to a router holding
only the routers that have routes under that segment; everything else (health, docs, unknown
apps, apps whose routes start with a path parameter) goes through the full router as before.
The full router still holds every route, so OpenAPI and `/docs` are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from appfleet.core.registry import API_PREFIX, AppContext

_PREFIX = API_PREFIX + "/"


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class AppDispatch:
    def __init__(self, fallback: ASGIApp) -> None:
        self.fallback = fallback
        self._buckets: dict[tuple[str, str], APIRouter] = {}

    def add(self, context: AppContext, routers: Iterable[APIRouter]) -> None:
        """Index one app's routers; an app with a route whose first segment is a parameter is
        left to the full router (its requests cannot be told apart by segment)."""
        routers = list(routers)
        by_segment: dict[str, list[APIRouter]] = {}
        for router in routers:
            for route in router.routes:
                segment = _first_segment(getattr(route, "path", ""))
                if segment.startswith("{"):
                    return
                members = by_segment.setdefault(segment, [])
                if router not in members:
                    members.append(router)
        for segment, members in by_segment.items():
            bucket = APIRouter()
            for router in members:
                bucket.include_router(router, prefix=context.prefix)
            self._buckets[(context.name, segment)] = bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "lifespan" and path.startswith(_PREFIX):
            app, _, rest = path[len(_PREFIX) :].partition("/")
            bucket = self._buckets.get((app, rest.split("/", 1)[0]))
            if bucket is not None:
                await bucket(scope, receive, send)
                return
        await self.fallback(scope, receive, send)


class FleetAPI(FastAPI):
    """FastAPI whose innermost app is the dispatch index (or what wraps it) rather than the
    full router."""

    dispatch: ASGIApp | None = None

    def build_middleware_stack(self) -> ASGIApp:
        if self.dispatch is None:
            return super().build_middleware_stack()
        full_router = self.router
        # FastAPI wraps `self.router` in the middleware; hand it the index for that moment only.
        self.router = self.dispatch  # type: ignore[assignment]
        try:
            return super().build_middleware_stack()
        finally:
            self.router = full_router
