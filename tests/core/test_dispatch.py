"""The dispatch index answers exactly as the full router would."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from appfleet.core.clock import FixedClock
from appfleet.core.registry import AppManifest
from appfleet.core.settings import Settings
from appfleet.main import create_app
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio


def by_id_router() -> APIRouter:
    router = APIRouter()

    @router.get("/{code}")
    async def by_code(code: str) -> dict[str, str]:
        return {"code": code}

    return router


def plain_router() -> APIRouter:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    return router


MANIFESTS = [
    AppManifest(name="coded", display_name="Coded", summary="x", router=by_id_router),
    AppManifest(name="plain", display_name="Plain", summary="x", router=plain_router),
]


async def test_indexed_and_unindexed_apps_route_alike(
    settings: Settings, clock: FixedClock
) -> None:
    app = create_app(settings, clock=clock, manifests=MANIFESTS)
    async with serve(app) as client:
        # An app whose route starts with a parameter goes through the full router.
        assert (await client.get("/api/v1/coded/abc")).json() == {"code": "abc"}
        assert (await client.get("/api/v1/plain/things/7")).json() == {"id": 7}
        bad = await client.get("/api/v1/plain/things/seven")
        assert bad.status_code == 400  # validation envelope, not a 404
        wrong_method = await client.delete("/api/v1/plain/things/7")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"]["code"] == "VALIDATION_ERROR"
        missing = await client.get("/api/v1/plain/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "NOT_FOUND"
        assert (await client.get("/api/v1/plain/")).json()["name"] == "plain"
        unknown = await client.get("/api/v1/nope/things/1")
        assert "Unknown app 'nope'" in unknown.json()["error"]["message"]
        me = await client.get("/api/v1/plain/users/me")
        assert me.status_code == 401  # platform routes are indexed too
