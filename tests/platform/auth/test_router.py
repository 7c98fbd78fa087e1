"""Sign-up, sign-in, rotation and sign-out through the HTTP API, on SQLite and PostgreSQL+Redis."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx2
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.users.models import Membership, User
from tests.fixtures.accounts import PASSWORD, bearer, log_in, register, stored

pytestmark = pytest.mark.anyio
CF = "/api/v1/corpfinity"


def reason(response: httpx2.Response) -> str:
    return response.json()["error"]["details"]["reason"]  # type: ignore[no-any-return]


async def test_register_returns_user_and_tokens(client: httpx2.AsyncClient, app: FastAPI) -> None:
    body = await register(client, email="Ann@Example.com")
    assert set(body) == {"user", "access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["user"]["email"] == "ann@example.com"
    assert body["user"]["name"] == "Ann"
    me = await client.get(f"{CF}/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]
    (user,) = await stored(app, User)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in str(await stored(app, AuditEvent))
    assert [e.action for e in await stored(app, AuditEvent)] == ["register"]


async def test_claims_are_the_documented_ones(client: httpx2.AsyncClient) -> None:
    body = await register(client)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims) == {"sub", "aud", "iss", "type", "iat", "exp", "jti", "sid"}
    assert claims["aud"] == "corpfinity"
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 900


async def test_same_email_twice_in_one_app_is_a_conflict(client: httpx2.AsyncClient) -> None:
    await register(client)
    again = await client.post(
        f"{CF}/auth/register",
        json={"email": "ann@example.com", "password": "an0ther pass", "name": "A"},
    )
    assert again.status_code == 409
    assert reason(again) == "account_exists"


async def test_shared_group_shares_one_account(client: httpx2.AsyncClient, app: FastAPI) -> None:
    lowkey = await register(client, app="lowkeymode")
    taken = await client.post(
        "/api/v1/healthindex/auth/register",
        json={"email": "ann@example.com", "password": PASSWORD, "name": "Ann"},
    )
    assert taken.status_code == 409
    login = await log_in(client, app="healthindex")
    assert login.status_code == 200
    assert login.json()["user"]["id"] == lowkey["user"]["id"]
    assert sorted(m.app for m in await stored(app, Membership)) == ["healthindex", "lowkeymode"]
    # One account, but a token is still for one app only.
    crossed = await client.get(
        "/api/v1/healthindex/users/me", headers=bearer(lowkey["access_token"])
    )
    assert crossed.status_code == 401
    assert reason(crossed) == "token_invalid"


async def test_separate_groups_make_separate_accounts(client: httpx2.AsyncClient) -> None:
    corp = await register(client, app="corpfinity")
    penny = await register(client, app="pennywise", password="different pass 42")
    assert corp["user"]["id"] != penny["user"]["id"]
    assert (await log_in(client, app="pennywise")).status_code == 401  # corpfinity's password
    refused = await client.get("/api/v1/pennywise/users/me", headers=bearer(corp["access_token"]))
    assert refused.status_code == 401


async def test_login_failures_look_the_same_and_are_audited(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    await register(client)
    wrong = await log_in(client, password="wrong password!")
    unknown = await log_in(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    for field in ("code", "message", "details"):
        assert wrong.json()["error"][field] == unknown.json()["error"][field]
    assert reason(wrong) == "bad_credentials"
    failures = [e for e in await stored(app, AuditEvent) if e.action == "login_failed"]
    assert len(failures) == 2
    assert {e.details["email_domain"] for e in failures} == {"example.com"}


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short", "8 to 128"),
        ("password123", "common"),
        ("x" * 129, "8 to 128"),
        ("ann@example.com", "email"),
    ],
)
async def test_weak_passwords_are_refused(
    client: httpx2.AsyncClient, password: str, problem: str
) -> None:
    response = await client.post(
        f"{CF}/auth/register", json={"email": "ann@example.com", "password": password, "name": "A"}
    )
    assert response.status_code == 400
    assert problem in response.json()["error"]["details"]["password"]["message"]


async def test_refresh_rotates_and_a_lost_answer_can_be_replayed(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    first = await register(client)
    clock.advance(timedelta(seconds=5))
    rotated = await client.post(
        f"{CF}/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    pair = rotated.json()
    assert pair["refresh_token"] != first["refresh_token"]
    clock.advance(timedelta(seconds=10))
    # The phone never saw that answer and retries with the old token: it gets the same pair.
    retried = await client.post(
        f"{CF}/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert retried.status_code == 200
    assert retried.json()["refresh_token"] == pair["refresh_token"]
    assert retried.json()["access_token"] == pair["access_token"]
    me = await client.get(f"{CF}/users/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200


async def test_refresh_reuse_after_the_window_ends_the_family(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    first = await register(client)
    second = (
        await client.post(f"{CF}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    third = (
        await client.post(f"{CF}/auth/refresh", json={"refresh_token": second["refresh_token"]})
    ).json()
    clock.advance(timedelta(seconds=31))
    stolen = await client.post(f"{CF}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert stolen.status_code == 401
    assert reason(stolen) == "reuse_detected"
    # Every descendant is dead, and so are the session's access tokens.
    latest = await client.post(f"{CF}/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert reason(latest) == "token_revoked"
    me = await client.get(f"{CF}/users/me", headers=bearer(third["access_token"]))
    assert me.status_code == 401
    assert reason(me) == "token_revoked"


async def test_concurrent_refreshes_of_one_token_agree(client: httpx2.AsyncClient) -> None:
    first = await register(client)
    answers = await asyncio.gather(
        *(
            client.post(f"{CF}/auth/refresh", json={"refresh_token": first["refresh_token"]})
            for _ in range(5)
        )
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["refresh_token"] for a in answers}) == 1


async def test_logout_kills_the_access_and_refresh_tokens(client: httpx2.AsyncClient) -> None:
    body = await register(client)
    other_device = (await log_in(client)).json()
    out = await client.post(f"{CF}/auth/logout", headers=bearer(body["access_token"]))
    assert out.status_code == 204
    me = await client.get(f"{CF}/users/me", headers=bearer(body["access_token"]))
    assert (me.status_code, reason(me)) == (401, "token_revoked")
    again = await client.post(f"{CF}/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert reason(again) == "token_revoked"
    # The other device is signed in still.
    assert (
        await client.get(f"{CF}/users/me", headers=bearer(other_device["access_token"]))
    ).status_code == 200


async def test_expired_access_token_says_so(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    body = await register(client)
    clock.advance(timedelta(minutes=15, seconds=1))
    me = await client.get(f"{CF}/users/me", headers=bearer(body["access_token"]))
    assert (me.status_code, reason(me)) == (401, "token_expired")
    refreshed = await client.post(
        f"{CF}/auth/refresh", json={"refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200


async def test_forged_and_misused_tokens_are_refused(client: httpx2.AsyncClient) -> None:
    body = await register(client)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    other_key = jwt.encode(claims, "guessed-secret-" * 3, algorithm="HS256")
    header, payload, signature = body["access_token"].split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}AA"
    for token in (unsigned, other_key, tampered, body["refresh_token"], "garbage"):
        response = await client.get(f"{CF}/users/me", headers=bearer(token))
        assert (response.status_code, reason(response)) == (401, "token_invalid"), token
    missing = await client.get(f"{CF}/users/me")
    assert (missing.status_code, reason(missing)) == (401, "token_missing")
    assert missing.headers["www-authenticate"] == "Bearer"
    basic = await client.get(f"{CF}/users/me", headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401


async def test_guest_upgrade_keeps_the_account_and_its_data(client: httpx2.AsyncClient) -> None:
    guest = await client.post(f"{CF}/auth/anonymous", json={"device": {"platform": "ios"}})
    assert guest.status_code == 201
    token = guest.json()["access_token"]
    assert guest.json()["user"]["is_anonymous"] is True
    await client.patch(
        f"{CF}/users/me", json={"preferences": {"theme": "dark"}}, headers=bearer(token)
    )
    upgraded = await client.post(
        f"{CF}/auth/register",
        json={"email": "ann@example.com", "password": PASSWORD, "name": "Ann"},
        headers=bearer(token),
    )
    assert upgraded.status_code == 201
    user = upgraded.json()["user"]
    assert user["id"] == guest.json()["user"]["id"]
    assert user["is_anonymous"] is False
    assert user["preferences"] == {"theme": "dark"}


async def test_sessions_are_per_device_and_revocable(client: httpx2.AsyncClient) -> None:
    phone = await register(client, device={"name": "Ann's iPhone", "platform": "ios"})
    tablet = (await log_in(client)).json()
    listed = await client.get(f"{CF}/auth/sessions", headers=bearer(phone["access_token"]))
    assert listed.status_code == 200
    sessions = listed.json()
    assert len(sessions) == 2
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1 and current[0]["device_name"] == "Ann's iPhone"
    other_id = next(s["id"] for s in sessions if not s["current"])
    gone = await client.delete(
        f"{CF}/auth/sessions/{other_id}", headers=bearer(phone["access_token"])
    )
    assert gone.status_code == 204
    tablet_me = await client.get(f"{CF}/users/me", headers=bearer(tablet["access_token"]))
    assert reason(tablet_me) == "token_revoked"
    assert (
        await client.get(f"{CF}/users/me", headers=bearer(phone["access_token"]))
    ).status_code == 200


async def test_revoke_others_keeps_only_this_device(client: httpx2.AsyncClient) -> None:
    phone = await register(client)
    others = [(await log_in(client)).json() for _ in range(2)]
    response = await client.post(
        f"{CF}/auth/sessions/revoke-others", headers=bearer(phone["access_token"])
    )
    assert response.json() == {"revoked": 2}
    for other in others:
        assert (
            await client.get(f"{CF}/users/me", headers=bearer(other["access_token"]))
        ).status_code == 401
    assert (
        await client.get(f"{CF}/users/me", headers=bearer(phone["access_token"]))
    ).status_code == 200


async def test_another_users_session_is_not_found(client: httpx2.AsyncClient) -> None:
    ann = await register(client)
    bob = await register(client, email="bob@example.com", name="Bob")
    bob_sessions = (
        await client.get(f"{CF}/auth/sessions", headers=bearer(bob["access_token"]))
    ).json()
    attempt = await client.delete(
        f"{CF}/auth/sessions/{bob_sessions[0]['id']}", headers=bearer(ann["access_token"])
    )
    assert attempt.status_code == 404
    assert (
        await client.get(f"{CF}/users/me", headers=bearer(bob["access_token"]))
    ).status_code == 200


async def test_login_is_rate_limited_per_ip(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    await register(client)
    statuses = []
    for n in range(6):
        response = await log_in(client, email=f"user{n}@example.com")
        statuses.append(response.status_code)
        if n == 0:
            assert response.headers["x-ratelimit-limit"] == "5"
            assert response.headers["x-ratelimit-remaining"] == "4"
    assert statuses == [401] * 5 + [429]
    assert response.json()["error"]["code"] == "RATE_LIMIT_ERROR"
    assert int(response.headers["retry-after"]) >= 1
    clock.advance(timedelta(seconds=13))  # GCRA: one request's worth of time frees one slot
    assert (await log_in(client)).status_code == 200


async def test_bcrypt_hashes_upgrade_on_login(client: httpx2.AsyncClient, app: FastAPI) -> None:
    import bcrypt

    await register(client)
    db: Database = app.state.db
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    async with unit_of_work(db) as session:
        user = await session.scalar(select(User))
        assert user is not None
        user.password_hash = legacy
    assert (await log_in(client)).status_code == 200
    (user,) = await stored(app, User)
    assert user.password_hash.startswith("$argon2id$")
    assert (await log_in(client)).status_code == 200


async def test_oauth2_password_form_for_the_docs(client: httpx2.AsyncClient) -> None:
    await register(client)
    response = await client.post(
        f"{CF}/auth/token", data={"username": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_register_with_an_idempotency_key_is_safe_to_retry(
    client: httpx2.AsyncClient,
) -> None:
    payload = {"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}
    headers = {"Idempotency-Key": "signup-1"}
    first = await client.post(f"{CF}/auth/register", json=payload, headers=headers)
    retry = await client.post(f"{CF}/auth/register", json=payload, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
