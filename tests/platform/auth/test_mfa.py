"""Two-factor sign-in with an authenticator app, end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from appfleet.core.clock import FixedClock
from appfleet.platform.auth import totp
from tests.fixtures.accounts import bearer, log_in, register

pytestmark = pytest.mark.anyio
CF = "/api/v1/corpfinity"


def code(secret: str, clock: FixedClock, steps_ahead: int = 0) -> str:
    return totp.code_at(secret, int(clock.now().timestamp()) // totp.STEP_S + steps_ahead)


async def enable(
    client: httpx2.AsyncClient, clock: FixedClock
) -> tuple[dict[str, Any], str, list[str]]:
    account = await register(client)
    headers = bearer(account["access_token"])
    setup = (await client.post(f"{CF}/auth/mfa/totp/setup", headers=headers)).json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/CorpFinity:ann%40example.com?secret=")
    confirmed = await client.post(
        f"{CF}/auth/mfa/totp/confirm", json={"code": code(setup["secret"], clock)}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return account, setup["secret"], confirmed.json()["recovery_codes"]


def test_codes_match_the_rfc_6238_vectors() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890"
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"


async def test_login_then_needs_a_code(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    _, secret, recovery = await enable(client, clock)
    assert len(recovery) == 10
    clock.advance(timedelta(seconds=31))
    first = await log_in(client)
    assert first.status_code == 401
    details = first.json()["error"]["details"]
    assert details["reason"] == "mfa_required"
    wrong = await client.post(
        f"{CF}/auth/mfa/verify",
        json={"challenge_token": details["challenge_token"], "code": "000000"},
    )
    assert wrong.json()["error"]["details"]["reason"] == "mfa_code_invalid"
    right = await client.post(
        f"{CF}/auth/mfa/verify",
        json={"challenge_token": details["challenge_token"], "code": code(secret, clock)},
    )
    assert right.status_code == 200
    assert (
        await client.get(f"{CF}/users/me", headers=bearer(right.json()["access_token"]))
    ).status_code == 200


async def test_a_code_works_once(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    _, secret, _ = await enable(client, clock)
    clock.advance(timedelta(seconds=31))
    current = code(secret, clock)
    for expected in (200, 401):
        challenge = (await log_in(client)).json()["error"]["details"]["challenge_token"]
        response = await client.post(
            f"{CF}/auth/mfa/verify", json={"challenge_token": challenge, "code": current}
        )
        assert response.status_code == expected


async def test_recovery_codes_are_single_use(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    _, _, recovery = await enable(client, clock)
    for expected in (200, 401):
        challenge = (await log_in(client)).json()["error"]["details"]["challenge_token"]
        response = await client.post(
            f"{CF}/auth/mfa/verify", json={"challenge_token": challenge, "code": recovery[0]}
        )
        assert response.status_code == expected


async def test_challenges_expire_and_limit_attempts(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    _, secret, _ = await enable(client, clock)
    challenge = (await log_in(client)).json()["error"]["details"]["challenge_token"]
    for _ in range(5):
        await client.post(
            f"{CF}/auth/mfa/verify", json={"challenge_token": challenge, "code": "111111"}
        )
    locked = await client.post(
        f"{CF}/auth/mfa/verify", json={"challenge_token": challenge, "code": code(secret, clock, 1)}
    )
    assert locked.json()["error"]["details"]["reason"] == "token_invalid"
    fresh = (await log_in(client)).json()["error"]["details"]["challenge_token"]
    clock.advance(timedelta(minutes=5, seconds=1))
    expired = await client.post(
        f"{CF}/auth/mfa/verify", json={"challenge_token": fresh, "code": code(secret, clock)}
    )
    assert expired.json()["error"]["details"]["reason"] == "token_expired"


async def test_a_challenge_is_not_an_access_token(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    await enable(client, clock)
    challenge = (await log_in(client)).json()["error"]["details"]["challenge_token"]
    assert (await client.get(f"{CF}/users/me", headers=bearer(challenge))).status_code == 401


async def test_disable_needs_a_code(client: httpx2.AsyncClient, clock: FixedClock) -> None:
    account, secret, _ = await enable(client, clock)
    headers = bearer(account["access_token"])
    refused = await client.post(
        f"{CF}/auth/mfa/totp/disable", json={"code": "123456"}, headers=headers
    )
    assert refused.status_code == 401
    clock.advance(timedelta(seconds=31))
    done = await client.post(
        f"{CF}/auth/mfa/totp/disable", json={"code": code(secret, clock)}, headers=headers
    )
    assert done.status_code == 204
    assert (await log_in(client)).status_code == 200


async def test_secrets_are_stored_encrypted(
    client: httpx2.AsyncClient, clock: FixedClock, app: Any
) -> None:
    from sqlalchemy import select

    from appfleet.core.database import unit_of_work
    from appfleet.platform.users.models import User

    _, secret, _ = await enable(client, clock)
    async with unit_of_work(app.state.db, write=False) as session:
        stored = await session.scalar(select(User.totp_secret))
    assert stored and secret not in stored
