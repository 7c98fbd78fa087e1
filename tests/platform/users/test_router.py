from __future__ import annotations

import httpx2
import pytest

from tests.fixtures.accounts import bearer, register

pytestmark = pytest.mark.anyio
ME = "/api/v1/corpfinity/users/me"


async def test_profile_updates_are_kept(client: httpx2.AsyncClient) -> None:
    token = (await register(client))["access_token"]
    change = {
        "name": "Ann B",
        "timezone": "Europe/Berlin",
        "language": "de",
        "avatar_seed": "fox",
        "country": "de",
        "preferences": {"units": "metric", "theme": "dark"},
    }
    updated = await client.patch(ME, json=change, headers=bearer(token))
    assert updated.status_code == 200
    again = (await client.get(ME, headers=bearer(token))).json()
    assert again["name"] == "Ann B"
    assert again["timezone"] == "Europe/Berlin"
    assert again["language"] == "de"
    assert again["avatar_seed"] == "fox"
    assert again["country"] == "DE"
    assert again["preferences"] == {"units": "metric", "theme": "dark"}
    removed = await client.patch(ME, json={"preferences": {"theme": None}}, headers=bearer(token))
    assert removed.json()["preferences"] == {"units": "metric"}


async def test_preferences_are_per_app(client: httpx2.AsyncClient) -> None:
    lowkey = await register(client, app="lowkeymode")
    await client.patch(
        "/api/v1/lowkeymode/users/me",
        json={"preferences": {"sound": "rain"}},
        headers=bearer(lowkey["access_token"]),
    )
    login = await client.post(
        "/api/v1/healthindex/auth/login",
        json={"email": "ann@example.com", "password": "correct horse battery"},
    )
    shop_me = await client.get(
        "/api/v1/healthindex/users/me", headers=bearer(login.json()["access_token"])
    )
    assert shop_me.json()["preferences"] == {}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"name": ""}, "name"),
        ({"role": "super_admin"}, "role"),
        ({"language": "<script>"}, "language"),
        ({"country": "Germany"}, "country"),
    ],
)
async def test_bad_profile_changes_are_refused(
    client: httpx2.AsyncClient, change: dict[str, str], field: str
) -> None:
    token = (await register(client))["access_token"]
    response = await client.patch(ME, json=change, headers=bearer(token))
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    profile = (await client.get(ME, headers=bearer(token))).json()
    assert profile["country"] is None
    # Nobody grants themselves a role through their profile.
    assert (await client.get("/api/v1/admin/me", headers=bearer(token))).status_code == 403


async def test_a_change_in_one_app_shows_in_the_others_of_its_group(
    client: httpx2.AsyncClient,
) -> None:
    lowkey = await register(client, app="lowkeymode")
    login = await client.post(
        "/api/v1/healthindex/auth/login",
        json={"email": "ann@example.com", "password": "correct horse battery"},
    )
    shop = bearer(login.json()["access_token"])
    assert (await client.get("/api/v1/healthindex/users/me", headers=shop)).json()["name"] == "Ann"
    await client.patch(
        "/api/v1/lowkeymode/users/me",
        json={"name": "Annie"},
        headers=bearer(lowkey["access_token"]),
    )
    assert (await client.get("/api/v1/healthindex/users/me", headers=shop)).json()[
        "name"
    ] == "Annie"
