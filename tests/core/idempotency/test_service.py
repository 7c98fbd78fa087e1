"""Idempotency keys through the HTTP surface: a retry replays, a reuse conflicts, nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx2
import pytest

from appfleet.core.clock import FixedClock

pytestmark = pytest.mark.anyio

ITEMS = "/api/v1/probe/items"


async def count(client: httpx2.AsyncClient) -> int:
    return int((await client.get(f"{ITEMS}/count")).json()["count"])


async def test_retry_with_same_key_replays_and_writes_once(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k-1", "X-Probe-User": "ann"}
    first = await client.post(ITEMS, json={"title": "walk"}, headers=headers)
    retry = await client.post(ITEMS, json={"title": "walk"}, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(client) == 1


async def test_same_key_with_a_different_body_is_409(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k-2", "X-Probe-User": "ann"}
    await client.post(ITEMS, json={"title": "walk"}, headers=headers)
    reused = await client.post(ITEMS, json={"title": "run"}, headers=headers)
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "CONFLICT"
    assert "Idempotency-Key" in reused.json()["error"]["details"]
    assert await count(client) == 1


async def test_keys_belong_to_their_caller(client: httpx2.AsyncClient) -> None:
    for user in ("ann", "bob"):
        response = await client.post(
            ITEMS, json={"title": "walk"}, headers={"Idempotency-Key": "same", "X-Probe-User": user}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert await count(client) == 2


async def test_without_a_key_every_request_writes(client: httpx2.AsyncClient) -> None:
    for _ in range(2):
        await client.post(ITEMS, json={"title": "walk"})
    assert await count(client) == 2


async def test_a_failed_request_does_not_consume_its_key(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k-3"}
    failed = await client.post(ITEMS, json={"title": "conflict"}, headers=headers)
    assert failed.status_code == 409
    crashed = await client.post(
        ITEMS, json={"title": "explode-after-write"}, headers={"Idempotency-Key": "k-4"}
    )
    assert crashed.status_code == 500
    assert await count(client) == 0
    # The body differs from the failed attempt's, yet the key is free: nothing was stored.
    assert (await client.post(ITEMS, json={"title": "walk"}, headers=headers)).status_code == 201
    assert (
        await client.post(ITEMS, json={"title": "x"}, headers={"Idempotency-Key": "k-4"})
    ).status_code == 201
    assert await count(client) == 2


async def test_concurrent_duplicates_write_once(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k-race", "X-Probe-User": "ann"}
    responses = await asyncio.gather(
        *(client.post(ITEMS, json={"title": "walk"}, headers=headers) for _ in range(8))
    )
    created = [r for r in responses if r.status_code == 201]
    # Each twin either replays the committed result or is told the first is still running.
    assert {r.status_code for r in responses} <= {201, 409}
    assert len({r.json()["id"] for r in created}) == 1
    assert await count(client) == 1


async def test_expired_keys_run_again(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    headers = {"Idempotency-Key": "k-old"}
    await client.post(ITEMS, json={"title": "walk"}, headers=headers)
    clock.advance(timedelta(hours=25))
    again = await client.post(ITEMS, json={"title": "walk"}, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await count(client) == 2


async def test_overlong_key_is_a_validation_error(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        ITEMS, json={"title": "walk"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await count(client) == 0
