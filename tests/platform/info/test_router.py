from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from appfleet.core.settings import Settings
from appfleet.main import create_app
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "name, display_name, group",
    [
        ("corpfinity", "CorpFinity", "corpfinity"),
        ("fitnudge", "FitNudge", "fitnudge"),
        ("lowkeymode", "Lowkey Mode", "shared"),
        ("healthindex", "Health Index", "shared"),
        ("pennywise", "PennyWise", "pennywise"),
    ],
)
async def test_each_app_describes_itself(
    client: httpx2.AsyncClient, name: str, display_name: str, group: str
) -> None:
    response = await client.get(f"/api/v1/{name}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == name
    assert body["display_name"] == display_name
    assert body["identity_group"] == group
    assert body["api_version"] == "v1"
    assert isinstance(body["features"], list)


async def test_info_lists_only_enabled_features(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/api/v1/probe/")).json()["features"] == [
        "items",
        "uploads",
        "secret_feature",
    ]


async def test_per_app_openapi_holds_only_that_app(client: httpx2.AsyncClient) -> None:
    probe_doc = (await client.get("/api/v1/probe/openapi.json")).json()
    paths = set(probe_doc["paths"])
    assert "/api/v1/probe/items" in paths
    assert "/api/v1/probe/" in paths
    assert all(path.startswith("/api/v1/probe/") for path in paths)
    assert probe_doc["info"]["title"] == "Probe API"
    pennywise_paths = set((await client.get("/api/v1/pennywise/openapi.json")).json()["paths"])
    # The platform's routes are in every app's document; no other app's are.
    assert {"/api/v1/pennywise/", "/api/v1/pennywise/auth/login", "/api/v1/pennywise/users/me"} <= (
        pennywise_paths
    )
    assert all(path.startswith("/api/v1/pennywise/") for path in pennywise_paths)
    assert not any(path.endswith("/items") for path in pennywise_paths)


async def test_full_openapi_and_docs_show_every_app(client: httpx2.AsyncClient) -> None:
    paths = set((await client.get("/openapi.json")).json()["paths"])
    assert {"/api/v1/corpfinity/", "/api/v1/pennywise/", "/api/v1/probe/items", "/health"} <= paths
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_body_limits_are_documented(client: httpx2.AsyncClient) -> None:
    doc = (await client.get("/api/v1/probe/openapi.json")).json()
    assert doc["paths"]["/api/v1/probe/upload"]["post"]["x-max-body-bytes"] == 4096


async def test_apps_left_out_are_not_mounted(tmp_path: Path, sqlite_url: str) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        secret_key="k" * 40,
        apps=["pennywise"],
        database={"url": sqlite_url},
        log={"access": False},
    )
    async with serve(create_app(settings)) as c:
        assert (await c.get("/api/v1/pennywise/")).status_code == 200
        missing = await c.get("/api/v1/corpfinity/")
    assert missing.status_code == 404
    assert "this deployment serves: pennywise" in missing.json()["error"]["message"]


async def test_every_operation_documents_the_error_envelope(client: httpx2.AsyncClient) -> None:
    doc = (await client.get("/api/v1/pennywise/openapi.json")).json()
    envelope = doc["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["properties"]) == {"error"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "404", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path)
