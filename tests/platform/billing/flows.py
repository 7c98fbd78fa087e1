"""Steps of a payment as a phone and its browser take them, shared by the billing tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx2
from fastapi import FastAPI

from tests.fixtures.accounts import bearer, register

BILLING = "/api/v1/probe/billing"


async def member(client: httpx2.AsyncClient, email: str = "ann@example.com") -> dict[str, str]:
    """A signed-up user of the probe app: their Authorization header."""
    tokens = await register(client, app="probe", email=email)
    return bearer(tokens["access_token"])


async def checkout(client: httpx2.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(f"{BILLING}/checkout-session", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def path_of(url: str) -> str:
    """The path of a URL this server made (it names the public URL, not the test client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def press(client: httpx2.AsyncClient, page_url: str, button: str) -> httpx2.Response:
    """Press a button of a sandbox page (its form posts to `<page>/<button>`)."""
    return await client.post(f"{path_of(page_url)}/{button}")


async def settle(app: FastAPI) -> int:
    """Run the queued jobs (the inbox's events among them)."""
    return int(await app.state.jobs.worker.drain())


async def subscription(client: httpx2.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"{BILLING}/subscription", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def new_order(client: httpx2.AsyncClient, auth: dict[str, str], cents: int) -> str:
    response = await client.post("/api/v1/probe/orders", json={"amount_cents": cents}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
