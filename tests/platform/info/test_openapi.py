"""What generated SDKs are made from: every operation of every app's OpenAPI document has a
readable, unique operation id (`transactions.list`), a summary, tags, and the error envelope
documented, and its success answer a schema."""

from __future__ import annotations

import re

import httpx2
import pytest

from appfleet.apps import MANIFESTS

pytestmark = pytest.mark.anyio
OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$")
ENVELOPE = "#/components/schemas/ErrorEnvelope"


@pytest.mark.parametrize("name", [m.name for m in MANIFESTS])
async def test_every_operation_is_named_described_and_documents_its_errors(
    client: httpx2.AsyncClient, name: str
) -> None:
    doc = (await client.get(f"/api/v1/{name}/openapi.json")).json()
    seen: set[str] = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            assert OPERATION_ID.fullmatch(op["operationId"]), (where, op["operationId"])
            assert op["operationId"] not in seen, where
            seen.add(op["operationId"])
            assert op.get("summary") and op.get("tags"), where
            errors = {code: r for code, r in op["responses"].items() if code.startswith("4")}
            assert "400" in errors and "401" in errors, where
            schema = errors["400"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ENVELOPE}, where
            answers = [r for code, r in op["responses"].items() if code.startswith("2")]
            assert answers, where
    envelope = doc["components"]["schemas"]["ErrorBody"]["properties"]
    assert envelope["code"]["examples"] and envelope["message"]["examples"]
    names = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert {"auth.logIn", "auth.refresh", "users.readMe"} <= names


async def test_pennywise_operations_read_as_the_sdk_calls_them(client: httpx2.AsyncClient) -> None:
    doc = (await client.get("/api/v1/pennywise/openapi.json")).json()
    by_route = {
        (method, path.removeprefix("/api/v1/pennywise")): op["operationId"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert by_route[("get", "/transactions")] == "transactions.list"
    assert by_route[("post", "/transactions")] == "transactions.create"
    assert by_route[("get", "/transactions/balance")] == "transactions.readBalance"
    assert by_route[("post", "/chat/messages")] == "chat.sendMessage"
    assert by_route[("post", "/categories")] == "categories.create"
