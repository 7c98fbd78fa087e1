"""Sign in with Apple and Google, against a real key server on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx2
import pytest

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import AppSettings, Settings
from appfleet.main import create_app
from appfleet.platform.auth import totp
from tests.fixtures.accounts import bearer, register
from tests.fixtures.app import serve
from tests.fixtures.jwks import KeyServer

pytestmark = pytest.mark.anyio
APPLE = "https://appleid.apple.com"
GOOGLE = "https://accounts.google.com"
BUNDLE = "com.corpfinity.app"
GOOGLE_CLIENT = "1234-ios.apps.googleusercontent.com"
CF = "/api/v1/corpfinity"


@pytest.fixture
async def client(
    settings: Settings, clock: FixedClock, key_server: KeyServer
) -> AsyncIterator[httpx2.AsyncClient]:
    auth = settings.auth.model_copy(
        update={"apple_jwks_url": key_server.url, "google_jwks_url": key_server.url}
    )
    configured = settings.model_copy(
        update={
            "auth": auth,
            "app": {
                "corpfinity": AppSettings(bundle_ids=[BUNDLE], google_client_ids=[GOOGLE_CLIENT])
            },
        }
    )
    async with serve(create_app(configured, clock=clock, manifests=MANIFESTS)) as c:
        yield c


def reason(response: httpx2.Response) -> str:
    return response.json()["error"]["details"]["reason"]  # type: ignore[no-any-return]


async def test_apple_sign_in_creates_then_finds_the_account(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    token = key_server.token(issuer=APPLE, audience=BUNDLE)
    first = await client.post(f"{CF}/auth/apple", json={"identity_token": token, "name": "Ann"})
    assert first.status_code == 200, first.text
    user = first.json()["user"]
    assert user["name"] == "Ann"
    assert user["email"] == "ann@privaterelay.appleid.com"
    assert user["email_verified"] is True
    again = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    assert again.json()["user"]["id"] == user["id"]
    me = await client.get(f"{CF}/users/me", headers=bearer(again.json()["access_token"]))
    assert me.status_code == 200
    assert key_server.hits == 1  # the keys were cached


async def test_without_a_name_a_pseudonym_is_shown(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    token = key_server.token(issuer=APPLE, audience=BUNDLE, email=None)
    response = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    name = response.json()["user"]["name"]
    assert len(name.split()) == 3 and name.split()[2].isdigit()
    assert response.json()["user"]["email"] is None


@pytest.mark.parametrize(
    "change",
    [{"audience": "com.someone.else"}, {"issuer": "https://evil.example"}, {"lifetime_s": -10}],
)
async def test_tokens_for_another_app_issuer_or_time_are_refused(
    client: httpx2.AsyncClient, key_server: KeyServer, change: dict[str, object]
) -> None:
    claims: dict[str, object] = {"issuer": APPLE, "audience": BUNDLE} | change
    token = key_server.token(**claims)  # type: ignore[arg-type]
    response = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    assert response.status_code == 401
    assert reason(response) in {"token_invalid", "token_expired"}


async def test_a_token_signed_by_a_stranger_is_refused(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    from tests.fixtures.jwks import Signer

    forged = key_server.token(Signer(kid="key-1"), issuer=APPLE, audience=BUNDLE)
    response = await client.post(f"{CF}/auth/apple", json={"identity_token": forged})
    assert (response.status_code, reason(response)) == (401, "token_invalid")


async def test_rotated_keys_are_fetched_again(
    client: httpx2.AsyncClient, key_server: KeyServer, clock: FixedClock
) -> None:
    import appfleet.platform.auth.federated as federated

    first = key_server.token(issuer=APPLE, audience=BUNDLE)
    assert (
        await client.post(f"{CF}/auth/apple", json={"identity_token": first})
    ).status_code == 200
    new_key = key_server.rotate()
    rotated = key_server.token(new_key, issuer=APPLE, audience=BUNDLE, subject="001.other")
    floor, federated.REFETCH_FLOOR_S = federated.REFETCH_FLOOR_S, 0.0
    try:
        response = await client.post(f"{CF}/auth/apple", json={"identity_token": rotated})
    finally:
        federated.REFETCH_FLOOR_S = floor
    assert response.status_code == 200
    assert key_server.hits == 2


async def test_nonce_must_match_when_sent(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    raw = "n-0c9f"
    token = key_server.token(
        issuer=APPLE, audience=BUNDLE, nonce=hashlib.sha256(raw.encode()).hexdigest()
    )
    good = await client.post(f"{CF}/auth/apple", json={"identity_token": token, "nonce": raw})
    assert good.status_code == 200
    bad = await client.post(f"{CF}/auth/apple", json={"identity_token": token, "nonce": "other"})
    assert (bad.status_code, reason(bad)) == (401, "token_invalid")


async def test_apple_upgrades_a_guest_and_links_a_verified_email(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    guest = (await client.post(f"{CF}/auth/anonymous")).json()
    token = key_server.token(issuer=APPLE, audience=BUNDLE, subject="001.guest", email=None)
    upgraded = await client.post(
        f"{CF}/auth/apple", json={"identity_token": token}, headers=bearer(guest["access_token"])
    )
    assert upgraded.json()["user"]["id"] == guest["user"]["id"]
    assert upgraded.json()["user"]["is_anonymous"] is False
    existing = await register(client, email="bob@example.com", name="Bob")
    linked = await client.post(
        f"{CF}/auth/apple",
        json={
            "identity_token": key_server.token(
                issuer=APPLE, audience=BUNDLE, subject="001.bob", email="bob@example.com"
            )
        },
    )
    assert linked.json()["user"]["id"] == existing["user"]["id"]


async def test_google_sign_in_uses_the_client_ids(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    token = key_server.token(
        issuer=GOOGLE, audience=GOOGLE_CLIENT, subject="g-1", email="ann@gmail.com"
    )
    response = await client.post(f"{CF}/auth/google", json={"id_token": token})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ann@gmail.com"
    as_apple = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    assert as_apple.status_code == 401


async def test_an_app_without_ids_refuses_provider_sign_in(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    token = key_server.token(issuer=APPLE, audience=BUNDLE)
    response = await client.post("/api/v1/pennywise/auth/apple", json={"identity_token": token})
    assert (response.status_code, reason(response)) == (401, "token_invalid")


async def test_an_upgraded_guest_sees_the_new_profile_at_once(
    client: httpx2.AsyncClient, key_server: KeyServer
) -> None:
    guest = (await client.post(f"{CF}/auth/anonymous")).json()
    headers = bearer(guest["access_token"])
    assert (await client.get(f"{CF}/users/me", headers=headers)).json()["is_anonymous"] is True
    token = key_server.token(issuer=APPLE, audience=BUNDLE, subject="001.cached", email=None)
    await client.post(
        f"{CF}/auth/apple", json={"identity_token": token, "name": "Ann"}, headers=headers
    )
    profile = (await client.get(f"{CF}/users/me", headers=headers)).json()
    assert (profile["is_anonymous"], profile["name"]) == (False, "Ann")


async def test_two_factor_applies_to_apple_sign_in_too(
    client: httpx2.AsyncClient, key_server: KeyServer, clock: FixedClock
) -> None:
    token = key_server.token(issuer=APPLE, audience=BUNDLE)
    first = (await client.post(f"{CF}/auth/apple", json={"identity_token": token})).json()
    headers = bearer(first["access_token"])
    secret = (await client.post(f"{CF}/auth/mfa/totp/setup", headers=headers)).json()["secret"]
    now_code = totp.code_at(secret, int(clock.now().timestamp()) // totp.STEP_S)
    confirmed = await client.post(
        f"{CF}/auth/mfa/totp/confirm", json={"code": now_code}, headers=headers
    )
    assert confirmed.status_code == 200
    clock.advance(timedelta(seconds=31))
    again = await client.post(f"{CF}/auth/apple", json={"identity_token": token})
    assert again.status_code == 401
    details = again.json()["error"]["details"]
    assert details["reason"] == "mfa_required"
    code = totp.code_at(secret, int(clock.now().timestamp()) // totp.STEP_S)
    verified = await client.post(
        f"{CF}/auth/mfa/verify", json={"challenge_token": details["challenge_token"], "code": code}
    )
    assert verified.status_code == 200
    assert verified.json()["user"]["id"] == first["user"]["id"]
