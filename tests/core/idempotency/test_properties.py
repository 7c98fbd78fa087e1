"""Idempotency keys as a property: for any interleaving of requests over a few keys and bodies,
each key writes once, a retry with its first body replays the first answer, and another body
under a used key is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import RateLimitSettings, Settings
from appfleet.main import create_app
from tests.fixtures import probe
from tests.fixtures.app import serve

ITEMS = "/api/v1/probe/items"
REQUESTS = st.lists(
    st.tuples(st.sampled_from("abc"), st.sampled_from(["walk", "run"])), min_size=1, max_size=10
)


@pytest.fixture
def live(
    settings: Settings, clock: FixedClock
) -> Iterator[tuple[BlockingPortal, httpx2.AsyncClient]]:
    # Hundreds of requests from one caller: the limiter is not what this tests.
    unlimited = settings.model_copy(update={"ratelimit": RateLimitSettings(enabled=False)})
    app = create_app(unlimited, clock=clock, manifests=[*MANIFESTS, probe.manifest])
    # One event loop and one running app for every example (the database's pool is bound to it).
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(serve(app)) as client:
            yield portal, client


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(requests=REQUESTS)
def test_each_key_writes_once_and_replays_its_first_answer(
    live: tuple[BlockingPortal, httpx2.AsyncClient], requests: list[tuple[str, str]]
) -> None:
    portal, client = live
    run = uuid.uuid4().hex[:12]  # this example's keys are its own

    async def scenario() -> None:
        counted = await client.get(f"{ITEMS}/count")
        assert counted.status_code == 200, counted.text
        before = counted.json()["count"]
        first: dict[str, tuple[str, Any]] = {}
        for key, title in requests:
            headers = {"Idempotency-Key": f"{run}-{key}", "X-Probe-User": "ann"}
            response = await client.post(ITEMS, json={"title": title}, headers=headers)
            if key not in first:
                assert response.status_code == 201, response.text
                assert "idempotent-replayed" not in response.headers
                first[key] = (title, response.json())
            elif first[key][0] == title:
                assert response.status_code == 201
                assert response.headers["idempotent-replayed"] == "true"
                assert response.json() == first[key][1]
            else:
                assert response.status_code == 409
                assert response.json()["error"]["code"] == "CONFLICT"
        after = (await client.get(f"{ITEMS}/count")).json()["count"]
        assert after - before == len(first)

    portal.call(scenario)
