"""Sign in with Apple grants: the authorization code is exchanged for a refresh token at
sign-in, and that token is revoked through Apple's endpoint when the account is deleted (App
Store guideline 5.1.1(v)). Apple is played by a loopback server that checks the ES256 client
secret the way Apple does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import AppSettings, Settings
from appfleet.main import create_app
from appfleet.platform.privacy.service import purge_due
from appfleet.platform.users.models import User
from tests.fixtures.accounts import bearer, stored
from tests.fixtures.app import serve
from tests.fixtures.jwks import APPLE_KEY_ID, APPLE_TEAM, KeyServer

pytestmark = pytest.mark.anyio
APPLE = "https://appleid.apple.com"
BUNDLE = "com.corpfinity.app"
CF = "/api/v1/corpfinity"


def build(settings: Settings, clock: FixedClock, key_server: KeyServer, *, keyed: bool) -> FastAPI:
    auth = settings.auth.model_copy(
        update={"apple_jwks_url": key_server.url, "apple_api_url": key_server.base_url}
    )
    apple = (
        {
            "apple_team_id": APPLE_TEAM,
            "apple_key_id": APPLE_KEY_ID,
            "apple_private_key": key_server.apple.private_pem(),
        }
        if keyed
        else {}
    )
    corpfinity = AppSettings.model_validate({"bundle_ids": [BUNDLE], **apple})
    configured = settings.model_copy(update={"auth": auth, "app": {"corpfinity": corpfinity}})
    return create_app(configured, clock=clock, manifests=MANIFESTS)


@pytest.fixture
def app(settings: Settings, clock: FixedClock, key_server: KeyServer) -> FastAPI:
    return build(settings, clock, key_server, keyed=True)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with serve(app) as c:
        yield c


async def sign_in(client: httpx2.AsyncClient, key_server: KeyServer, code: str | None) -> dict:  # type: ignore[type-arg]
    token = key_server.token(issuer=APPLE, audience=BUNDLE)
    body = {"identity_token": token, **({"authorization_code": code} if code else {})}
    response = await client.post(f"{CF}/auth/apple", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_deletion_revokes_the_apple_grant(
    client: httpx2.AsyncClient, app: FastAPI, key_server: KeyServer
) -> None:
    code = key_server.apple.new_code()
    refresh = key_server.apple.codes[code]
    account = await sign_in(client, key_server, code)
    (user,) = await stored(app, User)
    assert user.apple_refresh_token and refresh not in user.apple_refresh_token  # sealed
    deleted = await client.delete(f"{CF}/auth/account", headers=bearer(account["access_token"]))
    assert deleted.status_code == 202
    assert deleted.json()["apple_grant_revoked"] is True
    assert key_server.apple.revoked == [refresh]
    (user,) = await stored(app, User)
    assert user.apple_refresh_token is None


async def test_when_apple_is_down_deletion_goes_ahead_and_the_purge_revokes(
    client: httpx2.AsyncClient, app: FastAPI, key_server: KeyServer, clock: FixedClock
) -> None:
    code = key_server.apple.new_code()
    refresh = key_server.apple.codes[code]
    account = await sign_in(client, key_server, code)
    key_server.apple.down = True
    deleted = await client.delete(f"{CF}/auth/account", headers=bearer(account["access_token"]))
    assert deleted.status_code == 202
    assert deleted.json()["apple_grant_revoked"] is False
    assert key_server.apple.revoked == []
    me = await client.get(f"{CF}/users/me", headers=bearer(account["access_token"]))
    assert me.status_code == 401  # signed out all the same

    key_server.apple.down = False
    clock.advance(timedelta(days=31))
    secret = app.state.settings.secret_key.get_secret_value()
    state = app.state
    purged = await purge_due(
        state.db, clock, state.registry, state.auth.apple, state.storage, secret
    )
    assert purged == 1
    assert key_server.apple.revoked == [refresh]
    assert await stored(app, User) == []


async def test_a_refused_code_does_not_block_sign_in(
    client: httpx2.AsyncClient, app: FastAPI, key_server: KeyServer
) -> None:
    await sign_in(client, key_server, "a-code-apple-never-issued")
    assert key_server.apple.calls == ["/auth/token"]
    (user,) = await stored(app, User)
    assert user.apple_refresh_token is None


async def test_without_an_apple_key_the_code_is_not_sent(
    settings: Settings, clock: FixedClock, key_server: KeyServer
) -> None:
    app = build(settings, clock, key_server, keyed=False)
    async with serve(app) as client:
        account = await sign_in(client, key_server, key_server.apple.new_code())
        deleted = await client.delete(f"{CF}/auth/account", headers=bearer(account["access_token"]))
    assert deleted.json()["apple_grant_revoked"] is None
    assert key_server.apple.calls == []


async def test_restore_with_apple(client: httpx2.AsyncClient, key_server: KeyServer) -> None:
    account = await sign_in(client, key_server, None)
    await client.delete(f"{CF}/auth/account", headers=bearer(account["access_token"]))
    token = key_server.token(issuer=APPLE, audience=BUNDLE)
    again = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    assert again.status_code == 403
    assert again.json()["error"]["details"]["reason"] == "account_deleted"
    restored = await client.post(
        f"{CF}/auth/account/restore", json={"provider": "apple", "identity_token": token}
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["user"]["id"] == account["user"]["id"]
