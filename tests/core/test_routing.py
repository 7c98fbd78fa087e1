"""Routes are analysed on first use, and then behave and document exactly as FastAPI's own."""

from __future__ import annotations

from typing import Annotated

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, Query
from fastapi.routing import APIRoute

from appfleet.core.routing import DeferredRoute, app_router
from appfleet.core.schemas import Schema

pytestmark = pytest.mark.anyio


class NoteCreate(Schema):
    text: str
    stars: int = 3


class NoteRead(Schema):
    id: int
    text: str
    stars: int


def notes_router(route_class: type[APIRoute]) -> APIRouter:
    router = APIRouter(route_class=route_class)

    @router.post("/notes", status_code=201, responses={409: {"description": "Taken"}})
    async def create_note(body: NoteCreate) -> NoteRead:
        """Write a note."""
        return NoteRead(id=1, text=body.text, stars=body.stars)

    @router.get("/notes/{note_id}", response_model=NoteRead)
    async def read_note(note_id: int, loud: Annotated[bool, Query()] = False) -> dict[str, object]:
        return {"id": note_id, "text": "HI" if loud else "hi", "stars": 5}

    return router


def deferred(router: APIRouter) -> list[DeferredRoute]:
    return [route for route in router.routes if isinstance(route, DeferredRoute)]


def test_a_route_is_not_analysed_until_used() -> None:
    router = notes_router(DeferredRoute)
    routes = deferred(router)
    assert len(routes) == 2
    # Only what matching needs is there: no dependant, no validators.
    assert all("dependant" not in vars(route) for route in routes)
    assert [route.path for route in routes] == ["/notes", "/notes/{note_id}"]
    assert routes[0].path_regex.match("/notes")


def test_asking_for_anything_else_builds_the_route_once() -> None:
    route = deferred(notes_router(DeferredRoute))[0]
    assert route.methods == {"POST"}
    assert route.status_code == 201
    built = vars(route)["dependant"]
    assert route.body_field is not None
    assert vars(route)["dependant"] is built
    with pytest.raises(AttributeError):
        _ = route.no_such_attribute  # type: ignore[attr-defined]


async def serve(router: APIRouter) -> httpx2.AsyncClient:
    app = FastAPI()
    app.include_router(router, prefix="/api")
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://t")


async def test_requests_are_answered_as_by_fastapis_own_route() -> None:
    for route_class in (APIRoute, DeferredRoute):
        async with await serve(notes_router(route_class)) as client:
            created = await client.post("/api/notes", json={"text": "a"})
            assert created.status_code == 201
            assert created.json() == {"id": 1, "text": "a", "stars": 3}
            bad = await client.post("/api/notes", json={"stars": "many"})
            assert bad.status_code == 422
            assert {e["loc"][-1] for e in bad.json()["detail"]} == {"text", "stars"}
            read = await client.get("/api/notes/7", params={"loud": "true"})
            assert read.json() == {"id": 7, "text": "HI", "stars": 5}
            assert (await client.put("/api/notes/7")).status_code == 405


def test_the_openapi_document_is_the_same_as_with_fastapis_own_route() -> None:
    documents = []
    for route_class in (APIRoute, DeferredRoute):
        app = FastAPI()
        app.include_router(notes_router(route_class))
        documents.append(app.openapi())
    assert documents[0] == documents[1]
    assert "409" in documents[1]["paths"]["/notes"]["post"]["responses"]


def test_app_routers_defer_and_still_document_the_error_envelope() -> None:
    router = app_router(tags=["notes"])

    @router.get("/notes")
    async def list_notes() -> list[NoteRead]:
        return []

    assert all("dependant" not in vars(route) for route in deferred(router))
    app = FastAPI()
    app.include_router(router)
    operation = app.openapi()["paths"]["/notes"]["get"]
    assert operation["operationId"] == "platform.notes.list"
    error = operation["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
