"""Forgotten passwords and email verification, end to end through the outbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import AppSettings, Settings
from appfleet.main import create_app
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.auth.models import EmailToken
from tests.fixtures.accounts import PASSWORD, bearer, emails_to, log_in, register, stored
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio
CF = "/api/v1/corpfinity"
NEW_PASSWORD = "a whole new passphrase"


@pytest.fixture
async def deep_linked(
    settings: Settings, clock: FixedClock
) -> AsyncIterator[tuple[httpx2.AsyncClient, FastAPI]]:
    link = AppSettings(password_reset_url="corpfinity://reset?token={token}")
    app = create_app(
        settings.model_copy(update={"app": {"corpfinity": link}}), clock=clock, manifests=MANIFESTS
    )
    async with serve(app) as client:
        yield client, app


def reset_token(text: str) -> str:
    match = re.search(r"^([A-Za-z0-9_-]{40,})$", text, re.MULTILINE)
    assert match, text
    return match.group(1)


async def forgot(client: httpx2.AsyncClient, email: str = "ann@example.com") -> httpx2.Response:
    return await client.post(f"{CF}/auth/forgot", json={"email": email})


async def test_forgot_answers_the_same_for_unknown_emails(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    await register(client)
    known = await forgot(client, "Ann@Example.com")
    unknown = await forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(await emails_to(app, "ann@example.com")) == 1
    assert await emails_to(app, "nobody@example.com") == []


async def test_reset_sets_the_password_once_and_signs_out_everywhere(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    # lowkeymode and healthindex share accounts (seed 002): the reset signs out of both.
    lk, hi = "/api/v1/lowkeymode", "/api/v1/healthindex"
    account = await register(client, app="lowkeymode")
    shop = (await log_in(client, app="healthindex")).json()
    await client.post(f"{lk}/auth/forgot", json={"email": "ann@example.com"})
    (email,) = await emails_to(app, "ann@example.com")
    assert email.payload["subject"] == "Reset your Lowkey Mode password"
    assert email.sensitive is True
    token = reset_token(email.payload["text"])
    assert token in (email.payload["html"] or "")
    # Only a keyed hash of the token is stored.
    assert all(token not in row.token_hash for row in await stored(app, EmailToken))

    done = await client.post(f"{hi}/auth/reset", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    assert (await log_in(client, app="lowkeymode")).status_code == 401
    assert (await log_in(client, app="lowkeymode", password=NEW_PASSWORD)).status_code == 200
    for tokens, prefix in ((account, lk), (shop, hi)):
        me = await client.get(f"{prefix}/users/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401
        assert me.json()["error"]["details"]["reason"] == "token_revoked"
        refreshed = await client.post(
            f"{prefix}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert refreshed.status_code == 401
    again = await client.post(f"{lk}/auth/reset", json={"token": token, "password": "x" * 12})
    assert again.status_code == 400
    assert "password_reset" in [e.action for e in await stored(app, AuditEvent)]


async def test_reset_tokens_expire_and_only_the_newest_works(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await register(client)
    await forgot(client)
    await forgot(client)
    first, second = (
        reset_token(m.payload["text"]) for m in await emails_to(app, "ann@example.com")
    )
    stale = await client.post(f"{CF}/auth/reset", json={"token": first, "password": NEW_PASSWORD})
    assert stale.status_code == 400
    clock.advance(timedelta(hours=1, seconds=1))
    late = await client.post(f"{CF}/auth/reset", json={"token": second, "password": NEW_PASSWORD})
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "VALIDATION_ERROR"
    assert (await log_in(client)).status_code == 200


async def test_reset_refuses_a_weak_password_and_keeps_the_token(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    await register(client)
    await forgot(client)
    (email,) = await emails_to(app, "ann@example.com")
    token = reset_token(email.payload["text"])
    weak = await client.post(f"{CF}/auth/reset", json={"token": token, "password": "password"})
    assert weak.status_code == 400
    assert weak.json()["error"]["details"]["password"]["constraint"] == "password_policy"
    ok = await client.post(f"{CF}/auth/reset", json={"token": token, "password": NEW_PASSWORD})
    assert ok.status_code == 204


async def test_a_reset_token_of_one_identity_group_is_useless_in_another(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    await register(client)
    await forgot(client)
    (email,) = await emails_to(app, "ann@example.com")
    token = reset_token(email.payload["text"])
    elsewhere = await client.post(
        "/api/v1/pennywise/auth/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert elsewhere.status_code == 400
    assert (await log_in(client)).status_code == 200


async def test_forgot_is_rate_limited_per_email(client: httpx2.AsyncClient) -> None:
    statuses = [
        (await client.post(f"{CF}/auth/forgot", json={"email": "ann@example.com"})).status_code
        for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]


async def test_reset_link_uses_the_apps_deep_link_when_configured(
    deep_linked: tuple[httpx2.AsyncClient, FastAPI],
) -> None:
    client, app = deep_linked
    await register(client)
    await forgot(client)
    (email,) = await emails_to(app, "ann@example.com")
    assert re.search(r"corpfinity://reset\?token=[A-Za-z0-9_-]{40,}", email.payload["text"])
    assert 'href="corpfinity://reset?token=' in (email.payload["html"] or "")


def verification_code(text: str) -> str:
    match = re.search(r"^(\d{6})$", text, re.MULTILINE)
    assert match, text
    return match.group(1)


async def test_email_verification_with_a_code(client: httpx2.AsyncClient, app: FastAPI) -> None:
    account = await register(client)
    headers = bearer(account["access_token"])
    assert account["user"]["email_verified"] is False
    sent = await client.post(f"{CF}/auth/verify-email/request", headers=headers)
    assert sent.status_code == 202
    (email,) = await emails_to(app, "ann@example.com")
    code = verification_code(email.payload["text"])
    assert code in email.payload["subject"]
    wrong = "000000" if code != "000000" else "111111"
    bad = await client.post(f"{CF}/auth/verify-email", json={"code": wrong}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["code"]["attempts_left"] == 4
    good = await client.post(f"{CF}/auth/verify-email", json={"code": code}, headers=headers)
    assert good.status_code == 204
    me = await client.get(f"{CF}/users/me", headers=headers)
    assert me.json()["email_verified"] is True
    again = await client.post(f"{CF}/auth/verify-email/request", headers=headers)
    assert again.status_code == 409


async def test_five_wrong_codes_spend_the_code(client: httpx2.AsyncClient, app: FastAPI) -> None:
    account = await register(client)
    headers = bearer(account["access_token"])
    await client.post(f"{CF}/auth/verify-email/request", headers=headers)
    (email,) = await emails_to(app, "ann@example.com")
    code = verification_code(email.payload["text"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await client.post(f"{CF}/auth/verify-email", json={"code": wrong}, headers=headers)
    late = await client.post(f"{CF}/auth/verify-email", json={"code": code}, headers=headers)
    assert late.status_code == 400
    me = await client.get(f"{CF}/users/me", headers=headers)
    assert me.json()["email_verified"] is False


async def test_verification_codes_expire(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    account = await register(client)
    headers = bearer(account["access_token"])
    await client.post(f"{CF}/auth/verify-email/request", headers=headers)
    (email,) = await emails_to(app, "ann@example.com")
    clock.advance(timedelta(minutes=16))
    headers = bearer((await log_in(client)).json()["access_token"])
    code = verification_code(email.payload["text"])
    late = await client.post(f"{CF}/auth/verify-email", json={"code": code}, headers=headers)
    assert late.status_code == 400


async def test_verification_needs_a_signed_in_user(client: httpx2.AsyncClient) -> None:
    response = await client.post(f"{CF}/auth/verify-email", json={"code": "123456"})
    assert response.status_code == 401
    malformed = await client.post(
        f"{CF}/auth/verify-email",
        json={"code": "12ab56"},
        headers=bearer((await register(client))["access_token"]),
    )
    assert malformed.status_code == 400
    assert PASSWORD not in malformed.text


async def test_the_reset_email_is_in_the_users_language(app: FastAPI) -> None:
    async with serve(app) as client:
        account = await register(client, email="ana@example.com", name="Ana")
        changed = await client.patch(
            f"{CF}/users/me", json={"language": "es-MX"}, headers=bearer(account["access_token"])
        )
        assert changed.status_code == 200
        await client.post(f"{CF}/auth/forgot", json={"email": "ana@example.com"})
        (email,) = await emails_to(app, "ana@example.com")
    assert email.payload["subject"] == "Restablece tu contraseña de CorpFinity"
    assert email.payload["text"].startswith("Hola Ana:")
