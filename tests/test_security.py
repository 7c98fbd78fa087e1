"""Hostile input against every app, on SQLite and PostgreSQL: SQL injection strings in every text
query parameter, Unicode edge cases in profile text, malformed JSON and oversized bodies to every
write. Each gets a clear 4xx or a correct answer, never a 5xx, and nothing is damaged.

(Token tampering is in tests/platform/auth/test_tokens.py, path traversal in storage keys in
tests/providers/storage, and each app's tests check that one member cannot read, change or
delete another's objects.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import RateLimitSettings, Settings
from appfleet.main import create_app
from tests.fixtures.accounts import bearer, register
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio
APPS = ("corpfinity", "fitnudge", "lowkeymode", "healthindex", "pennywise")
INJECTIONS = (
    "' OR '1'='1",
    "1; DROP TABLE user_account; --",
    "%' UNION SELECT email, password_hash FROM user_account --",
    '") OR 1=1 --',
    "\\'; SELECT pg_sleep(5); --",
)
NO_MATCH = "zq-no-such-text-zq"


@pytest.fixture
async def members(
    settings: Settings, clock: FixedClock
) -> AsyncIterator[tuple[httpx2.AsyncClient, dict[str, dict[str, str]]]]:
    # Hundreds of requests from one address: the limiter is not what this tests.
    unlimited = settings.model_copy(update={"ratelimit": RateLimitSettings(enabled=False)})
    async with serve(create_app(unlimited, clock=clock, manifests=MANIFESTS)) as client:
        auth = {
            app: bearer((await register(client, app, f"sec@{app}.example.com"))["access_token"])
            for app in APPS
        }
        yield client, auth


async def _operations(
    client: httpx2.AsyncClient, app: str
) -> list[tuple[str, str, dict[str, Any]]]:
    document = (await client.get(f"/api/v1/{app}/openapi.json")).json()
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _text_query_parameters(operation: dict[str, Any]) -> list[str]:
    names = []
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        choices = schema.get("anyOf", [schema])
        free_text = any(
            s.get("type") == "string" and "enum" not in s and "format" not in s for s in choices
        )
        if parameter["in"] == "query" and free_text and parameter["name"] != "cursor":
            names.append(parameter["name"])
    return names


async def test_sql_injection_in_every_text_filter_is_just_text(
    members: tuple[httpx2.AsyncClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = members
    tried = 0
    for app in APPS:
        for method, path, operation in await _operations(client, app):
            if method != "GET" or "{" in path:
                continue
            for name in _text_query_parameters(operation):
                url = path
                plain = await client.get(url, params={name: NO_MATCH}, headers=auth[app])
                for attack in INJECTIONS:
                    answer = await client.get(url, params={name: attack}, headers=auth[app])
                    tried += 1
                    assert answer.status_code < 500, (url, name, attack, answer.text)
                    # Matched as text, an attack finds no more than text that matches nothing.
                    if plain.status_code == answer.status_code == 200:
                        found, baseline = answer.json(), plain.json()
                        if isinstance(found, dict) and "items" in found:
                            assert len(found["items"]) == len(baseline["items"]), (url, attack)
    assert tried > 20  # the documents were read and had text filters
    # The tables the attacks named are still there: members still sign in and read themselves.
    for app in APPS:
        assert (await client.get(f"/api/v1/{app}/users/me", headers=auth[app])).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "e\u0301le\u0300ve",  # combining accents
        "👩‍👩‍👧 family",  # a ZWJ emoji sequence
        "\u202eevil.exe",  # right-to-left override
        "Ωmega ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",  # astral-plane letters
        "\u0000nul",
        "x" * 10_000,
    ],
)
async def test_unicode_edge_cases_are_kept_exactly_or_refused_clearly(
    members: tuple[httpx2.AsyncClient, dict[str, dict[str, str]]], name: str
) -> None:
    client, auth = members
    for app in APPS:
        changed = await client.patch(
            f"/api/v1/{app}/users/me", json={"name": name}, headers=auth[app]
        )
        assert changed.status_code in (200, 400), changed.text
        if changed.status_code == 200:
            # Stored and given back exactly: no normalisation, truncation or mojibake.
            again = await client.get(f"/api/v1/{app}/users/me", headers=auth[app])
            assert again.json()["name"] == name
        else:
            assert changed.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_lone_surrogate_is_refused_as_bad_json(
    members: tuple[httpx2.AsyncClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = members
    headers = {**auth["pennywise"], "Content-Type": "application/json"}
    raw = b'{"name": "half \\ud800 a pair"}'
    answer = await client.patch("/api/v1/pennywise/users/me", content=raw, headers=headers)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_malformed_and_oversized_bodies_get_a_4xx_from_every_write(
    members: tuple[httpx2.AsyncClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = members
    oversized = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    writes = 0
    for app in APPS:
        for method, path, operation in await _operations(client, app):
            json_body = "application/json" in operation.get("requestBody", {}).get("content", {})
            if method not in ("POST", "PUT", "PATCH") or "{" in path or not json_body:
                continue
            writes += 1
            headers = {**auth[app], "Content-Type": "application/json"}
            for body in (b'{"unterminated": ', b"[1, 2,", oversized):
                answer = await client.request(method, path, content=body, headers=headers)
                assert 400 <= answer.status_code < 500, (method, path, answer.text[:300])
                assert "error" in answer.json()
    assert writes > 30
